"""Blocking reads (spec §7), for every target: ``?index=N&wait=...`` answers once the index
passes N, or when the wait runs out.

The blocked request runs in a thread and the write that wakes it is made right away: if the
write lands before the request blocks, the request sees the newer index at once, which is the
same answer. Nothing sleeps; the waits are the requests' own bounds.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, TypeVar

import pytest
from contract_api import Target

T = TypeVar("T")
BOUND = "10s"  # a blocked request's own bound: a broken wake-up fails slowly, never hangs


@pytest.fixture
def background() -> Iterator[Callable[[Callable[[], T]], Future[T]]]:
    with ThreadPoolExecutor(max_workers=1) as pool:
        yield pool.submit


def test_blocking_read_returns_after_a_write(
    target: Target, background: Callable[[Callable[[], Any]], Future[Any]]
) -> None:
    name = target.unique("to-b")
    target.a.generate_token(name)
    before, index = target.a.read_with_index(name)
    assert before is not None and index is not None

    blocked = background(lambda: target.a.read_with_index(name, index, BOUND))
    target.a.generate_token(name)  # a new secret: a stored write, ModifyIndex moves

    after, woken_at = blocked.result(timeout=30)
    assert after is not None and woken_at is not None
    assert (after["ID"], woken_at > index) == (before["ID"], True)


def test_blocking_read_times_out_with_the_same_index(target: Target) -> None:
    name = target.unique("to-b")
    target.a.generate_token(name)
    _, index = target.a.read_with_index(name)
    started = time.monotonic()

    peering, answered_at = target.a.read_with_index(name, index, "200ms")

    assert (peering is not None, answered_at) == (True, index)
    assert time.monotonic() - started >= 0.15


def test_blocking_list_wakes_on_a_new_peering(
    target: Target, background: Callable[[Callable[[], Any]], Future[Any]]
) -> None:
    name = target.unique("new")
    _, index = target.a.list_with_index()

    def until_listed() -> tuple[list[str], int]:
        # On a shared cluster another writer may wake the list first: block again from there.
        seen = index
        for _ in range(10):
            listed, seen = target.a.list_with_index(seen, BOUND)
            if name in [p["Name"] for p in listed]:
                break
        return [p["Name"] for p in listed], seen

    blocked = background(until_listed)
    target.a.generate_token(name)

    names, woken_at = blocked.result(timeout=60)
    assert (name in names, woken_at > index) == (True, True)


def test_blocking_read_of_a_missing_peering_waits_for_it(
    target: Target, background: Callable[[Callable[[], Any]], Future[Any]]
) -> None:
    name = target.unique("soon")
    _, index = target.a.list_with_index()

    blocked = background(lambda: target.a.read_with_index(name, index, BOUND))
    target.a.generate_token(name)

    peering, _ = blocked.result(timeout=30)
    assert peering is not None and peering["Name"] == name


def test_blocking_read_of_a_missing_peering_ends_404(target: Target) -> None:
    _, index = target.a.list_with_index()
    missing = target.unique("never")

    answer = target.a.call("GET", f"/v1/peering/{missing}?index={index}&wait=100ms")

    assert (answer.status, answer.text) == (404, f'Peering not found for "{missing}"')


def test_blocking_read_of_a_missing_peering_with_an_older_index_is_404_at_once(
    target: Target
) -> None:
    target.a.generate_token(target.unique("other"))  # the peering table's index is past 1
    missing = target.unique("never")
    started = time.monotonic()

    answer = target.a.call("GET", f"/v1/peering/{missing}?index=1&wait=10s")

    assert (answer.status, answer.text) == (404, f'Peering not found for "{missing}"')
    assert time.monotonic() - started < 5  # not the wait: blockingquery answered at once
