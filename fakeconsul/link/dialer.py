"""The dialer's half of the link: ``Link`` is the network's ``RemoteLink``.

A dialer whose token names no cluster of its own process exchanges the secret over HTTP, then
holds its stream from a thread as a run of long polls to the acceptor. Between processes time
is real: the dialer shows FAILING once no poll got through for the heartbeat timeout, and
redials with Consul's backoff (capped at the heartbeat interval, so a short interval set for a
test also redials quickly).
"""

from __future__ import annotations

import logging
import threading
import uuid
from typing import Any

from .. import messages
from ..golang.gocompat import multierror
from ..messages import PERMISSION_DENIED, UNKNOWN, rpc_error
from ..model.cluster import Cluster
from ..model.network import Network
from ..model.peering import PeeringState
from ..model.stream import backoff_seconds
from .acceptor import terminated_ids
from .wire import (
    EXCHANGE,
    STREAM,
    VERSION,
    LinkError,
    post,
    real_seconds,
    rows_from_json,
    rows_to_json,
)

log = logging.getLogger("fakeconsul.link")

EXCHANGE_TIMEOUT = 5.0  # seconds; the exchange runs under the network's lock
POLL_WAIT = 0.5  # seconds the acceptor may hold a poll: the dialer's own exports wait that long


class Link:
    """Peering with clusters of other processes, for one network."""

    def __init__(self, network: Network) -> None:
        self.network = network
        self._streams: dict[tuple[str, str], DialerStream] = {}
        self._lock = threading.Lock()

    def exchange(self, addresses: list[str], peer_id: str, secret: str) -> str:
        failures = []
        body = {"Version": VERSION, "PeerID": peer_id, "EstablishmentSecret": secret}
        for address in addresses:
            try:
                return str(post(address, EXCHANGE, body, EXCHANGE_TIMEOUT)["StreamSecret"])
            except LinkError as err:
                if err.status == 403:
                    raise rpc_error(PERMISSION_DENIED,
                                    messages.INVALID_ESTABLISHMENT_SECRET) from None
                cause = messages.dial_refused(address) if err.refused or not err.status \
                    else err.text
                failures.append(messages.exchange_failed(address, cause))
        raise rpc_error(UNKNOWN, multierror(failures))

    def open(self, dialer: Cluster, peering_id: str, delay: float) -> None:
        key = (dialer.name, peering_id)
        with self._lock:
            old = self._streams.pop(key, None)
            if old is not None:
                old.stop()
            stream = self._streams[key] = DialerStream(self, dialer, peering_id, delay)
        stream.start()

    def deleted(self, cluster: Cluster, peering_id: str) -> None:
        with self._lock:
            stream = self._streams.pop((cluster.name, peering_id), None)
        if stream is not None:
            stream.terminate()
        else:
            # An acceptor: a remote dialer's next poll (woken by the delete's write) is told.
            terminated_ids(cluster).add(peering_id)

    def push(self, cluster: Cluster, peering_id: str) -> None:
        with self._lock:
            stream = self._streams.get((cluster.name, peering_id))
        if stream is not None:
            stream.wake.set()

    def forget(self, stream: DialerStream) -> None:
        with self._lock:
            if self._streams.get(stream.key) is stream:
                del self._streams[stream.key]

    def close(self) -> None:
        """Stop every dialer thread (the process is stopping; peers see heartbeats stop)."""
        with self._lock:
            streams, self._streams = list(self._streams.values()), {}
        for stream in streams:
            stream.stop()


class DialerStream:
    """One dialer peering's stream to its remote acceptor, run by a daemon thread."""

    def __init__(self, link: Link, cluster: Cluster, peering_id: str, delay: float) -> None:
        self.link, self.cluster, self.peering_id, self.delay = link, cluster, peering_id, delay
        self.key = (cluster.name, peering_id)
        self.stopped = threading.Event()
        self.wake = threading.Event()
        self.connected = False
        self.failures = 0
        self.last_ok = real_seconds()
        self.seen = ""
        # Names this stream in each poll: the acceptor holds one stream per peering.
        self.stream_id = str(uuid.uuid4())
        self.refusal = ""  # the acceptor's last refusal, logged once until it changes
        # What the last poll presented: a deleted record keeps neither (Consul's delete keeps
        # only what marks it), but Terminated must still name the acceptor's peering.
        self.peer_id = ""
        self.secret = ""
        self._thread = threading.Thread(target=self._run, daemon=True,
                                        name=f"link {cluster.name}/{peering_id}")

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self.stopped.set()
        self.wake.set()

    def terminate(self) -> None:
        """This side deleted the peering: say Terminated to the acceptor once, then stop."""
        body = self._body(terminated=True)
        self.stop()
        if body is not None:
            threading.Thread(target=self._send_once, args=(body,), daemon=True).start()

    def _send_once(self, body: tuple[list[str], dict[str, Any]]) -> None:
        addresses, payload = body
        for address in addresses:
            try:
                post(address, STREAM, payload, EXCHANGE_TIMEOUT)
                return
            except LinkError:
                continue

    def _body(self, *, terminated: bool = False) -> tuple[list[str], dict[str, Any]] | None:
        """The addresses to dial and the next poll, or None when the peering is gone."""
        cluster = self.cluster
        with cluster.network.lock:
            record = cluster.store.peering_by_id(self.peering_id)
            if record is None or (not terminated and not record.is_active):
                return None
            names = cluster.exported_services(record.name)
            self.peer_id = record.peer_id or self.peer_id
            self.secret = cluster.store.dialer_stream_secrets.get(self.peering_id, self.secret)
            body = {
                "Version": VERSION, "PeerID": self.peer_id, "StreamSecret": self.secret,
                "StreamID": self.stream_id,
                "Datacenter": cluster.name, "CA": cluster.ca_pem,
                "ExportedNames": list(names),
                "Exports": rows_to_json(cluster.export_rows(names, "")),
                "Seen": self.seen, "Wait": POLL_WAIT, "Terminated": terminated,
            }
            addresses = record.dial_addresses
            return addresses, body

    def _run(self) -> None:
        if self.stopped.wait(self.delay):
            return
        try:
            while not self.stopped.is_set():
                polled = self._body()
                if polled is None:
                    break
                self.wake.clear()
                answer, error = self._poll(*polled)
                if self.stopped.is_set():
                    break
                if answer is None:
                    self._failed(error)
                    continue
                if not self._received(polled[1], answer):
                    break
        finally:
            self.link.forget(self)

    def _poll(self, addresses: list[str], body: dict[str, Any]
              ) -> tuple[dict[str, Any] | None, LinkError | None]:
        error = None
        for address in addresses:
            try:
                return post(address, STREAM, body, POLL_WAIT + EXCHANGE_TIMEOUT), None
            except LinkError as err:
                error = err
                if err.status:
                    break  # the acceptor answered: another of its addresses answers the same
        return None, error

    def _failed(self, error: LinkError | None) -> None:
        network = self.cluster.network
        self.failures += 1
        with network.lock:
            entry = self.cluster.tracker.get(self.peering_id)
            lost = real_seconds() - self.last_ok >= network.timing.heartbeat_timeout
            refused_by_acceptor = error is not None and error.status != 0
            if refused_by_acceptor and error is not None and error.text != self.refusal:
                self.refusal = error.text
                record = self.cluster.store.peering_by_id(self.peering_id)
                log.error("%s", messages.link_stream_refused(
                    record.name if record is not None else self.peering_id, error.text))
            # A refusal ends a stream even before one ever connected: Consul's dialer registers
            # its stream (Tracker.Connected) before the acceptor's answer to the Open arrives.
            if entry is not None and (refused_by_acceptor or (self.connected and lost)):
                now = network.now()
                text = error.text if refused_by_acceptor and error else messages.HEARTBEAT_TIMEOUT
                if refused_by_acceptor:
                    entry.last_recv_error, entry.last_recv_error_message = now, text
                entry.track_disconnected(now, text)
                network.note_change()  # the tracker moved: no stored write says so
                self.connected = False
            interval = network.timing.heartbeat_interval
        self.stopped.wait(min(backoff_seconds(self.failures), interval))

    def _received(self, sent: dict[str, Any], answer: dict[str, Any]) -> bool:
        """Apply one answer; False when the acceptor said Terminated (the stream ends)."""
        cluster, network = self.cluster, self.cluster.network
        self.failures, self.last_ok, self.refusal = 0, real_seconds(), ""
        with network.lock:
            network.catch_up()
            record = cluster.store.peering_by_id(self.peering_id)
            if record is None or not record.is_active:
                return False
            now = network.now()
            if answer.get("Terminated"):
                entry = cluster.tracker.get(self.peering_id)
                if entry is not None:
                    entry.track_disconnected(now)
                    network.note_change()  # the tracker moved: no stored write says so
                if record.state is not PeeringState.DELETING:
                    record.state = PeeringState.TERMINATED
                    cluster.store.write_peering(record)
                    cluster.forget_imports_later(record.id, record.name)
                return False
            entry = cluster.tracker.get(self.peering_id)
            if not self.connected or entry is None:
                entry = cluster.tracker.connected(self.peering_id)
                self.connected = True
            entry.last_recv_heartbeat = now
            entry.last_send_success = now
            if record.peer_ca_pems != [answer["CA"]]:
                record.peer_ca_pems = [answer["CA"]]
                cluster.store.write_peering(record)
            if record.peer_server_addresses != answer["ServerAddresses"]:
                record.peer_server_addresses = list(answer["ServerAddresses"])
                cluster.store.write_peering(record)
            names = tuple(answer.get("ExportedNames") or ())
            rows = rows_from_json(answer.get("Exports") or {}, record.name)
            if cluster.import_rows(record.name, rows) or entry.imported_services != names:
                entry.last_recv_resource = now
            entry.imported_services = names
            entry.exported_services = tuple(sent["ExportedNames"])
            self.seen = str(answer.get("Digest", ""))
            network.note_change()
        if not self.wake.is_set():
            # Nothing of ours to send: the next poll may wait for the acceptor's news.
            pass
        return True
