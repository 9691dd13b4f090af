"""``fakeconsul agent``: one fake Consul server agent, started the way ``consul agent`` is.

It serves one cluster, the agent's datacenter, on its HTTP port and (when configured) on its
gRPC TLS port too, because the agent's peering tokens name that port as Consul's do and the
fake-to-fake link of another process dials it. Without ``-dev`` the state lives in
``data_dir`` (Consul keeps raft there), so a restarted agent finds its peerings again.
"""

from __future__ import annotations

import os
import signal
import sys
from collections.abc import Sequence

from ..acl import ACLConfig
from ..model.timing import Timing
from ..persist.statefile import StateFileError
from ..version import CONSUL_VERSION
from .agent_config import AgentConfig, AgentConfigError, load
from .logs import LEVELS
from .logs import configure as configure_logging
from .server import ClusterServer, ServeError
from .standalone import Standalone

# Establish returns while the stream is still opening, as in Consul: its own api test reads
# ESTABLISHING once before it waits for ACTIVE (seconds of model time, real time when served).
AGENT_CONNECT_DELAY = 0.5
STATE_FILE = "fakeconsul-state.json"  # inside data_dir


def _error(text: str) -> int:
    # Consul's agent command prints errors through a PrefixedUi ("==> ") and exits 1.
    print(f"==> {text}", file=sys.stderr, flush=True)
    return 1


def _acl(config: AgentConfig) -> ACLConfig | None:
    if not config.acl_enabled:
        return None
    return ACLConfig(default_policy=config.acl_default_policy,
                     initial_management_token=config.initial_management_token or None)


def _log_level(args: Sequence[str]) -> str:
    for i, arg in enumerate(args):
        name, eq, value = arg.lstrip("-").partition("=")
        if name == "log-level":
            level = value if eq else (args[i + 1] if i + 1 < len(args) else "")
            return level.lower() if level.lower() in LEVELS else "info"
    return "info"


def run(args: Sequence[str]) -> int:
    """Parse, serve until SIGINT or SIGTERM, stop; 1 with Consul's text on bad input."""
    level = _log_level(args)
    # Consul logs each HTTP request at debug ("Request finished").
    request_log = configure_logging(level, quiet=LEVELS[level] > LEVELS["debug"])
    try:
        config = load(args)
    except AgentConfigError as err:
        return _error(str(err))
    state_path = None if config.dev else os.path.join(config.data_dir, STATE_FILE)
    if state_path is not None:
        os.makedirs(config.data_dir, exist_ok=True)
    world = Standalone(Timing(connect_delay=AGENT_CONNECT_DELAY), state_path, acl=_acl(config))
    try:
        world.open()
    except StateFileError as err:
        return _error(str(err))
    if config.datacenter not in world.network:
        world.network.add_cluster(config.datacenter, node_name=config.node_name,
                                  peering_enabled=config.peering_enabled)
    cluster = world.cluster(config.datacenter)
    stop_signals = {signal.SIGINT, signal.SIGTERM}
    signal.pthread_sigmask(signal.SIG_BLOCK, stop_signals)
    servers: list[ClusterServer] = []
    try:
        listeners = [("HTTP", config.http_port), ("gRPC-TLS", config.grpc_tls_port)]
        ports: dict[str, int] = {}
        for name, port in listeners:
            if port < 0:
                ports[name] = -1
                continue
            server = ClusterServer(cluster, config.http_host, port, request_log=request_log,
                                   answer_hook=world.answer_hook)
            server.start()
            servers.append(server)
            ports[name] = server.port
        # Tokens name the gRPC TLS port where there is one (Consul's ServerAddresses), else
        # the HTTP port; at the advertised host, which may differ from where it listens.
        named = ports["gRPC-TLS"] if ports["gRPC-TLS"] > 0 else ports["HTTP"]
        if named > 0:
            cluster.set_served_address(f"{config.advertised_host}:{named}")
        world.save()
        _banner(config, ports)
        signal.sigwait(stop_signals)
        print("==> Caught signal: interrupt", flush=True)
    except (ServeError, StateFileError) as err:
        return _error(str(err))
    finally:
        world.close()
        for server in servers:
            server.stop()
    return 0


def _banner(config: AgentConfig, ports: dict[str, int]) -> None:
    """Consul's startup lines (what people and scripts read to find the ports)."""
    lines = [
        "==> Starting Consul agent...",
        f"               Version: '{CONSUL_VERSION}'",
        f"             Node name: '{config.node_name}'",
        f"            Datacenter: '{config.datacenter}' (Segment: '<all>')",
        "                Server: true (Bootstrap: true)",
        f"           Client Addr: [{config.http_host}] (HTTP: {ports['HTTP']}, HTTPS: -1, "
        f"gRPC: {config.grpc_port}, gRPC-TLS: {ports['gRPC-TLS']}, DNS: -1)",
        f"          Cluster Addr: {config.advertised_host} (LAN: 8301, WAN: 8302)",
        "==> Consul agent running!",
    ]
    print("\n".join(lines), flush=True)
