"""Interactive replies: page buttons, a "Did you mean…"/"open one" menu, action buttons.

A :class:`ReplyView` is built from a rendered :class:`~core.common.cards.Reply` and
the service :class:`~core.services.Result` behind it. Menu options and action
buttons carry the index of a :class:`~core.services.FollowUp`, so a pick just
replays that follow-up's invocation through the same services and renderers
(:func:`respond`). Only the person who ran the command can use the controls;
after :data:`VIEW_TIMEOUT` seconds they are disabled on the message itself.

The cogs use :func:`answer` for every command: run the service (deferring
only when it is slow, so that not-found replies stay ephemeral), render, send
with no mentions allowed.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Coroutine, Sequence
from typing import Any, TypeVar

import discord
from discord import app_commands

from bot.embeds import NO_MENTIONS, reply_kwargs, to_embed, to_files
from bot.errors import GENERIC, send_ephemeral
from core.common.cards import Choice, Reply
from core.common.errors import UserFacingError
from core.common.results import FollowUp, Result
from core.places.render import choices_per_page, render
from core.services import Services

log = logging.getLogger(__name__)

T = TypeVar("T")

VIEW_TIMEOUT = 180.0
"""Seconds of inactivity after which a reply's controls are disabled."""
DEFER_AFTER = 2.0
"""A service still running after this long gets a "thinking…" deferral (3 s deadline)."""
REFUSAL = "Only the person who ran this command can use these controls."
MENU_LIMIT = 25
SHARE_LABEL = "Post in channel"


Handler = Callable[[discord.Interaction[Any]], Coroutine[Any, Any, None]]


class _Button(discord.ui.Button["ReplyView"]):
    """A button that calls ``handler`` (None: a label-only, disabled button)."""

    def __init__(self, handler: Handler | None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.handler = handler

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        if self.handler is not None:
            await self.handler(interaction)


class _Menu(discord.ui.Select["ReplyView"]):
    """A select menu that hands the picked value to ``handler``."""

    def __init__(
        self,
        handler: Callable[[discord.Interaction[Any], str], Coroutine[Any, Any, None]],
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.handler = handler

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        await self.handler(interaction, self.values[0])


class ReplyView(discord.ui.View):
    """Controls for one reply: ◀ ▶ paging, a select menu and follow-up buttons."""

    def __init__(
        self,
        *,
        owner_id: int,
        services: Services,
        result: Result,
        reply: Reply,
        timeout: float | None = VIEW_TIMEOUT,
        private: bool = False,
        shareable: bool = True,
    ) -> None:
        super().__init__(timeout=timeout)
        self.private = private
        """Only the invoker sees it, and follow-ups stay private."""
        self.shareable = private and shareable
        """A "Post in channel" button posts what is shown for everyone."""
        self.owner_id = owner_id
        self.services = services
        self.result = result
        self.reply = reply
        self.pages = reply.pages
        self.page = 0
        self.per_page = choices_per_page(result)
        self.interaction: discord.Interaction[Any] | None = None
        self._build()

    # ------------------------------------------------------------ layout
    def page_choices(self) -> list[Choice]:
        """Menu options for the page shown (all options when the menu is not per page)."""
        if self.per_page is None:
            return self.reply.choices[:MENU_LIMIT]
        start = self.page * self.per_page
        return self.reply.choices[start : start + self.per_page]

    def _build(self) -> None:
        self.clear_items()
        if len(self.pages) > 1:
            last = len(self.pages) - 1
            grey = discord.ButtonStyle.secondary
            self.add_item(
                _Button(
                    self._previous,
                    label="◀ Previous",
                    style=grey,
                    disabled=self.page == 0,
                    row=0,
                    custom_id="reply:previous",
                )
            )
            self.add_item(
                _Button(
                    None,
                    label=f"{self.page + 1} / {len(self.pages)}",
                    style=grey,
                    disabled=True,
                    row=0,
                    custom_id="reply:page",
                )
            )
            self.add_item(
                _Button(
                    self._next,
                    label="Next ▶",
                    style=grey,
                    disabled=self.page >= last,
                    row=0,
                    custom_id="reply:next",
                )
            )
        options = self.page_choices()
        if options:
            self.add_item(
                _Menu(
                    self._chosen,
                    placeholder=self.reply.choices_placeholder,
                    options=[
                        discord.SelectOption(
                            label=c.label, value=c.value, description=c.description
                        )
                        for c in options
                    ],
                    row=1,
                    custom_id="reply:menu",
                )
            )
        for action in self.reply.actions[:5]:
            self.add_item(
                _Button(
                    self._action(int(action.value)),
                    label=action.label,
                    style=discord.ButtonStyle.primary,
                    row=2,
                    custom_id=f"reply:action:{action.value}",
                )
            )
        if self.shareable:
            self.add_item(
                _Button(
                    self._share,
                    label=SHARE_LABEL,
                    style=discord.ButtonStyle.success,
                    row=3,
                    custom_id="reply:share",
                )
            )

    # ------------------------------------------------------------ checks and lifecycle
    async def interaction_check(self, interaction: discord.Interaction[Any]) -> bool:
        """Only the invoker may page or pick; anyone else is told so, privately."""
        if interaction.user.id == self.owner_id:
            return True
        await interaction.response.send_message(
            REFUSAL, ephemeral=True, allowed_mentions=NO_MENTIONS
        )
        return False

    async def on_timeout(self) -> None:
        """Disable every control on the message so stale buttons cannot be pressed."""
        self.disable_all()
        if self.interaction is None:
            return
        try:
            await self.interaction.edit_original_response(view=self)
        except discord.HTTPException:
            log.debug("Could not disable controls after timeout", exc_info=True)

    def disable_all(self) -> None:
        for item in self.children:
            if isinstance(item, discord.ui.Button | discord.ui.Select):
                item.disabled = True

    async def on_error(
        self, interaction: discord.Interaction[Any], error: Exception, item: discord.ui.Item[Any]
    ) -> None:
        """Same policy as the app-command handler: explain expected errors, log bugs."""
        if isinstance(error, UserFacingError):
            message = str(error)
        else:
            log.error("Unhandled error in a reply control", exc_info=error)
            message = GENERIC
        await send_ephemeral(interaction, discord.utils.escape_mentions(message))

    # ------------------------------------------------------------ callbacks
    async def show_page(self, interaction: discord.Interaction[Any], page: int) -> None:
        self.page = max(0, min(page, len(self.pages) - 1))
        self._build()
        await interaction.response.edit_message(
            embeds=[to_embed(self.pages[self.page])], view=self, allowed_mentions=NO_MENTIONS
        )

    async def _previous(self, interaction: discord.Interaction[Any]) -> None:
        await self.show_page(interaction, self.page - 1)

    async def _next(self, interaction: discord.Interaction[Any]) -> None:
        await self.show_page(interaction, self.page + 1)

    async def _chosen(self, interaction: discord.Interaction[Any], value: str) -> None:
        await self.follow(interaction, self.result.choices[int(value)])

    def _action(self, index: int) -> Handler:
        async def pressed(interaction: discord.Interaction[Any]) -> None:
            await self.follow(interaction, self.result.actions[index])

        return pressed

    async def _share(self, interaction: discord.Interaction[Any]) -> None:
        """Post what is shown, for everyone in the channel (without the asker's own seat)."""
        reply = render(self.result.shared())
        page = min(self.page, len(reply.pages) - 1)
        cards = [reply.pages[page]] if reply.pages else reply.fitted().cards
        kwargs: dict[str, Any] = {
            "embeds": [to_embed(c) for c in cards],
            "allowed_mentions": NO_MENTIONS,
        }
        files = to_files(cards)
        if files:
            kwargs["files"] = files
        await interaction.response.send_message(**kwargs)

    async def follow(self, interaction: discord.Interaction[Any], follow_up: FollowUp) -> None:
        """Run a follow-up: a correction replaces this reply, anything else is a new one."""
        work = self.services.run(follow_up.invocation, user_id=interaction.user.id)
        result = await run_deferring(interaction, work, ephemeral=self.private)
        if follow_up.replace:
            self.stop()
        await respond(
            interaction,
            self.services,
            result,
            edit=follow_up.replace,
            private=self.private,
            shareable=self.shareable,
        )


def needs_view(reply: Reply) -> bool:
    return len(reply.pages) > 1 or bool(reply.choices) or bool(reply.actions)


async def respond(
    interaction: discord.Interaction[Any],
    services: Services,
    result: Result,
    *,
    edit: bool = False,
    private: bool = False,
    shareable: bool = True,
) -> ReplyView | None:
    """Render ``result`` and send it: as the answer, into a deferred answer, or in place.

    ``private``: only the invoker sees it (``shareable``: with a button to post it).
    """
    reply = render(result)
    if private:
        reply.ephemeral = True
    view = None
    if needs_view(reply) or (private and shareable):
        view = ReplyView(
            owner_id=interaction.user.id,
            services=services,
            result=result,
            reply=reply,
            private=private,
            shareable=shareable,
        )
    kwargs: dict[str, Any] = dict(reply_kwargs(reply))
    kwargs["view"] = view if view is not None else discord.utils.MISSING
    if edit or interaction.response.is_done():
        kwargs.pop("ephemeral", None)
        files = kwargs.pop("files", None)
        if files:
            kwargs["attachments"] = files
        if edit:
            kwargs["view"] = view  # None removes the old controls
            await interaction.response.edit_message(**kwargs)
        else:
            await interaction.edit_original_response(**kwargs)
    else:
        await interaction.response.send_message(**kwargs)
    if view is not None:
        view.interaction = interaction
    return view


async def run_deferring(
    interaction: discord.Interaction[Any],
    work: Awaitable[T],
    *,
    after: float | None = None,
    ephemeral: bool = False,
) -> T:
    """Await ``work``; if it is still running after ``after`` s, defer first.

    Deferring up front would make every reply, including "no match", public
    (a deferred answer's visibility is fixed); services usually answer in
    milliseconds, so only the rare slow one pays for a "thinking…" state.
    """
    task = asyncio.ensure_future(work)
    done, _ = await asyncio.wait({task}, timeout=DEFER_AFTER if after is None else after)
    if not done and not interaction.response.is_done():
        if ephemeral:
            await interaction.response.defer(thinking=True, ephemeral=True)
        else:
            await interaction.response.defer(thinking=True)
    return await task


async def answer(
    interaction: discord.Interaction[Any],
    services: Services,
    work: Awaitable[Result],
    *,
    private: bool = False,
    shareable: bool = True,
) -> None:
    """The whole body of a command: run the service, render, send (errors propagate).

    ``private``: only the invoker sees the answer (a slow one is deferred privately too);
    ``shareable``: then with a "Post in channel" button.
    """
    result = await run_deferring(interaction, work, ephemeral=private)
    await respond(interaction, services, result, private=private, shareable=shareable)


def app_choices(choices: Sequence[Choice]) -> list[app_commands.Choice[str]]:
    """Resolver autocomplete options as Discord choices (25 at most, 100 chars each)."""
    return [
        app_commands.Choice(name=c.label[:100], value=c.value[:100]) for c in choices[:MENU_LIMIT]
    ]
