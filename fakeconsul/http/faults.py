"""Injected responses: the next N requests matching a method and path get a canned answer.

For testing a client's retry and timeout handling, which real Consul makes hard to provoke.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field

from werkzeug.wrappers import Request, Response

from .render import TEXT


@dataclass
class InjectedResponse:
    method: str
    path: str
    status: int
    body: str | bytes = ""
    times: int = 1
    delay: float = 0.0  # real seconds before answering: client timeouts are real time
    headers: dict[str, str] = field(default_factory=dict)
    content_type: str = TEXT

    def matches(self, request: Request) -> bool:
        return self.method in ("*", request.method) and self.path == request.path


class Injections:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._pending: list[InjectedResponse] = []

    def add(self, injected: InjectedResponse) -> None:
        if injected.times < 1:
            raise ValueError("an injected response needs times >= 1")
        if not 100 <= injected.status <= 599:
            raise ValueError(f"not an HTTP status: {injected.status}")
        with self._lock:
            self._pending.append(injected)

    def clear(self) -> None:
        with self._lock:
            self._pending.clear()

    def __len__(self) -> int:
        return len(self._pending)

    def take(self, request: Request) -> Response | None:
        """The canned answer for ``request``, counting it against its ``times``; else None."""
        with self._lock:
            for injected in self._pending:
                if injected.matches(request):
                    injected.times -= 1
                    if injected.times == 0:
                        self._pending.remove(injected)
                    break
            else:
                return None
        if injected.delay > 0:
            time.sleep(injected.delay)
        body = injected.body.encode() if isinstance(injected.body, str) else injected.body
        response = Response(body, status=injected.status, content_type=injected.content_type)
        for name, value in injected.headers.items():
            response.headers[name] = value
        return response
