"""A small reference model of peering between fake clusters: what each operation must answer
and which states each peering may show, written from the spec, not from the fake's code.

What it tracks exactly: which peerings exist, their role and stored state, which token is still
good, and each dialer's stream as a discrete-event simulation on model time (spec §5: dial after
``connect_delay``; 15 s heartbeats; over a cut link the dialer's end fails 40 s after its last
heartbeat (gRPC keepalive), the acceptor's at 120 s (heartbeat timeout); redial backoff 2^n
s capped at 64; a deletion the peer hears makes it TERMINATED, one it cannot hear is never told).

Where the spec leaves the order of simultaneous events open (two streams racing for one
acceptor in the same instant), the model stops predicting that stream: it becomes ``unknown``,
its peerings may show their stored state, ACTIVE or FAILING, and a deletion across it may or may
not terminate the peer. The model then learns the stored state from what it observes.
"""

from __future__ import annotations

import heapq
import itertools
from dataclasses import dataclass, field
from datetime import datetime, timedelta

HEARTBEAT = timedelta(seconds=15)
HEARTBEAT_TIMEOUT = timedelta(seconds=120)
KEEPALIVE = timedelta(seconds=40)  # the dialer's gRPC keepalive: 30 s ping + 10 s timeout
BACKOFF_CAP = 64

PENDING, ESTABLISHING, DELETING, TERMINATED = "PENDING", "ESTABLISHING", "DELETING", "TERMINATED"
ACTIVE, FAILING = "ACTIVE", "FAILING"
SHOWN_STATES = {PENDING, ESTABLISHING, ACTIVE, FAILING, DELETING, TERMINATED}

# Tracker entries (the leader's memory of a stream), by what a read shows for them.
CONNECTED, GRACEFUL, ERROR, UNSURE = "connected", "graceful", "error", "unsure"


def backoff(failures: int) -> timedelta:
    return timedelta(seconds=min(2 ** max(failures, 1), BACKOFF_CAP))


class Secret:
    """An establishment or stream secret: only identity matters."""


@dataclass(eq=False)
class Token:
    cluster: str  # who minted it (its ServerName); "" for a foreign network's token
    address: str  # where establish dials to exchange it
    peer_id: str  # the acceptor peering's ID
    text: str  # the base64 token itself
    secret: Secret = field(default_factory=Secret)


@dataclass(eq=False)
class Record:
    cluster: str
    name: str
    id: str
    dialer: bool
    stored: str
    tracker: str | None = None
    # acceptor side: the token that still exchanges, the stream secrets it accepts
    token: Token | None = None
    pending: Secret | None = None
    active: Secret | None = None
    registered: Link | None = None  # the stream last connected to this acceptor
    # dialer side
    secret: Secret | None = None
    dial_address: str = ""
    link: Link | None = None
    unsure_stored: bool = False  # a deletion across an unknown stream may have terminated it

    @property
    def is_active(self) -> bool:
        return self.stored not in (DELETING, TERMINATED)

    def shown(self) -> set[str]:
        if self.tracker == CONNECTED:
            return {ACTIVE}
        if self.tracker == ERROR:
            return {FAILING}
        if self.tracker == UNSURE:
            return {self.stored, ACTIVE, FAILING}
        return {self.stored}


@dataclass(eq=False)
class Link:
    """A dialer's stream to an acceptor peering (by the acceptor's ID)."""

    dialer: Record
    acceptor_id: str
    connected: bool = False
    lost_at: datetime | None = None  # the link was cut while connected
    connected_at: datetime | None = None
    heard_since: datetime | None = None  # heartbeats on the 15 s grid count after this
    last_heartbeat: datetime | None = None
    timeout_at: datetime | None = None  # the acceptor end's heartbeat timeout over a cut link
    failures: int = 0
    acceptor: Record | None = None  # set once it connected
    deleted_side: Record | None = None  # a side deleted while the link was cut
    acceptor_deleted: bool = False  # the acceptor deleted while the first dial was pending
    # The acceptor peering the stream is bound to: the one it was opened for, then the one its
    # last dial asked for. A re-establish renames ``acceptor_id`` at once (the next dial asks for
    # that one), but a deletion is heard by the stream as it is bound now, as the fake's stream
    # (and Consul's, whose first dial is under way within milliseconds) hears it.
    dialed_id: str = ""
    dead: bool = False
    unknown: bool = False
    # An unknown stream re-established to another acceptor may still be connected to the
    # earlier ones (Consul leaves a connected stream alone): their peering IDs.
    earlier_acceptor_ids: set[str] = field(default_factory=set)
    timers: list[Event] = field(default_factory=list)


@dataclass(order=True)
class Event:
    due: datetime
    seq: int
    kind: str = field(compare=False)
    target: object = field(compare=False)
    cancelled: bool = field(default=False, compare=False)


class Model:
    def __init__(self, clusters: list[str], connect_delay: float, deletion_delay: float,
                 now: datetime) -> None:
        self.clusters = clusters
        self.connect_delay = timedelta(seconds=connect_delay)
        self.deletion_delay = timedelta(seconds=deletion_delay)
        self.now = now
        self.records: dict[str, dict[str, Record]] = {c: {} for c in clusters}  # by name
        self.cut: set[frozenset[str]] = set()
        self.addresses: dict[str, str] = {}  # synthetic address -> cluster
        self._events: list[Event] = []
        self._seq = itertools.count()

    # --- lookups ---------------------------------------------------------------------------

    def record(self, cluster: str, name: str) -> Record | None:
        return self.records[cluster].get(name)

    def by_id(self, cluster: str, peering_id: str) -> Record | None:
        return next((r for r in self.records[cluster].values() if r.id == peering_id), None)

    def reachable(self, source: str, address: str) -> str | None:
        target = self.addresses.get(address)
        if target is None or frozenset((source, target)) in self.cut:
            return None
        return target

    def links(self) -> list[Link]:
        found: dict[int, Link] = {}
        for records in self.records.values():
            for record in records.values():
                for link in (record.link, record.registered):
                    if link is not None and not link.dead:
                        found.setdefault(id(link), link)
        return list(found.values())

    # --- events ------------------------------------------------------------------------------

    def _schedule(self, delay: timedelta, kind: str, target: object,
                  link: Link | None = None) -> None:
        event = Event(self.now + max(delay, timedelta(0)), next(self._seq), kind, target)
        heapq.heappush(self._events, event)
        if link is not None:
            link.timers.append(event)

    def _cancel(self, link: Link) -> None:
        for event in link.timers:
            event.cancelled = True
        link.timers.clear()

    def run_until(self, moment: datetime) -> None:
        """Fire every event due by ``moment``, in order, each at its own time."""
        while self._events and self._events[0].due <= moment:
            event = heapq.heappop(self._events)
            if event.cancelled:
                continue
            self.now = event.due
            if event.kind == "dial":
                assert isinstance(event.target, Link)
                self._race_check(event)
                self._dial(event.target)
            elif event.kind == "fail":
                assert isinstance(event.target, Link)
                self._fail(event.target)
            elif event.kind == "keepalive":
                assert isinstance(event.target, Link)
                self._keepalive(event.target)
            elif event.kind == "acceptor-timeout":
                assert isinstance(event.target, tuple)
                acceptor, link = event.target
                assert isinstance(acceptor, Record) and isinstance(link, Link)
                # The stream may have moved on to another acceptor peering meanwhile (the
                # dialer redialed after its keepalive failed): this end never heard it end.
                if (self.record(acceptor.cluster, acceptor.name) is acceptor
                        and acceptor.tracker == CONNECTED and acceptor.registered in (link, None)
                        and not (link.connected and link.acceptor is acceptor)
                        and not link.unknown):
                    acceptor.tracker = ERROR
            elif event.kind == "remove":
                assert isinstance(event.target, Record)
                self._remove(event.target)
        self.now = moment

    def _race_check(self, event: Event) -> None:
        """Two streams dialing one acceptor in the same instant: the order is the fake's to
        choose, so the model stops predicting both."""
        link = event.target
        assert isinstance(link, Link)
        for other in self._events:
            if (other.due == event.due and not other.cancelled and other.kind in ("dial", "fail")
                    and isinstance(other.target, Link) and other.target is not link
                    and other.target.acceptor_id == link.acceptor_id):
                self._unknown(link)
                self._unknown(other.target)

    def _unknown(self, link: Link) -> None:
        """Stop predicting ``link`` and every stream to its acceptor: an acceptor peering is
        either fully simulated or not at all."""
        if link.unknown or link.dead:
            return
        for other in [link] + [o for o in self.all_links() if o.acceptor_id == link.acceptor_id]:
            if other.unknown or other.dead:
                continue
            other.unknown = True
            self._cancel(other)
            if other.acceptor is not None and other.acceptor.registered is other:
                # The peering its open stream reached, which a re-establish may have renamed
                # away from: whether that stream is still up is unknown now too.
                other.acceptor.tracker = UNSURE
            if other.dialer.link is other:
                other.dialer.tracker = UNSURE
                if other.acceptor_deleted:
                    # Its first dial, still to come, may be answered with Terminated.
                    other.dialer.unsure_stored = other.dialer.is_active
        for records in self.records.values():
            for record in records.values():
                if record.id == link.acceptor_id and not record.dialer:
                    record.tracker = UNSURE

    def all_links(self) -> list[Link]:
        """Every dialer's current stream, known or not."""
        return [r.link for rs in self.records.values() for r in rs.values()
                if r.link is not None and not r.link.dead]

    # --- the stream --------------------------------------------------------------------------

    def _dial(self, link: Link) -> None:
        if link.unknown or link.dead:
            return
        dialer = link.dialer
        if self.record(dialer.cluster, dialer.name) is not dialer or not dialer.is_active:
            link.dead = True  # the stream hangs up: nothing was connected
            return
        link.dialed_id = link.acceptor_id  # each dial reads the stored record
        target = self.reachable(dialer.cluster, dialer.dial_address)
        acceptor = None if target is None else self.by_id(target, link.acceptor_id)
        if acceptor is not None and acceptor.tracker == UNSURE:
            self._unknown(link)  # it may be busy with a stream the model lost track of
            return
        if target is not None and (
            (acceptor is not None and acceptor.stored == DELETING)
            or (acceptor is None and link.acceptor_deleted and link.connected_at is None)
        ):
            # The acceptor answers with Terminated (spec §14 #14): a DELETING peering, or one
            # deleted while this stream's first dial was pending.
            self._store(dialer, TERMINATED)
            dialer.tracker = GRACEFUL
            link.dead = True
            return
        refused = (
            acceptor is None
            or not acceptor.is_active
            or dialer.secret is None
            or dialer.secret not in (acceptor.pending, acceptor.active)
            or acceptor.tracker == CONNECTED
        )
        if refused:
            if target is not None:
                # The acceptor answered the Open with an error: the dialer's HandleStream had
                # registered the stream (Tracker.Connected), so it ends with that error.
                dialer.tracker = ERROR
            link.failures += 1
            self._schedule(backoff(link.failures), "dial", link, link)
            return
        assert acceptor is not None
        if link.acceptor is not None and link.acceptor is not acceptor:
            if link.acceptor.registered is link:
                link.acceptor.registered = None  # the stream now serves another peering
        link.connected, link.lost_at, link.failures = True, None, 0
        link.connected_at = link.heard_since = self.now
        link.acceptor = acceptor
        acceptor.registered = link
        if acceptor.pending is dialer.secret:
            acceptor.active, acceptor.pending = acceptor.pending, None
        dialer.tracker = acceptor.tracker = CONNECTED
        dialer.dial_address = self._address_of(acceptor.cluster)

    def _address_of(self, cluster: str) -> str:
        return next(a for a, c in self.addresses.items() if c == cluster)

    def _heard(self, link: Link, until: datetime) -> None:
        """Heartbeats on the connection's 15 s grid, after ``heard_since``, up to ``until``."""
        assert link.connected_at is not None and link.heard_since is not None
        ticks = (until - link.connected_at) // HEARTBEAT
        tick = link.connected_at + ticks * HEARTBEAT
        if ticks >= 1 and tick > link.heard_since:
            link.last_heartbeat = tick

    def _lose(self, link: Link) -> None:
        if not link.connected or link.lost_at is not None or link.unknown:
            return
        self._heard(link, self.now)
        link.lost_at = self.now
        assert link.connected_at is not None
        last = max(link.last_heartbeat or link.connected_at, link.connected_at)
        self._cancel(link)
        link.timeout_at = last + HEARTBEAT_TIMEOUT
        self._schedule(last + KEEPALIVE - self.now, "keepalive", link, link)

    def _keepalive(self, link: Link) -> None:
        """The dialer's end of a cut link fails; the acceptor's stays until its timeout."""
        if not link.connected or link.lost_at is None:
            return
        link.connected, link.lost_at = False, None
        self._cancel(link)
        dialer = link.dialer
        if self.record(dialer.cluster, dialer.name) is dialer and dialer.tracker is not None:
            dialer.tracker = ERROR
        link.failures += 1
        self._schedule(backoff(link.failures), "dial", link, link)
        if link.acceptor is not None and link.timeout_at is not None:
            self._schedule(link.timeout_at - self.now, "acceptor-timeout", (link.acceptor, link))

    def _restore(self, link: Link) -> None:
        if not link.connected or link.lost_at is None or link.unknown:
            return
        link.lost_at = None
        link.heard_since = self.now
        self._cancel(link)
        deleted = self._deleted_end(link)
        if deleted is not None:
            self._terminate(link, deleted)  # the held-up Terminated arrives

    def _deleted_end(self, link: Link) -> Record | None:
        for end in (link.dialer, link.acceptor):
            assert end is not None
            if self.record(end.cluster, end.name) is not end or end.stored == DELETING:
                return end
        return None

    def _fail(self, link: Link) -> None:
        if not link.connected:
            return
        link.connected, link.lost_at = False, None
        self._cancel(link)
        for end in self._live_ends(link):
            end.tracker = ERROR
        link.failures += 1
        self._schedule(backoff(link.failures), "dial", link, link)

    def _live_ends(self, link: Link) -> list[Record]:
        ends = [link.dialer] + ([link.acceptor] if link.acceptor is not None else [])
        return [e for e in ends if self.record(e.cluster, e.name) is e and e.tracker is not None]

    def _close(self, link: Link) -> None:
        """Hang up without Terminated (the dialer dials elsewhere now)."""
        if link.unknown:
            link.dead = True
            return
        if link.connected:
            for end in self._live_ends(link):
                end.tracker = GRACEFUL
        link.connected = False
        self._cancel(link)
        link.dead = True

    def _terminate(self, link: Link, side: Record) -> None:
        """``side`` deleted its peering (spec §6): a connected peer hears Terminated."""
        if link.connected and link.lost_at is not None:
            side.tracker = None  # the link is cut: the peer is not told, it will time out
            link.deleted_side = side
            return
        was_connected = link.connected
        link.connected = False
        self._cancel(link)
        side.tracker = None
        peer = link.acceptor if side is link.dialer else link.dialer
        if was_connected and peer is not None and self.record(peer.cluster, peer.name) is peer:
            if peer.tracker is not None:
                peer.tracker = GRACEFUL
            if peer.stored != DELETING:
                self._store(peer, TERMINATED)
        if side is not link.dialer and not was_connected:
            self._schedule(backoff(link.failures + 1), "dial", link, link)  # never told
        else:
            link.dead = True

    def _store(self, record: Record, state: str) -> None:
        record.stored = state
        if not record.is_active:  # Consul wipes the secrets of an inactive peering
            record.token = record.pending = record.active = None
            record.secret = None

    def _remove(self, record: Record) -> None:
        if self.record(record.cluster, record.name) is record and record.stored == DELETING:
            del self.records[record.cluster][record.name]
            record.tracker = None

    # --- the operations: each returns (status, text) or None for success ---------------------

    def generate(self, cluster: str, name: str, new_id: str) -> tuple[int, str] | None:
        existing = self.record(cluster, name)
        if existing is not None and existing.dialer:
            return 500, (f'cannot create peering with name: '
                         f'"{name}"; there is already an established peering')
        if existing is not None and existing.stored == DELETING:
            return 500, ("failed to write peering: cannot write "
                         "to peering that is marked for deletion")
        if existing is None:
            self.records[cluster][name] = Record(cluster, name, new_id, False, PENDING)
        return None

    def minted(self, cluster: str, name: str, token: Token) -> None:
        record = self.records[cluster][name]
        record.token = token
        if not record.is_active:
            record.pending = record.active = None

    def establish(self, cluster: str, name: str, token: Token, server_name: str,
                  new_id: str) -> tuple[int, str] | None:
        if token.cluster == cluster:
            return 500, (
                f'cannot create a peering within the same '
                f'cluster "{server_name}". Refer to the `exported-services` documentation if you '
                "want to export between partitions without peering")
        existing = self.record(cluster, name)
        if existing is not None and not existing.dialer:
            return 500, (f'cannot create peering with name: '
                         f'"{name}"; there is an existing peering expecting to be dialed')
        if existing is not None and existing.stored == DELETING:
            return 500, ("failed to write peering: cannot write "
                         "to peering that is marked for deletion")
        record = existing or Record(cluster, name, new_id, True, PENDING)
        self.records[cluster][name] = record
        old = record.link
        if old is None or not old.connected:  # a connected stream keeps its addresses
            record.dial_address = token.address
        if old is not None and not old.dead and not old.unknown:
            # The first write stores the token's PeerID before the exchange, and the stream's
            # next dial reads the stored record: it asks for that peering from now on.
            old.acceptor_id = token.peer_id
        target = self.reachable(cluster, token.address)
        if target is None:
            return 500, self._unreachable(token.address)
        acceptor = self.by_id(target, token.peer_id)
        if acceptor is None or acceptor.token is not token:
            return 403, ("a new peering token must be "
                         "generated: invalid peering establishment secret")
        acceptor.token = None  # the establishment secret is used up
        self._store(record, ESTABLISHING)
        record.secret = acceptor.pending = Secret()
        self._start(record, acceptor)
        return None

    @staticmethod
    def _unreachable(address: str) -> str:
        return (
            "1 error occurred:\n\t* failed to exchange peering "
            f'secret through address "{address}": rpc error: code = Unavailable desc = '
            'connection error: desc = "transport: Error while dialing: dial tcp '
            f'{address}: connect: connection refused"\n\n'
        )

    def _start(self, record: Record, acceptor: Record) -> None:
        old = record.link
        link = Link(record, acceptor.id, dialed_id=acceptor.id)
        if old is not None and not old.dead:
            if old.unknown:
                if old.acceptor_id == acceptor.id:
                    return  # it carries on or is replaced: unknown either way
                old.dead = True  # replaced; its dial addresses are unknown: so is the new one
                link.unknown = True
                link.earlier_acceptor_ids = old.earlier_acceptor_ids | {old.acceptor_id}
            elif old.connected:
                # leader_peering.go syncPeeringsAndBlock leaves a connected stream alone, even
                # when the new token names another acceptor peering: that one is dialed only
                # once the stream ends (a secret rotation when it is the same peering).
                return
            else:
                self._close(old)
        record.link = link
        if link.unknown:
            # Whether the old stream was connected is unknown, so is whether the new acceptor
            # is ever dialed: Consul leaves a connected stream alone (syncPeeringsAndBlock)
            # and dials the new acceptor peering only when there is none.
            record.tracker = UNSURE
            acceptor.tracker = UNSURE
            return
        self._schedule(self.connect_delay, "dial", link, link)
        if acceptor.tracker == UNSURE:
            self._unknown(link)

    def delete(self, cluster: str, name: str) -> None:
        record = self.record(cluster, name)
        if record is None or record.stored == DELETING:
            return
        self._store(record, DELETING)
        for other in self.all_links():
            acceptor_ids = {other.acceptor_id} | other.earlier_acceptor_ids
            if other.unknown and (other.dialer is record or record.id in acceptor_ids):
                # Whether this stream was connected, and so tells its peer, is unknown.
                peers = [other.dialer] if other.dialer is not record else [
                    r for rs in self.records.values() for r in rs.values()
                    if r.id in acceptor_ids and not r.dialer]
                for peer in peers:
                    peer.unsure_stored = peer.is_active
                if other.dialer is record:
                    other.dead = True
        link = self._registered_link(record)
        if link is not None and not link.unknown:
            self._terminate(link, record)
        else:
            record.tracker = None
            for pending in self.all_links():
                if pending.dialed_id == record.id and pending.connected_at is None:
                    pending.acceptor_deleted = True
        self._schedule(self.deletion_delay, "remove", record)

    def _registered_link(self, record: Record) -> Link | None:
        link = record.link if record.dialer else record.registered
        return None if link is None or link.dead else link

    def disconnect(self, a: str, b: str) -> None:
        self.cut.add(frozenset((a, b)))
        for link in self._between(a, b):
            self._lose(link)

    def reconnect(self, a: str, b: str) -> None:
        self.cut.discard(frozenset((a, b)))
        for link in self._between(a, b):
            self._restore(link)

    def _between(self, a: str, b: str) -> list[Link]:
        return [
            link for link in self.links()
            if link.acceptor is not None
            and {link.dialer.cluster, link.acceptor.cluster} == {a, b}
        ]

    def learn_stored(self, record: Record, observed: str) -> bool:
        """Adopt a stored state the model could not predict; False when it is not a possible
        one (the fake made up a transition)."""
        if not record.unsure_stored:
            return observed == record.stored
        if observed == record.stored:
            # Still unsure: a Terminated held up by a cut link may yet arrive when it heals.
            return True
        record.unsure_stored = False
        if observed != TERMINATED:
            return False
        self._store(record, TERMINATED)
        record.tracker = GRACEFUL if record.tracker is not None else None
        if record.link is not None:
            record.link.dead = True
        return True
