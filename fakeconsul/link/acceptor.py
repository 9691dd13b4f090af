"""The acceptor's half of the link: a dialer in another process exchanges its secret here and
holds its stream as a run of long polls (each one a heartbeat both ways).

Every step is what the simulated stream (``model/stream.py``) writes at the acceptor when a
dialer of the same process connects; the checks and their texts are the same.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from .. import messages
from ..messages import PERMISSION_DENIED, UNKNOWN, rpc_error
from ..model.cluster import Cluster
from ..model.errors import ConsulError
from ..model.peering import PeeringRecord, PeeringState, RemoteInfo
from ..model.store import PeeringSecrets
from .wire import real_seconds, rows_from_json, rows_to_json

# Peering IDs this cluster deleted while a remote dialer held a stream: the next poll is told
# Terminated (the record itself may be gone by then).
TERMINATED = "link.terminated"
STREAMS = "link.streams"  # peering ID -> the one remote stream it has (LiveStream)
LONGEST_WAIT = 30.0  # seconds an acceptor holds a poll at most, whatever the dialer asks
# A live dialer polls again as soon as an answer reaches it, so a stream none of whose polls
# is held and none arrived for this long has lost its dialer: the gap stands for the closed
# connection that tells Consul's gRPC server at once.
STREAM_GONE = 2.0


@dataclass
class LiveStream:
    """The stream a peering's polls belong to (a dialer names it in each poll)."""

    stream_id: str
    held: int = 0  # polls of it the acceptor holds now
    last_poll: float = field(default_factory=real_seconds)

    def live(self) -> bool:
        return self.held > 0 or real_seconds() - self.last_poll < STREAM_GONE


def terminated_ids(cluster: Cluster) -> set[str]:
    ids: set[str] = cluster.attachments.setdefault(TERMINATED, set())
    return ids


def exchange(cluster: Cluster, peer_id: str, secret: str) -> str:
    """Trade an establishment secret for a new pending stream secret (Consul's
    ExchangeSecret): a reused, superseded or unknown secret is refused alike."""
    with cluster.network.lock:
        cluster.network.catch_up()
        accepted = cluster.store.peering_by_id(peer_id)
        secrets = cluster.store.secrets.get(peer_id)
        if (accepted is None or secrets is None or not secret
                or secrets.establishment != secret):
            raise rpc_error(PERMISSION_DENIED, messages.INVALID_ESTABLISHMENT_SECRET)
        stream_secret = str(uuid.uuid4())
        cluster.store.write_secrets(accepted.id, PeeringSecrets(
            pending_stream=stream_secret, active_stream=secrets.active_stream))
        return stream_secret


def _refusal(cluster: Cluster, record: PeeringRecord | None, peer_id: str, secret: str
             ) -> ConsulError | None:
    if record is None:
        return ConsulError(404, messages.unknown_peer_id(peer_id))
    secrets = cluster.store.secrets.get(record.id)
    if not secret or secrets is None or secret not in (secrets.pending_stream,
                                                       secrets.active_stream):
        return ConsulError(403, messages.INVALID_STREAM_SECRET)
    return None


def _claim(cluster: Cluster, record: PeeringRecord, body: dict[str, Any]) -> LiveStream:
    """The poll's stream, which becomes the peering's one stream; refused while another is
    live, as Consul's Tracker.Connected refuses a second stream for a peer."""
    streams: dict[str, LiveStream] = cluster.attachments.setdefault(STREAMS, {})
    stream_id = str(body.get("StreamID", ""))
    current = streams.get(record.id)
    if current is not None and current.stream_id == stream_id:
        return current
    entry = cluster.tracker.get(record.id)
    secrets = cluster.store.secrets[record.id]
    # A dialer that exchanged a new establishment secret presents the pending stream secret:
    # it re-established, and Consul's dialer ends its old stream before it opens the new one.
    reestablished = bool(secrets.pending_stream) and (
        secrets.pending_stream == body.get("StreamSecret"))
    if (current is not None and current.live() and entry is not None and entry.connected
            and not reestablished):
        raise rpc_error(UNKNOWN, messages.register_stream_failed(record.id))
    streams[record.id] = claimed = LiveStream(stream_id)
    return claimed


def _dialer_deleted(cluster: Cluster, record: PeeringRecord, at: datetime) -> None:
    """The dialer deleted its side and said Terminated: this side shows TERMINATED."""
    entry = cluster.tracker.get(record.id)
    if entry is not None:
        entry.track_disconnected(at)
    if record.state is not PeeringState.DELETING:
        record.state = PeeringState.TERMINATED
        cluster.store.write_peering(record)
        cluster.forget_imports_later(record.id, record.name)


def _received(cluster: Cluster, record: PeeringRecord, body: dict[str, Any], at: datetime
              ) -> None:
    """What one poll carries to the acceptor: the stream opening, a heartbeat, exports."""
    store, entry = cluster.store, cluster.tracker.get(record.id)
    secrets = store.secrets[record.id]
    if secrets.pending_stream and secrets.pending_stream == body.get("StreamSecret"):
        secrets.active_stream, secrets.pending_stream = secrets.pending_stream, ""
        store.write_secrets(record.id, secrets)
    if entry is None or not entry.connected:
        # The Open message: who dialed, and the dialer's trust bundle.
        record.remote = RemoteInfo(partition="", datacenter=str(body.get("Datacenter", "")))
        store.write_peering(record)
        record.peer_ca_pems = [str(body.get("CA", ""))]
        store.write_peering(record)
        entry = cluster.tracker.connected(record.id)
        _watch_heartbeats(cluster, record.id)
    entry.last_recv_heartbeat = at
    names = tuple(body.get("ExportedNames") or ())
    changed = cluster.import_rows(record.name, rows_from_json(body.get("Exports") or {},
                                                              record.name))
    if changed or entry.imported_services != names:
        entry.last_recv_resource = at
    entry.imported_services = names


def _watch_heartbeats(cluster: Cluster, peering_id: str) -> None:
    """FAILING once no poll arrived for the heartbeat timeout (model time, which runs at the
    wall clock's rate in a served network); re-armed while polls keep coming."""
    network = cluster.network

    def check(at: datetime) -> None:
        entry = cluster.tracker.get(peering_id)
        if entry is None or not entry.connected or entry.last_recv_heartbeat is None:
            return
        timeout = timedelta(seconds=network.timing.heartbeat_timeout)
        due = entry.last_recv_heartbeat + timeout
        if at >= due:
            entry.track_disconnected(at, messages.HEARTBEAT_TIMEOUT)
        else:
            network.schedule((due - at).total_seconds(), check)

    network.schedule(network.timing.heartbeat_timeout, check)


def _answer(cluster: Cluster, record: PeeringRecord) -> dict[str, Any]:
    names = cluster.exported_services(record.name)
    answer = {"CA": cluster.ca_pem, "ServerAddresses": cluster.server_addresses(),
              "ExportedNames": list(names),
              "Exports": rows_to_json(cluster.export_rows(names, "")), "Terminated": False}
    answer["Digest"] = hashlib.sha256(json.dumps(answer, sort_keys=True).encode()).hexdigest()
    return answer


def stream(cluster: Cluster, body: dict[str, Any]) -> dict[str, Any]:
    """One poll of a remote dialer's stream; answers when what the acceptor sends differs
    from what the dialer saw last (``Seen``), or after ``Wait`` seconds: a heartbeat."""
    network = cluster.network
    peer_id, secret = str(body.get("PeerID", "")), str(body.get("StreamSecret", ""))
    wait = min(max(float(body.get("Wait") or 0), 0.0), LONGEST_WAIT)
    deadline = real_seconds() + wait
    with network.lock:
        network.catch_up()
        if peer_id in terminated_ids(cluster):
            return {"Terminated": True}
        record = cluster.store.peering_by_id(peer_id)
        refusal = _refusal(cluster, record, peer_id, secret)
        if refusal is not None:
            raise refusal
        assert record is not None
        if not record.is_active or record.state is PeeringState.DELETING:
            return {"Terminated": True}
        now = network.now()
        if body.get("Terminated"):
            _dialer_deleted(cluster, record, now)
            network.note_change()  # the tracker moved: no stored write says so
            return {"Terminated": True}
        live = _claim(cluster, record, body)
        _received(cluster, record, body, now)
        network.note_change()
        live.held += 1
    try:
        return _hold(cluster, peer_id, body, deadline)
    finally:
        with network.lock:
            live.held -= 1
            live.last_poll = real_seconds()


def _hold(cluster: Cluster, peer_id: str, body: dict[str, Any], deadline: float
          ) -> dict[str, Any]:
    """The poll's answer once it differs from what the dialer saw, or at the deadline."""
    network = cluster.network
    while True:
        with network.lock:
            network.catch_up()
            seen_index = cluster.store.index
            current = cluster.store.peering_by_id(peer_id)
            if (peer_id in terminated_ids(cluster) or current is None
                    or current.state is PeeringState.DELETING):
                return {"Terminated": True}
            answer = _answer(cluster, current)
            remaining = deadline - real_seconds()
            if answer["Digest"] != body.get("Seen") or remaining <= 0:
                entry = cluster.tracker.get(peer_id)
                if entry is not None:
                    entry.exported_services = tuple(answer["ExportedNames"])
                    entry.last_send_success = network.now()
                    network.note_change()
                return answer
        cluster.store.wait_for_change(seen_index, remaining)


def refuse_unknown_version(body: dict[str, Any], version: int) -> None:
    if body.get("Version") != version:
        raise rpc_error(UNKNOWN, messages.link_unknown_version(version))
