"""A local stand-in for Discord's REST API and gateway, for end-to-end tests.

See ``server.FakeDiscord`` for the API and ``tests/e2e/conftest.py`` for fixtures.
"""

from . import payloads
from .interactions import InjectionError, InteractionHandle
from .payloads import World, default_world
from .recorder import RecordedFile, RecordedRequest, effective_pings, message_text
from .server import FakeDiscord, Override

__all__ = [
    "FakeDiscord",
    "InjectionError",
    "InteractionHandle",
    "Override",
    "RecordedFile",
    "RecordedRequest",
    "World",
    "default_world",
    "effective_pings",
    "message_text",
    "payloads",
]
