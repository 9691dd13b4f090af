"""Small HTTP steps the export and discovery tests share (dc1 exports to dc2 by default).

``peer_both`` peers dc1 (acceptor, calls its peering "cluster-b") with dc2 (dialer, calls its
peering "cluster-a"), the names of spec §9.6.
"""

from __future__ import annotations

import json
from typing import Any

from answers import json_of
from werkzeug.test import Client, TestResponse

EXPORTER_PEER = "cluster-b"  # dc1's name for its peering with dc2
IMPORTER_PEER = "cluster-a"  # dc2's name for its peering with dc1


def ok(response: TestResponse) -> TestResponse:
    assert response.status_code == 200, (response.status_code, response.text)
    return response


def peer_both(exporter: Client, importer: Client) -> None:
    token = json_of(ok(exporter.post(
        "/v1/peering/token", data=json.dumps({"PeerName": EXPORTER_PEER})
    )))["PeeringToken"]
    ok(importer.post("/v1/peering/establish", data=json.dumps(
        {"PeerName": IMPORTER_PEER, "PeeringToken": token}
    )))


def register(client: Client, name: str, *, status: str = "passing", **fields: Any) -> None:
    """``PUT /v1/agent/service/register`` with one TTL check in ``status``."""
    body = {"Name": name, "Check": {"TTL": "30s", "Status": status}, **fields}
    ok(client.put("/v1/agent/service/register", data=json.dumps(body)))


def register_on_node(client: Client, node: str, name: str, *, service_id: str = "",
                     status: str = "passing", address: str = "10.0.0.1") -> None:
    """``PUT /v1/catalog/register``: ``name`` on an external ``node`` with one service check."""
    sid = service_id or name
    body = {
        "Node": node, "Address": address,
        "Service": {"ID": sid, "Service": name, "Port": 8080},
        "Checks": [{"CheckID": f"service:{sid}", "Name": "check", "Status": status,
                    "ServiceID": sid}],
    }
    ok(client.put("/v1/catalog/register", data=json.dumps(body)))


def export(client: Client, *services: str, peer: str = EXPORTER_PEER) -> TestResponse:
    """``PUT /v1/config`` with an exported-services entry exporting ``services`` to ``peer``."""
    entry = {
        "Kind": "exported-services",
        "Name": "default",
        "Services": [{"Name": s, "Consumers": [{"Peer": peer}]} for s in services],
    }
    return ok(client.put("/v1/config", data=json.dumps(entry)))


def stream_status(client: Client, peering: str) -> dict[str, Any]:
    status: dict[str, Any] = json_of(ok(client.get(f"/v1/peering/{peering}")))["StreamStatus"]
    return status


def imported(client: Client, service: str, peer: str = IMPORTER_PEER) -> list[dict[str, Any]]:
    entries: list[dict[str, Any]] = json_of(
        ok(client.get(f"/v1/health/service/{service}?peer={peer}"))
    )
    return entries
