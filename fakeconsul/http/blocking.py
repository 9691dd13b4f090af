"""Consul's blocking queries: answer once the watched index passes ``?index=`` or time runs out."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

from ..cluster import Cluster
from .query import Blocking

T = TypeVar("T")

# While timers are pending, a waiter looks at the clock this often (real seconds) so that a
# connect or a removal due in model time wakes it even when nothing else writes.
TIMER_POLL = 0.02


def _real_seconds() -> float:
    """Real elapsed time that no time patcher stops: freezegun replaces ``time.monotonic`` (a
    frozen one made ``?wait=`` endless) but not ``clock_gettime``; time-machine leaves
    monotonic clocks alone. Where clock_gettime is missing (Windows) freezegun still wins."""
    if hasattr(time, "clock_gettime"):
        return time.clock_gettime(time.CLOCK_MONOTONIC)
    return time.monotonic()


def run_blocking(
    cluster: Cluster, blocking: Blocking, query: Callable[[], tuple[T, int]]
) -> tuple[T, int]:
    """Run ``query`` (returning a result and its index) as Consul's blockingQuery does.

    No lock is held while sleeping: the store's condition wakes the waiter on every write.
    """
    if not blocking.blocks:
        return query()
    deadline = _real_seconds() + blocking.timeout()
    store, network = cluster.store, cluster.network
    while True:
        seen = store.index
        result, index = query()
        remaining = deadline - _real_seconds()
        if index > blocking.min_index or remaining <= 0:
            return result, index
        if network.next_due() is not None:
            remaining = min(remaining, TIMER_POLL)
        store.wait_for_change(seen, remaining)
