"""Blocked queries held without a thread each: a watch is a registration, not a sleeping thread.

A request whose blocking query found nothing newer than ``?index=`` comes back from the
application as ``Parked`` (http/blocking.py). Its connection stays with the event loop and the
request joins the ``Group`` of identical requests (same version, method, target, headers and
body, so the same answer). After a write to the cluster's store, when a timer of the network is
due, or when a watch's wait runs out, the group's request runs once on a worker; an answer is
encoded and gzipped once and the same bytes are written to every socket in the group. Waits are
Consul's (``?wait=``, jitter included, per watch) and timers wake as in ``run_blocking``.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable
from dataclasses import dataclass, field

import h11

from ..http.blocking import Parked
from .loop import Connection, EventLoop, Timer, now

Key = tuple[bytes, bytes, bytes, tuple[tuple[bytes, bytes], ...], bytes]


@dataclass(frozen=True)
class Answer:
    data: bytes
    close: bool
    status: int
    label: str  # "METHOD /path?query" for the request log ("" when there is none)


Outcome = Answer | Parked
# Runs the request of ``watch`` on a worker, then calls back on the loop thread with the outcome.
Evaluate = Callable[["Watch", bool, Callable[[Outcome], None]], None]
Log = Callable[[Answer, float], None]


@dataclass(eq=False)
class Watch:
    conn: Connection
    request: h11.Request
    body: bytes
    seen: int
    started: float
    deadline: Timer | None = None
    group: Group | None = None


@dataclass(eq=False)
class Group:
    key: Key
    watches: dict[Watch, None] = field(default_factory=dict)
    evaluating: bool = False
    recheck: Timer | None = None


def key_of(request: h11.Request, body: bytes) -> Key:
    return (request.http_version, request.method, request.target, tuple(request.headers), body)


class Watchers:
    def __init__(
        self, loop: EventLoop, evaluate: Evaluate, index: Callable[[], int], log: Log
    ) -> None:
        self._loop = loop
        self._evaluate = evaluate
        self._index = index
        self._log = log
        self._groups: dict[Key, Group] = {}
        self._expired: dict[Key, list[Watch]] = {}
        self._count = 0
        self._count_changed = threading.Condition()

    def wait_for_count(self, count: int, timeout: float) -> bool:
        """Block until ``count`` watches are held (any thread but the loop's); False on timeout."""
        with self._count_changed:
            return self._count_changed.wait_for(lambda: self._count == count, timeout)

    def _counted(self, delta: int) -> None:
        with self._count_changed:
            self._count += delta
            self._count_changed.notify_all()

    def __len__(self) -> int:
        return self._count

    def park(self, conn: Connection, request: h11.Request, body: bytes, parked: Parked,
             started: float) -> None:
        """Hold ``conn``'s request until its index moves or its wait runs out (loop thread)."""
        if not conn.open:
            return
        watch = Watch(conn, request, body, parked.seen, started)
        watch.deadline = self._loop.call_at(now() + parked.timeout, lambda: self._expire(watch))
        conn.on_close = lambda: self._drop(watch)
        key = key_of(request, body)
        group = self._groups.get(key)
        if group is None:
            group = self._groups[key] = Group(key)
        group.watches[watch] = None
        watch.group = group
        self._counted(1)
        self._schedule_recheck(group, parked.recheck)
        self._maybe_evaluate(group)

    def changed(self) -> None:
        """The store took a write: re-run each group that has not seen it (loop thread)."""
        for group in list(self._groups.values()):
            self._maybe_evaluate(group)

    # --- evaluation ----------------------------------------------------------------------------

    def _maybe_evaluate(self, group: Group) -> None:
        if group.evaluating or not group.watches:
            return
        if min(watch.seen for watch in group.watches) < self._index():
            self._run(group)

    def _run(self, group: Group) -> None:
        group.evaluating = True
        snapshot = list(group.watches)
        self._evaluate(
            snapshot[0], False, lambda outcome: self._evaluated(group, snapshot, outcome)
        )

    def _evaluated(self, group: Group, snapshot: list[Watch], outcome: Outcome) -> None:
        group.evaluating = False
        if isinstance(outcome, Parked):
            for watch in snapshot:
                watch.seen = max(watch.seen, outcome.seen)
            self._schedule_recheck(group, outcome.recheck)
            self._maybe_evaluate(group)  # a write may have come while it ran
            return
        self._answer([w for w in snapshot if w.group is group], outcome)

    def _recheck(self, group: Group) -> None:
        # A timer of the network is due: running the query brings the network up to now, which
        # fires it; if it wrote, the index moved and the group answers.
        group.recheck = None
        if group.watches and not group.evaluating:
            self._run(group)

    def _schedule_recheck(self, group: Group, delay: float | None) -> None:
        if delay is None:
            return
        when = now() + delay
        if group.recheck is not None:
            if group.recheck.when <= when:
                return
            group.recheck.cancel()
        group.recheck = self._loop.call_at(when, lambda: self._recheck(group))

    # --- waits running out ---------------------------------------------------------------------

    def _expire(self, watch: Watch) -> None:
        group = watch.group
        if group is None:
            return
        self._leave(watch)
        # Watches whose waits end in the same turn of the loop are answered by one run.
        batch = self._expired.setdefault(group.key, [])
        batch.append(watch)
        if len(self._expired) == 1 and len(batch) == 1:
            self._loop.call_soon(self._flush_expired)

    def _flush_expired(self) -> None:
        expired, self._expired = self._expired, {}
        for watches in expired.values():
            live = [w for w in watches if w.conn.open]
            if live:
                self._evaluate(live[0], True, functools.partial(self._final, live))

    def _final(self, watches: list[Watch], outcome: Outcome) -> None:
        if isinstance(outcome, Parked):  # cannot happen with Parking(final=True)
            raise RuntimeError("a blocking query parked after its wait ran out")
        self._answer(watches, outcome)

    # --- answering and leaving -----------------------------------------------------------------

    def _answer(self, watches: list[Watch], answer: Answer) -> None:
        for watch in watches:
            self._leave(watch)
            watch.conn.on_close = None
            self._loop.respond(watch.conn, answer.data, answer.close)
            self._log(answer, watch.started)

    def _leave(self, watch: Watch) -> None:
        if watch.deadline is not None:
            watch.deadline.cancel()
            watch.deadline = None
        group, watch.group = watch.group, None
        if group is None:
            return
        group.watches.pop(watch, None)
        self._counted(-1)
        if not group.watches and self._groups.get(group.key) is group:
            del self._groups[group.key]
            if group.recheck is not None:
                group.recheck.cancel()
                group.recheck = None

    def _drop(self, watch: Watch) -> None:
        """The client hung up while waiting: forget the watch (Go cancels the request)."""
        self._leave(watch)
