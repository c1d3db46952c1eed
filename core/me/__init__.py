"""A user's own settings: their home seat (``/me seat set|show``, ``/me forget``)."""
