"""Keep-alive as Go's server does it: one connection, many requests, closed only when asked."""

from __future__ import annotations

from wire_raw import CONNECTION_LIMIT, Raw

from fakeconsul import Cluster
from fakeconsul.serve.loop import PURGE_CANCELLED_MIN
from fakeconsul.serve.server import ClusterServer

LIST = b"GET /v1/peerings HTTP/1.1\r\nHost: fake\r\n\r\n"


def test_an_answer_does_not_close_the_connection(raw: Raw) -> None:
    raw.get("/v1/peerings")
    assert b"\r\nConnection:" not in raw.answer()


def test_sequential_requests_share_one_connection(raw: Raw) -> None:
    raw.get("/v1/peerings")
    first = raw.answer()
    raw.get("/v1/peering/nope")
    second = raw.answer()
    assert (first[:15], second[:22]) == (b"HTTP/1.1 200 OK", b"HTTP/1.1 404 Not Found")


def test_pipelined_requests_are_answered_in_order(raw: Raw) -> None:
    raw.send(LIST + b"GET /v1/peering/nope HTTP/1.1\r\nHost: fake\r\n\r\n" + LIST)
    lines = [raw.answer().split(b"\r\n", 1)[0] for _ in range(3)]
    assert lines == [b"HTTP/1.1 200 OK", b"HTTP/1.1 404 Not Found", b"HTTP/1.1 200 OK"]


def test_thousands_of_pipelined_requests_are_all_answered(raw: Raw) -> None:
    # Short requests, many to each read: answered on the loop thread, each one's answer is
    # written while its request is being read.
    raw.send(b"GET /x HTTP/1.1\r\nHost: f\r\n\r\n" * 2000)
    lines = {raw.answer().split(b"\r\n", 1)[0] for _ in range(2000)}
    assert lines == {b"HTTP/1.1 404 Not Found"}


def test_keep_alive_requests_leave_no_pile_of_cancelled_timers(
    server: ClusterServer, raw: Raw
) -> None:
    # Each request arms and cancels a read and an idle timeout; 2,000 of them were kept.
    for _ in range(1000):
        raw.get("/x")
        raw.answer()
    assert server.timers_held <= 2 * PURGE_CANCELLED_MIN


def test_connection_close_is_answered_with_close_and_closed(raw: Raw) -> None:
    raw.get("/v1/peerings", "Connection: close")
    answer = raw.answer()
    assert (b"\r\nConnection: close\r\n" in answer, raw.closed_by_server()) == (True, True)


def test_an_http10_request_gets_an_http10_answer_and_a_close(raw: Raw) -> None:
    raw.send(b"GET /v1/peerings HTTP/1.0\r\n\r\n")
    answer = raw.answer()
    assert (answer.split(b"\r\n", 1)[0], raw.closed_by_server()) == (b"HTTP/1.0 200 OK", True)


def test_an_http10_keep_alive_request_is_kept_alive(raw: Raw) -> None:
    raw.send(b"GET /v1/peerings HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
    assert b"\r\nConnection: keep-alive\r\n" in raw.answer()


def test_an_idle_connection_is_closed_after_the_idle_timeout(raw: Raw) -> None:
    raw.get("/v1/peerings")
    raw.answer()
    assert raw.closed_by_server()  # within the fixture's 0.3 s idle timeout


def test_a_blocking_query_then_another_request_on_the_same_connection(
    cluster: Cluster, server: ClusterServer, raw: Raw
) -> None:
    cluster.generate_token("dc2")
    _, index = cluster.list_with_index()
    raw.get(f"/v1/peerings?index={index}&wait=5s")
    assert server.wait_for_watching(1)
    cluster.generate_token("dc3")
    woken = raw.answer()
    raw.get("/v1/peering/dc3")
    assert (b"\r\nX-Consul-Index: %d\r\n" % (index + 1) in woken,
            raw.answer().split(b"\r\n", 1)[0]) == (True, b"HTTP/1.1 200 OK")


def test_connections_over_the_per_client_limit_get_consuls_429(server: ClusterServer) -> None:
    held = [Raw(server.host, server.port) for _ in range(CONNECTION_LIMIT)]
    for conn in held:  # each is accepted and answers before the next one opens
        conn.get("/v1/peerings")
        conn.answer()
    extra = Raw(server.host, server.port)
    try:
        assert extra.answer() == (
            b"HTTP/1.1 429 Too Many Requests\r\nContent-Type: text/plain\r\n"
            b"Content-Length: 81\r\nConnection: close\r\n\r\n"
            b"Your IP is issuing too many concurrent connections, please rate limit your calls\n"
        )
    finally:
        for conn in [*held, extra]:
            conn.close()
