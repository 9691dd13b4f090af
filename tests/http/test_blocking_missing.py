"""Blocking reads of a missing name (spec §7): state/peering.go peeringReadTxn reports the
peering table's index, and blockingquery.Query answers at once when it is above ``?index=``;
otherwise the read blocks, across other writes, until the name appears or the wait ends."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from waiting import Arm
from werkzeug.test import Client, TestResponse

from fakeconsul import Cluster


def _answer(response: TestResponse) -> tuple[int, str]:
    return response.status_code, response.get_data(as_text=True)


def _never_blocks(monkeypatch: pytest.MonkeyPatch, cluster: Cluster) -> None:
    def blocked(seen_index: int, timeout: float) -> None:
        raise AssertionError("the read blocked")

    monkeypatch.setattr(cluster.store, "wait_for_change", blocked)


def test_an_older_index_answers_404_at_once(
    monkeypatch: pytest.MonkeyPatch, generate: Callable[..., TestResponse], dc1: Cluster,
    client1: Client,
) -> None:
    generate(PeerName="other")
    _never_blocks(monkeypatch, dc1)

    response = client1.get("/v1/peering/missing?index=1&wait=30s")

    assert _answer(response) == (404, 'Peering not found for "missing"')


def test_the_model_reports_the_table_index_for_a_missing_name(dc1: Cluster) -> None:
    dc1.generate_token("other")

    assert dc1.read_with_index("missing") == (None, dc1.store.peering_table_index)


def test_a_current_index_keeps_blocking_across_other_writes(
    monkeypatch: pytest.MonkeyPatch, generate: Callable[..., TestResponse], dc1: Cluster,
    client1: Client, when_blocked: Arm,
) -> None:
    generate(PeerName="other")
    index = dc1.store.peering_table_index
    waits: list[int] = []
    wait_for_change = dc1.store.wait_for_change

    def counted(seen_index: int, timeout: float) -> None:
        waits.append(seen_index)
        wait_for_change(seen_index, timeout)

    monkeypatch.setattr(dc1.store, "wait_for_change", counted)
    woken = when_blocked(dc1, lambda: dc1.generate_token("another"))

    response = client1.get(f"/v1/peering/missing?index={index}&wait=300ms")

    woken.result()
    assert (_answer(response), len(waits) >= 2) == (
        (404, 'Peering not found for "missing"'), True)


def test_a_name_that_appears_ends_the_wait_with_200(
    generate: Callable[..., TestResponse], dc1: Cluster, client1: Client, when_blocked: Arm,
) -> None:
    generate(PeerName="other")
    index = dc1.store.peering_table_index
    woken = when_blocked(dc1, lambda: dc1.generate_token("soon"))

    response = client1.get(f"/v1/peering/soon?index={index}&wait=10s")

    woken.result()
    assert (response.status_code, response.json["Name"]) == (200, "soon")  # type: ignore[index]
