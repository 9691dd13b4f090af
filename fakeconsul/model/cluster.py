"""One cluster's peering operations, with Consul's rules, order of checks and texts.

Each operation returns plain data or raises ConsulError exactly where the HTTP API answers
non-2xx. The HTTP layer only translates; everything Consul decides is decided here.
"""

from __future__ import annotations

import builtins
import math
import threading
from collections.abc import Callable
from datetime import datetime
from types import TracebackType
from typing import Any, Protocol

from .. import messages
from ..acl import ACLConfig, ACLDenied, ACLSystem
from ..catalog.operations import CatalogOperations
from ..config import exports
from ..config.exports import Rows
from ..config.operations import ConfigOperations
from ..golang.gocompat import multierror
from ..messages import FAILED_PRECONDITION, INVALID_ARGUMENT, PERMISSION_DENIED, UNKNOWN, rpc_error
from .ca import CARoot
from .ids import random_id
from .peering import Peering, PeeringRecord, PeeringState, RemoteInfo, shown
from .remote import RemoteLink
from .store import PeeringSecrets, Store
from .stream import Stream, StreamEnd, StreamHost
from .token import PeeringToken, TokenError, decode, validation_error
from .tracker import Tracker
from .validation import is_valid_peer_name, meta_error


class ClusterHost(StreamHost, Protocol):
    """What a cluster needs of the network it belongs to (``Network`` is one)."""

    lock: threading.RLock
    remote: RemoteLink | None
    generation: int  # moves on every change that may move an answer (Network.note_change)

    def catch_up(self) -> None: ...

    def note_change(self) -> None: ...

    def reachable_cluster(self, source: StreamEnd, addresses: list[str]) -> Cluster | None: ...

    def stream_for(self, cluster: StreamEnd, peering_id: str) -> Stream | None: ...

    def streams(self) -> builtins.list[Stream]: ...

    def register_address(self, address: str, cluster: Cluster) -> None: ...

    def unregister_address(self, address: str) -> None: ...

    def addresses_of(self, cluster: Cluster) -> list[str]: ...

    def resolve(self, address: str) -> Cluster | None: ...

    def next_due(self) -> datetime | None: ...

    def remote_for(self, addresses: list[str]) -> RemoteLink | None: ...

    def take_down(self, cluster: Cluster) -> None: ...

    def bring_up(self, cluster: Cluster) -> None: ...


# rpc/peering/service.go retryExchange: one attempt, then 150 ms (±25 % jitter, left out here)
# before the next, each on the ring buffer's next address, until establishmentTimeout ends.
EXCHANGE_RETRY_WAIT = 0.15


def _exchange_attempts(addresses: list[str], window: float) -> list[str]:
    """The address of each exchange attempt within ``window`` seconds of model time (at 0,
    0.15, 0.3, ... s). The acceptor's reachability cannot change within one operation, so
    every attempt fails alike; a window of 0 tries each address once."""
    if window <= 0:
        return list(addresses)
    count = max(1, math.ceil(round(window / EXCHANGE_RETRY_WAIT, 9)))
    return [addresses[i % len(addresses)] for i in range(count)]


def _new_id() -> str:
    return random_id()


class Cluster:
    """A fake Consul datacenter on a network: its peerings, its CA, its address, and the
    services it owns: ``catalog`` (registration and discovery), ``config`` (config entries and
    exports) and ``acl`` (policies, tokens, enforcement).

    Operations take the network's lock, so a cluster may be used from many threads.
    """

    def __init__(
        self, network: ClusterHost, name: str, synthetic_address: str, *,
        peering_enabled: bool = True, acl: ACLConfig | None = None, node_name: str = "",
    ) -> None:
        self.network = network
        self.name = name
        self.peering_enabled = peering_enabled
        self.id = _new_id()
        self.trust_domain = f"{self.id}.consul"
        self.server_name = f"server.{name}.peering.{self.trust_domain}"
        # Signed on first use: a test that never mints a token or shows this CA to anyone
        # pays nothing for it (benchmarks/README.md).
        self.ca = CARoot(self.trust_domain)
        self.synthetic_address = synthetic_address
        self.served_address: str | None = None
        self.is_up = True
        self._availability_listeners: list[Callable[[bool], None]] = []
        self.store = Store()
        self.tracker = Tracker()
        # Peering ID -> (record, version, snapshot) of the last read: see _show.
        self._snapshots: dict[str, tuple[PeeringRecord, tuple[object, ...], Peering]] = {}
        # Policies, tokens and enforcement; everything is allowed while ``acl`` is None.
        self.acl = ACLSystem(acl, self.store, network.lock, network.now)
        # The catalog and config entries (exports and discovery, spec §9). Their writes may
        # change what this cluster exports: the push reaches peers within one stream event.
        self.catalog = CatalogOperations(
            datacenter=name, node_id=self.id, store=self.store, acl=self.acl,
            operation=self._operation, on_local_change=self._exports_may_change,
            node_name=node_name,
        )
        self.config = ConfigOperations(
            datacenter=name, store=self.store, catalog=self.catalog.tables, acl=self.acl,
            operation=self._operation, on_local_change=self._exports_may_change,
        )
        self._export_push_pending = False
        # Objects the layers above keep per cluster (the HTTP app's injected answers and the
        # errors it met), so that the model needs to know nothing of them.
        self.attachments: dict[str, Any] = {}

    @property
    def ca_pem(self) -> str:
        """The cluster's CA root (PEM), made on first use (see ``ca``)."""
        return self.ca.pem

    @ca_pem.setter
    def ca_pem(self, pem: str) -> None:
        # A state file brings its saved root back. Peerings that already hold the old root
        # keep its PEM, as they kept the text before.
        self.ca = CARoot(self.trust_domain, pem)

    @property
    def datacenter(self) -> str:
        return self.name

    def server_addresses(self) -> list[str]:
        """What this cluster's tokens name as its gRPC servers: where it is served, if it is."""
        return [self.served_address or self.synthetic_address]

    # --- what the stream carries (spec §9.2, §9.3) --------------------------------------------

    def exported_services(self, peer_name: str) -> tuple[str, ...]:
        """Service names this cluster exports to its peering ``peer_name`` (spec §9.2)."""
        return exports.exported_names(self.config.entries, self.catalog.tables, peer_name)

    def export_rows(self, names: tuple[str, ...], as_peer: str) -> Rows:
        """This cluster's health view of ``names``, as a peer stores it under ``as_peer``."""
        return exports.snapshot(self.catalog.tables, names, as_peer)

    def import_rows(self, peer_name: str, rows: Rows) -> bool:
        """What ``peer_name`` exports to this cluster now; True when the catalog changed."""
        return exports.reconcile(self.catalog.tables, peer_name, rows)

    def forget_imports_later(self, peering_id: str, peer_name: str) -> None:
        """The peer said Terminated: the deletion routine removes what was imported from it
        (after ``deletion_delay``, unless the peering came back to life meanwhile)."""

        def run(_at: datetime) -> None:
            record = self.store.peering_by_id(peering_id)
            if record is None or record.state in (PeeringState.TERMINATED, PeeringState.DELETING):
                exports.forget_peer(self.catalog.tables, peer_name)

        self.network.schedule(self.network.timing.deletion_delay, run)

    def _exports_may_change(self) -> None:
        """A local write may change what this cluster exports: push within one stream event."""
        if self._export_push_pending:
            return
        self._export_push_pending = True

        def run(at: datetime) -> None:
            self._export_push_pending = False
            if self.is_up:
                self.push_exports(at)

        self.network.schedule(0, run)

    def push_exports(self, at: datetime) -> None:
        """Send this cluster's exports over every stream it takes part in."""
        for record in self.store.peerings():
            stream = self.network.stream_for(self, record.id)
            if stream is not None:
                stream.push_from(self, at)
            elif self.network.remote is not None:
                self.network.remote.push(self, record.id)

    def __repr__(self) -> str:
        return f"<Cluster {self.name} {self.server_addresses()[0]}>"

    # --- the five peering operations ---------------------------------------------------------

    def generate_token(
        self,
        peer_name: str,
        meta: dict[str, str] | None = None,
        server_external_addresses: list[str] | None = None,
        *,
        partition: str = "",
        token: str | None = None,
    ) -> str:
        """``POST /v1/peering/token``: create (or reuse) the acceptor peering, return a token.

        ``token`` is the ACL secret of the caller (needs ``peering:write`` once ACLs are on)."""
        with self._operation():
            self._require_peering_enabled()
            if partition and partition.lower() != "default":
                raise rpc_error(INVALID_ARGUMENT, messages.PARTITIONS_ENTERPRISE)
            self._validate_name_and_meta(peer_name, meta)
            self._authorize(token, "write")
            existing = self.store.peering_by_name(peer_name)
            if existing is not None and existing.is_dialer:
                raise rpc_error(UNKNOWN, messages.already_established(peer_name))
            if existing is not None and existing.state is PeeringState.DELETING:
                raise rpc_error(UNKNOWN, messages.MARKED_FOR_DELETION)
            # An existing acceptor is reused as it is: same ID and state, the new Meta ignored.
            record = existing or PeeringRecord(
                id=_new_id(), name=peer_name, state=PeeringState.PENDING, meta=meta or None
            )
            self.store.write_peering(record)
            # A fresh secret replaces any unused one; stream secrets are kept, so an
            # established connection is not disturbed. Written after the peering so that even
            # a TERMINATED acceptor hands out a token that exchanges (spec §4.4).
            old = self.store.secrets.get(record.id, PeeringSecrets())
            secret = _new_id()
            self.store.secrets[record.id] = PeeringSecrets(
                establishment=secret,
                pending_stream=old.pending_stream,
                active_stream=old.active_stream,
            )
            return PeeringToken(
                ca=[self.ca_pem],
                manual_server_addresses=list(server_external_addresses or []) or None,
                server_addresses=self.server_addresses(),
                server_name=self.server_name,
                peer_id=record.id,
                establishment_secret=secret,
                remote_partition="default",
                remote_datacenter=self.name,
            ).encode()

    def establish(
        self,
        peer_name: str,
        peering_token: str,
        meta: dict[str, str] | None = None,
        *,
        partition: str = "",
        token: str | None = None,
    ) -> None:
        """``POST /v1/peering/establish``: dial the acceptor named by the token.

        Returns once the acceptor accepted the establishment secret; the stream itself opens
        ``timing.connect_delay`` seconds of model time later. ``partition`` is ignored, as in CE.
        ``token`` is the caller's ACL secret (``peering:write``); the exchange with the acceptor
        needs none, as servers exchange secrets among themselves.
        """
        with self._operation():
            self._require_peering_enabled()
            if not is_valid_peer_name(peer_name):
                raise rpc_error(UNKNOWN, messages.invalid_peer_name(peer_name))
            try:
                decoded = decode(peering_token)
            except TokenError as err:
                raise rpc_error(UNKNOWN, err.message) from None
            problem = validation_error(decoded)
            if problem is not None:
                raise rpc_error(UNKNOWN, problem)
            self._validate_meta(meta)
            # Consul validates the request before it looks at the ACL token (spec §2.2 f), and
            # compares server names only after.
            self._authorize(token, "write")
            if decoded.server_name == self.server_name:
                raise rpc_error(UNKNOWN, messages.same_cluster(self.server_name))
            existing = self.store.peering_by_name(peer_name)
            if existing is not None and not existing.is_dialer:
                raise rpc_error(UNKNOWN, messages.expecting_to_be_dialed(peer_name))
            if existing is not None and existing.state is PeeringState.DELETING:
                raise rpc_error(UNKNOWN, messages.MARKED_FOR_DELETION)

            record = self._write_dialer(existing, peer_name, decoded, meta)
            stream_secret = self._exchange_secret(decoded)
            self.store.dialer_stream_secrets[record.id] = stream_secret
            record.state = PeeringState.ESTABLISHING
            self.store.write_peering(record)
            self._start_stream(record, decoded.peer_id)

    def read(self, name: str, *, token: str | None = None) -> Peering | None:
        """``GET /v1/peering/:name``, case-insensitive; None where Consul answers 404.
        With ACLs on, ``token`` needs ``peering:read`` (checked before the lookup)."""
        return self.read_with_index(name, token=token)[0]

    def list(self, *, token: str | None = None) -> list[Peering]:
        """``GET /v1/peerings``: every peering in every state, by lower-cased name. With ACLs
        on, ``token`` needs ``peering:read``: all or nothing, no filtering."""
        return self.list_with_index(token=token)[0]

    def delete(self, name: str, *, token: str | None = None) -> None:
        """``DELETE /v1/peering/:name``: mark DELETING, tell a connected peer, remove later.

        Deleting a missing or already DELETING peering succeeds and changes nothing. With ACLs
        on, ``token`` needs ``peering:write``, even for a missing name.
        """
        with self._operation():
            self._require_peering_enabled()
            self._authorize(token, "write")
            record = self.store.peering_by_name(name)
            if record is None or record.state is PeeringState.DELETING:
                return
            now = self.network.now()
            # Consul keeps only what marks the record: its ID, dialer-ness and Remote. The name
            # is rewritten as given in the URL, so its case can change.
            marked = PeeringRecord(
                id=record.id,
                name=name,
                state=PeeringState.DELETING,
                deleted_at=now,
                peer_server_addresses=record.peer_server_addresses,
                manual_server_addresses=record.manual_server_addresses,
                remote=record.remote,
                create_index=record.create_index,
            )
            self.store.write_peering(marked)
            stream = self.network.stream_for(self, record.id)
            if stream is not None:
                stream.terminate_from(self, now)
            else:
                self.tracker.delete(record.id)
                for pending in self.network.streams():
                    if pending.acceptor_peering_id == record.id and pending.connected_at is None:
                        pending.acceptor_deleted = True  # its first dial is told Terminated
                if self.network.remote is not None:
                    self.network.remote.deleted(self, record.id)
            self.network.schedule(self.network.timing.deletion_delay, self._remover(record.id))

    # --- reads with their index, for blocking queries -----------------------------------------

    def read_with_index(
        self, name: str, *, token: str | None = None
    ) -> tuple[Peering | None, int]:
        """The peering and the index a blocking read waits on: its ModifyIndex, or for a
        missing name the peering table's index (state/peering.go peeringReadTxn), so that a
        watcher with an older ``?index=`` is answered at once."""
        with self.network.lock:
            self._caught_up_to_read()
            self._require_peering_enabled()
            self._authorize(token, "read")
            record = self.store.peering_by_name(name)
            if record is None:
                return None, self.store.peering_table_index
            return self._show(record), record.modify_index

    def list_with_index(
        self, *, token: str | None = None
    ) -> tuple[builtins.list[Peering], int]:
        """Every peering and the peering table's index."""
        with self.network.lock:
            self._caught_up_to_read()
            self._require_peering_enabled()
            self._authorize(token, "read")
            return [self._show(r) for r in self.store.peerings()], self.store.peering_table_index

    def shown(self, record: PeeringRecord) -> Peering:
        """What a read shows of a stored record (the tracker's overlay), without a read's
        checks: the same frozen snapshot while the peering does not change."""
        return self._show(record)

    @property
    def index(self) -> int:
        """The cluster's raft index: moves on every stored write."""
        return self.store.index

    # --- where it is served -------------------------------------------------------------------

    def set_served_address(self, address: str | None) -> None:
        with self.network.lock:
            if self.served_address is not None:
                self.network.unregister_address(self.served_address)
            self.served_address = address
            if address is not None:
                self.network.register_address(address, self)

    def reset(self) -> None:
        """Back to no peerings; identity, CA and address stay, the index keeps growing. ACLs go
        back to the built-in policy and tokens (and the configured management token)."""
        with self.network.lock:
            self.store.clear()
            self.tracker.clear()
            # The network's reset cancels every timer, a pending export push included.
            self._export_push_pending = False
            self.catalog.reset()
            self.config.entries.clear()
            self.acl.reset()
            self.set_up(True)

    # --- internals ---------------------------------------------------------------------------

    def take_down(self) -> None:
        """Stop this cluster (see ``Network.take_down``)."""
        self.network.take_down(self)

    def bring_up(self) -> None:
        """Start this cluster again (see ``Network.bring_up``)."""
        self.network.bring_up(self)

    def set_up(self, up: bool) -> None:
        if up != self.is_up:
            self.is_up = up
            for listener in list(self._availability_listeners):
                listener(up)

    def on_availability(self, listener: Callable[[bool], None]) -> None:
        """Call ``listener(is_up)`` whenever the cluster goes down or comes back."""
        self._availability_listeners.append(listener)

    def off_availability(self, listener: Callable[[bool], None]) -> None:
        if listener in self._availability_listeners:
            self._availability_listeners.remove(listener)

    def _operation(self) -> _Operation:
        """Every operation runs inside this: the network's lock, timers caught up before and
        after (zero delays, the defaults, complete within the operation that scheduled them)."""
        return _Operation(self)

    def _caught_up_to_read(self) -> None:
        """``_operation``'s start, for a read (the network's lock held): a read schedules no
        timer, so the catch-up ``_operation`` runs after its body has nothing of the read's to
        complete, and the generator context manager and that second catch-up were a third of
        a peering read's model time (benchmarks/README.md, issue 13). A timer coming due
        meanwhile fires at the next operation or the served network's own timer check, as
        one coming due just after the read does."""
        if not self.is_up:
            raise ConnectionRefusedError(f"cluster {self.name} is down")
        self.network.catch_up()

    def _authorize(self, token: str | None, level: str) -> None:
        """``peering:<level>`` (``operator:<level>`` decides where no peering rule does). The
        peering service is gRPC: a denial reaches HTTP as the string of an Unknown error, which
        the wrapper answers with 403 for its "Permission denied" / "ACL not found" (spec §8)."""
        try:
            self.acl.require(token, "peering", level)
        except ACLDenied as err:
            raise rpc_error(UNKNOWN, err.message) from None

    def _require_peering_enabled(self) -> None:
        if not self.peering_enabled:
            raise rpc_error(FAILED_PRECONDITION, messages.PEERING_DISABLED)

    def _validate_name_and_meta(self, name: str, meta: dict[str, str] | None) -> None:
        if not is_valid_peer_name(name):
            raise rpc_error(UNKNOWN, messages.invalid_peer_name(name))
        self._validate_meta(meta)

    def _validate_meta(self, meta: dict[str, str] | None) -> None:
        problem = meta_error(meta)
        if problem is not None:
            raise rpc_error(UNKNOWN, messages.META_FAILED.format(problem))

    def _show(self, record: PeeringRecord) -> Peering:
        # Snapshots are frozen, so an unchanged peering hands out the same one (and its cached
        # JSON): listing 10,000 peerings costs lookups, not 10,000 copies (benchmarks/README.md).
        # Unchanged = the same record object with the same ModifyIndex and state (every stored
        # change bumps the index) and the same tracker values.
        key = (record.modify_index, record.state, self.tracker.version(record.id))
        cached = self._snapshots.get(record.id)
        if cached is not None and cached[0] is record and cached[1] == key:
            return cached[2]
        peering = shown(
            record,
            self.tracker.shown_state(record.id, record.state),
            self.tracker.stream_status(record.id),
        )
        if len(self._snapshots) > 2 * len(self.store) + 64:
            self._snapshots.clear()  # now and then, forget the peerings that are gone
        self._snapshots[record.id] = (record, key, peering)
        return peering

    def _write_dialer(
        self,
        existing: PeeringRecord | None,
        name: str,
        token: PeeringToken,
        meta: dict[str, str] | None,
    ) -> PeeringRecord:
        """Establish's first write: the dialer record before the exchange (state unchanged)."""
        record = existing or PeeringRecord(id=_new_id(), name=name, state=PeeringState.PENDING)
        stream = self.network.stream_for(self, record.id)
        connected = stream is not None and stream.connected
        record.peer_id = token.peer_id
        record.peer_ca_pems = list(token.ca or [])
        record.peer_server_name = token.server_name
        if not connected:
            record.peer_server_addresses = list(token.server_addresses or [])
        record.manual_server_addresses = list(token.manual_server_addresses or [])
        record.meta = meta or None
        record.remote = RemoteInfo(
            partition=token.remote_partition, datacenter=token.remote_datacenter
        )
        self.store.write_peering(record)
        return record

    def _exchange_secret(self, token: PeeringToken) -> str:
        """Trade the token's one-time secret for a stream secret at the acceptor."""
        addresses = token.dial_addresses
        remote = self.network.remote_for(addresses)
        if remote is not None:
            return remote.exchange(addresses, token.peer_id, token.establishment_secret)
        acceptor = self.network.reachable_cluster(self, addresses)
        if acceptor is None:
            window = self.network.timing.establish_retry_window
            failures = [messages.exchange_failed(a, messages.dial_refused(a))
                        for a in _exchange_attempts(addresses, window)]
            error = rpc_error(UNKNOWN, multierror(failures))
            error.answer_after = window
            raise error
        accepted = acceptor.store.peering_by_id(token.peer_id)
        secrets = acceptor.store.secrets.get(token.peer_id)
        if (
            accepted is None
            or secrets is None
            or not token.establishment_secret
            or secrets.establishment != token.establishment_secret
        ):
            raise rpc_error(PERMISSION_DENIED, messages.INVALID_ESTABLISHMENT_SECRET)
        stream_secret = _new_id()
        acceptor.store.write_secrets(
            accepted.id,
            PeeringSecrets(pending_stream=stream_secret, active_stream=secrets.active_stream),
        )
        return stream_secret

    def _start_stream(self, record: PeeringRecord, acceptor_peering_id: str) -> None:
        stream = self.network.stream_for(self, record.id)
        if stream is not None:
            if stream.connected:
                # leader_peering.go syncPeeringsAndBlock: a peering whose stream is connected
                # is left alone; the new token's data is used only once that stream ends, even
                # when it names another acceptor peering (a redial reads the stored record).
                return
            stream.close()
        self.redial(record, acceptor_peering_id, self.network.timing.connect_delay)

    def redial(self, record: PeeringRecord, acceptor_peering_id: str, delay: float) -> None:
        """Open the dialer's stream after ``delay``: simulated when the acceptor is a cluster
        of this network, through the network's remote link when it is in another process."""
        remote = self.network.remote_for(record.manual_server_addresses
                                         or record.peer_server_addresses)
        if remote is not None:
            remote.open(self, record.id, delay)
            return
        stream = Stream(self.network, self, record.id, acceptor_peering_id)
        self.network.register_stream(stream)
        stream.schedule_dial(delay)

    def _remover(self, peering_id: str) -> Any:
        def remove(_at: object) -> None:
            record = self.store.peering_by_id(peering_id)
            if record is not None and record.state is PeeringState.DELETING:
                self.store.delete_peering(record)
                self.tracker.delete(peering_id)
                # The deferred deletion also removes everything imported from that peer.
                exports.forget_peer(self.catalog.tables, record.name)

        return remove


class _Operation:
    """``Cluster._operation``, written out as a class: a lifecycle enters nine of them, and
    a generator-based context manager costs about twice as much (benchmarks/README.md)."""

    __slots__ = ("_cluster",)

    def __init__(self, cluster: Cluster) -> None:
        self._cluster = cluster

    def __enter__(self) -> None:
        cluster = self._cluster
        cluster.network.lock.acquire()
        try:
            if not cluster.is_up:
                raise ConnectionRefusedError(f"cluster {cluster.name} is down")
            cluster.network.catch_up()
        except BaseException:
            cluster.network.lock.release()
            raise

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 traceback: TracebackType | None) -> None:
        try:
            if exc_type is None:
                self._cluster.network.catch_up()
        finally:
            self._cluster.network.lock.release()
