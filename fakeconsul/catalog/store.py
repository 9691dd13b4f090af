"""One cluster's catalog tables: nodes, service instances and checks, local and imported.

Rows are keyed by peer name first ("" for local entries), as Consul's memdb indexes are, so a
query without ``?peer=`` never sees imported rows. Every change made in one ``Txn`` takes one raft
index from the cluster's store (the index all tables share) and wakes blocking queries, like one
raft apply. A transaction that changes nothing takes no index.

Indexes a blocking query waits on follow Consul's state store: a table index per peer for node
and service lists; per service name, the index of the last change to any of its instances or
their checks; once the last instance is gone, the peer's "last extinction" index.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from ..model.store import Store
from .records import CheckRecord, NodeRecord, ServiceRecord

LOCAL = ""
_TABLES = ("nodes", "services", "checks")

NodeKey = tuple[str, str]  # (peer, lower-cased node name)
RowKey = tuple[str, str, str]  # (peer, lower-cased node name, service or check ID)


class Catalog:
    def __init__(self, store: Store) -> None:
        self._store = store
        self.nodes_by_key: dict[NodeKey, NodeRecord] = {}
        self.services_by_key: dict[RowKey, ServiceRecord] = {}
        self.checks_by_key: dict[RowKey, CheckRecord] = {}
        self._table_index: dict[tuple[str, str], int] = {}
        self._service_index: dict[tuple[str, str], int] = {}
        self._extinction: dict[str, int] = {}

    # --- reads -------------------------------------------------------------------------------

    def node(self, name: str, peer: str = LOCAL) -> NodeRecord | None:
        return self.nodes_by_key.get((peer, name.lower()))

    def service(self, node: str, service_id: str, peer: str = LOCAL) -> ServiceRecord | None:
        return self.services_by_key.get((peer, node.lower(), service_id))

    def nodes(self, peer: str = LOCAL) -> tuple[list[NodeRecord], int]:
        found = [n for (p, _), n in sorted(self.nodes_by_key.items()) if p == peer]
        return found, self._table_index.get((peer, "nodes"), 0)

    def services(self, peer: str = LOCAL) -> list[ServiceRecord]:
        """Every instance of ``peer`` in memdb's order: by node, then service ID."""
        return [s for (p, _, _), s in sorted(self.services_by_key.items()) if p == peer]

    def service_tags(self, peer: str = LOCAL) -> tuple[dict[str, list[str]], int]:
        """``/v1/catalog/services``: each service name with the union of its tags.

        Go collects the tags in a map, so their order is random; the fake sorts them.
        """
        tags: dict[str, set[str]] = {}
        for instance in self.services(peer):
            tags.setdefault(instance.service, set()).update(instance.tags or ())
        listing = {name: sorted(tags[name]) for name in sorted(tags)}
        return listing, self._table_index.get((peer, "services"), 0)

    def instances(
        self, name: str, peer: str = LOCAL
    ) -> tuple[list[tuple[NodeRecord, ServiceRecord]], int]:
        """The instances of service ``name`` with their nodes, and the service's index."""
        found = []
        for instance in self.services(peer):
            if instance.service.lower() == name.lower():
                node = self.node(instance.node, peer)
                assert node is not None
                found.append((node, instance))
        return found, self.service_index(name, peer)

    def checks_of(self, instance: ServiceRecord) -> list[CheckRecord]:
        """Node checks first, then the instance's own, each by check ID (parseCheckServiceNodes)."""
        peer, node = instance.peer_name, instance.node.lower()
        mine = [c for (p, n, _), c in sorted(self.checks_by_key.items()) if (p, n) == (peer, node)]
        return [c for c in mine if not c.service_id] + [
            c for c in mine if c.service_id == instance.id
        ]

    def node_checks(self, node: str, peer: str = LOCAL) -> list[CheckRecord]:
        key = (peer, node.lower())
        return [c for (p, n, _), c in sorted(self.checks_by_key.items()) if (p, n) == key]

    def service_index(self, name: str, peer: str = LOCAL) -> int:
        index = self._service_index.get((peer, name.lower()))
        if index is not None:
            return index
        if peer in self._extinction:
            return self._extinction[peer]
        return max((self._table_index.get((peer, t), 0) for t in _TABLES), default=0)

    def table_index(self, peer: str, table: str) -> int:
        return self._table_index.get((peer, table), 0)

    def imported_index(self) -> int:
        """The latest change to any imported service table, gone peers included."""
        return max(
            (i for (peer, table), i in self._table_index.items()
             if peer != LOCAL and table == "services"),
            default=0,
        )

    def last_change(self) -> tuple[int, int]:
        """(how many table indexes, the highest): moves at every change to any row."""
        return len(self._table_index), max(self._table_index.values(), default=0)

    def peers(self) -> set[str]:
        """Peer names that imported rows are tagged with."""
        return {peer for peer, _ in self.nodes_by_key if peer != LOCAL}

    # --- writes ------------------------------------------------------------------------------

    @contextmanager
    def transaction(self) -> Iterator[Txn]:
        txn = Txn(self)
        yield txn
        txn.commit()

    def seed(self, node: NodeRecord, service: ServiceRecord, check: CheckRecord) -> None:
        """The server's own registration, written before any client call: it takes the
        store's current index and moves nothing (the store's INITIAL_INDEX covers it)."""
        index = self._store.index
        for record in (node, service, check):
            record.create_index = record.modify_index = index
        self.nodes_by_key[(LOCAL, node.node.lower())] = node
        self.services_by_key[(LOCAL, node.node.lower(), service.id)] = service
        self.checks_by_key[(LOCAL, node.node.lower(), check.check_id)] = check
        for table in _TABLES:
            self._table_index[(LOCAL, table)] = index
        self._service_index[(LOCAL, service.service.lower())] = index

    def saved_indexes(
        self,
    ) -> tuple[dict[tuple[str, str], int], dict[tuple[str, str], int], dict[str, int]]:
        """Copies of the (peer, table), (peer, service) and per-peer extinction indexes: what
        a state file keeps beside the rows."""
        return dict(self._table_index), dict(self._service_index), dict(self._extinction)

    def restore(
        self,
        nodes: list[NodeRecord],
        services: list[ServiceRecord],
        checks: list[CheckRecord],
        indexes: tuple[dict[tuple[str, str], int], dict[tuple[str, str], int], dict[str, int]],
    ) -> None:
        """Put back saved rows and indexes as they were (a state file loading); no index
        moves and no query wakes: the indexes are the ones clients already saw."""
        self.nodes_by_key = {(n.peer_name, n.node.lower()): n for n in nodes}
        self.services_by_key = {(s.peer_name, s.node.lower(), s.id): s for s in services}
        self.checks_by_key = {(c.peer_name, c.node.lower(), c.check_id): c for c in checks}
        table_index, service_index, extinction = indexes
        self._table_index = dict(table_index)
        self._service_index = dict(service_index)
        self._extinction = dict(extinction)

    def clear(self) -> None:
        self.nodes_by_key.clear()
        self.services_by_key.clear()
        self.checks_by_key.clear()
        self._table_index.clear()
        self._service_index.clear()
        self._extinction.clear()


class Txn:
    """Changes applied at one index, taken only when something really changes."""

    def __init__(self, catalog: Catalog) -> None:
        self.catalog = catalog
        self.index = 0
        self._touched_tables: set[tuple[str, str]] = set()
        self._touched_services: set[tuple[str, str]] = set()

    @property
    def changed(self) -> bool:
        return self.index != 0

    def _take_index(self) -> int:
        if self.index == 0:
            self.index = self.catalog._store.next_index()
        return self.index

    def _touch_node_services(self, peer: str, node: str) -> None:
        for (p, n, _), instance in self.catalog.services_by_key.items():
            if (p, n) == (peer, node.lower()):
                self._touched_services.add((p, instance.service.lower()))

    def _upsert(self, table: dict[Any, Any], key: Any, record: Any) -> tuple[bool, Any]:
        """Store ``record`` under ``key`` with memdb's indexes; (False, old) when it is the same
        as what is stored, so an unchanged row takes no index and wakes nobody."""
        old = table.get(key)
        if old is not None and old.same_as(record):
            return False, old
        index = self._take_index()
        record.create_index = old.create_index if old is not None else index
        record.modify_index = index
        table[key] = record
        return True, old

    def put_node(self, record: NodeRecord) -> None:
        key = (record.peer_name, record.node.lower())
        changed, _ = self._upsert(self.catalog.nodes_by_key, key, record)
        if not changed:
            return
        self._touched_tables.add((record.peer_name, "nodes"))
        # Consul moves the index of every service on a node whose node record changed.
        self._touch_node_services(record.peer_name, record.node)

    def put_service(self, record: ServiceRecord) -> None:
        key = (record.peer_name, record.node.lower(), record.id)
        changed, old = self._upsert(self.catalog.services_by_key, key, record)
        if not changed:
            return
        self._touched_tables.add((record.peer_name, "services"))
        self._touched_services.add((record.peer_name, record.service.lower()))
        if old is not None:
            self._touched_services.add((old.peer_name, old.service.lower()))

    def put_check(self, record: CheckRecord) -> None:
        key = (record.peer_name, record.node.lower(), record.check_id)
        if self._upsert(self.catalog.checks_by_key, key, record)[0]:
            self._touch_check(record)

    def _touch_check(self, record: CheckRecord) -> None:
        self._touched_tables.add((record.peer_name, "checks"))
        if record.service_name:
            self._touched_services.add((record.peer_name, record.service_name.lower()))
        elif not record.service_id:
            self._touch_node_services(record.peer_name, record.node)

    def delete_check(self, peer: str, node: str, check_id: str) -> None:
        record = self.catalog.checks_by_key.pop((peer, node.lower(), check_id), None)
        if record is not None:
            self._take_index()
            self._touch_check(record)

    def delete_service(self, peer: str, node: str, service_id: str) -> None:
        record = self.catalog.services_by_key.pop((peer, node.lower(), service_id), None)
        if record is None:
            return
        self._take_index()
        self._touched_tables.add((peer, "services"))
        self._touched_services.add((peer, record.service.lower()))
        for key, check in list(self.catalog.checks_by_key.items()):
            if key[:2] == (peer, node.lower()) and check.service_id == service_id:
                self.delete_check(peer, node, check.check_id)

    def delete_node(self, peer: str, node: str) -> None:
        if (peer, node.lower()) not in self.catalog.nodes_by_key:
            return
        self._take_index()
        for key, instance in list(self.catalog.services_by_key.items()):
            if key[:2] == (peer, node.lower()):
                self.delete_service(peer, node, instance.id)
        for key, check in list(self.catalog.checks_by_key.items()):
            if key[:2] == (peer, node.lower()):
                self.delete_check(peer, node, check.check_id)
        del self.catalog.nodes_by_key[(peer, node.lower())]
        self._touched_tables.add((peer, "nodes"))

    def commit(self) -> None:
        if not self.changed:
            return
        catalog, index = self.catalog, self.index
        for key in self._touched_tables:
            catalog._table_index[key] = index
        alive = {(s.peer_name, s.service.lower()) for s in catalog.services_by_key.values()}
        for key in self._touched_services:
            if key in alive:
                catalog._service_index[key] = index
            elif catalog._service_index.pop(key, None) is not None:
                catalog._extinction[key[0]] = index
        catalog._store.notify()
