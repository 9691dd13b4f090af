"""The simulated peering stream a dialer opens to its acceptor.

Consul's dialer holds a long-lived gRPC stream to the acceptor's leader. Here a ``Stream`` stands
for it: it dials on the model clock (after ``connect_delay``, then with Consul's backoff), writes
what the real exchange writes on both sides, records heartbeats, and carries ``Terminated`` when
either side deletes. Everything runs under the network's lock, at the model time it is due.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Protocol

from .. import messages
from ..config.exports import Rows
from .peering import PeeringRecord, PeeringState, RemoteInfo
from .store import Store
from .timers import Action, Timer
from .timing import Timing
from .tracker import Tracker
from .trust_bundle import PemSource

# Why a dial reached no acceptor server: no stream was opened, so none is disconnected.
UNREACHABLE = "no acceptor server is reachable"


class StreamEnd(Protocol):
    """What a stream needs of a cluster at either of its ends (``Cluster`` is one)."""

    name: str
    store: Store
    tracker: Tracker
    is_up: bool

    @property
    def ca(self) -> PemSource: ...

    def server_addresses(self) -> list[str]: ...

    def exported_services(self, peer_name: str) -> tuple[str, ...]: ...

    def export_rows(self, names: tuple[str, ...], as_peer: str) -> Rows: ...

    def import_rows(self, peer_name: str, rows: Rows) -> bool: ...

    def forget_imports_later(self, peering_id: str, peer_name: str) -> None: ...


class StreamHost(Protocol):
    """What a stream needs of the network it runs on (``Network`` is one)."""

    timing: Timing

    def now(self) -> datetime: ...

    def schedule(self, delay: float, action: Action) -> Timer: ...

    def fold_limit(self) -> datetime: ...

    def reachable_cluster(
        self, source: StreamEnd, addresses: list[str]
    ) -> StreamEnd | None: ...

    def can_reach(self, source: StreamEnd, target: StreamEnd) -> bool: ...

    def register_stream(self, stream: Stream) -> None: ...

    def unregister_stream(self, stream: Stream) -> None: ...


# Consul's stream reconnect backoff: 2^n seconds, capped at 64 s (spec §5.5).
BACKOFF_CAP_SECONDS = 64


def backoff_seconds(failures: int) -> float:
    return float(min(2 ** max(failures, 1), BACKOFF_CAP_SECONDS))


@dataclass(eq=False)
class Stream:
    network: StreamHost
    dialer: StreamEnd
    dialer_peering_id: str
    acceptor_peering_id: str
    acceptor: StreamEnd | None = None
    connected: bool = False
    connected_at: datetime | None = None
    link_lost: bool = False  # connected, but heartbeats no longer get through
    # The acceptor deleted its peering while this stream's first dial was pending: see _dial.
    acceptor_deleted: bool = False
    failures: int = 0
    last_error: str = ""
    timers: list[Timer] = field(default_factory=list)

    # --- lifecycle ---------------------------------------------------------------------------

    def schedule_dial(self, delay: float) -> None:
        # Consul's leader registers the dialer's tracker entry when it starts the stream's
        # retry loop (leader_peering.go establishStream), before any dial succeeds.
        self.dialer.tracker.register(self.dialer_peering_id)
        self._schedule(delay, self._dial)

    def _schedule(self, delay: float, action: Action) -> None:
        self.timers.append(self.network.schedule(delay, action))

    def _cancel_timers(self) -> None:
        for timer in self.timers:
            timer.cancel()
        self.timers.clear()

    def _dial(self, at: datetime) -> None:
        record = self.dialer.store.peering_by_id(self.dialer_peering_id)
        if record is None or not record.is_active:
            self.close()
            return
        # Each dial reads the stored record: a re-establish while connected may have named
        # another acceptor peering, used from the next dial on.
        if record.peer_id and record.peer_id != self.acceptor_peering_id:
            self.network.unregister_stream(self)
            self.acceptor_peering_id, self.acceptor = record.peer_id, None
            self.network.register_stream(self)
        acceptor = self.network.reachable_cluster(self.dialer, record.dial_addresses)
        accepted = None if acceptor is None else acceptor.store.peering_by_id(
            self.acceptor_peering_id)
        if acceptor is not None and self._acceptor_terminates(accepted):
            self._terminated(record, at)
            return
        problem = self._refusal(acceptor, accepted)
        if problem is not None:
            self.last_error = problem
            if problem != UNREACHABLE:
                self._refused_by_acceptor(at, problem)
            self._dialer_send_error(at, problem)
            self.failures += 1
            self.schedule_dial(backoff_seconds(self.failures))
            return
        self._connect(record, at)

    def _acceptor_terminates(self, accepted: PeeringRecord | None) -> bool:
        """Whether the reached acceptor, holding ``accepted`` (or no such peering), answers
        this dial with Terminated.

        peerstream StreamResources sends Terminated to a dialer whose peering it holds in
        DELETING. Consul's dialer opens its first stream within milliseconds of establish,
        before the acceptor's deferred deletion removes the record, so a dialer whose first
        dial was pending when its acceptor deleted is terminated; the fake's connect_delay only
        stretches those milliseconds, so the removed record counts as DELETING for that dial.
        """
        if accepted is None:
            return self.acceptor_deleted and self.connected_at is None
        return accepted.state is PeeringState.DELETING

    def _terminated(self, record: PeeringRecord, at: datetime) -> None:
        """The dialer's HandleStream got Terminated: it marks the peering TERMINATED, ends the
        stream gracefully and stops redialing (the retry loop's function returned nil)."""
        entry = self.dialer.tracker.connected(record.id)
        entry.track_disconnected(at)
        record.state = PeeringState.TERMINATED
        self.dialer.store.write_peering(record)
        self.dialer.forget_imports_later(record.id, record.name)
        self._stop()
        self.network.unregister_stream(self)

    def _refusal(self, acceptor: StreamEnd | None, accepted: PeeringRecord | None) -> str | None:
        """Why the reached acceptor (None: none is reachable) would refuse this stream now, or
        None when it accepts it."""
        if acceptor is None:
            return UNREACHABLE
        if accepted is None:
            return messages.unknown_peer_id(self.acceptor_peering_id)
        if not accepted.is_active:
            return messages.marked_as_deleted(self.acceptor_peering_id)
        secret = self.dialer.store.dialer_stream_secrets.get(self.dialer_peering_id, "")
        secrets = acceptor.store.secrets.get(accepted.id)
        if not secret or secrets is None or secret not in (
            secrets.pending_stream, secrets.active_stream
        ):
            return messages.INVALID_STREAM_SECRET
        entry = acceptor.tracker.get(accepted.id)
        if entry is not None and entry.connected:
            return messages.active_stream(accepted.id)
        self.acceptor = acceptor
        return None

    def _connect(self, dialer_record: PeeringRecord, at: datetime) -> None:
        acceptor = self.acceptor
        assert acceptor is not None
        accepted = acceptor.store.peering_by_id(self.acceptor_peering_id)
        assert accepted is not None
        self.connected = True
        self.connected_at = at
        self.link_lost = False
        self.failures = 0
        self.last_error = ""
        self.network.register_stream(self)

        # The acceptor promotes the pending stream secret and learns who dialed (Open message).
        secrets = acceptor.store.secrets[accepted.id]
        secret = self.dialer.store.dialer_stream_secrets[self.dialer_peering_id]
        if secrets.pending_stream == secret:
            secrets.active_stream, secrets.pending_stream = secret, ""
            acceptor.store.write_secrets(accepted.id, secrets)
        accepted.remote = RemoteInfo(partition="", datacenter=self.dialer.name)
        acceptor.store.write_peering(accepted)

        dialer_entry = self.dialer.tracker.connected(dialer_record.id)
        acceptor_entry = acceptor.tracker.connected(accepted.id)

        # Each side replicates its CA roots (trust bundle) and its exported-services list; the
        # acceptor also sends its server addresses. Each received resource is a stored write.
        # The roots travel as references: a PEM is made only when a peering shows it
        # (trust_bundle.py), so a dialer whose CA nobody reads never signs one.
        accepted.peer_ca_pems = self.dialer.ca
        acceptor.store.write_peering(accepted)
        dialer_record.peer_ca_pems = acceptor.ca
        self.dialer.store.write_peering(dialer_record)
        dialer_record.peer_server_addresses = acceptor.server_addresses()
        self.dialer.store.write_peering(dialer_record)
        for sender, receiver in ((dialer_entry, acceptor_entry), (acceptor_entry, dialer_entry)):
            sender.last_send_success = at
            receiver.last_recv_resource = at
        # Each side sends its exported-services list and their instances; the importer
        # reconciles its catalog to that snapshot (spec §9.2).
        self.sync_both_ways(at)

        self._schedule_next_heartbeat()

    def _schedule_next_heartbeat(self) -> None:
        """Both sides' tickers run from the moment the stream opened, every interval."""
        assert self.connected_at is not None
        interval = timedelta(seconds=self.network.timing.heartbeat_interval)
        now = self.network.now()
        ticks = (now - self.connected_at) // interval + 1
        self._schedule((self.connected_at + ticks * interval - now).total_seconds(),
                       self._heartbeat)

    def _heartbeat(self, at: datetime) -> None:
        """A heartbeat reaches each side; a long clock jump is folded into one step."""
        if not self.connected or self.link_lost or self.acceptor is None:
            return
        interval = timedelta(seconds=self.network.timing.heartbeat_interval)
        limit = self.network.fold_limit()
        last = at + ((limit - at) // interval) * interval if limit > at else at
        for cluster, peering_id in self._ends():
            entry = cluster.tracker.get(peering_id)
            if entry is not None:
                entry.last_recv_heartbeat = last
        self.timers = [t for t in self.timers if not t.fired]
        self._schedule((last + interval - self.network.now()).total_seconds(), self._heartbeat)

    # --- faults ------------------------------------------------------------------------------

    def lose_link(self) -> None:
        """Packets stop: no more heartbeats; each side kills the stream when its incoming
        heartbeat timeout runs out (Consul: 2 min after the last heartbeat received)."""
        if not self.connected or self.link_lost:
            return
        self.link_lost = True
        self._cancel_timers()
        entry = self.dialer.tracker.get(self.dialer_peering_id)
        assert self.connected_at is not None
        last = (entry.last_recv_heartbeat if entry else None) or self.connected_at
        # The tracker entry outlives a stream: a heartbeat an earlier stream received does not
        # count, each stream's heartbeat timeout starts when it connects.
        last = max(last, self.connected_at)
        timing = self.network.timing
        timeout = timedelta(seconds=timing.heartbeat_timeout)
        delay = (last + timeout - self.network.now()).total_seconds()
        if timing.keepalive_timeout < timing.heartbeat_timeout:
            # The dialer's keepalive gives up first: its end fails, the acceptor's end stays
            # connected until its own heartbeat timeout (the dialer's hang-up cannot cross).
            keepalive = timedelta(seconds=timing.keepalive_timeout)
            self._schedule((last + keepalive - self.network.now()).total_seconds(),
                           lambda at: self._keepalive_gave_up(at, last + timeout))
        else:
            self._schedule(delay, lambda at: self.fail(at, messages.HEARTBEAT_TIMEOUT))

    def _keepalive_gave_up(self, at: datetime, acceptor_deadline: datetime) -> None:
        """The dialer's end of a cut link fails; the acceptor's end fails at
        ``acceptor_deadline``, its heartbeat timeout, unless something ended it before."""
        if not self.connected or not self.link_lost:
            return
        acceptor, acceptor_id = self.acceptor, self.acceptor_peering_id
        entry = acceptor.tracker.get(acceptor_id) if acceptor is not None else None
        self._stop()
        dialer_entry = self.dialer.tracker.get(self.dialer_peering_id)
        if dialer_entry is not None:
            dialer_entry.track_disconnected(at, messages.KEEPALIVE_TIMEOUT)
        self._dialer_send_error(at, messages.KEEPALIVE_TIMEOUT)
        self.failures += 1
        self.schedule_dial(backoff_seconds(self.failures))
        if acceptor is None or entry is None:
            return

        def acceptor_times_out(when: datetime) -> None:
            # Only the entry this stream left connected: a take-down replaces the tracker's
            # entries, and a later stream cannot connect while this one shows connected.
            if acceptor.tracker.get(acceptor_id) is entry and entry.connected:
                entry.track_disconnected(when, messages.HEARTBEAT_TIMEOUT)

        # Not among the stream's timers: a dialer that hangs up or deletes meanwhile does not
        # reach the acceptor, which still times out.
        self.network.schedule((acceptor_deadline - at).total_seconds(), acceptor_times_out)

    def restore_link(self) -> None:
        """Packets flow again: a stream that did not time out yet carries on."""
        if self.connected and self.link_lost:
            self.link_lost = False
            self._cancel_timers()
            deleted = self._deleted_end()
            if deleted is not None:
                # [uncertain] A side deleted its peering while the link was cut: the Terminated
                # it sent was held up, not lost, and arrives now that packets flow again.
                self.terminate_from(deleted, self.network.now())
                return
            self._schedule_next_heartbeat()
            # What changed while packets were held up reaches the peer now.
            self.sync_both_ways(self.network.now())

    def _deleted_end(self) -> StreamEnd | None:
        for cluster, peering_id in self._ends():
            record = cluster.store.peering_by_id(peering_id)
            if record is None or record.state is PeeringState.DELETING:
                return cluster
        return None

    def end_lost(self, down: StreamEnd, at: datetime) -> None:
        """``down`` stopped (its leader's memory is gone): the surviving end sees the stream
        end with an error; a surviving dialer redials with backoff."""
        was_connected = self.connected
        self._stop()
        for cluster, peering_id in self._ends():
            if cluster is not down and was_connected:
                entry = cluster.tracker.get(peering_id)
                if entry is not None:
                    entry.track_disconnected(at, messages.STREAM_ENDED)
        if was_connected and down is not self.dialer:
            self._dialer_send_error(at, messages.STREAM_ENDED)
        if down is not self.dialer:
            self.failures += 1
            self.schedule_dial(backoff_seconds(self.failures))

    def _ends(self) -> list[tuple[StreamEnd, str]]:
        ends: list[tuple[StreamEnd, str]] = [(self.dialer, self.dialer_peering_id)]
        if self.acceptor is not None:
            ends.append((self.acceptor, self.acceptor_peering_id))
        return ends

    # --- endings -----------------------------------------------------------------------------

    def terminate_from(self, side: StreamEnd, at: datetime) -> None:
        """``side`` deleted its peering: its end goes away; a connected peer is told Terminated."""
        if self.connected and self.link_lost:
            # The link is cut: Terminated cannot reach the peer, which only sees its heartbeats
            # stop and shows FAILING at its heartbeat timeout, already scheduled (spec §5.3: a
            # peer the deletion does not reach is never told).
            side.tracker.delete(self.dialer_peering_id if side is self.dialer
                                else self.acceptor_peering_id)
            return
        was_connected = self.connected
        self._stop()
        for cluster, peering_id in self._ends():
            if cluster is side:
                cluster.tracker.delete(peering_id)
            elif was_connected:
                entry = cluster.tracker.get(peering_id)
                if entry is not None:
                    entry.track_disconnected(at)
                record = cluster.store.peering_by_id(peering_id)
                if record is not None and record.state is not PeeringState.DELETING:
                    record.state = PeeringState.TERMINATED
                    cluster.store.write_peering(record)
                    cluster.forget_imports_later(peering_id, record.name)
        if side is not self.dialer and not was_connected:
            # Nobody tells a dialer that is not connected: it keeps retrying (spec §5.3).
            self.schedule_dial(backoff_seconds(self.failures + 1))
        else:
            self.network.unregister_stream(self)

    def fail(self, at: datetime, error: str) -> None:
        """The stream broke (heartbeat timeout, lost link): both ends show FAILING; redial."""
        if not self.connected:
            return
        self._stop()
        for cluster, peering_id in self._ends():
            entry = cluster.tracker.get(peering_id)
            if entry is not None:
                entry.track_disconnected(at, error)
        self._dialer_send_error(at, error)
        self.failures += 1
        self.schedule_dial(backoff_seconds(self.failures))

    def _refused_by_acceptor(self, at: datetime, error: str) -> None:
        """A reachable acceptor answered the Open message with an error. The dialer's
        HandleStream had registered the stream (Tracker.Connected), so the error is received
        (TrackRecvError) and disconnects it (DisconnectedDueToError): the peering shows
        FAILING, whether or not it was ever connected (peerstream stream_resources.go)."""
        entry = self.dialer.tracker.connected(self.dialer_peering_id)
        entry.last_recv_error = at
        entry.last_recv_error_message = error
        entry.track_disconnected(at, error)

    def _dialer_send_error(self, at: datetime, error: str) -> None:
        entry = self.dialer.tracker.get(self.dialer_peering_id)
        if entry is not None:
            entry.track_send_error(at, error)

    def close(self) -> None:
        """Hang up without Terminated (the dialer record is gone, or dials elsewhere now)."""
        if self.connected:
            at = self.network.now()
            for cluster, peering_id in self._ends():
                entry = cluster.tracker.get(peering_id)
                if entry is not None:
                    entry.track_disconnected(at)
        self._stop()
        self.network.unregister_stream(self)

    def _stop(self) -> None:
        self.connected = False
        self.link_lost = False
        self._cancel_timers()

    # --- exported services over the stream (spec §9.2, §9.3) ----------------------------------

    def carries(self) -> bool:
        """Whether what one end sends reaches the other now."""
        acceptor = self.acceptor
        return (
            self.connected
            and not self.link_lost
            and acceptor is not None
            and self.network.can_reach(self.dialer, acceptor)
        )

    def push_from(self, exporter: StreamEnd, at: datetime) -> None:
        """One direction of the stream: ``exporter``'s exports reach the other end, whose
        catalog rows for that peer become the exporter's snapshot."""
        if not self.carries():
            return
        acceptor = self.acceptor
        assert acceptor is not None
        ends = [(self.dialer, self.dialer_peering_id), (acceptor, self.acceptor_peering_id)]
        if exporter is not self.dialer:
            ends.reverse()
        (_, exporter_id), (importer, importer_id) = ends
        exporter_record = exporter.store.peering_by_id(exporter_id)
        importer_record = importer.store.peering_by_id(importer_id)
        sent, received = exporter.tracker.get(exporter_id), importer.tracker.get(importer_id)
        if exporter_record is None or importer_record is None or sent is None or received is None:
            return
        names = exporter.exported_services(exporter_record.name)
        rows = exporter.export_rows(names, importer_record.name)
        changed = importer.import_rows(importer_record.name, rows)
        if changed or sent.exported_services != names or received.imported_services != names:
            sent.last_send_success = at
            received.last_recv_resource = at
        sent.exported_services = names
        received.imported_services = names

    def sync_both_ways(self, at: datetime) -> None:
        """A stream opened (or its link came back): each side sends its export list."""
        self.push_from(self.dialer, at)
        if self.acceptor is not None:
            self.push_from(self.acceptor, at)
