"""The command registry: every command of every feature, declared once.

Adding a command is one declaration and one handler:

1. declare it in its feature's ``commands.py`` (name, options, help text,
   examples, who may run it, the :class:`~core.services.Services` method that
   answers it) — see :mod:`core.common.commands`;
2. write that method in the feature's service.

The slash tree (``bot.slash`` reads the registry for every cog), ``/help``
and the offline console all follow from it, and ``tests/bot/test_registry.py``
fails when the tree the bot would sync differs from it.
"""

from __future__ import annotations

from core.admin import commands as admin
from core.ask import commands as ask
from core.common.commands import Access, Command, Group, Kind, Option, OptionType, Registry
from core.digests import commands as digests
from core.follows import commands as follows
from core.me import commands as me
from core.meta import commands as meta
from core.petitions import commands as petitions
from core.places import commands as places

__all__ = ["REGISTRY", "Access", "Command", "Group", "Kind", "Option", "OptionType", "Registry"]

_FEATURES = (ask, petitions, places, me, meta, follows, digests, admin)

REGISTRY = Registry(
    groups=tuple(g for f in _FEATURES for g in getattr(f, "GROUPS", ())),
    commands=tuple(c for f in _FEATURES for c in f.COMMANDS),
)
"""Every group and command, in the order ``/help`` lists them."""
