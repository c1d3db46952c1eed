"""A tiny real discord.py bot used to prove the stand-in (not product code).

Run via ``python -m tests.e2e.launch_bot --rest URL --target tests.e2e.sample_bot:main``
with ``DISCORD_TOKEN`` set. Prints ``SAMPLE READY`` once ``on_ready`` fired.
"""

from __future__ import annotations

import asyncio
import io
import logging
import os

import discord
from discord import app_commands
from discord.ext import commands

FRUITS = ["apple", "apricot", "banana", "blackberry", "cherry"]


class AgainView(discord.ui.View):
    def __init__(self, text: str) -> None:
        super().__init__(timeout=60)
        self.text = text

    @discord.ui.button(label="Again", style=discord.ButtonStyle.primary, custom_id="sample:again")
    async def again(self, interaction: discord.Interaction, button: discord.ui.Button) -> None:
        await interaction.response.edit_message(content=f"again: {self.text}", view=None)
        assert interaction.channel is not None
        await interaction.channel.send(  # type: ignore[union-attr]
            f"{interaction.user.mention} pressed again"
        )

    @discord.ui.button(label="Done", style=discord.ButtonStyle.success, custom_id="sample:done")
    async def done(self, interaction: discord.Interaction, button: discord.ui.Button) -> None:
        await interaction.response.defer()  # type 6: deferred update of this message
        await interaction.edit_original_response(content=f"done: {self.text}", view=None)


class FeedbackModal(discord.ui.Modal, title="Feedback"):
    text: discord.ui.TextInput = discord.ui.TextInput(label="Your feedback", custom_id="fb:text")

    async def on_submit(self, interaction: discord.Interaction) -> None:
        await interaction.response.send_message(
            f"thanks: {self.text.value}",
            ephemeral=True,
            file=discord.File(io.BytesIO(self.text.value.encode()), filename="feedback.txt"),
        )


class SampleBot(commands.Bot):
    def __init__(self) -> None:
        intents = discord.Intents.default()
        intents.members = True
        super().__init__(
            command_prefix=commands.when_mentioned,
            intents=intents,
            allowed_mentions=discord.AllowedMentions.none(),
        )

    async def setup_hook(self) -> None:
        synced = await self.tree.sync()
        print(f"SAMPLE SYNCED {sorted(c.name for c in synced)}", flush=True)

    async def on_ready(self) -> None:
        for guild in self.guilds:
            print(
                f"SAMPLE GUILD {guild.name} members={len(guild.members)} "
                f"owner={guild.owner_id} channels={len(guild.text_channels)}",
                flush=True,
            )
        print("SAMPLE READY", flush=True)


bot = SampleBot()


async def fruit_autocomplete(
    interaction: discord.Interaction, current: str
) -> list[app_commands.Choice[str]]:
    return [app_commands.Choice(name=f.title(), value=f) for f in FRUITS if f.startswith(current)]


@bot.tree.command(description="Echo some text back")
@app_commands.describe(text="What to echo", times="How many times")
@app_commands.autocomplete(text=fruit_autocomplete)
async def echo(interaction: discord.Interaction, text: str, times: int = 1) -> None:
    await interaction.response.send_message(
        f"echo: {' '.join([text] * times)} {interaction.user.mention}", view=AgainView(text)
    )


@bot.tree.command(description="Defer, then edit with a file and send a followup")
async def slow(interaction: discord.Interaction) -> None:
    await interaction.response.defer(thinking=True, ephemeral=True)
    await asyncio.sleep(0.2)
    await interaction.edit_original_response(
        content="slow done",
        attachments=[discord.File(io.BytesIO(b"hello file"), filename="hello.txt")],
    )
    await interaction.followup.send("extra", ephemeral=True)


@bot.tree.command(description="Open a feedback form")
async def feedback(interaction: discord.Interaction) -> None:
    await interaction.response.send_modal(FeedbackModal())


@bot.tree.command(description="Server settings (Manage Server only)")
@app_commands.default_permissions(manage_guild=True)
@app_commands.guild_only()
async def config(interaction: discord.Interaction) -> None:
    perms = interaction.permissions
    me = interaction.app_permissions
    await interaction.response.send_message(
        f"config ok manage_guild={perms.manage_guild} bot_send={me.send_messages} "
        f"guild={interaction.guild.name if interaction.guild else None} "
        f"channel={getattr(interaction.channel, 'name', None)}",
        ephemeral=True,
    )


@bot.tree.command(description="Post in a channel by id")
async def post(interaction: discord.Interaction, channel: discord.TextChannel, text: str) -> None:
    try:
        await channel.send(text)
    except discord.Forbidden as exc:
        await interaction.response.send_message(f"forbidden {exc.code}", ephemeral=True)
    else:
        await interaction.response.send_message("posted", ephemeral=True)


@bot.tree.command(description="Upload a file")
async def upload(interaction: discord.Interaction, file: discord.Attachment) -> None:
    data = await file.read()
    await interaction.response.send_message(
        f"got {file.filename} {file.size} {file.content_type} {data.decode()}", ephemeral=True
    )


def main() -> None:
    bot.run(os.environ["DISCORD_TOKEN"], log_level=logging.INFO, root_logger=True)


if __name__ == "__main__":
    main()
