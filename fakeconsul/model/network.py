"""A world of fake clusters: one clock, one timing, one lock, the simulated links between them.

Time-driven changes (a stream connecting, heartbeats, removal of a deleted peering) are timers due
at a model time. Every operation first brings the network up to ``clock.now()``, and so does
``clock.advance``: nothing waits on real time.

``generation`` moves whenever something a watcher of the whole network could see may have
changed (a stored write in any cluster, a timer fired, a fault, the clock moved), so that such a
watcher sleeps on ``wait_for_change`` instead of looking again and again.
"""

from __future__ import annotations

import heapq
import itertools
import threading
from collections.abc import Iterator
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Literal

from ..acl import ACLConfig
from .clock import Clock, SystemClock
from .cluster import Cluster
from .remote import RemoteLink
from .stream import Stream, StreamEnd
from .timers import Action, Timer
from .timing import Timing


class Network:
    """The clusters of one world. Two networks never share anything.

    >>> net = Network()
    >>> dc1, dc2 = net.add_cluster("dc1"), net.add_cluster("dc2")
    """

    def __init__(
        self, clock: Clock | None = None, timing: Timing | None = None,
        acl: ACLConfig | None = None,
    ) -> None:
        self.clock: Clock = clock if clock is not None else SystemClock()
        self.timing = timing if timing is not None else Timing()
        # The ACL settings of every cluster added without its own (None: ACLs off).
        self.acl = acl
        # What the control API's reset goes back to (a standalone server's flags).
        self.initial_timing = replace(self.timing)
        # Re-entrant: clock.advance() inside an operation's caller fires timers under the lock.
        self.lock = threading.RLock()
        self._clusters: dict[str, Cluster] = {}
        self._addresses: dict[str, Cluster] = {}
        self._timers: list[Timer] = []
        self._seq = itertools.count()
        self._moment: datetime | None = None
        # Both ends of every stream, keyed by (cluster name, local peering ID).
        self._stream_ends: dict[tuple[str, str], Stream] = {}
        self._cut: set[frozenset[str]] = set()
        # Peers in other processes, reached through the link the serving layer installs.
        self.remote: RemoteLink | None = None
        self._changed = threading.Condition(threading.Lock())
        self.generation = 0
        self.clock.subscribe(self._clock_moved)

    # --- clusters ----------------------------------------------------------------------------

    def add_cluster(
        self, name: str, *, peering_enabled: bool = True,
        acl: ACLConfig | Literal[False] | None = None, node_name: str = "",
    ) -> Cluster:
        """A new cluster (datacenter ``name``) with its own CA, index and synthetic address.

        ``acl`` turns ACLs on for this cluster (``False`` turns them off); by default the
        cluster takes the network's ``acl``. ``node_name`` names its server's node (default
        ``<name>-server-1``), as an agent's ``node_name`` does.
        """
        with self.lock:
            if name in self._clusters:
                raise ValueError(f"the network already has a cluster named {name!r}")
            if not name:
                raise ValueError("a cluster needs a datacenter name")
            ordinal = len(self._clusters) + 1
            # 198.18.0.0/15 is reserved for benchmarking: it can never reach a real host.
            synthetic = f"198.18.{ordinal // 256}.{ordinal % 256}:8503"
            config = self.acl if acl is None else acl or None
            cluster = Cluster(self, name, synthetic, peering_enabled=peering_enabled, acl=config,
                              node_name=node_name)
            cluster.store.on_change(self.note_change)
            self._clusters[name] = cluster
            self._addresses[synthetic] = cluster
            self.note_change()
            return cluster

    @property
    def clusters(self) -> list[Cluster]:
        return list(self._clusters.values())

    def __getitem__(self, name: str) -> Cluster:
        return self._clusters[name]

    def __iter__(self) -> Iterator[Cluster]:
        return iter(self.clusters)

    def __contains__(self, name: object) -> bool:
        return name in self._clusters

    def register_address(self, address: str, cluster: Cluster) -> None:
        with self.lock:
            self._addresses[address] = cluster
        self.note_change()

    def unregister_address(self, address: str) -> None:
        with self.lock:
            self._addresses.pop(address, None)
        self.note_change()

    def addresses_of(self, cluster: Cluster) -> list[str]:
        """Every address that leads to ``cluster`` (served, synthetic, and older ones a state
        file brought back so that tokens naming them still work)."""
        with self.lock:
            return sorted(a for a, c in self._addresses.items() if c is cluster)

    def resolve(self, address: str) -> Cluster | None:
        """The cluster whose gRPC server answers at ``address`` (served or synthetic)."""
        return self._addresses.get(address)

    def remote_for(self, addresses: list[str]) -> RemoteLink | None:
        """The link to another process, when none of ``addresses`` is a cluster of this
        network (up or down) and a link is installed."""
        if self.remote is None or any(a in self._addresses for a in addresses):
            return None
        return self.remote

    def reachable_cluster(self, source: StreamEnd, addresses: list[str]) -> Cluster | None:
        """The first cluster among ``addresses`` that ``source`` can reach now."""
        for address in addresses:
            target = self.resolve(address)
            if target is not None and self.can_reach(source, target):
                return target
        return None

    def can_reach(self, source: StreamEnd, target: StreamEnd) -> bool:
        return (
            source.is_up
            and target.is_up
            and frozenset((source.name, target.name)) not in self._cut
        )

    # --- faults ------------------------------------------------------------------------------

    def disconnect(self, a: Cluster | str, b: Cluster | str) -> None:
        """Cut the link between two clusters: heartbeats stop, each stream between them fails
        (FAILING) once ``timing.heartbeat_timeout`` passes, and nothing new gets through."""
        with self.lock:
            self.catch_up()
            first, second = self._cluster(a), self._cluster(b)
            self._cut.add(frozenset((first.name, second.name)))
            for stream in self.streams_between(first, second):
                stream.lose_link()
            self.catch_up()
        self.note_change()

    def reconnect(self, a: Cluster | str, b: Cluster | str) -> None:
        """Mend the link: live streams carry on; failed ones redial at their next backoff."""
        with self.lock:
            self.catch_up()
            first, second = self._cluster(a), self._cluster(b)
            self._cut.discard(frozenset((first.name, second.name)))
            for stream in self.streams_between(first, second):
                stream.restore_link()
            self.catch_up()
        self.note_change()

    def is_disconnected(self, a: Cluster | str, b: Cluster | str) -> bool:
        return frozenset((self._cluster(a).name, self._cluster(b).name)) in self._cut

    def take_down(self, cluster: Cluster | str) -> None:
        """The cluster stops: its socket refuses connections, its peers' streams fail at once,
        and its in-memory stream tracker is lost (stored peerings survive)."""
        with self.lock:
            self.catch_up()
            target = self._cluster(cluster)
            if not target.is_up:
                return
            now = self.now()
            for stream in self._streams_of(target):
                stream.end_lost(target, now)
            target.tracker.clear()
            target.set_up(False)
            self.catch_up()
        self.note_change()

    def bring_up(self, cluster: Cluster | str) -> None:
        """The cluster is back: it redials every peering it dials, at once."""
        with self.lock:
            self.catch_up()
            target = self._cluster(cluster)
            if target.is_up:
                return
            target.set_up(True)
            for stream in self._streams_of(target):
                if stream.dialer is target and not stream.connected:
                    stream.failures = 0
                    stream.schedule_dial(0)
            self.catch_up()
        self.note_change()

    def _streams_of(self, cluster: Cluster) -> list[Stream]:
        streams = {id(s): s for s in self._stream_ends.values()}.values()
        return [s for s in streams if s.dialer is cluster or s.acceptor is cluster]

    def _cluster(self, cluster: Cluster | str) -> Cluster:
        return self._clusters[cluster] if isinstance(cluster, str) else cluster

    # --- time --------------------------------------------------------------------------------

    def now(self) -> datetime:
        """Model time: the clock, or the due time of the timer being fired."""
        return self._moment if self._moment is not None else self.clock.now()

    def schedule(self, delay: float, action: Action) -> Timer:
        timer = Timer(self.now() + timedelta(seconds=max(delay, 0.0)), next(self._seq), action)
        heapq.heappush(self._timers, timer)
        return timer

    def next_due(self) -> datetime | None:
        with self.lock:
            self._drop_cancelled()
            return self._timers[0].due if self._timers else None

    def fold_limit(self) -> datetime:
        """How far a periodic timer may fold its ticks in one step: up to now.

        Heartbeats change nothing but their own stream's timestamps, and nothing due on any
        other timer depends on them, so a long jump costs one step per stream, not one per tick.
        """
        return self.clock.now()

    def _drop_cancelled(self) -> None:
        while self._timers and self._timers[0].cancelled:
            heapq.heappop(self._timers)

    def catch_up(self) -> None:
        """Fire every timer due by ``clock.now()``, in order, each at its own model time."""
        fired = False
        with self.lock:
            if self._moment is not None:
                return  # already firing timers further up this thread's stack
            now = self.clock.now()
            try:
                while True:
                    self._drop_cancelled()
                    if not self._timers or self._timers[0].due > now:
                        break
                    timer = heapq.heappop(self._timers)
                    timer.fired = True
                    fired = True
                    self._moment = timer.due
                    timer.action(timer.due)
            finally:
                self._moment = None
        if fired:
            self.note_change()  # a heartbeat moves a stream's status without a stored write

    def _clock_moved(self) -> None:
        self.catch_up()
        self.note_change()  # the clock's offset is part of what a watcher sees

    # --- the change signal -------------------------------------------------------------------

    def note_change(self) -> None:
        """Wake whoever waits in ``wait_for_change``: something may have changed."""
        with self._changed:
            self.generation += 1
            self._changed.notify_all()

    def wait_for_change(self, generation: int, timeout: float) -> None:
        """Sleep until ``generation`` moves past the one given or ``timeout`` real seconds pass.
        Holds no lock of the network while sleeping."""
        with self._changed:
            if self.generation == generation and timeout > 0:
                self._changed.wait(timeout)

    # --- streams and faults ------------------------------------------------------------------

    def register_stream(self, stream: Stream) -> None:
        """Index a stream by its dialer end, and by its acceptor end once it knows it."""
        self._stream_ends[(stream.dialer.name, stream.dialer_peering_id)] = stream
        if stream.acceptor is not None:
            self._stream_ends[(stream.acceptor.name, stream.acceptor_peering_id)] = stream

    def unregister_stream(self, stream: Stream) -> None:
        for key in [k for k, s in self._stream_ends.items() if s is stream]:
            del self._stream_ends[key]

    def stream_for(self, cluster: StreamEnd, peering_id: str) -> Stream | None:
        """The stream that ``cluster``'s peering takes part in, from either end."""
        return self._stream_ends.get((cluster.name, peering_id))

    def streams_between(self, a: Cluster, b: Cluster) -> list[Stream]:
        names = {a.name, b.name}
        streams = {id(s): s for s in self._stream_ends.values()}.values()
        return [
            s for s in streams
            if s.acceptor is not None and {s.dialer.name, s.acceptor.name} == names
        ]

    def pending_timers(self) -> list[Timer]:
        """Timers neither fired nor cancelled, soonest first (what the control API shows)."""
        with self.lock:
            return sorted(t for t in self._timers if not t.cancelled and not t.fired)

    def streams(self) -> list[Stream]:
        """Every simulated stream, once each."""
        with self.lock:
            return list({id(s): s for s in self._stream_ends.values()}.values())

    def disconnected_pairs(self) -> list[tuple[str, str]]:
        """The cut links, as sorted pairs of cluster names."""
        with self.lock:
            pairs = [sorted(pair) for pair in self._cut if len(pair) == 2]
            return sorted((a, b) for a, b in pairs)

    def reset(self) -> None:
        """Every cluster back to empty; timers, streams and faults gone. Clusters stay."""
        with self.lock:
            for timer in self._timers:
                timer.cancel()
            self._timers.clear()
            self._stream_ends.clear()
            self._cut.clear()
            for cluster in self._clusters.values():
                cluster.reset()
        self.note_change()

    def __repr__(self) -> str:
        return f"Network(clusters={list(self._clusters)!r}, clock={self.clock!r})"
