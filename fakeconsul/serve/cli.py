"""``fakeconsul serve``: N clusters on one network, each on its own port, until stopped."""

from __future__ import annotations

import argparse
import os
import signal
import sys
import threading
import time
import urllib.request
from collections.abc import Sequence
from typing import NoReturn

from ..acl import ACLConfig
from ..model.timing import Timing
from ..persist.statefile import StateFileError
from ..version import CONSUL_VERSION, __version__
from . import agent, shim
from .envflags import EnvHelpFormatter, apply_env_defaults
from .logs import LEVELS
from .logs import configure as configure_logging
from .ready import ready_document, ready_line, remove_ready_file, write_ready_file
from .server import ClusterServer, ServeError
from .standalone import Standalone

DEFAULT_CLUSTERS = ("dc1=127.0.0.1:8500", "dc2=127.0.0.1:8501")
# After SIGTERM or Ctrl-C, servers stop side by side for at most this long; their threads are
# daemons, so a server still busy then does not hold the process (supervisors wait ~1 s).
STOP_DEADLINE = 0.5


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
    parser.add_argument(
        "--version", action="version",
        version=f"fakeconsul {__version__} (imitates Consul {CONSUL_VERSION})",
    )
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    serve = commands.add_parser(
        "serve", help="serve fake clusters on real ports until Ctrl-C or SIGTERM",
        formatter_class=EnvHelpFormatter,
        description="Serve fake Consul clusters, one per port, on one simulated network. Each "
        "port also serves the control API under /_fakeconsul/ and a dashboard at /ui/. Each "
        "flag can be set by the environment variable named after it; a flag given here wins.",
    )
    serve.add_argument(
        "--cluster", action="append", type=_cluster_spec, metavar="NAME=HOST:PORT",
        help="a cluster to serve (repeatable; comma-separated in the variable); default: "
        "dc1=127.0.0.1:8500 dc2=127.0.0.1:8501",
    )
    serve.add_argument("--connect-delay", type=_seconds, default=0.0, metavar="S",
                       help="seconds of model time between establish and ACTIVE (default 0)")
    serve.add_argument("--deletion-delay", type=_seconds, default=0.0, metavar="S",
                       help="seconds of model time a deleted peering stays DELETING (default 0)")
    serve.add_argument("--quiet", action="store_true", help="do not log one line per request")
    serve.add_argument("--heartbeat-interval", type=_seconds, default=15.0, metavar="S",
                       help="seconds of model time between stream heartbeats (default 15)")
    serve.add_argument("--heartbeat-timeout", type=_seconds, default=120.0, metavar="S",
                       help="seconds of model time without a heartbeat before a stream fails "
                       "(default 120)")
    serve.add_argument("--keepalive-timeout", type=_seconds, default=40.0, metavar="S",
                       help="seconds of model time after its last read before a dialer's stream "
                       "over a cut link fails (gRPC keepalive: 30 s ping, 10 s timeout; "
                       "default 40)")
    serve.add_argument("--establish-retry-window", type=_seconds, default=3.0, metavar="S",
                       help="seconds of model time establish retries an unreachable acceptor, "
                       "one attempt every 150 ms (Consul: 3; 0 tries each address once)")
    serve.add_argument("--state-file", metavar="PATH",
                       help="keep the whole network in PATH: loaded at start (its timing wins "
                       "over the flags), saved before each change is answered (default: none, "
                       "state lives in memory)")
    serve.add_argument("--ready-file", metavar="PATH",
                       help="once every cluster answers, write PATH (JSON: each cluster's URL, "
                       "the dashboard's, the pid), as the ready line on stdout; removed on "
                       "stop")
    serve.add_argument("--no-control-api", action="store_true",
                       help="serve neither the control API (/_fakeconsul/) nor the dashboard "
                       "(/ui/)")
    serve.add_argument("--log-level", choices=list(LEVELS), default="info",
                       help="least important log lines shown on stderr (default info)")
    serve.add_argument("--acl-default-policy", choices=["allow", "deny"], metavar="POLICY",
                       help="turn ACLs on in every cluster with this acl.default_policy "
                       "(allow or deny; default: ACLs off)")
    serve.add_argument("--acl-initial-management-token", metavar="SECRET",
                       help="turn ACLs on with SECRET as every cluster's initial management "
                       "token (without it, PUT /v1/acl/bootstrap mints one)")
    # Keep last: FAKECONSUL_<FLAG> defaults apply to the flags added above.
    apply_env_defaults(serve, os.environ)
    commands.add_parser("agent", add_help=False,
                        help="one agent as `consul agent` starts it (Consul's flags and config)")
    shim = commands.add_parser("shim", help="write DIR/consul, which runs fakeconsul as consul")
    shim.add_argument("dir", metavar="DIR")
    return parser


def _log(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


def serve(args: argparse.Namespace) -> int:
    specs = args.cluster or [_cluster_spec(s) for s in DEFAULT_CLUSTERS]
    names = [name for name, _, _ in specs]
    if len(set(names)) != len(names):
        _log("fakeconsul: error: each --cluster needs its own name")
        return 2
    if args.heartbeat_interval <= 0:
        _log("fakeconsul: error: --heartbeat-interval must be more than 0")
        return 2
    request_log = configure_logging(args.log_level, quiet=args.quiet)
    world = Standalone(
        Timing(connect_delay=args.connect_delay, deletion_delay=args.deletion_delay,
               heartbeat_interval=args.heartbeat_interval,
               heartbeat_timeout=args.heartbeat_timeout,
               keepalive_timeout=args.keepalive_timeout,
               establish_retry_window=args.establish_retry_window),
        args.state_file, control_api=not args.no_control_api, acl=_acl_config(args),
    )
    try:
        world.open()
    except StateFileError as err:
        _log(f"fakeconsul: error: {err}")
        return 1
    servers: list[ClusterServer] = []
    urls: dict[str, str] = {}
    # Blocked before any server thread starts (threads inherit the mask), the stop signals wait
    # for sigwait below. A handler setting an Event missed some: when the kernel hands the
    # signal to a server thread, the main thread sleeps on in Event.wait and never runs it.
    stop_signals = {signal.SIGINT, signal.SIGTERM}
    signal.pthread_sigmask(signal.SIG_BLOCK, stop_signals)
    try:
        for name, host, port in specs:
            server = ClusterServer(
                world.cluster(name), host, port, request_log=request_log,
                answer_hook=world.answer_hook,
            )
            server.start()
            servers.append(server)
            _wait_until_answering(server)
            urls[name] = server.url
            print(f"{name}: {server.url}", flush=True)
        for name in world.unserved(names):
            print(f"{name}: not served (kept from the state file)", flush=True)
        world.save()
        _announce(urls, args)
        signal.sigwait(stop_signals)
    except (ServeError, StateFileError) as err:
        _log(f"fakeconsul: error: {err}")
        return 1
    finally:
        if args.ready_file:
            remove_ready_file(args.ready_file)
        world.close()  # saves while the served addresses are still known
        _stop_all(servers)
    return 0


def _announce(urls: dict[str, str], args: argparse.Namespace) -> None:
    """The dashboard's address for a person, then the ready line (and file) for a program."""
    dashboard = None
    if urls and not args.no_control_api:
        dashboard = next(iter(urls.values())) + "/ui/"
        print(f"dashboard at {dashboard} (on every cluster's port)", flush=True)
    print(f"fakeconsul {__version__}, Consul {CONSUL_VERSION} peering API; Ctrl-C stops.",
          flush=True)
    document = ready_document(urls, dashboard)
    if args.ready_file:
        write_ready_file(args.ready_file, document)
    print(ready_line(document), flush=True)  # last: a reader may stop reading here


def _stop_all(servers: list[ClusterServer]) -> None:
    """Stop every server at once (each waits out its poll interval), within STOP_DEADLINE."""
    stopping = [threading.Thread(target=server.stop, daemon=True) for server in servers]
    for thread in stopping:
        thread.start()
    deadline = time.monotonic() + STOP_DEADLINE
    for thread in stopping:
        thread.join(max(0.0, deadline - time.monotonic()))


def _acl_config(args: argparse.Namespace) -> ACLConfig | None:
    """Either ACL flag turns ACLs on; the default policy is then Consul's, allow."""
    if args.acl_default_policy is None and not args.acl_initial_management_token:
        return None
    return ACLConfig(default_policy=args.acl_default_policy or "allow",
                     initial_management_token=args.acl_initial_management_token or None)


def _wait_until_answering(server: ClusterServer) -> None:
    with urllib.request.urlopen(server.url + "/v1/status/leader", timeout=5) as answer:
        answer.read()


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["agent"]:
        return agent.run(argv[1:])  # Go's flag syntax, not argparse's
    args = build_parser().parse_args(argv)
    if args.command == "serve":
        return serve(args)
    if args.command == "shim":
        return shim.run([args.dir])
    return 2  # pragma: no cover - argparse requires a command


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
