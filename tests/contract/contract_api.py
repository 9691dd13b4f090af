"""What the contract stories talk to: two Consul agents over HTTP, fake or real.

``Agent`` speaks the peering API the way the Go client (``api.Peerings()``) does and checks
every answer against fakeconsul/schemas. ``Target`` holds the two agents of one world and knows
how to wait: a fake's model time is advanced (never slept on), real Consul is polled.
"""

from __future__ import annotations

import http.client
import json
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar
from urllib.parse import urlsplit

import schema_check
from werkzeug.datastructures import Headers
from werkzeug.test import Client

T = TypeVar("T")

# How long real Consul gets to settle (establish to ACTIVE, delete to 404). Generous: a shared
# CI cluster can be slow, and a passing story returns as soon as its condition holds.
REAL_SETTLE_SECONDS = 60.0
REAL_POLL_SECONDS = 0.25
# A fake settles in model time: each failed look advances its clock by one second.
FAKE_SETTLE_STEPS = 300


@dataclass(frozen=True)
class Answer:
    status: int
    headers: Headers
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8")

    def json(self) -> Any:
        return json.loads(self.body)

    @property
    def index(self) -> int:
        """X-Consul-Index as the Go client parses it (decimal uint64)."""
        return int(self.headers["X-Consul-Index"])


class ApiError(Exception):
    """A non-200 answer, worded as the Go client words it."""

    def __init__(self, answer: Answer) -> None:
        super().__init__(f"Unexpected response code: {answer.status} ({answer.text.strip()})")
        self.status = answer.status
        self.text = answer.text


Transport = Callable[[str, str, bytes | None, Mapping[str, str]], Answer]


def wsgi_transport(app: Any) -> Transport:
    """Straight into a fake cluster's WSGI app: no socket."""

    def send(method: str, path: str, body: bytes | None, headers: Mapping[str, str]) -> Answer:
        # A Client per request: blocking stories send from several threads at once.
        response = Client(app).open(path, method=method, data=body, headers=dict(headers))
        return Answer(response.status_code, Headers(response.headers), response.get_data())

    return send


def http_transport(base_url: str, timeout: float = 30.0) -> Transport:
    """Over a real socket, to a served fake or to real Consul."""
    parts = urlsplit(base_url)
    if parts.scheme != "http" or not parts.hostname:
        raise ValueError(f"not an http://host:port address: {base_url!r}")
    host, port = parts.hostname, parts.port or 8500

    def send(method: str, path: str, body: bytes | None, headers: Mapping[str, str]) -> Answer:
        connection = http.client.HTTPConnection(host, port, timeout=timeout)
        try:
            connection.request(method, path, body=body, headers=dict(headers))
            response = connection.getresponse()
            data = response.read()
        finally:
            connection.close()
        return Answer(response.status, Headers(response.getheaders()), data)

    return send


class Agent:
    """One agent's peering API, as ``api.Peerings()`` calls it; answers checked by schema."""

    def __init__(self, transport: Transport, token: str = "") -> None:
        self._send = transport
        self._token = token
        self._datacenter: str | None = None
        self.created: list[str] = []  # names to clean up after the story

    def call(self, method: str, path: str, body: object = None, raw: bytes | None = None,
             extra_headers: Mapping[str, str] | None = None) -> Answer:
        headers: dict[str, str] = dict(extra_headers or {})
        if self._token:
            headers["X-Consul-Token"] = self._token
        data = raw
        if body is not None:
            data = json.dumps(body).encode()
        if data is not None:
            headers["Content-Type"] = "application/json"
        answer = self._send(method, path, data, headers)
        schema_check.check(method, urlsplit(path).path, answer.status, answer.headers,
                           answer.body)
        return answer

    def _ok(self, answer: Answer) -> Answer:
        if answer.status != 200:  # the Go client takes no other status as success
            raise ApiError(answer)
        return answer

    @property
    def datacenter(self) -> str:
        if self._datacenter is None:
            config = self._ok(self.call("GET", "/v1/agent/self")).json()["Config"]
            self._datacenter = str(config["Datacenter"])
        return self._datacenter

    def generate_token(self, name: str, meta: dict[str, str] | None = None) -> str:
        body: dict[str, Any] = {"PeerName": name}
        if meta:
            body["Meta"] = meta
        self.created.append(name)
        return str(self._ok(self.call("POST", "/v1/peering/token", body)).json()["PeeringToken"])

    def establish(self, name: str, token: str, meta: dict[str, str] | None = None) -> None:
        body: dict[str, Any] = {"PeerName": name, "PeeringToken": token}
        if meta:
            body["Meta"] = meta
        self.created.append(name)
        self._ok(self.call("POST", "/v1/peering/establish", body))

    def read_with_index(self, name: str, index: int | None = None, wait: str = ""
                        ) -> tuple[dict[str, Any] | None, int | None]:
        """The peering (None on 404, as the Go client) and X-Consul-Index (None on 404)."""
        answer = self.call("GET", f"/v1/peering/{name}{_blocking(index, wait)}")
        if answer.status == 404:
            return None, None
        self._ok(answer)
        return answer.json(), answer.index

    def read(self, name: str) -> dict[str, Any] | None:
        return self.read_with_index(name)[0]

    def list_with_index(self, index: int | None = None, wait: str = ""
                        ) -> tuple[list[dict[str, Any]], int]:
        answer = self._ok(self.call("GET", f"/v1/peerings{_blocking(index, wait)}"))
        return answer.json(), answer.index

    def list(self) -> list[dict[str, Any]]:
        return self.list_with_index()[0]

    def delete(self, name: str) -> None:
        self._ok(self.call("DELETE", f"/v1/peering/{name}"))

    def clean_up(self) -> None:
        """Delete what the story created; what is already gone or refuses is left alone."""
        for name in dict.fromkeys(self.created):
            try:
                self.delete(name)
            except (ApiError, OSError):
                pass


def _blocking(index: int | None, wait: str) -> str:
    if index is None:
        return ""
    return f"?index={index}" + (f"&wait={wait}" if wait else "")


@dataclass
class Target:
    """Two agents that can peer (``a`` mints tokens, ``b`` dials) and how to wait for them."""

    kind: str
    a: Agent
    b: Agent
    advance: Callable[[float], None] | None = None  # a fake's clock; None for real Consul
    finalizers: list[Callable[[], None]] = field(default_factory=list)

    @property
    def is_fake(self) -> bool:
        return self.advance is not None

    @staticmethod
    def unique(prefix: str) -> str:
        """A fresh peer name: stories share real clusters with other runs and other state."""
        return f"{prefix}-{uuid.uuid4().hex[:12]}"

    def eventually(self, check: Callable[[], T]) -> T:
        """``check()``'s value once it stops raising AssertionError.

        A fake gets one second of model time per failed look (no sleeping); real Consul is
        polled in real time, up to REAL_SETTLE_SECONDS."""
        if self.advance is not None:
            for _ in range(FAKE_SETTLE_STEPS):
                try:
                    return check()
                except AssertionError:
                    self.advance(1.0)
            return check()
        deadline = time.monotonic() + REAL_SETTLE_SECONDS
        while True:
            try:
                return check()
            except AssertionError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(REAL_POLL_SECONDS)

    def close(self) -> None:
        for agent in (self.a, self.b):
            agent.clean_up()
        for finalizer in self.finalizers:
            finalizer()
