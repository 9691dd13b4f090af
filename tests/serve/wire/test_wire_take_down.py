"""A request that takes its own cluster down: Go's server shuts down gracefully around it
(``Server.Shutdown``), so its answer is written whole, then the connection closes."""

from __future__ import annotations

import json

from wire_raw import Raw

from fakeconsul.serve.server import ClusterServer


def _take_down_self(server: ClusterServer, raw: Raw) -> None:
    # The control API answers only a Host naming this server (DNS rebinding: guard.py).
    body = json.dumps({"Cluster": "dc1"}).encode()
    raw.send(b"POST /_fakeconsul/take-down HTTP/1.1\r\nHost: %s\r\n"
             b"Content-Length: %d\r\n\r\n%s" % (server.address.encode(), len(body), body))


def test_the_request_taking_its_cluster_down_gets_its_whole_answer(
    server: ClusterServer, raw: Raw
) -> None:
    _take_down_self(server, raw)
    answer = raw.answer()
    assert (answer.split(b"\r\n", 1)[0], answer.rsplit(b"\r\n\r\n", 1)[1]) == (
        b"HTTP/1.1 200 OK", b"{}\n"
    )


def test_the_connection_closes_after_that_answer(server: ClusterServer, raw: Raw) -> None:
    _take_down_self(server, raw)
    raw.answer()
    assert raw.closed_by_server()


def test_an_idle_connection_beside_it_is_closed_unanswered(
    server: ClusterServer, raw: Raw
) -> None:
    idle = Raw(server.host, server.port)
    try:
        idle.get("/v1/peerings")
        idle.answer()  # accepted and served: now idle on the same loop
        _take_down_self(server, raw)
        raw.answer()
        assert idle.closed_by_server()
    finally:
        idle.close()
