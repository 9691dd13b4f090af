"""``fakeconsul serve``: N clusters on one network, each on its own port, until stopped."""

from __future__ import annotations

import argparse
import signal
import sys
import threading
import urllib.request
from collections.abc import Sequence
from typing import NoReturn

from . import CONSUL_VERSION
from .network import Network
from .server import ClusterServer, ServeError
from .timing import Timing

DEFAULT_CLUSTERS = ("dc1=127.0.0.1:8500", "dc2=127.0.0.1:8501")


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        # One line, no usage dump: the caller sees at once what was wrong.
        self.exit(2, f"{self.prog}: error: {message}\n")


def _cluster_spec(text: str) -> tuple[str, str, int]:
    name, sep, address = text.partition("=")
    host, colon, port_text = address.rpartition(":")
    if not sep or not name or not colon or not host:
        raise argparse.ArgumentTypeError(f"expected NAME=HOST:PORT, got {text!r}")
    if not port_text.isdigit() or not 0 <= int(port_text) <= 65535:
        raise argparse.ArgumentTypeError(f"invalid port in {text!r}")
    return name, host.strip("[]"), int(port_text)


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected seconds, got {text!r}") from None
    if value < 0 or value != value:
        raise argparse.ArgumentTypeError(f"expected seconds >= 0, got {text!r}")
    return value


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="fakeconsul", description="In-memory fake of Consul's peering API.")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    serve = commands.add_parser(
        "serve", help="serve fake clusters on real ports until Ctrl-C or SIGTERM"
    )
    serve.add_argument(
        "--cluster", action="append", type=_cluster_spec, metavar="NAME=HOST:PORT",
        help="a cluster to serve (repeatable); default: dc1=127.0.0.1:8500 dc2=127.0.0.1:8501",
    )
    serve.add_argument("--connect-delay", type=_seconds, default=0.0, metavar="S",
                       help="seconds of model time between establish and ACTIVE (default 0)")
    serve.add_argument("--deletion-delay", type=_seconds, default=0.0, metavar="S",
                       help="seconds of model time a deleted peering stays DELETING (default 0)")
    serve.add_argument("--quiet", action="store_true", help="do not log one line per request")
    return parser


def _log(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


def serve(args: argparse.Namespace) -> int:
    specs = args.cluster or [_cluster_spec(s) for s in DEFAULT_CLUSTERS]
    names = [name for name, _, _ in specs]
    if len(set(names)) != len(names):
        _log("fakeconsul: error: each --cluster needs its own name")
        return 2
    network = Network(
        timing=Timing(connect_delay=args.connect_delay, deletion_delay=args.deletion_delay)
    )
    servers: list[ClusterServer] = []
    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    try:
        for name, host, port in specs:
            server = ClusterServer(
                network.add_cluster(name), host, port, request_log=None if args.quiet else _log
            )
            server.start()
            servers.append(server)
            _wait_until_answering(server)
            print(f"{name}: {server.url}", flush=True)
        print(f"fakeconsul {CONSUL_VERSION}-compatible peering API ready; Ctrl-C stops.",
              flush=True)
        stop.wait()
    except ServeError as err:
        _log(f"fakeconsul: error: {err}")
        return 1
    finally:
        for server in servers:
            server.stop()
    return 0


def _wait_until_answering(server: ClusterServer) -> None:
    with urllib.request.urlopen(server.url + "/v1/status/leader", timeout=5) as answer:
        answer.read()


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.command == "serve":
        return serve(args)
    return 2  # pragma: no cover - argparse requires a command


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
