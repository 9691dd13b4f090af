"""Bodies over 32 MiB are refused before they are read (Consul has no limit; a fake left
running must not hold, and save, whatever a client uploads)."""

from __future__ import annotations

from wire_raw import Raw

TOO_LARGE = (
    b"HTTP/1.1 413 Request Entity Too Large\r\nContent-Type: text/plain; charset=utf-8\r\n"
    b"Connection: close\r\n\r\nfakeconsul refuses request bodies over 32 MiB"
)
LIMIT = 32 << 20


def test_a_declared_length_over_the_limit_is_refused_at_once(raw: Raw) -> None:
    raw.send(f"PUT /v1/config HTTP/1.1\r\nHost: fake\r\nContent-Length: {LIMIT + 1}\r\n\r\n"
             .encode())
    assert raw.answer() == TOO_LARGE


def test_a_chunked_body_growing_over_the_limit_is_refused(raw: Raw) -> None:
    raw.send(b"PUT /v1/config HTTP/1.1\r\nHost: fake\r\nTransfer-Encoding: chunked\r\n\r\n")
    chunk = b"x" * (1 << 20)
    piece = f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n"
    try:
        for _ in range(33):
            raw.send(piece)
    except (BrokenPipeError, ConnectionResetError):
        pass  # refused mid-upload: the answer is already waiting
    assert raw.answer() == TOO_LARGE


def test_a_small_body_is_read_as_consul_reads_it(raw: Raw) -> None:
    raw.send(b"PUT /v1/config HTTP/1.1\r\nHost: fake\r\nContent-Length: 2\r\n\r\n{}")
    assert raw.answer().startswith(b"HTTP/1.1 400 Bad Request\r\n")  # Consul's decode error
