"""Two clusters that really peer: your code talks HTTP to them, your test reads their state."""

from __future__ import annotations

import json
import urllib.request
from typing import Any

from fakeconsul import PeeringState
from fakeconsul.testing import ServedPair


def consul(url: str, method: str = "GET", body: Any = None) -> Any:
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, method=method)
    with urllib.request.urlopen(request, timeout=5) as answer:
        return json.loads(answer.read() or b"null")


def peer_clusters(acceptor_url: str, dialer_url: str, acceptor: str, dialer: str) -> None:
    """The code under test: what a peering operator does."""
    token = consul(f"{acceptor_url}/v1/peering/token", "POST", {"PeerName": dialer})
    consul(f"{dialer_url}/v1/peering/establish", "POST",
           {"PeerName": acceptor, "PeeringToken": token["PeeringToken"]})


def test_peer_clusters(fake_consul_pair: ServedPair) -> None:
    dc1, dc2 = fake_consul_pair
    peer_clusters(dc1.url, dc2.url, "dc1", "dc2")
    assert consul(f"{dc1.url}/v1/peering/dc2")["State"] == "ACTIVE"
    peering = dc2.read("dc1")  # the same cluster, from Python
    assert peering is not None and peering.state is PeeringState.ACTIVE


def test_already_peered(fake_consul_pair: ServedPair) -> None:
    dc1, dc2 = fake_consul_pair
    fake_consul_pair.peer()  # dc1 calls its side "dc2", dc2 calls its side "dc1"
    assert [p["Name"] for p in consul(f"{dc2.url}/v1/peerings")] == ["dc1"]
