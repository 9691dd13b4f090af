"""Served clusters for test suites: a pool of started servers re-pointed at fresh networks.

A werkzeug server costs ~50 ms to stop and more to start, so servers are started once and then
moved from test to test. Each test gets a brand-new ``Network`` (isolation by construction): only
the sockets are shared, never state.
"""

from __future__ import annotations

import http.client
import json
from collections.abc import Iterator
from datetime import datetime
from typing import Any

from .acl import ACLConfig
from .model.clock import SystemClock
from .model.cluster import Cluster
from .model.network import Network
from .model.peering import Peering, PeeringState
from .model.timing import Timing
from .serve.server import ClusterServer
from .serve.wsgi import wsgi_app


class ServerPool:
    """Started servers waiting for a cluster; ``close()`` stops them all."""

    def __init__(self, host: str = "127.0.0.1") -> None:
        self.host = host
        self._idle: list[ClusterServer] = []
        self._all: list[ClusterServer] = []

    def acquire(self, cluster: Cluster) -> ClusterServer:
        if self._idle:
            server = self._idle.pop(0)  # first released, first reused: dc1 keeps its port
        else:
            server = ClusterServer(None, self.host, 0)
            server.start()
            self._all.append(server)
        server.attach(cluster)
        return server

    def warm_up(self) -> None:
        """Serve a throwaway pair a few requests of each API area on the pool's first servers.

        The first request of a process would otherwise import the HTTP areas and jsonschema
        and fill werkzeug's and the decoders' caches: 100 times a later request. The pytest
        plugin calls this when the first fixture starts, so a test's first request is like
        its others (benchmarks/first_request.py). Costs that first fixture about 0.1 s, once.
        """
        network = Network()
        dc1, dc2 = network.add_cluster("dc1"), network.add_cluster("dc2")
        servers = [self.acquire(dc1), self.acquire(dc2)]
        try:
            token = _call(servers[0], "POST", "/v1/peering/token", {"PeerName": "dc2"})
            _call(servers[1], "POST", "/v1/peering/establish",
                  {"PeerName": "dc1", "PeeringToken": token["PeeringToken"]})
            for method, path, body in _WARM_UP:
                _call(servers[0], method, path, body)
        finally:
            for server in servers:
                self.release(server)

    def release(self, server: ClusterServer) -> None:
        server.detach()
        self._idle.append(server)

    def close(self) -> None:
        for server in self._all:
            if server.is_running():
                server.stop()
        self._all.clear()
        self._idle.clear()

    def __len__(self) -> int:
        return len(self._all)


# What the first tests of a suite usually call, one request per area (peering, agent, catalog,
# health, config entries, exports); the pair is thrown away afterwards.
_WARM_UP: tuple[tuple[str, str, Any], ...] = (
    ("GET", "/v1/status/leader", None),
    ("GET", "/v1/agent/self", None),
    ("GET", "/v1/peerings", None),
    ("GET", "/v1/peering/dc2", None),
    ("PUT", "/v1/agent/service/register", {"Name": "web", "Port": 80}),
    ("PUT", "/v1/catalog/register", {"Node": "n1", "Address": "10.0.0.1",
                                     "Service": {"Service": "db", "Port": 5432}}),
    ("GET", "/v1/catalog/services", None),
    ("GET", "/v1/health/service/web", None),
    ("PUT", "/v1/config", {"Kind": "exported-services", "Name": "default",
                           "Services": [{"Name": "web", "Consumers": [{"Peer": "dc2"}]}]}),
    ("GET", "/v1/exported-services", None),
    ("GET", "/v1/peering/dc2?index=1&wait=1ms", None),
    ("DELETE", "/v1/peering/dc2", None),
)


def _call(server: ClusterServer, method: str, path: str, body: Any) -> Any:
    host, port = server.address.rsplit(":", 1)
    conn = http.client.HTTPConnection(host.strip("[]"), int(port), timeout=10)
    try:
        conn.request(method, path, body=None if body is None else json.dumps(body))
        answer = conn.getresponse()
        data = answer.read()
    finally:
        conn.close()
    if answer.status != 200:
        raise RuntimeError(f"fakeconsul warm-up: {method} {path} answered {answer.status}: "
                           f"{data.decode('utf-8', 'replace')}")
    return json.loads(data) if data else None


def _unwrap(cluster: ServedCluster | Cluster | str) -> Cluster | str:
    return cluster.cluster if isinstance(cluster, ServedCluster) else cluster


class ServedCluster:
    """A cluster on a real socket: ``url``, ``address``, ``datacenter`` and every operation."""

    def __init__(self, cluster: Cluster, server: ClusterServer, network: ServedNetwork) -> None:
        self.cluster = cluster
        self.server = server
        self.network = network

    @property
    def url(self) -> str:
        return self.server.url

    @property
    def address(self) -> str:
        return self.server.address

    @property
    def datacenter(self) -> str:
        return self.cluster.name

    name = datacenter

    # ``token`` is the ACL secret of the call, needed once the cluster has ACLs on.

    def generate_token(self, peer_name: str, meta: dict[str, str] | None = None,
                       server_external_addresses: list[str] | None = None, *,
                       token: str | None = None) -> str:
        return self.cluster.generate_token(peer_name, meta, server_external_addresses,
                                           token=token)

    def establish(self, peer_name: str, peering_token: str,
                  meta: dict[str, str] | None = None, *, token: str | None = None) -> None:
        self.cluster.establish(peer_name, peering_token, meta, token=token)

    def read(self, name: str, *, token: str | None = None) -> Peering | None:
        return self.cluster.read(name, token=token)

    def list(self, *, token: str | None = None) -> list[Peering]:
        return self.cluster.list(token=token)

    def delete(self, name: str, *, token: str | None = None) -> None:
        self.cluster.delete(name, token=token)

    @property
    def management_token(self) -> str | None:
        """The initial management token the cluster's ACLs were configured with, if any."""
        config = self.cluster.acl.config
        return config.initial_management_token if config is not None else None

    def take_down(self) -> None:
        """Stop the cluster: its port refuses connections, its peers' streams fail."""
        self.cluster.take_down()

    def bring_up(self) -> None:
        self.cluster.bring_up()

    def inject_response(self, method: str, path: str, status: int, body: str | bytes = "",
                        **options: Any) -> None:
        """The next request(s) for ``method`` and ``path`` get ``status`` and ``body``
        (options: ``times``, ``delay`` in real seconds, ``headers``, ``content_type``)."""
        wsgi_app(self.cluster).inject(method, path, status, body, **options)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.cluster, name)

    def __repr__(self) -> str:
        return f"<ServedCluster {self.datacenter} {self.url}>"


class ServedNetwork:
    """A network whose clusters are served; ``add_cluster`` returns a ServedCluster."""

    def __init__(self, pool: ServerPool, network: Network) -> None:
        self.pool = pool
        self.network = network
        self._served: dict[str, ServedCluster] = {}

    @property
    def clock(self) -> Any:
        return self.network.clock

    @property
    def timing(self) -> Timing:
        return self.network.timing

    def add_cluster(self, name: str, **options: Any) -> ServedCluster:
        cluster = self.network.add_cluster(name, **options)
        served = ServedCluster(cluster, self.pool.acquire(cluster), self)
        self._served[name] = served
        return served

    def __getitem__(self, name: str) -> ServedCluster:
        return self._served[name]

    def __iter__(self) -> Iterator[ServedCluster]:
        return iter(list(self._served.values()))

    def __contains__(self, name: object) -> bool:
        return name in self._served

    def disconnect(self, a: ServedCluster | Cluster | str, b: ServedCluster | Cluster | str
                   ) -> None:
        self.network.disconnect(_unwrap(a), _unwrap(b))

    def reconnect(self, a: ServedCluster | Cluster | str, b: ServedCluster | Cluster | str
                  ) -> None:
        self.network.reconnect(_unwrap(a), _unwrap(b))

    def take_down(self, cluster: ServedCluster | Cluster | str) -> None:
        self.network.take_down(_unwrap(cluster))

    def bring_up(self, cluster: ServedCluster | Cluster | str) -> None:
        self.network.bring_up(_unwrap(cluster))

    def __getattr__(self, name: str) -> Any:
        return getattr(self.network, name)

    def finish(self) -> None:
        """Give the servers back; re-raise the first exception the fake hit while serving."""
        errors: list[BaseException] = []
        for served in self._served.values():
            app = wsgi_app(served.cluster)
            errors.extend(app.errors)
            app.errors.clear()  # what this test raised goes with it
            app.injections.clear()
            self.pool.release(served.server)
        self._served.clear()
        if errors:
            raise errors[0]


class ServedPair:
    """dc1 and dc2 on one served network: ``dc1, dc2 = pair``; ``pair.peer()``."""

    def __init__(self, network: ServedNetwork) -> None:
        self.network = network
        # A test asking for fake_consul too gets that cluster as dc1, not a name clash.
        self.dc1 = network["dc1"] if "dc1" in network else network.add_cluster("dc1")
        self.dc2 = network["dc2"] if "dc2" in network else network.add_cluster("dc2")

    def __iter__(self) -> Iterator[ServedCluster]:
        return iter((self.dc1, self.dc2))

    def peer(self, acceptor_name: str | None = None, dialer_name: str | None = None, *,
             acl_token: str | None = None) -> tuple[Peering, Peering]:
        """dc1 generates a token, dc2 establishes; returns both sides once they are ACTIVE.

        Names default to the other side's datacenter (dc1 calls its peering "dc2"). With a
        ``connect_delay`` the network's clock is advanced by it. With ACLs on, each side uses
        ``acl_token``, else its configured initial management token.
        """
        acceptor_name = acceptor_name or self.dc2.datacenter
        dialer_name = dialer_name or self.dc1.datacenter
        on1 = acl_token or self.dc1.management_token
        on2 = acl_token or self.dc2.management_token
        token = self.dc1.generate_token(acceptor_name, token=on1)
        self.dc2.establish(dialer_name, token, token=on2)
        delay = self.network.timing.connect_delay
        if delay:
            self.network.clock.advance(delay)
        accepted = self.dc1.read(acceptor_name, token=on1)
        dialed = self.dc2.read(dialer_name, token=on2)
        if accepted is None or dialed is None or {accepted.state, dialed.state} != {
            PeeringState.ACTIVE
        }:
            raise AssertionError(f"peering did not become ACTIVE: {accepted!r} {dialed!r}")
        return accepted, dialed


def make_network(timing: Timing | None = None, clock_start: datetime | None = None,
                 acl: ACLConfig | None = None) -> Network:
    """A fresh network on the wall clock, moved to ``clock_start`` by an offset if given, with
    ``acl`` as the ACL settings of its clusters (None: ACLs off)."""
    clock = SystemClock()
    if clock_start is not None:
        clock.offset = clock_start - clock.now()
    return Network(clock=clock, timing=timing, acl=acl)
