"""A whole in-process lifecycle against the floor of the same uuid, base64, JSON and dict work.

Two figures: the lifecycle between two clusters that already exist, and the same lifecycle on a
new network (a network and its two clusters made first), which is what a test with its own
network pays, CA certificates included.

Lifecycle: dc1 mints a token, dc2 establishes, both read ACTIVE, dc2 deletes, dc1 reads
TERMINATED, dc2's side is removed, dc1 deletes its side too (so the next round starts empty).
The floor does what that lifecycle cannot avoid (four UUIDs, a token encoded and decoded, two
records written, five snapshots read, two removed) with the standard library and no rules.
"""

from __future__ import annotations

import base64
import json
import uuid
from datetime import datetime, timezone
from typing import Any

from fakeconsul import Cluster, ManualClock, Network, PeeringState

from .figures import Figure, Goal
from .measure import Sizes, best_per_op

NAME = "lifecycle"


def fake_lifecycle(dc1: Cluster, dc2: Cluster) -> None:
    token = dc1.generate_token("dc2")
    dc2.establish("dc1", token)
    accepted, dialed = dc1.read("dc2"), dc2.read("dc1")
    assert accepted is not None and accepted.state is PeeringState.ACTIVE
    assert dialed is not None and dialed.state is PeeringState.ACTIVE
    dc2.delete("dc1")
    terminated = dc1.read("dc2")
    assert terminated is not None and terminated.state is PeeringState.TERMINATED
    assert dc2.read("dc1") is None
    dc1.delete("dc2")
    assert dc1.read("dc2") is None


def floor_lifecycle(ca_pem: str, tables: tuple[dict[str, Any], dict[str, Any]]) -> None:
    """The same bytes and objects the lifecycle has to produce, with no rules at all."""
    acceptor_table, dialer_table = tables
    acceptor_id, secret, dialer_id, stream_secret = (str(uuid.uuid4()) for _ in range(4))
    acceptor_table["dc2"] = {"ID": acceptor_id, "Name": "dc2", "State": "PENDING", "Meta": None}
    body = {
        "CA": [ca_pem], "ManualServerAddresses": None, "ServerAddresses": ["198.18.0.1:8503"],
        "ServerName": "server.dc1.peering.x.consul", "PeerID": acceptor_id,
        "EstablishmentSecret": secret,
        "Remote": {"Partition": "default", "Datacenter": "dc1", "Locality": None},
    }
    token = base64.standard_b64encode(json.dumps(body, separators=(",", ":")).encode()).decode()
    decoded = json.loads(base64.standard_b64decode(token))
    dialer_table["dc1"] = {
        "ID": dialer_id, "Name": "dc1", "State": "ESTABLISHING", "PeerID": decoded["PeerID"],
        "PeerCAPems": list(decoded["CA"]), "PeerServerAddresses": decoded["ServerAddresses"],
        "Secret": stream_secret, "Remote": dict(decoded["Remote"]),
    }
    acceptor_table["dc2"]["State"] = "ACTIVE"
    snapshots = [dict(acceptor_table["dc2"]), dict(dialer_table["dc1"])]
    del dialer_table["dc1"]
    acceptor_table["dc2"]["State"] = "TERMINATED"
    snapshots.append(dict(acceptor_table["dc2"]))
    snapshots.append(dialer_table.get("dc1", {}))
    del acceptor_table["dc2"]
    snapshots.append(acceptor_table.get("dc2", {}))


def new_network_lifecycle() -> None:
    net = Network(clock=ManualClock(datetime(2030, 1, 1, tzinfo=timezone.utc)))
    fake_lifecycle(net.add_cluster("dc1"), net.add_cluster("dc2"))


def run(sizes: Sizes) -> list[Figure]:
    net = Network(clock=ManualClock(datetime(2030, 1, 1, tzinfo=timezone.utc)))
    dc1, dc2 = net.add_cluster("dc1"), net.add_cluster("dc2")
    tables: tuple[dict[str, Any], dict[str, Any]] = ({}, {})
    fake_lifecycle(dc1, dc2)  # warm up imports and caches on both sides
    floor_lifecycle(dc1.ca_pem, tables)
    fake = best_per_op(lambda: fake_lifecycle(dc1, dc2), sizes.lifecycles, sizes.repeats)
    floor = best_per_op(lambda: floor_lifecycle(dc1.ca_pem, tables), sizes.lifecycles,
                        sizes.repeats)
    new_network_lifecycle()
    fresh = best_per_op(new_network_lifecycle, sizes.lifecycles, sizes.repeats)
    baseline = "floor: same uuid/base64/JSON/dict work, no rules"
    return [
        Figure(NAME, "in-process lifecycle", "µs", fake * 1e6, floor * 1e6, baseline,
               Goal("ratio", "<=", 10)),
        Figure(NAME, "in-process lifecycle, new network", "µs", fresh * 1e6, floor * 1e6,
               baseline, Goal("ratio", "<=", 10)),
    ]
