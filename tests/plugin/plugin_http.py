"""A plain HTTP client for the plugin tests, as a downstream test would use one."""

from __future__ import annotations

import http.client
import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit


@dataclass
class Answer:
    status: int
    body: bytes
    headers: dict[str, str]

    def json(self) -> Any:
        return json.loads(self.body)


def call(method: str, url: str, body: Any = None, *, timeout: float = 5) -> Answer:
    """One request on a fresh connection; ``body`` other than str/bytes is sent as JSON."""
    parts = urlsplit(url)
    payload = body if body is None or isinstance(body, str | bytes) else json.dumps(body)
    connection = http.client.HTTPConnection(parts.netloc, timeout=timeout)
    try:
        target = parts.path + (f"?{parts.query}" if parts.query else "")
        connection.request(method, target, body=payload)
        response = connection.getresponse()
        headers = {name.lower(): value for name, value in response.getheaders()}
        return Answer(response.status, response.read(), headers)
    finally:
        connection.close()
