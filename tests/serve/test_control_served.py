"""The control API on real sockets: a stopped cluster's port refuses, another port revives it."""

from __future__ import annotations

import http.client
import json
from collections.abc import Iterator

import pytest

from fakeconsul import Network
from fakeconsul.serve.server import ClusterServer


@pytest.fixture
def servers() -> Iterator[tuple[ClusterServer, ClusterServer]]:
    network = Network()
    first = ClusterServer(network.add_cluster("dc1"))
    second = ClusterServer(network.add_cluster("dc2"))
    first.start()
    second.start()
    yield first, second
    for server in (first, second):
        if server.is_running():
            server.stop()


def _post(server: ClusterServer, path: str, body: dict[str, str]) -> int:
    connection = http.client.HTTPConnection(server.host, server.port, timeout=5)
    try:
        connection.request("POST", path, body=json.dumps(body))
        response = connection.getresponse()
        response.read()
        return response.status
    finally:
        connection.close()


def test_taking_a_cluster_down_through_its_own_port_answers_then_refuses(
    servers: tuple[ClusterServer, ClusterServer],
) -> None:
    dc1, _ = servers
    status = _post(dc1, "/_fakeconsul/take-down", {"Cluster": "dc1"})
    with pytest.raises(ConnectionRefusedError):
        _post(dc1, "/_fakeconsul/bring-up", {"Cluster": "dc1"})
    assert status == 200


def test_another_port_brings_a_stopped_cluster_back(
    servers: tuple[ClusterServer, ClusterServer],
) -> None:
    dc1, dc2 = servers
    _post(dc2, "/_fakeconsul/take-down", {"Cluster": "dc1"})
    _post(dc2, "/_fakeconsul/bring-up", {"Cluster": "dc1"})
    assert _post(dc1, "/_fakeconsul/clusters/dc1/v1/peering/token", {"PeerName": "x"}) == 200
