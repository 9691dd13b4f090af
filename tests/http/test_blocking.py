"""Blocking reads and lists (spec §7): ``?index=N&wait=...`` waits for the index to pass N.

A write or a clock advance comes from another thread, started only once the request is really
waiting: ``when_blocked`` spies on the cluster's ``store.wait_for_change`` (the one place a
blocking query sleeps) and runs the action after the first call. Every blocked request carries a
short ``wait`` as a safety bound; no test sleeps.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable

import pytest
from answers import json_of
from waiting import Arm
from werkzeug.test import Client, TestResponse

from fakeconsul import Cluster, ManualClock, Network, wsgi_app

SAFETY_WAIT = "2s"  # the blocked request's own bound: a broken wake-up fails, it does not hang
SAFETY_SECONDS = 2.0  # an answer given only when that bound ran out takes at least this long



@pytest.fixture
def never_blocks(dc1: Cluster, monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """Records every wait of a dc1 request: an empty list means it answered at once."""
    waits: list[float] = []

    def record(seen_index: int, timeout: float) -> None:
        waits.append(timeout)

    monkeypatch.setattr(dc1.store, "wait_for_change", record)
    return waits


def write_on(cluster: Cluster, name: str) -> Callable[[], None]:
    """A peering write over HTTP on its own client (clients are not shared across threads)."""

    def write() -> None:
        response = Client(wsgi_app(cluster)).post(
            "/v1/peering/token", data=json.dumps({"PeerName": name})
        )
        assert response.status_code == 200, response.text

    return write


def index_of(response: TestResponse) -> int:
    return int(response.headers["X-Consul-Index"])


def woken_get(client: Client, path: str) -> TestResponse:
    """GET a blocking query that something else must wake before its safety bound runs out."""
    started = time.monotonic()
    response = client.get(path)
    assert time.monotonic() - started < SAFETY_SECONDS, "answered by the wait's end, not woken"
    return response


# --- answering at once ----------------------------------------------------------------------------


def test_read_with_an_index_already_passed_answers_at_once(
    generate: Callable[..., TestResponse], client1: Client, never_blocks: list[float]
) -> None:
    generate(PeerName="dc2")
    current = index_of(client1.get("/v1/peering/dc2"))

    response = client1.get(f"/v1/peering/dc2?index={current - 1}&wait={SAFETY_WAIT}")

    assert (response.status_code, index_of(response), never_blocks) == (200, current, [])


def test_list_with_an_index_already_passed_answers_at_once(
    generate: Callable[..., TestResponse], client1: Client, never_blocks: list[float]
) -> None:
    generate(PeerName="dc2")
    current = index_of(client1.get("/v1/peerings"))

    response = client1.get(f"/v1/peerings?index={current - 1}&wait={SAFETY_WAIT}")

    assert (response.status_code, index_of(response), never_blocks) == (200, current, [])


def test_index_zero_does_not_block(
    generate: Callable[..., TestResponse], client1: Client, never_blocks: list[float]
) -> None:
    generate(PeerName="dc2")

    response = client1.get(f"/v1/peering/dc2?index=0&wait={SAFETY_WAIT}")

    assert (response.status_code, never_blocks) == (200, [])


# --- woken by a write ---------------------------------------------------------------------------


def test_blocking_read_returns_after_a_write_with_the_new_index(
    generate: Callable[..., TestResponse], client1: Client, dc1: Cluster, when_blocked: Arm
) -> None:
    generate(PeerName="dc2")
    current = index_of(client1.get("/v1/peering/dc2"))
    writer = when_blocked(dc1, write_on(dc1, "dc2"))  # generate again: ModifyIndex moves

    response = woken_get(client1, f"/v1/peering/dc2?index={current}&wait={SAFETY_WAIT}")

    writer.result()
    record = dc1.read("dc2")
    assert record is not None and record.modify_index > current
    assert (response.status_code, index_of(response)) == (200, record.modify_index)


def test_blocking_read_answers_the_peering_as_written(
    generate: Callable[..., TestResponse], client1: Client, dc1: Cluster, when_blocked: Arm
) -> None:
    generate(PeerName="dc2")
    current = index_of(client1.get("/v1/peering/dc2"))
    writer = when_blocked(dc1, write_on(dc1, "dc2"))

    response = woken_get(client1, f"/v1/peering/dc2?index={current}&wait={SAFETY_WAIT}")

    writer.result()
    assert json_of(response)["ModifyIndex"] == index_of(response)


def test_blocking_list_returns_after_a_write_with_the_new_index(
    generate: Callable[..., TestResponse], client1: Client, dc1: Cluster, when_blocked: Arm
) -> None:
    generate(PeerName="dc2")
    current = index_of(client1.get("/v1/peerings"))
    writer = when_blocked(dc1, write_on(dc1, "newcomer"))

    response = woken_get(client1, f"/v1/peerings?index={current}&wait={SAFETY_WAIT}")

    writer.result()
    record = dc1.read("newcomer")
    assert record is not None
    assert index_of(response) == record.modify_index
    assert [p["Name"] for p in json_of(response)] == ["dc2", "newcomer"]


def test_blocking_read_is_not_woken_by_a_write_to_another_peering(
    generate: Callable[..., TestResponse], client1: Client, dc1: Cluster, when_blocked: Arm
) -> None:
    generate(PeerName="dc2")
    current = index_of(client1.get("/v1/peering/dc2"))
    writer = when_blocked(dc1, write_on(dc1, "other"))
    started = time.monotonic()

    response = client1.get(f"/v1/peering/dc2?index={current}&wait=100ms")

    writer.result()
    assert (response.status_code, index_of(response)) == (200, current)
    assert time.monotonic() - started >= 0.1  # it slept on after the unrelated write


# --- missing peerings ---------------------------------------------------------------------------


def test_blocking_read_of_a_missing_peering_is_404_when_the_wait_expires(client1: Client) -> None:
    started = time.monotonic()

    response = client1.get("/v1/peering/nope?index=1&wait=50ms")

    assert (response.status_code, response.text) == (404, 'Peering not found for "nope"')
    assert time.monotonic() - started >= 0.05


def test_blocking_read_of_a_missing_peering_returns_once_it_appears(
    client1: Client, dc1: Cluster, when_blocked: Arm
) -> None:
    writer = when_blocked(dc1, write_on(dc1, "late"))

    response = woken_get(client1, f"/v1/peering/late?index={dc1.index}&wait={SAFETY_WAIT}")

    writer.result()
    assert (response.status_code, json_of(response)["Name"]) == (200, "late")


def test_wait_expiry_on_an_existing_peering_answers_the_same_index(
    generate: Callable[..., TestResponse], client1: Client
) -> None:
    generate(PeerName="dc2")
    current = index_of(client1.get("/v1/peering/dc2"))
    started = time.monotonic()

    response = client1.get(f"/v1/peering/dc2?index={current}&wait=50ms")

    assert (response.status_code, index_of(response)) == (200, current)
    assert time.monotonic() - started >= 0.05


# --- woken by a timer due in model time -----------------------------------------------------------


def test_connect_due_in_model_time_wakes_a_blocking_read(
    peer: Callable[..., None],
    client1: Client,
    dc1: Cluster,
    clock: ManualClock,
    network: Network,
    when_blocked: Arm,
) -> None:
    network.timing.connect_delay = 5
    peer()
    pending = client1.get("/v1/peering/dc2")
    assert json_of(pending)["State"] == "PENDING"
    advancer = when_blocked(dc1, lambda: clock.advance(5))

    response = woken_get(client1, f"/v1/peering/dc2?index={index_of(pending)}&wait={SAFETY_WAIT}")

    advancer.result()
    assert index_of(response) > index_of(pending)
    assert (json_of(response)["State"], json_of(response)["Remote"]["Datacenter"]) == (
        "ACTIVE",
        "dc2",
    )


def test_removal_due_in_model_time_wakes_a_blocking_list(
    generate: Callable[..., TestResponse],
    client1: Client,
    dc1: Cluster,
    clock: ManualClock,
    network: Network,
    when_blocked: Arm,
) -> None:
    network.timing.deletion_delay = 30
    generate(PeerName="dc2")
    client1.delete("/v1/peering/dc2")
    deleting = client1.get("/v1/peerings")
    assert [p["State"] for p in json_of(deleting)] == ["DELETING"]
    advancer = when_blocked(dc1, lambda: clock.advance(30))

    response = woken_get(client1, f"/v1/peerings?index={index_of(deleting)}&wait={SAFETY_WAIT}")

    advancer.result()
    assert (response.get_data(), index_of(response) > index_of(deleting)) == (b"[]", True)
