"""petitionbot: entry point, settings and the Discord bot shell.

``cli`` is the launcher (``petitionbot`` / ``python -m bot``), ``settings`` the
typed configuration, ``client`` the ``commands.Bot`` subclass that wires the
database, the cogs in ``cogs/`` and the single app-command error handler.
"""

__version__ = "0.1.0"
