"""The one exception a cluster operation raises: Consul's answer as a value."""

from __future__ import annotations


class ConsulError(Exception):
    """An operation failed exactly where Consul's HTTP API answers non-2xx.

    ``status`` is the HTTP status Consul gives and ``message`` the body text, byte for byte.
    ``code`` is the gRPC status code when the error came from one of Consul's internal gRPC
    services (``"Unknown"``, ``"PermissionDenied"``, ...), None otherwise. It is data only: since
    Consul 1.15 the HTTP wrapper writes the status message alone (agent/http.go ``handleErr``).
    """

    def __init__(self, status: int, message: str, code: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.code = code
        # Seconds Consul spends before it gives this answer (establish's exchange retries):
        # model time takes none, but a server answering a client waits them in real time.
        self.answer_after = 0.0

    def __repr__(self) -> str:
        return f"ConsulError({self.status}, {self.message!r})"
