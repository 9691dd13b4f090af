"""One cluster's state store: the peerings and secrets tables and the raft-like index.

Every write takes the next index of the cluster (Consul's raft index is shared by all tables) and
wakes the blocking queries, which re-evaluate their own index and go back to sleep if it did not
move. The network's lock guards the tables; the store's own lock only guards the index against a
sleeper's check, and the wake-up.

A state file saves a peering only when it changed: once asked (``take_changes``), the store
keeps the IDs of the peerings whose record or secrets were written since the last time it was
asked. Until then it keeps nothing, so a network without a state file grows no list.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass

from .peering import PeeringRecord

# A fresh dev agent has already applied a few raft entries (CA roots, autopilot, its own catalog
# registration) before the first peering: indexes start above 1 so ``?index=1`` (what a client
# gets back for an empty table) is woken by the first write.
INITIAL_INDEX = 15


@dataclass
class PeeringSecrets:
    """Consul's peering_secrets table: the acceptor's one-time and stream secrets."""

    establishment: str = ""
    pending_stream: str = ""
    active_stream: str = ""


class Store:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        # Made by the first blocking query that sleeps: most stores never see one, and a write
        # with nobody asleep has nobody to wake (a Condition's own methods are Python code,
        # called twice per write before; benchmarks/README.md).
        self._changed: threading.Condition | None = None
        self._sleepers = 0
        self.index = INITIAL_INDEX
        self.peering_table_index = 0
        self._by_name: dict[str, PeeringRecord] = {}
        self._by_id: dict[str, PeeringRecord] = {}
        self.secrets: dict[str, PeeringSecrets] = {}
        # Dialer side: the stream secret each dialer record presents when it opens its stream.
        self.dialer_stream_secrets: dict[str, str] = {}
        # Called after every write, from the writing thread: a server that holds blocked
        # requests without a thread each re-evaluates them from here (serve/watchers.py).
        self._listeners: list[Callable[[], None]] = []
        self._changed_ids: set[str] | None = None  # None: nobody saves this store

    # --- reads -------------------------------------------------------------------------------

    def peering_by_name(self, name: str) -> PeeringRecord | None:
        return self._by_name.get(name.lower())

    def peering_by_id(self, peering_id: str) -> PeeringRecord | None:
        return self._by_id.get(peering_id)

    def peerings(self) -> list[PeeringRecord]:
        # memdb's name index is case-insensitive: the list comes out by lower-cased name.
        return [self._by_name[key] for key in sorted(self._by_name)]

    def __len__(self) -> int:
        return len(self._by_name)

    # --- writes ------------------------------------------------------------------------------

    def _next_index(self) -> int:
        with self._lock:
            self.index += 1
            return self.index

    def _notify(self) -> None:
        # Under the lock: a sleeper is either asleep already, or checks the index after it moved.
        with self._lock:
            if self._sleepers and self._changed is not None:
                self._changed.notify_all()
        for listener in tuple(self._listeners):
            listener()

    def on_change(self, listener: Callable[[], None]) -> None:
        """Call ``listener`` (from the writing thread; it must not block) after each write."""
        self._listeners.append(listener)

    def off_change(self, listener: Callable[[], None]) -> None:
        if listener in self._listeners:
            self._listeners.remove(listener)

    def _mark(self, peering_id: str) -> None:
        if self._changed_ids is not None:
            self._changed_ids.add(peering_id)

    def take_changes(self) -> set[str]:
        """IDs of the peerings whose record or secrets were written (or removed) since the
        last call; the first call starts the recording and returns nothing."""
        changed, self._changed_ids = self._changed_ids or set(), set()
        return changed

    # Other tables (catalog, config entries) share the raft index: they take one per write
    # and wake the blocking queries when done.
    def next_index(self) -> int:
        return self._next_index()

    def notify(self) -> None:
        self._notify()

    def write_peering(self, record: PeeringRecord) -> None:
        index = self._next_index()
        if record.id not in self._by_id:
            record.create_index = index
        record.modify_index = index
        self.peering_table_index = index
        old = self._by_id.get(record.id)
        if old is not None and old.name.lower() != record.name.lower():
            del self._by_name[old.name.lower()]
        self._by_id[record.id] = record
        self._by_name[record.name.lower()] = record
        self._mark(record.id)
        if not record.is_active:
            # Consul wipes the secrets of a peering that is deleted or terminated.
            self.secrets.pop(record.id, None)
            self.dialer_stream_secrets.pop(record.id, None)
        self._notify()

    def write_elsewhere(self) -> int:
        """Take the next index for a write to a table kept outside this store (the ACL tables:
        Consul's raft index is shared by all of them) and wake the blocking queries."""
        index = self._next_index()
        self._notify()
        return index

    def write_secrets(self, peering_id: str, secrets: PeeringSecrets) -> None:
        self._next_index()
        self.secrets[peering_id] = secrets
        self._mark(peering_id)
        self._notify()

    def delete_peering(self, record: PeeringRecord) -> None:
        self.peering_table_index = self._next_index()
        self._mark(record.id)
        self._by_id.pop(record.id, None)
        self._by_name.pop(record.name.lower(), None)
        self.secrets.pop(record.id, None)
        self.dialer_stream_secrets.pop(record.id, None)
        self._notify()

    def clear(self) -> None:
        """Empty every table; the index keeps growing, as a client that blocks expects."""
        self.peering_table_index = self._next_index()
        for peering_id in [*self._by_id, *self.secrets, *self.dialer_stream_secrets]:
            self._mark(peering_id)
        self._by_name.clear()
        self._by_id.clear()
        self.secrets.clear()
        self.dialer_stream_secrets.clear()
        self._notify()

    def restore(self, records: list[PeeringRecord], *, index: int, table_index: int) -> None:
        """Put back saved peerings with their own indexes (a state file loading); no index moves.

        Secrets are restored by the caller into ``secrets`` and ``dialer_stream_secrets``.
        """
        self._by_name = {r.name.lower(): r for r in records}
        self._by_id = {r.id: r for r in records}
        self.index = index
        self.peering_table_index = table_index
        self._notify()

    # --- blocking ----------------------------------------------------------------------------

    def wait_for_change(self, seen_index: int, timeout: float) -> None:
        """Sleep until a write moves the index past ``seen_index`` or ``timeout`` seconds pass.

        Real time, not model time: a blocking query's ``wait`` is what the client measures.
        Holds no lock of the network while sleeping.
        """
        with self._lock:
            if self.index == seen_index and timeout > 0:
                if self._changed is None:
                    self._changed = threading.Condition(self._lock)
                self._sleepers += 1
                try:
                    self._changed.wait(timeout)
                finally:
                    self._sleepers -= 1
