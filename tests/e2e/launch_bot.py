"""Test-only launcher: point discord.py at the local stand-in, then run the real CLI.

    python -m tests.e2e.launch_bot --rest http://127.0.0.1:PORT -- run
    DISCORD_STANDIN_URL=http://127.0.0.1:PORT python -m tests.e2e.launch_bot -- run
    python -m tests.e2e.launch_bot --rest URL --target tests.e2e.sample_bot:main
    python -m tests.e2e.launch_bot --rest URL --module bot -- run   # == python -m bot run

Everything after ``--`` becomes ``sys.argv[1:]`` of the target (default ``bot.cli:app``,
the product's typer app). Product code is not changed; only these discord.py globals are:

* ``discord.http.Route.BASE``            -> ``{rest}/api/v10`` (REST + interaction webhooks)
* ``DiscordWebSocket.DEFAULT_GATEWAY``   -> ``ws://.../gateway`` (a plain ``Client``
  never asks ``GET /gateway/bot``; it connects straight to this URL)
* ``discord.asset.Asset.BASE``           -> ``{rest}/cdn`` (avatars/icons)
* ``ConnectionState`` default ``guild_ready_timeout`` 2.0 s -> ``--guild-ready-timeout``
  (default 0.1 s) unless the bot passes one explicitly: ``on_ready`` fires that long after
  the last GUILD_CREATE, so this just makes startup faster.

Refuses to run against anything but a loopback address.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib
import inspect
import os
import runpy
import sys
from typing import Any
from urllib.parse import urlsplit

DEFAULT_TARGET = "bot.cli:app"
ENV_URL = "DISCORD_STANDIN_URL"


def patch_discord(rest: str, *, guild_ready_timeout: float | None = 0.1) -> None:
    """Redirect discord.py to the stand-in at ``rest`` (``http://127.0.0.1:PORT``)."""
    parts = urlsplit(rest)
    if parts.hostname not in ("127.0.0.1", "localhost", "::1"):
        raise SystemExit(f"launch_bot: refusing non-loopback stand-in URL {rest!r}")
    base = rest.rstrip("/")
    ws_scheme = "wss" if parts.scheme == "https" else "ws"

    import discord.asset
    import discord.gateway
    import discord.http
    import discord.state
    import yarl

    discord.http.Route.BASE = f"{base}/api/v10"
    discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(
        f"{ws_scheme}://{parts.netloc}/gateway"
    )
    discord.asset.Asset.BASE = f"{base}/cdn"

    if guild_ready_timeout is not None:
        original_init = discord.state.ConnectionState.__init__
        if not getattr(original_init, "_standin_patched", False):

            def __init__(self: Any, *args: Any, **options: Any) -> None:
                options.setdefault("guild_ready_timeout", guild_ready_timeout)
                original_init(self, *args, **options)

            __init__._standin_patched = True  # type: ignore[attr-defined]
            discord.state.ConnectionState.__init__ = __init__  # type: ignore[method-assign]


def load_target(spec: str) -> Any:
    module_name, _, attr = spec.partition(":")
    module = importlib.import_module(module_name)
    obj: Any = module
    for part in (attr or "main").split("."):
        obj = getattr(obj, part)
    return obj


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if "--" in argv:
        split = argv.index("--")
        own, rest_args = argv[:split], argv[split + 1 :]
    else:
        own, rest_args = argv, []
    parser = argparse.ArgumentParser(prog="launch_bot", description=__doc__.splitlines()[0])
    parser.add_argument("--rest", default=os.environ.get(ENV_URL), help=f"or ${ENV_URL}")
    parser.add_argument("--target", default=DEFAULT_TARGET, help="module:callable to run")
    parser.add_argument(
        "--module", help="run this module like `python -m MODULE` instead of --target"
    )
    parser.add_argument("--guild-ready-timeout", type=float, default=0.1)
    args = parser.parse_args(own)
    if not args.rest:
        parser.error(f"--rest or ${ENV_URL} is required")

    patch_discord(args.rest, guild_ready_timeout=args.guild_ready_timeout)
    if args.module:
        sys.argv = [args.module, *rest_args]
        runpy.run_module(args.module, run_name="__main__", alter_sys=True)
        return 0
    target = load_target(args.target)
    prog = "petitionbot" if args.target == DEFAULT_TARGET else args.target.partition(":")[0]
    sys.argv = [prog, *rest_args]
    result = target()
    if inspect.isawaitable(result):
        result = asyncio.run(result)
    return result if isinstance(result, int) else 0


if __name__ == "__main__":
    sys.exit(main())
