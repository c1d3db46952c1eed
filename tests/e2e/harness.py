"""Spawning the bot as a real process against the stand-in."""

from __future__ import annotations

import asyncio
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from .fake_discord import FakeDiscord
from .launch_bot import DEFAULT_TARGET, ENV_URL

REPO_ROOT = Path(__file__).resolve().parents[2]


class BotProcess:
    """The bot running in a subprocess via ``python -m tests.e2e.launch_bot``.

    ``target="module:callable"`` (default: the product CLI ``bot.cli:app``) is called with
    ``sys.argv = [prog, *args]``; or ``module="bot"`` runs it exactly like ``python -m bot``.

    Output (stdout+stderr) goes to ``log_path``; ``output()`` reads it and
    ``wait_for_output(regex)`` waits for a line. ``stop()`` sends SIGINT (discord.py's
    ``Client.run`` closes cleanly on it), escalating to SIGKILL after ``timeout``.
    """

    def __init__(
        self,
        discord: FakeDiscord,
        *,
        args: list[str] | None = None,
        target: str = DEFAULT_TARGET,
        module: str | None = None,
        env: dict[str, str] | None = None,
        log_path: Path | None = None,
        python: str = sys.executable,
        cwd: Path = REPO_ROOT,
    ) -> None:
        self.discord = discord
        self.args = list(args or [])
        self.target = target
        self.module = module  # run like `python -m MODULE` (overrides target)
        self.extra_env = dict(env or {})
        if log_path is None:
            fd, name = tempfile.mkstemp(prefix="petitionbot-e2e-", suffix=".log")
            os.close(fd)
            log_path = Path(name)
        self.log_path = log_path
        self.python = python
        self.cwd = cwd
        self.proc: subprocess.Popen[bytes] | None = None
        self.ready_baseline = 0
        self.started_at = 0.0
        self.starts = 0

    # ---- lifecycle ---------------------------------------------------------------------
    @classmethod
    def spawn(cls, discord: FakeDiscord, **kwargs: Any) -> BotProcess:
        return cls(discord, **kwargs).start()

    def env(self) -> dict[str, str]:
        env = dict(os.environ)
        env.update(
            {
                "DISCORD_TOKEN": self.discord.token,
                ENV_URL: self.discord.url,
                "PYTHONUNBUFFERED": "1",
                "PYTHONPATH": os.pathsep.join(
                    p for p in (str(REPO_ROOT), env.get("PYTHONPATH", "")) if p
                ),
            }
        )
        env.update(self.extra_env)
        return env

    def command(self) -> list[str]:
        return [
            self.python,
            "-m",
            "tests.e2e.launch_bot",
            "--rest",
            self.discord.url,
            *(["--module", self.module] if self.module else ["--target", self.target]),
            "--",
            *self.args,
        ]

    def start(self) -> BotProcess:
        if self.running:
            raise RuntimeError("already running")
        self.ready_baseline = self.discord.ready_count
        self.started_at = time.monotonic()
        self.starts += 1
        with open(self.log_path, "ab") as log:
            log.write(f"\n===== start #{self.starts}: {' '.join(self.command())}\n".encode())
            log.flush()
            self.proc = subprocess.Popen(
                self.command(),
                cwd=self.cwd,
                env=self.env(),
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        return self

    @property
    def running(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    @property
    def returncode(self) -> int | None:
        return None if self.proc is None else self.proc.poll()

    def settle(self, quiet: float = 0.3, max_wait: float = 3.0) -> None:
        """Wait until the bot made no REST request for ``quiet`` seconds (bounded by
        ``max_wait``). The stand-in marks a request answered when it *sends* the answer;
        the bot may not have read it yet, and closing the bot right then makes its
        in-flight call fail with ``ServerDisconnectedError``."""
        deadline = time.monotonic() + max_wait
        while time.monotonic() < deadline:
            idle = time.monotonic() - self.discord.recorder.last_activity
            if idle >= quiet:
                return
            time.sleep(quiet - idle)

    def stop(
        self, timeout: float = 10.0, sig: int = signal.SIGINT, *, settle: float = 0.3
    ) -> int | None:
        """Let in-flight work settle, signal the bot and wait; SIGKILL if it does not exit
        within ``timeout``."""
        if self.proc is None:
            return None
        if self.proc.poll() is None:
            if settle:
                self.settle(settle)
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        return self.proc.returncode

    def kill(self) -> int | None:
        """SIGKILL: no cleanup at all (simulates a crash / OOM kill)."""
        if self.proc is None:
            return None
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(5)
        return self.proc.returncode

    def restart(self, *, kill: bool = False, timeout: float = 20.0) -> BotProcess:
        """Stop (or kill) and start again, then wait for the new READY."""
        self.kill() if kill else self.stop()
        self.start()
        self.wait_ready(timeout=timeout)
        return self

    # ---- waits ---------------------------------------------------------------------------
    def _check_alive(self) -> None:
        if self.proc is not None and self.proc.poll() is not None:
            raise RuntimeError(
                f"bot exited with {self.proc.returncode}; output:\n{self.output()[-4000:]}"
            )

    def wait_ready(self, timeout: float = 20.0, *, commands: list[str] | None = None) -> None:
        """Wait until the stand-in sent READY to *this* start of the bot (and, with
        ``commands``, until those command names were synced globally since it started)."""
        deadline = time.monotonic() + timeout
        while True:
            self._check_alive()
            try:
                self.discord.wait_ready(self.ready_baseline + 1, timeout=0.25)
                break
            except TimeoutError:
                if time.monotonic() > deadline:
                    raise TimeoutError(
                        f"bot not READY after {timeout}s; output:\n{self.output()[-4000:]}"
                    ) from None
        if commands is not None:
            self.discord.wait_commands_synced(
                commands,
                after=self.started_at,
                timeout=max(0.5, deadline - time.monotonic()),
            )

    async def wait_ready_async(self, *args: Any, **kwargs: Any) -> None:
        await asyncio.to_thread(self.wait_ready, *args, **kwargs)

    def output(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")
        except FileNotFoundError:
            return ""

    def wait_for_output(self, pattern: str, timeout: float = 20.0) -> re.Match[str]:
        """Wait for a regex to appear in the bot's output (this start only)."""
        rx = re.compile(pattern)
        deadline = time.monotonic() + timeout
        marker = f"===== start #{self.starts}:"
        while True:
            text = self.output()
            text = text[text.rfind(marker) :] if marker in text else text
            m = rx.search(text)
            if m:
                return m
            if self.proc is not None and self.proc.poll() is not None:
                raise RuntimeError(
                    f"bot exited ({self.proc.returncode}) before {pattern!r}:\n{text[-4000:]}"
                )
            if time.monotonic() > deadline:
                raise TimeoutError(f"{pattern!r} not in output after {timeout}s:\n{text[-4000:]}")
            time.sleep(0.05)

    async def wait_for_output_async(self, *args: Any, **kwargs: Any) -> re.Match[str]:
        return await asyncio.to_thread(self.wait_for_output, *args, **kwargs)
