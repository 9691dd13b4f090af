"""A cluster on a real socket: served address in tokens, keep-alive, headers, busy ports."""

from __future__ import annotations

import http.client
import json
import socket
from collections.abc import Iterator

import pytest

from fakeconsul import Network, PeeringState, serving
from fakeconsul.serve.server import ClusterServer, ServeError


@pytest.fixture
def network() -> Network:
    return Network()


@pytest.fixture
def served(network: Network) -> Iterator[ClusterServer]:
    server = ClusterServer(network.add_cluster("dc1"))
    server.start()
    yield server
    server.stop()


def _request(server: ClusterServer, method: str, path: str, body: str | None = None
             ) -> tuple[int, dict[str, str], bytes]:
    connection = http.client.HTTPConnection(server.host, server.port, timeout=5)
    try:
        connection.request(method, path, body=body)
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        connection.close()


def test_served_cluster_answers_on_its_port(served: ClusterServer) -> None:
    status, _, body = _request(served, "GET", "/v1/peerings")
    assert (status, body) == (200, b"[]")


def test_served_answers_carry_no_server_header(served: ClusterServer) -> None:
    _, headers, _ = _request(served, "GET", "/v1/peerings")
    assert "Server" not in headers


def test_token_names_the_served_address(network: Network, served: ClusterServer) -> None:
    status, _, body = _request(served, "POST", "/v1/peering/token", '{"PeerName":"dc2"}')
    token = json.loads(body)["PeeringToken"]
    decoded = json.loads(__import__("base64").b64decode(token))
    assert (status, decoded["ServerAddresses"]) == (200, [f"127.0.0.1:{served.port}"])


def test_two_served_clusters_peer_over_http(network: Network, served: ClusterServer) -> None:
    with serving(network.add_cluster("dc2")) as url2:
        _, _, body = _request(served, "POST", "/v1/peering/token", '{"PeerName":"dc2"}')
        token = json.loads(body)["PeeringToken"]
        host, port = url2.removeprefix("http://").split(":")
        dialer = ClusterServer.__new__(ClusterServer)  # only host/port are used by _request
        dialer.host, dialer.port = host, int(port)
        payload = json.dumps({"PeerName": "dc1", "PeeringToken": token})
        status, _, answer = _request(dialer, "POST", "/v1/peering/establish", payload)
        assert (status, answer) == (200, b"{}")
        peering = network["dc1"].read("dc2")
        assert peering is not None and peering.state is PeeringState.ACTIVE


def test_busy_port_raises_a_clear_error(network: Network) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        server = ClusterServer(network.add_cluster("dc1"), port=port)
        with pytest.raises(ServeError, match=f"cannot listen on 127.0.0.1:{port}"):
            server.start()


def test_stopping_forgets_the_served_address(network: Network) -> None:
    cluster = network.add_cluster("dc1")
    with serving(cluster) as url:
        assert cluster.server_addresses() == [url.removeprefix("http://")]
    assert cluster.server_addresses() == [cluster.synthetic_address]


def test_an_exception_inside_the_fake_is_reraised_by_check(served: ClusterServer,
                                                          monkeypatch: pytest.MonkeyPatch
                                                          ) -> None:
    def broken(name: str, **_: object) -> None:  # called with the request's ACL token too
        raise RuntimeError("boom")

    monkeypatch.setattr(served.cluster, "read_with_index", broken)
    status, _, _ = _request(served, "GET", "/v1/peering/x")
    assert status == 500
    with pytest.raises(RuntimeError, match="boom"):
        served.check()


def test_a_token_in_the_query_is_hidden_in_the_request_log(network: Network) -> None:
    lines: list[str] = []
    server = ClusterServer(network.add_cluster("dc1"), request_log=lines.append)
    server.start()
    try:
        _request(server, "GET", "/v1/peerings?token=s3cr3t-value&stale")
    finally:
        server.stop()
    [line] = lines
    assert line.startswith("dc1 GET /v1/peerings?token=<hidden>&stale 200 ")
