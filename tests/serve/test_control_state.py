"""``GET /_fakeconsul/state`` as the dashboard uses it: what it shows of a peering, and a
blocking query that sleeps on the network's change signal instead of rebuilding the state."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from serve_helpers import answer
from werkzeug.test import Client

from fakeconsul import Cluster, Network, wsgi_app
from fakeconsul.serve import admin

JOIN_TIMEOUT = 10.0  # seconds; a woken query answers in milliseconds


def _peer(dc1: Cluster, dc2: Cluster) -> None:
    dc2.establish("dc1", dc1.generate_token("dc2"))


def test_a_peering_is_shown_as_a_read_shows_it_plus_the_fake_s_view(
    client: Client, dc1: Cluster, dc2: Cluster
) -> None:
    _peer(dc1, dc2)
    [shown] = answer(client, "GET", "/_fakeconsul/state")["Clusters"][0]["Peerings"]
    extra = {key: shown.pop(key) for key in ("StoredState", "Role", "PeerCluster", "Stream")}
    read = dc1.read("dc2")
    assert read is not None
    assert (shown, extra) == (read.to_api(), {
        "StoredState": "PENDING", "Role": "acceptor", "PeerCluster": "dc2", "Stream": {
            "Dialer": "dc2", "Acceptor": "dc1", "Connected": True, "LinkLost": False,
            "Failures": 0, "LastError": "",
        },
    })


def test_every_heartbeat_timer_names_its_peering(client: Client, dc1: Cluster,
                                                 dc2: Cluster) -> None:
    for name in ("a", "b", "c"):
        dc2.establish(name, dc1.generate_token(f"to-{name}"))
    timers = answer(client, "GET", "/_fakeconsul/state")["Timers"]
    assert sorted((t["Kind"], t["Cluster"], t["Peering"]) for t in timers) == [
        ("heartbeat", "dc2", "a"), ("heartbeat", "dc2", "b"), ("heartbeat", "dc2", "c"),
    ]


@pytest.fixture
def builds(monkeypatch: pytest.MonkeyPatch) -> list[Network]:
    """Every time the control API builds the whole state."""
    built: list[Network] = []
    build = admin.network_state

    def counted(network: Network) -> dict[str, Any]:
        built.append(network)
        return build(network)

    monkeypatch.setattr(admin, "network_state", counted)
    return built


def test_an_idle_blocking_query_builds_the_state_twice(client: Client, dc1: Cluster,
                                                       dc2: Cluster,
                                                       builds: list[Network]) -> None:
    _peer(dc1, dc2)  # heartbeat timers pending, due in 15 s of model time
    version = answer(client, "GET", "/_fakeconsul/state")["Version"]
    builds.clear()
    answer(client, "GET", f"/_fakeconsul/state?version={version}&wait=300ms")
    assert len(builds) == 2  # at the start and at the deadline, none between


def test_a_write_wakes_a_blocked_query(network: Network, dc1: Cluster, dc2: Cluster,
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    client = Client(wsgi_app(dc1))
    version = answer(client, "GET", "/_fakeconsul/state")["Version"]
    asleep = threading.Event()
    wait = network.wait_for_change

    def sleeping(generation: int, timeout: float) -> None:
        asleep.set()
        wait(generation, timeout)

    monkeypatch.setattr(network, "wait_for_change", sleeping)
    answers: list[Any] = []
    blocked = threading.Thread(target=lambda: answers.append(
        answer(client, "GET", f"/_fakeconsul/state?version={version}&wait=60s")))
    blocked.start()
    assert asleep.wait(JOIN_TIMEOUT)
    dc1.generate_token("new")
    blocked.join(JOIN_TIMEOUT)
    names = [p["Name"] for p in answers[0]["Clusters"][0]["Peerings"]] if answers else None
    assert (blocked.is_alive(), names) == (False, ["new"])


def test_a_fault_moves_the_change_signal(network: Network, dc1: Cluster, dc2: Cluster) -> None:
    before = network.generation
    network.disconnect(dc1, dc2)
    assert network.generation > before
