"""The one exception a cluster operation raises: Consul's answer as a value."""

from __future__ import annotations


class ConsulError(Exception):
    """An operation failed exactly where Consul's HTTP API answers non-2xx.

    ``status`` is the HTTP status Consul gives and ``message`` the body text, byte for byte.
    """

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message

    def __repr__(self) -> str:
        return f"ConsulError({self.status}, {self.message!r})"
