"""Requests Go's server cannot read get its own answers (server.go c.serve), never a 500."""

from __future__ import annotations

from wire_raw import Raw

BAD_REQUEST = (
    b"HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain; charset=utf-8\r\n"
    b"Connection: close\r\n\r\n400 Bad Request"
)


def test_a_bad_request_line_gets_400(raw: Raw) -> None:
    raw.send(b"NOT A REQUEST\r\n\r\n")
    assert raw.answer() == BAD_REQUEST


def test_the_connection_closes_after_a_400(raw: Raw) -> None:
    raw.send(b"NOT A REQUEST\r\n\r\n")
    raw.answer()
    assert raw.closed_by_server()


def test_conflicting_content_lengths_get_400(raw: Raw) -> None:
    raw.send(b"PUT /v1/peering/token HTTP/1.1\r\nHost: fake\r\nContent-Length: 1\r\n"
             b"Content-Length: 2\r\n\r\nab")
    assert raw.answer() == BAD_REQUEST


def test_an_invalid_chunk_size_gets_400(raw: Raw) -> None:
    raw.send(b"POST /v1/peering/token HTTP/1.1\r\nHost: fake\r\nTransfer-Encoding: chunked\r\n"
             b"\r\nzz\r\n{}\r\n0\r\n\r\n")
    assert raw.answer() == BAD_REQUEST


def test_a_missing_host_gets_gos_named_400(raw: Raw) -> None:
    raw.send(b"GET /v1/peerings HTTP/1.1\r\n\r\n")
    assert raw.answer() == (
        b"HTTP/1.1 400 Bad Request: missing required Host header\r\n"
        b"Content-Type: text/plain; charset=utf-8\r\nConnection: close\r\n\r\n"
        b"400 Bad Request: missing required Host header"
    )


def test_a_head_over_gos_max_header_bytes_gets_431(raw: Raw) -> None:
    big = b"a" * ((1 << 20) + 8192)  # over Go's 1 MiB + 4 KiB
    raw.send(b"GET /v1/peerings HTTP/1.1\r\nHost: fake\r\nX-Big: " + big + b"\r\n\r\n")
    assert raw.answer() == (
        b"HTTP/1.1 431 Request Header Fields Too Large\r\n"
        b"Content-Type: text/plain; charset=utf-8\r\nConnection: close\r\n\r\n"
        b"431 Request Header Fields Too Large"
    )


def test_an_unknown_transfer_coding_gets_501(raw: Raw) -> None:
    raw.send(b"POST /v1/peering/token HTTP/1.1\r\nHost: fake\r\nTransfer-Encoding: gzip\r\n\r\n")
    assert raw.answer() == (
        b"HTTP/1.1 501 Not Implemented\r\nContent-Type: text/plain; charset=utf-8\r\n"
        b"Connection: close\r\n\r\nUnsupported transfer encoding"
    )


def test_a_body_shorter_than_its_length_gets_400_at_the_read_timeout(raw: Raw) -> None:
    raw.send(b"POST /v1/peering/token HTTP/1.1\r\nHost: fake\r\nContent-Length: 100\r\n\r\n{}")
    assert raw.answer() == BAD_REQUEST  # after the fixture's 0.3 s read timeout


def test_a_request_line_never_finished_gets_400_at_the_read_timeout(raw: Raw) -> None:
    raw.send(b"GET /v1/peer")
    assert raw.answer() == BAD_REQUEST
