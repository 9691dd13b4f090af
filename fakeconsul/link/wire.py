"""The link's wire format: JSON bodies over HTTP/1.1 POSTs to ``/_fakeconsul/link/...``.

Catalog rows travel as their records' fields; the receiver tags them with its own local name
for the peering (the sender does not know it), as Consul's importer does.
"""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from dataclasses import asdict, replace
from typing import Any

from ..catalog.records import CheckRecord, NodeRecord, ServiceRecord
from ..config.exports import Rows

PREFIX = "/_fakeconsul/link/"
EXCHANGE = PREFIX + "exchange"
STREAM = PREFIX + "stream"
# The fake's own protocol version: an acceptor refuses a dialer that speaks another.
VERSION = 1


def real_seconds() -> float:
    """Real time between processes, which no time patcher of the tests stops."""
    if hasattr(time, "clock_gettime"):
        return time.clock_gettime(time.CLOCK_MONOTONIC)
    return time.monotonic()  # pragma: no cover - Windows


class LinkError(Exception):
    """The peer answered with an error (``status`` and Consul's text), or could not be
    reached (``status`` 0, ``refused`` when nothing listens at the address)."""

    def __init__(self, status: int, text: str, *, refused: bool = False) -> None:
        super().__init__(text)
        self.status = status
        self.text = text
        self.refused = refused


def rows_to_json(rows: Rows) -> dict[str, Any]:
    nodes, services, checks = rows
    return {"Nodes": [asdict(n) for n in nodes.values()],
            "Services": [asdict(s) for s in services.values()],
            "Checks": [asdict(c) for c in checks.values()]}


def rows_from_json(body: dict[str, Any], peer_name: str) -> Rows:
    nodes = {}
    for fields in body.get("Nodes") or ():
        node = NodeRecord(**{**fields, "peer_name": peer_name})
        nodes[node.node.lower()] = node
    services = {}
    for fields in body.get("Services") or ():
        service = ServiceRecord(**{**fields, "peer_name": peer_name})
        service = replace(
            service, weights=tuple(service.weights),  # type: ignore[arg-type]
            tagged_addresses={k: (a, p) for k, (a, p) in service.tagged_addresses.items()}
            if service.tagged_addresses else service.tagged_addresses)
        services[(service.node.lower(), service.id)] = service
    checks = {}
    for fields in body.get("Checks") or ():
        check = CheckRecord(**{**fields, "peer_name": peer_name})
        checks[(check.node.lower(), check.check_id)] = check
    return nodes, services, checks


def post(address: str, path: str, body: dict[str, Any], timeout: float) -> dict[str, Any]:
    """POST ``body`` to ``http://address/path``; the JSON answer, or LinkError."""
    request = urllib.request.Request(
        f"http://{address}{path}", data=json.dumps(body).encode(), method="POST",
        headers={"Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as answer:
            result: dict[str, Any] = json.loads(answer.read())
            return result
    except urllib.error.HTTPError as err:
        raise LinkError(err.code, err.read().decode("utf-8", "replace")) from None
    except urllib.error.URLError as err:
        refused = isinstance(err.reason, ConnectionRefusedError)
        raise LinkError(0, str(err.reason), refused=refused) from None
    except (OSError, ValueError) as err:
        raise LinkError(0, str(err)) from None
