"""What every command answers with: how to re-run it and what to offer next."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Invocation:
    """A command and its arguments: enough to run it again (menus, buttons)."""

    command: str
    args: tuple[tuple[str, object], ...] = ()

    @classmethod
    def of(cls, command: str, /, **args: object) -> Invocation:
        return cls(command, tuple(args.items()))

    @property
    def kwargs(self) -> dict[str, object]:
        return dict(self.args)

    def with_arg(self, name: str, value: object) -> Invocation:
        """The same command with one argument replaced (a "Did you mean…" pick)."""
        return Invocation(self.command, tuple({**self.kwargs, name: value}.items()))


@dataclass(frozen=True, slots=True)
class FollowUp:
    """Something the user can pick next: a menu option or a button.

    ``replace`` is True when the pick corrects the answer shown (it replaces
    that message) and False when it opens something new beside it.
    """

    label: str
    invocation: Invocation
    description: str | None = None
    replace: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class Result:
    """Common to every command's answer: how to re-run it and what to offer next."""

    invocation: Invocation
    choices: tuple[FollowUp, ...] = ()
    actions: tuple[FollowUp, ...] = ()

    def shared(self) -> Result:
        """The answer as posted for everyone: without what is only the asker's (their seat)."""
        return self


@dataclass(frozen=True, slots=True, kw_only=True)
class Notice(Result):
    """A short private answer: a setting changed, a digest posted, a petition removed."""

    text: str

    @classmethod
    def of(cls, command: str, text: str) -> Notice:
        return cls(invocation=Invocation.of(command), text=text)
