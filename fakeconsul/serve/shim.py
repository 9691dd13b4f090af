"""``fakeconsul shim DIR``: an executable ``DIR/consul`` that starts the fake instead of Consul.

HashiCorp's sdk/testutil runs ``consul`` from ``$PATH``: ``consul version -format=json`` first,
then ``consul agent -config-file FILE`` per test server. The shim answers the first as Consul's
``command/version`` does and hands the second to ``fakeconsul agent``.
"""

from __future__ import annotations

import json
import os
import shlex
import stat
import sys
from collections.abc import Sequence
from pathlib import Path

from ..version import CONSUL_VERSION

REVISION = "fakeconsul"
BUILD_DATE = "2024-11-26T00:00:00Z"
# Consul's RPC protocol versions (consul.DefaultRPCProtocol, ProtocolVersionMin/Max).
RPC = {"Default": 2, "Min": 2, "Max": 3}


def version_info() -> dict[str, object]:
    """command/version's VersionInfo, in its field order (HumanVersion is never marshalled)."""
    return {"Version": CONSUL_VERSION, "Revision": REVISION, "Prerelease": "",
            "BuildDate": BUILD_DATE, "RPC": dict(RPC)}


def version_text(format_name: str) -> str:
    if format_name == "json":
        # json.MarshalIndent(info, "", "   ")
        return json.dumps(version_info(), indent=3)
    supplement = ""
    if RPC["Default"] < RPC["Max"]:
        supplement = (f" (agent will automatically use protocol >{RPC['Default']} when "
                      "speaking to compatible agents)")
    return (f"Consul v{CONSUL_VERSION}\nRevision {REVISION}\nBuild Date {BUILD_DATE}\n"
            f"Protocol {RPC['Default']} spoken by default, understands {RPC['Min']} to "
            f"{RPC['Max']}{supplement}\n")


def _version(args: Sequence[str]) -> int:
    format_name = "pretty"
    rest = list(args)
    while rest:
        name, eq, value = rest.pop(0).lstrip("-").partition("=")
        if name != "format":
            print(f"flag provided but not defined: -{name}", file=sys.stderr)
            return 1
        format_name = value if eq else (rest.pop(0) if rest else "")
    if format_name not in ("pretty", "json"):
        print(f"Unknown format: {format_name}", file=sys.stderr)
        return 1
    # The CLI's Ui.Output adds a newline.
    print(version_text(format_name))
    return 0


def consul_main(args: Sequence[str]) -> int:
    """What ``DIR/consul ARGS`` runs."""
    if not args or args[0] in ("version", "-v", "-version", "--version"):
        if not args:
            print("Usage: consul [--version] [--help] <command> [<args>]\n\nAvailable "
                  "commands (fakeconsul's stand-in): agent, version", file=sys.stderr)
            return 127
        return _version(args[1:])
    if args[0] == "agent":
        from .agent import run  # only an agent pays for importing the server

        return run(args[1:])
    print(f"fakeconsul's consul stand-in knows only the agent and version commands, "
          f"not {args[0]!r}", file=sys.stderr)
    return 1


def write_shim(directory: str | os.PathLike[str]) -> Path:
    """Write ``directory/consul`` (made executable); returns its path."""
    target = Path(directory)
    target.mkdir(parents=True, exist_ok=True)
    package_parent = str(Path(__file__).resolve().parents[2])
    code = ("import sys; sys.path.insert(0, " + repr(package_parent) + "); "
            "from fakeconsul.serve.shim import consul_main; "
            "sys.exit(consul_main(sys.argv[1:]))")
    script = target / "consul"
    # exec keeps the PID, so testutil's SIGINT reaches the agent itself.
    script.write_text(
        "#!/bin/sh\n"
        "# Written by `fakeconsul shim`: this `consul` is fakeconsul.\n"
        f"exec {shlex.quote(sys.executable)} -c {shlex.quote(code)} \"$@\"\n"
    )
    script.chmod(script.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    return script


def run(args: Sequence[str]) -> int:
    """``fakeconsul shim DIR``."""
    path = write_shim(args[0])
    print(f"wrote {path}; put {path.parent} first on PATH to run fakeconsul as consul",
          flush=True)
    return 0
