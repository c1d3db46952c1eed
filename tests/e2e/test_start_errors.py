"""Starting with a wrong token, without a network, or crashing: one clear line, no secrets."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

from .fake_discord import FakeDiscord
from .harness import REPO_ROOT, BotProcess

TOKEN = "MTIzNDU2Nzg5MDEyMzQ1Njc4.secret-part.do-not-print"


def _finish(bot: BotProcess, timeout: float = 60.0) -> tuple[int, str]:
    assert bot.proc is not None
    code = bot.proc.wait(timeout=timeout)
    return code, bot.output()


def test_wrong_token_is_one_line_saying_what_to_do(
    fake_discord: FakeDiscord, tmp_path: Path
) -> None:
    """The stand-in answers 401 on /users/@me for any other token, as Discord does."""
    bot = BotProcess(
        fake_discord,
        args=["run"],
        env={"DISCORD_TOKEN": TOKEN, "DATABASE_PATH": str(tmp_path / "db.sqlite3")},
        log_path=tmp_path / "bot.log",
    ).start()
    code, output = _finish(bot)
    assert code == 1, output
    said = [line for line in output.splitlines() if "Discord refused the token" in line]
    assert len(said) == 1 and said[0].endswith("and run again."), output
    assert "Traceback" not in output and "LoginFailure" not in output
    assert TOKEN not in output
    assert "secret-part" not in output


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_no_network_is_one_line_saying_what_to_do(tmp_path: Path) -> None:
    """discord.py pointed at a port nobody listens on: the connection is refused."""
    rest = f"http://127.0.0.1:{_closed_port()}"
    env = dict(os.environ)
    env.update(
        DISCORD_TOKEN=TOKEN,
        DATABASE_PATH=str(tmp_path / "db.sqlite3"),
        PYTHONPATH=str(REPO_ROOT),
    )
    proc = subprocess.run(
        [sys.executable, "-m", "tests.e2e.launch_bot", "--rest", rest, "--", "run"],
        cwd=REPO_ROOT,
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=120,
    )
    output = proc.stdout + proc.stderr
    assert proc.returncode == 1, output
    assert "Cannot reach Discord" in output and "Check the network connection" in output
    assert "Traceback" not in output
    said = [line for line in output.splitlines() if "Cannot reach Discord" in line]
    assert len(said) == 1 and said[0].endswith("then run again."), output
    assert TOKEN not in output


def test_a_crash_in_run_does_not_print_the_token(fake_discord: FakeDiscord, tmp_path: Path) -> None:
    """An unexpected error after login (the database path is a directory) ends in a
    traceback, as it should; its frames hold the token, and typer must not print locals."""
    folder = tmp_path / "a-directory"
    folder.mkdir()
    bot = BotProcess(
        fake_discord,
        args=["run"],
        env={"DATABASE_PATH": str(folder)},
        log_path=tmp_path / "bot.log",
    ).start()
    code, output = _finish(bot)
    assert code != 0, output
    assert "Traceback" in output or "Error" in output, output
    assert fake_discord.token not in output, output
