"""Errors whose message is safe and useful to show to the person who asked."""

from __future__ import annotations


class UserFacingError(Exception):
    """Raised by services when the user's request cannot be answered.

    The single app-command error handler shows ``str(error)`` as a short
    ephemeral reply; anything else is logged with its traceback and the user
    only sees a generic apology.
    """


class NotFoundError(UserFacingError):
    """Nothing matched what the user typed; the message carries suggestions."""
