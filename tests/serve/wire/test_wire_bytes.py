"""Go's bytes on the wire: status lines, header order and case, Date, framing, raw paths."""

from __future__ import annotations

from wire_raw import Raw, undated

from fakeconsul import Cluster


def test_a_list_is_written_as_gos_server_writes_it(raw: Raw) -> None:
    raw.get("/v1/peerings")
    assert undated(raw.answer()) == (
        b"HTTP/1.1 200 OK\r\n"
        b"Content-Type: application/json\r\n"
        b"Vary: Accept-Encoding\r\n"
        b"X-Consul-Default-Acl-Policy: allow\r\n"
        b"X-Consul-Index: 1\r\n"
        b"X-Consul-Knownleader: true\r\n"
        b"X-Consul-Lastcontact: 0\r\n"
        b"X-Consul-Query-Backend: blocking-query\r\n"
        b"Date: DATE\r\n"
        b"Content-Length: 2\r\n"
        b"\r\n[]"
    )


def test_a_missing_peering_has_gos_reason_phrase(raw: Raw) -> None:
    raw.get("/v1/peering/nope")
    assert raw.answer().split(b"\r\n", 1)[0] == b"HTTP/1.1 404 Not Found"


def test_a_doubled_slash_gets_the_clean_path_redirect(raw: Raw) -> None:
    raw.get("//v1/peerings")
    assert undated(raw.answer()) == (
        b"HTTP/1.1 301 Moved Permanently\r\n"
        b"Content-Type: text/html; charset=utf-8\r\n"
        b"Location: /v1/peerings\r\n"
        b"Vary: Accept-Encoding\r\n"
        b"Date: DATE\r\n"
        b"Content-Length: 47\r\n"
        b"\r\n"
        b'<a href="/v1/peerings">Moved Permanently</a>.\n\n'
    )


def test_a_dot_segment_gets_the_clean_path_redirect(raw: Raw) -> None:
    raw.get("/v1/peering/../peerings")
    assert b"\r\nLocation: /v1/peerings\r\n" in raw.answer()


def test_no_server_header_is_sent(raw: Raw) -> None:
    raw.get("/v1/peerings")
    assert b"\r\nServer:" not in raw.answer()


def test_an_answer_over_gos_buffer_is_chunked(cluster: Cluster, raw: Raw) -> None:
    for number in range(12):
        cluster.generate_token(f"peer-{number:02d}")
    raw.get("/v1/peerings")
    head, _, body = raw.answer().partition(b"\r\n\r\n")
    size, _, rest = body.partition(b"\r\n")
    assert (head.endswith(b"\r\nTransfer-Encoding: chunked"), b"Content-Length" in head,
            len(rest) == int(size, 16) + len(b"\r\n0\r\n\r\n")) == (True, False, True)


def test_expect_100_continue_is_answered_before_the_body_is_sent(raw: Raw) -> None:
    raw.send(b"POST /v1/peering/token HTTP/1.1\r\nHost: fake\r\nContent-Length: 18\r\n"
             b"Expect: 100-continue\r\n\r\n")
    assert raw.answer() == b"HTTP/1.1 100 Continue\r\n\r\n"


def test_the_body_after_100_continue_is_answered(raw: Raw) -> None:
    raw.send(b"POST /v1/peering/token HTTP/1.1\r\nHost: fake\r\nContent-Length: 18\r\n"
             b"Expect: 100-continue\r\n\r\n")
    raw.answer()
    raw.send(b'{"PeerName":"dc2"}')
    assert raw.answer().split(b"\r\n", 1)[0] == b"HTTP/1.1 200 OK"


def test_an_unknown_expectation_gets_gos_417(raw: Raw) -> None:
    raw.get("/v1/peerings", "Expect: something")
    assert undated(raw.answer()) == (
        b"HTTP/1.1 417 Expectation Failed\r\nConnection: close\r\nDate: DATE\r\n"
        b"Content-Length: 0\r\n\r\n"
    )
