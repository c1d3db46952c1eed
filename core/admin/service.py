"""The ``/admin`` commands: petition data (owners) and a server's settings (moderators).

Who may run each is declared in ``core.admin.commands`` and checked by the bot
before a handler runs; the console's local user is the owner. Every action —
refusals, cancellations and time-outs included — goes through the one
:class:`~core.admin.audit.AuditLog`.
"""

from __future__ import annotations

from typing import Any

from core.admin import ingest as admin_ingest
from core.admin.audit import AuditLog
from core.admin.host import Host
from core.admin.results import IngestDone, RemovalPrompt, StatsResult
from core.admin.types import Caller, Ref, Scope, Upload
from core.common.cards import escape
from core.common.errors import UserFacingError
from core.common.ids import parse_petition_id
from core.common.results import FollowUp, Invocation, Notice
from core.ingest import uploads
from core.search.resolver import Resolver
from db import guild_settings as guild_repo
from db import petitions as petition_repo
from db.database import Database


class AdminCommands:
    """``/admin …`` over one database, resolver, audit log and host."""

    def __init__(self, db: Database, resolver: Resolver, audit: AuditLog, host: Host) -> None:
        self.db = db
        self.resolver = resolver
        self.audit = audit
        self.host = host

    async def record(
        self,
        caller: Caller,
        action: str,
        result: str,
        scope: Scope,
        arguments: dict[str, Any] | None = None,
    ) -> None:
        """Audit an action the service did not run itself (a refusal, a time-out, a sync)."""
        await self.audit.record(caller.entry(action, result, scope, arguments))

    # ------------------------------------------------------------ petition data (owners)
    def check_upload(self, name: str, size: int) -> None:
        """Refuse a file by name and size before it is downloaded."""
        uploads.check_upload(name, size, self.host.max_upload_bytes)

    async def ingest(self, caller: Caller, file: Upload) -> IngestDone:
        """Add or update the petitions in an uploaded document or .zip (audited on every path)."""
        self.check_upload(file.name, len(file.data))
        arguments = {"file": file.name, "bytes": len(file.data)}
        entry = caller.entry("admin ingest", "", "global", arguments)
        try:
            report = await admin_ingest.ingest_upload(
                self.db,
                file.name,
                file.data,
                max_bytes=self.host.max_upload_bytes,
                entry=entry,
                audit=self.audit,
            )
        finally:
            await self.resolver.refresh()
            await self.host.data_changed()
        return IngestDone(invocation=Invocation.of("admin ingest"), report=report)

    def check_data_dir(self) -> None:
        if not self.host.data_dir.is_dir():
            raise UserFacingError("The data directory does not exist on the bot's machine.")

    async def reload(self, caller: Caller) -> IngestDone:
        """Ingest the data directory again (unchanged documents are skipped)."""
        self.check_data_dir()
        entry = caller.entry("admin reload", "", "global", {})
        try:
            report = await admin_ingest.reload_folder(
                self.db, self.host.data_dir, entry=entry, audit=self.audit
            )
        finally:
            await self.resolver.refresh()
            await self.host.data_changed()
        return IngestDone(
            invocation=Invocation.of("admin reload"), report=report, title="Reload report"
        )

    async def remove(
        self, caller: Caller, petition: str, confirm: bool | None = None
    ) -> RemovalPrompt | Notice:
        """Ask first (``confirm`` None); then remove (True) or record the cancellation."""
        petition_id = parse_petition_id(petition)
        summary = await petition_repo.get_summary(self.db, petition_id) if petition_id else None
        if summary is None:
            raise UserFacingError(f"No stored petition has the id or URL `{escape(petition)}`.")
        arguments = {"id": summary.id}
        invocation = Invocation.of("admin remove", petition=str(summary.id))
        if confirm is None:
            return RemovalPrompt(
                invocation=invocation,
                petition_id=summary.id,
                title=summary.title,
                actions=(
                    FollowUp("Confirm", invocation.with_arg("confirm", True)),
                    FollowUp("Cancel", invocation.with_arg("confirm", False)),
                ),
            )
        if not confirm:
            await self.record(caller, "admin remove", "cancelled", "global", arguments)
            return Notice(invocation=invocation, text="Cancelled; nothing changed.")
        removed = await petition_repo.delete_petition(self.db, summary.id)
        await self.resolver.refresh()
        await self.host.data_changed()
        result = "removed" if removed else "already gone"
        await self.record(caller, "admin remove", result, "global", arguments)
        return Notice(invocation=invocation, text=f"Petition {summary.id} {result}.")

    # ------------------------------------------------------------ server (moderators)
    async def stats(self, caller: Caller) -> StatsResult:
        return StatsResult(
            invocation=Invocation.of("admin stats"),
            stats=await petition_repo.stats(self.db),
            runtime=self.host.runtime(),
        )

    async def modrole_set(self, caller: Caller, role: Ref) -> Notice:
        await guild_repo.update_config(self.db, caller.guild, moderator_role_id=role.id)
        await self.record(caller, "modrole set", "ok", "server", {"role": role.id})
        return Notice.of("admin modrole set", f"Moderator role set to **{escape(role.name)}**.")

    async def modrole_clear(self, caller: Caller) -> Notice:
        await guild_repo.update_config(self.db, caller.guild, moderator_role_id=None)
        await self.record(caller, "modrole clear", "ok", "server")
        return Notice.of("admin modrole clear", "Moderator role cleared.")

    async def auditlog_channel(self, caller: Caller, channel: Ref) -> Notice:
        # Announced in the old channel and the new one before the change.
        entry = caller.entry("auditlog channel", "ok", "server", {"channel": channel.id})
        await self.audit.record(entry, also_to=channel.id)
        await guild_repo.update_config(self.db, caller.guild, audit_channel_id=channel.id)
        text = f"Admin actions will be posted in #{escape(channel.name)}."
        return Notice.of("admin auditlog channel", text)

    async def auditlog_off(self, caller: Caller) -> Notice:
        # Recorded first, so the channel still shows that it was turned off.
        await self.record(caller, "auditlog off", "ok", "server")
        await guild_repo.update_config(self.db, caller.guild, audit_channel_id=None)
        return Notice.of("admin auditlog off", "Audit channel turned off.")
