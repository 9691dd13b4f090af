"""Consul's blocking queries: answer once the watched index passes ``?index=`` or time runs out.

Two ways to wait. Without a server that can hold requests (werkzeug's test Client, any WSGI
server), the calling thread sleeps on the store's condition. A server that sets ``PARKING``
(fakeconsul/serve) holds a blocked request without a thread: ``run_blocking`` raises ``Parked``
instead of sleeping, the server keeps the connection and runs the whole request again after a
write, when a timer is due, or (with ``Parking.final``) when the wait is over.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass
from typing import TypeVar

from ..model.cluster import Cluster
from .query import Blocking

T = TypeVar("T")

# While timers are pending, a waiter wakes when the next one is due, so that a connect or a
# removal due in model time wakes it even when nothing else writes. Model time runs at the wall
# clock's rate (``clock.advance`` wakes waiters itself, through the writes its timers make), so
# the time until due is also the real time to sleep; clamped to at least TIMER_POLL, and to at
# most TIMER_POLL_MAX so a clock moved by freezegun or time-machine is noticed within a second.
# (Polling every TIMER_POLL instead kept 200 idle waiters re-running their query 10,000 times a
# second for heartbeats that never write: see benchmarks/README.md.)
TIMER_POLL = 0.02
TIMER_POLL_MAX = 1.0


def real_seconds() -> float:
    """Real elapsed time that no time patcher stops: freezegun replaces ``time.monotonic`` (a
    frozen one made ``?wait=`` endless) but not ``clock_gettime``; time-machine leaves
    monotonic clocks alone. Where clock_gettime is missing (Windows) freezegun still wins."""
    if hasattr(time, "clock_gettime"):
        return time.clock_gettime(time.CLOCK_MONOTONIC)
    return time.monotonic()


@dataclass(frozen=True)
class Parking:
    """Set in ``PARKING`` by a server that holds blocked requests itself."""

    final: bool = False  # the request's wait is over: answer with whatever the query says


PARKING: ContextVar[Parking | None] = ContextVar("fakeconsul_parking", default=None)


class Parked(Exception):
    """The request must wait: the store's index was ``seen`` when its query ran and found
    nothing newer than ``?index=``. ``timeout`` is the wait Consul grants (jitter included),
    ``recheck`` the seconds until a pending timer is due (``None``: none is)."""

    def __init__(self, seen: int, timeout: float, recheck: float | None) -> None:
        super().__init__(seen, timeout, recheck)
        self.seen, self.timeout, self.recheck = seen, timeout, recheck


def _until_timer(cluster: Cluster) -> float | None:
    network = cluster.network
    due = network.next_due()
    if due is None:
        return None
    until_due = (due - network.now()).total_seconds()
    return max(TIMER_POLL, min(until_due, TIMER_POLL_MAX))


def run_blocking(
    cluster: Cluster, blocking: Blocking, query: Callable[[], tuple[T, int]]
) -> tuple[T, int]:
    """Run ``query`` (returning a result and its index) as Consul's blockingQuery does.

    No lock is held while sleeping: the store's condition wakes the waiter on every write.
    """
    if not blocking.blocks:
        return query()
    parking = PARKING.get()
    if parking is not None:
        seen = cluster.store.index
        result, index = query()
        if index > blocking.min_index or parking.final:
            return result, index
        raise Parked(seen, blocking.timeout(), _until_timer(cluster))
    deadline = real_seconds() + blocking.timeout()
    store = cluster.store
    while True:
        seen = store.index
        result, index = query()
        remaining = deadline - real_seconds()
        if index > blocking.min_index or remaining <= 0:
            return result, index
        recheck = _until_timer(cluster)
        if recheck is not None:
            remaining = min(remaining, recheck)
        store.wait_for_change(seen, remaining)


def missing_keeps_blocking(
    query: Callable[[], tuple[T | None, int]], min_index: int
) -> Callable[[], tuple[T | None, int]]:
    """blockingquery.Query's rule for a result that is not found: the first miss answers at
    once only if its index (the table's) is above ``?index=``; after that, while the result
    stays missing, a newer index does not count (Consul raises its minimum to it), so the
    watcher blocks across other writes until the result appears or the wait ends."""
    missed = False

    def run() -> tuple[T | None, int]:
        nonlocal missed
        result, index = query()
        if result is None:
            if missed:
                return None, min(index, min_index)
            missed = True
        return result, index

    return run
