"""A client that sends bytes as given and reads answers as they come, normalising nothing."""

from __future__ import annotations

import re
import socket

SOCKET_TIMEOUT = 5.0
# The served cluster's settings (conftest.py): short enough that a test of a timeout takes a
# fraction of a second.
IDLE_TIMEOUT = 0.3
READ_TIMEOUT = 0.3
CONNECTION_LIMIT = 4
_DATE = re.compile(rb"\r\nDate: [A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT\r\n")


def undated(answer: bytes) -> bytes:
    """``answer`` with its Date header's value replaced by ``DATE`` (it must be Go's format)."""
    return _DATE.sub(b"\r\nDate: DATE\r\n", answer, count=1)


class Raw:
    def __init__(self, host: str, port: int) -> None:
        self.sock = socket.create_connection((host, port), timeout=SOCKET_TIMEOUT)
        self.buffer = b""

    def send(self, data: bytes) -> None:
        self.sock.sendall(data)

    def get(self, path: str, *headers: str) -> None:
        lines = "".join(f"{h}\r\n" for h in headers)
        self.send(f"GET {path} HTTP/1.1\r\nHost: fake\r\n{lines}\r\n".encode())

    def _fill(self) -> bool:
        chunk = self.sock.recv(65536)
        self.buffer += chunk
        return bool(chunk)

    def answer(self) -> bytes:
        """One whole answer: head, then a body by Content-Length, chunks, or up to EOF."""
        while b"\r\n\r\n" not in self.buffer:
            if not self._fill():
                raise EOFError(f"connection closed after {self.buffer!r}")
        end = self.buffer.index(b"\r\n\r\n") + 4
        head = self.buffer[:end].lower()
        if head.startswith(b"http/1.1 100 "):
            return self._take(end)
        length = re.search(rb"\r\ncontent-length: (\d+)\r\n", head)
        if length is not None:
            return self._take_when(lambda: len(self.buffer) >= end + int(length[1]),
                                   lambda: end + int(length[1]))
        if b"\r\ntransfer-encoding: chunked\r\n" in head:
            return self._take_when(lambda: self.buffer.find(b"\r\n0\r\n\r\n", end) >= 0,
                                   lambda: self.buffer.index(b"\r\n0\r\n\r\n", end) + 7)
        while self._fill():
            pass
        return self._take(len(self.buffer))

    def _take_when(self, ready: object, size: object) -> bytes:
        assert callable(ready) and callable(size)
        while not ready():
            if not self._fill():
                raise EOFError(f"connection closed after {self.buffer!r}")
        return self._take(size())

    def _take(self, size: int) -> bytes:
        taken, self.buffer = self.buffer[:size], self.buffer[size:]
        return taken

    def closed_by_server(self) -> bool:
        """True when the server has closed (EOF, nothing more to read) within the timeout."""
        try:
            return not self.buffer and self.sock.recv(1) == b""
        except ConnectionResetError:
            return True

    def close(self) -> None:
        self.sock.close()
