"""The leader's in-memory stream tracker: what ``StreamStatus`` and the ACTIVE/FAILING overlay read.

It mirrors Consul's peerstream Tracker: one entry per local peering ID, created when a stream
connects, kept after a disconnect, deleted when the local side tears the stream down.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone

from .peering import PeeringState, StreamStatus

# Go's zero time.Time: what Consul's "latest of" helpers return when nothing happened yet.
ZERO_TIME = datetime(1, 1, 1, tzinfo=timezone.utc)


def _latest(*moments: datetime | None) -> datetime:
    # A loop, not max() over a generator: every new snapshot of a peering calls this twice,
    # and the generator cost more than the comparisons (benchmarks/README.md).
    latest = ZERO_TIME
    for moment in moments:
        if moment is not None and moment > latest:
            latest = moment
    return latest


@dataclass
class StreamEntry:
    connected: bool = False
    disconnect_error: str = ""
    disconnect_time: datetime | None = None
    last_recv_heartbeat: datetime | None = None
    last_recv_resource: datetime | None = None
    last_recv_error: datetime | None = None
    last_recv_error_message: str = ""
    last_send_success: datetime | None = None
    last_send_error: datetime | None = None
    last_send_error_message: str = ""
    imported_services: tuple[str, ...] | None = None
    exported_services: tuple[str, ...] | None = None

    def track_connected(self) -> None:
        self.connected = True
        self.disconnect_error = ""
        self.disconnect_time = None

    def track_disconnected(self, at: datetime, error: str = "") -> None:
        self.connected = False
        self.disconnect_time = at
        self.disconnect_error = error

    def track_send_error(self, at: datetime, error: str) -> None:
        # Consul's dialer calls TrackSendError from its retry loop's error callback for every
        # error that ends a stream or a dial (leader_peering.go establishStream), so a
        # failing dialer's LastSend moves with each failure.
        self.last_send_error = at
        self.last_send_error_message = error

    def status(self) -> StreamStatus:
        # An empty list is nil after the internal gRPC hop (protobuf has no empty repeated
        # field): reconcilePeering's copy reaches JSON as null, never [].
        return StreamStatus(
            imported_services=self.imported_services or None,
            exported_services=self.exported_services or None,
            last_heartbeat=self.last_recv_heartbeat,
            last_receive=_latest(
                self.last_recv_heartbeat, self.last_recv_error, self.last_recv_resource
            ),
            last_send=_latest(self.last_send_error, self.last_send_success),
        )

    def overlay(self, stored: PeeringState) -> PeeringState:
        if self.connected:
            return PeeringState.ACTIVE
        if self.disconnect_error:
            return PeeringState.FAILING
        return stored


class Tracker:
    def __init__(self) -> None:
        self._entries: dict[str, StreamEntry] = {}

    def get(self, peering_id: str) -> StreamEntry | None:
        return self._entries.get(peering_id)

    def register(self, peering_id: str) -> StreamEntry:
        """An entry that is not connected: Consul's dialer registers its stream before the
        first dial (leader_peering.go establishStream, Tracker.Register), so StreamStatus
        shows zero times, not nulls, while it is ESTABLISHING."""
        return self._entries.setdefault(peering_id, StreamEntry())

    def connected(self, peering_id: str) -> StreamEntry:
        entry = self._entries.setdefault(peering_id, StreamEntry())
        entry.track_connected()
        return entry

    def delete(self, peering_id: str) -> None:
        self._entries.pop(peering_id, None)

    def clear(self) -> None:
        self._entries.clear()

    def shown_state(self, peering_id: str, stored: PeeringState) -> PeeringState:
        entry = self._entries.get(peering_id)
        return stored if entry is None else entry.overlay(stored)

    def version(self, peering_id: str) -> tuple[object, ...] | None:
        """Every value of the peering's entry: equal versions show the same state and status."""
        entry = self._entries.get(peering_id)
        return None if entry is None else tuple(vars(entry).values())

    def stream_status(self, peering_id: str) -> StreamStatus:
        entry = self._entries.get(peering_id)
        return StreamStatus() if entry is None else entry.status()
