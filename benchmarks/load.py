"""HTTP clients for the served benchmarks, run in a child process so that they never compete with
the server for the GIL: ``python -m benchmarks.load throughput|fanout HOST PORT PATH N``.

One thread and a selector drive every connection, so the clients cost as little as they can and
measure the same way against the fake and against the baseline. Connections are HTTP/1.1
keep-alive: a connection is reused when the server allows it and reopened when the server closes
it (werkzeug closes every connection after one answer, so in practice each request reconnects).
"""

from __future__ import annotations

import json
import selectors
import socket
import sys
import time
from dataclasses import dataclass, field


@dataclass
class _Conn:
    sock: socket.socket
    buffer: bytearray = field(default_factory=bytearray)


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes
    close: bool


def request_bytes(host: str, port: int, path: str) -> bytes:
    return f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\nUser-Agent: bench\r\n\r\n".encode()


def parse(buffer: bytearray, eof: bool) -> tuple[Answer | None, int]:
    """A complete answer at the start of ``buffer`` and its length, or (None, 0)."""
    end = buffer.find(b"\r\n\r\n")
    if end < 0:
        return None, 0
    head = bytes(buffer[:end]).decode("latin-1").split("\r\n")
    status = int(head[0].split()[1])
    headers = {}
    for line in head[1:]:
        key, _, value = line.partition(":")
        headers[key.strip().lower()] = value.strip()
    start = end + 4
    close = headers.get("connection", "").lower() == "close"
    if headers.get("transfer-encoding", "").lower() == "chunked":
        return _dechunk(buffer, start, status, headers, close)
    length = headers.get("content-length")
    if length is None:
        if not eof:
            return None, 0  # no length (not expected from werkzeug): the body runs to EOF
        size = len(buffer) - start
    else:
        size = int(length)
    if len(buffer) - start < size:
        return None, 0
    return Answer(status, headers, bytes(buffer[start:start + size]), close), start + size


def _dechunk(buffer: bytearray, start: int, status: int, headers: dict[str, str], close: bool
             ) -> tuple[Answer | None, int]:
    """A chunked body (Go chunks answers over 2,048 bytes), no trailers."""
    body = bytearray()
    at = start
    while True:
        line_end = buffer.find(b"\r\n", at)
        if line_end < 0:
            return None, 0
        size = int(bytes(buffer[at:line_end]).split(b";")[0], 16)
        at = line_end + 2
        if size == 0:
            if len(buffer) < at + 2:
                return None, 0
            return Answer(status, headers, bytes(body), close), at + 2
        if len(buffer) < at + size + 2:
            return None, 0
        body += buffer[at:at + size]
        at += size + 2


def _open(host: str, port: int) -> socket.socket:
    sock = socket.create_connection((host, port))
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return sock


def throughput(host: str, port: int, path: str, total: int, clients: int) -> dict[str, object]:
    """``total`` GETs over ``clients`` concurrent connections; answers per second."""
    request = request_bytes(host, port, path)
    selector = selectors.DefaultSelector()
    sent = done = failed = reconnects = 0

    def start(conn: _Conn | None) -> None:
        nonlocal sent, reconnects
        if conn is None or conn.sock.fileno() < 0:
            if conn is not None:
                reconnects += 1
            conn = _Conn(_open(host, port))
            selector.register(conn.sock, selectors.EVENT_READ, conn)
        conn.sock.sendall(request)
        sent += 1

    started = time.perf_counter()
    for _ in range(min(clients, total)):
        start(None)
    while done < total:
        for key, _ in selector.select(timeout=10):
            conn: _Conn = key.data
            chunk = conn.sock.recv(65536)
            conn.buffer += chunk
            answer, used = parse(conn.buffer, eof=not chunk)
            if answer is None:
                if not chunk:
                    raise RuntimeError("the server closed a connection before answering")
                continue
            del conn.buffer[:used]
            done += 1
            failed += answer.status != 200
            if answer.close:
                selector.unregister(conn.sock)
                conn.sock.close()
            if sent < total:
                start(conn)
    elapsed = time.perf_counter() - started
    return {"answers": done, "failed": failed, "seconds": elapsed,
            "per_second": done / elapsed, "reconnects": reconnects}


def fanout(host: str, port: int, path: str, clients: int) -> dict[str, object]:
    """Open ``clients`` requests, print ``ready``, then record when each answer completes
    (``time.perf_counter``: CLOCK_MONOTONIC, which the parent process reads too)."""
    request = request_bytes(host, port, path)
    selector = selectors.DefaultSelector()
    for _ in range(clients):
        conn = _Conn(_open(host, port))
        conn.sock.sendall(request)
        selector.register(conn.sock, selectors.EVENT_READ, conn)
    print("ready", flush=True)
    finished: list[float] = []
    indexes: list[int] = []
    statuses: list[int] = []
    while len(finished) < clients:
        events = selector.select(timeout=30)
        if not events:
            raise RuntimeError(f"only {len(finished)} of {clients} answers within 30 s")
        for key, _ in events:
            conn = key.data
            chunk = conn.sock.recv(65536)
            conn.buffer += chunk
            answer, _used = parse(conn.buffer, eof=not chunk)
            if answer is None:
                if not chunk:
                    raise RuntimeError("the server closed a connection before answering")
                continue
            finished.append(time.perf_counter())
            statuses.append(answer.status)
            indexes.append(int(answer.headers.get("x-consul-index", "0")))
            selector.unregister(conn.sock)
            conn.sock.close()
    return {"finished": finished, "statuses": statuses, "indexes": indexes}


def main(argv: list[str]) -> int:
    mode, host, port, path, count = argv[:5]
    if mode == "throughput":
        result = throughput(host, int(port), path, int(count), int(argv[5]))
    elif mode == "fanout":
        result = fanout(host, int(port), path, int(count))
    else:
        raise SystemExit(f"unknown mode {mode!r}")
    print(json.dumps(result), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
