"""State-file part of the catalog: nodes, service instances, checks, their indexes, and which
services the agent registered.

Everything is saved, imported rows included, as Consul's raft keeps them: a restarted Consul
server serves what it imported before its streams come back, and keeps serving it while a peer
is down or a link is cut (the ``Links`` part keeps cuts across restarts). This stays consistent
with how exports reconcile (exports.py): when a stream re-dials, the importer's rows for that peer
are made equal to the exporter's snapshot, so a saved row that went stale is corrected at the
first push, and one that is still right is left alone (``same_as``: no index taken, no blocking
query woken). Saving only local rows would empty ``?peer=`` answers until each stream is back and
move every imported table's index at each restart.

Rows keep their own indexes, and the per-table, per-service and "last extinction" indexes are
saved with them, so no index a client has seen ever goes back.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from operator import attrgetter
from typing import Any

from .. import messages
from ..catalog.records import CheckRecord, NodeRecord, ServiceRecord
from ..config import exports
from ..model.cluster import Cluster
from ..model.peering import PeeringState
from .part import (
    ClusterPart,
    SnapshotError,
    check,
    expect_dict,
    index,
    optional,
    require,
    string_list,
    string_map,
)

# --- reading one field: each failure names where it is ----------------------------------------

Reader = Callable[[dict[str, Any], str, str], Any]
Table = tuple[tuple[str, str, Reader], ...]  # (file key, record attribute, reader)


def _name(fields: dict[str, Any], key: str, where: str) -> str:
    value: str = require(fields, key, str, "a string", where)
    if not value:
        raise SnapshotError(messages.state_wrong_type(f"{where}.{key}", "a non-empty string"))
    return value


def _text(fields: dict[str, Any], key: str, where: str) -> str:
    value: str = optional(fields, key, str, "a string", where, "")
    return value


def _number(fields: dict[str, Any], key: str, where: str) -> int:
    value: int = optional(fields, key, int, "a whole number", where, 0)
    return value


def _flag(fields: dict[str, Any], key: str, where: str) -> bool:
    value: bool = optional(fields, key, bool, "true or false", where, False)
    return value


def _object(fields: dict[str, Any], key: str, where: str) -> dict[str, Any]:
    return dict(optional(fields, key, dict, "an object", where, {}))


def _strings_or_null(fields: dict[str, Any], key: str, where: str) -> list[str] | None:
    # null and [] differ (Go's nil slice): kept apart, or a re-dial would see a change.
    return None if fields.get(key) is None else string_list(fields, key, where)


def _weights(fields: dict[str, Any], key: str, where: str) -> tuple[int, int]:
    value = optional(fields, key, dict, "an object", where, {"Passing": 1, "Warning": 1})
    path = f"{where}.{key}"
    return (index(value, "Passing", path), index(value, "Warning", path))


def _service_addresses(
    fields: dict[str, Any], key: str, where: str
) -> dict[str, tuple[str, int]] | None:
    value = optional(fields, key, dict, "an object", where)
    if value is None:
        return None
    addresses = {}
    for name, entry in value.items():
        path = f"{where}.{key}.{name}"
        entry = expect_dict(entry, path)
        address = check(entry.get("Address", ""), str, "a string", f"{path}.Address")
        addresses[name] = (address, _number(entry, "Port", path))
    return addresses


_INDEXES: Table = (
    ("PeerName", "peer_name", _text),
    ("CreateIndex", "create_index", index),
    ("ModifyIndex", "modify_index", index),
)
_NODE_FIELDS: Table = (
    ("Node", "node", _name), ("Address", "address", _text), ("ID", "id", _text),
    ("Datacenter", "datacenter", _text), ("TaggedAddresses", "tagged_addresses", string_map),
    ("Meta", "meta", string_map),
) + _INDEXES
_SERVICE_FIELDS: Table = (
    ("Node", "node", _name), ("ID", "id", _name), ("Service", "service", _name),
    ("Kind", "kind", _text), ("Tags", "tags", _strings_or_null), ("Address", "address", _text),
    ("TaggedAddresses", "tagged_addresses", _service_addresses), ("Meta", "meta", string_map),
    ("Port", "port", _number), ("SocketPath", "socket_path", _text),
    ("Weights", "weights", _weights), ("EnableTagOverride", "enable_tag_override", _flag),
    ("Proxy", "proxy", _object), ("Connect", "connect", _object),
) + _INDEXES
_CHECK_FIELDS: Table = (
    ("Node", "node", _name), ("CheckID", "check_id", _name), ("Name", "name", _text),
    ("Status", "status", _name), ("Notes", "notes", _text), ("Output", "output", _text),
    ("ServiceID", "service_id", _text), ("ServiceName", "service_name", _text),
    ("ServiceTags", "service_tags", _strings_or_null), ("Type", "type", _text),
    ("Interval", "interval", _text), ("Timeout", "timeout", _text),
    ("ExposedPort", "exposed_port", _number), ("Definition", "definition", _object),
) + _INDEXES


# The whole state is dumped after every request: read each row's fields in one C-level call.
_GETTERS: dict[Table, tuple[tuple[str, ...], Callable[[Any], tuple[Any, ...]]]] = {
    table: (tuple(k for k, _, _ in table), attrgetter(*(a for _, a, _ in table)))
    for table in (_NODE_FIELDS, _SERVICE_FIELDS, _CHECK_FIELDS)
}


def _dump_row(record: Any, table: Table) -> dict[str, Any]:
    keys, getter = _GETTERS[table]
    row = dict(zip(keys, getter(record), strict=True))
    if isinstance(record, ServiceRecord):
        row["Weights"] = {"Passing": record.weights[0], "Warning": record.weights[1]}
        if record.tagged_addresses is not None:
            row["TaggedAddresses"] = {k: {"Address": a, "Port": p}
                                      for k, (a, p) in sorted(record.tagged_addresses.items())}
    return row


def _load_rows(
    fields: dict[str, Any], key: str, kind: type[Any],
    table: Table, where: str,
) -> list[Any]:
    rows = []
    seen: set[tuple[str, ...]] = set()
    for number, value in enumerate(require(fields, key, list, "a list", where)):
        path = f"{where}.{key}[{number}]"
        row = expect_dict(value, path)
        record = kind(**{attribute: read(row, name, path) for name, attribute, read in table})
        identity = _identity(record)
        if identity in seen:
            shown = "/".join(part for part in identity if part)
            raise SnapshotError(messages.state_duplicate(f"{where}.{key}", shown))
        seen.add(identity)
        rows.append(record)
    return rows


def _identity(record: Any) -> tuple[str, ...]:
    """The row's key in the catalog (peer, lower-cased node, then service or check ID)."""
    key: tuple[str, ...] = (record.peer_name, record.node.lower())
    if isinstance(record, ServiceRecord):
        key += (record.id,)
    elif isinstance(record, CheckRecord):
        key += (record.check_id,)
    return key


# --- indexes: {peer: {name: index}} ------------------------------------------------------------


def _dump_pairs(values: dict[tuple[str, str], int]) -> dict[str, dict[str, int]]:
    out: dict[str, dict[str, int]] = {}
    for (peer, name), value in sorted(values.items()):
        out.setdefault(peer, {})[name] = value
    return out


def _load_pairs(fields: dict[str, Any], key: str, where: str) -> dict[tuple[str, str], int]:
    pairs = {}
    for peer, names in require(fields, key, dict, "an object", where).items():
        path = f"{where}.{key}[{json.dumps(peer)}]"  # local rows: peer ""
        for name in expect_dict(names, path):
            pairs[(peer, name)] = index(names, name, path)
    return pairs


# --- the part ----------------------------------------------------------------------------------


def _dump_catalog(cluster: Cluster) -> dict[str, Any]:
    catalog = cluster.catalog.tables
    table_index, service_index, extinction = catalog.saved_indexes()
    return {
        "Nodes": [_dump_row(r, _NODE_FIELDS) for _, r in sorted(catalog.nodes_by_key.items())],
        "Services": [_dump_row(r, _SERVICE_FIELDS)
                     for _, r in sorted(catalog.services_by_key.items())],
        "Checks": [_dump_row(r, _CHECK_FIELDS) for _, r in sorted(catalog.checks_by_key.items())],
        "TableIndexes": _dump_pairs(table_index),
        "ServiceIndexes": _dump_pairs(service_index),
        "Extinctions": dict(sorted(extinction.items())),
        # Consul's agent keeps the services registered through it in its data directory and
        # loads them at start: deregistering one after a restart still works.
        "AgentServices": sorted(cluster.catalog._agent_services),
    }


def _catalog_version(cluster: Cluster) -> object:
    # Every transaction that changes a row sets the index of each table it touched to its new
    # raft index, so the highest table index moves; a clear empties them.
    return (cluster.catalog.tables.last_change(), frozenset(cluster.catalog._agent_services))


def _load_catalog(cluster: Cluster, value: Any, where: str) -> None:
    fields = expect_dict(value, where)
    nodes = _load_rows(fields, "Nodes", NodeRecord, _NODE_FIELDS, where)
    services = _load_rows(fields, "Services", ServiceRecord, _SERVICE_FIELDS, where)
    checks = _load_rows(fields, "Checks", CheckRecord, _CHECK_FIELDS, where)
    # Discovery joins each instance to its node: a row on a missing node cannot be served.
    held = {_identity(node) for node in nodes}
    for key, rows in (("Services", services), ("Checks", checks)):
        for number, row in enumerate(rows):
            if _identity(row)[:2] not in held:
                raise SnapshotError(messages.state_no_node(f"{where}.{key}[{number}]", row.node))
    extinctions = require(fields, "Extinctions", dict, "an object", where)
    indexes = (
        _load_pairs(fields, "TableIndexes", where),
        _load_pairs(fields, "ServiceIndexes", where),
        {peer: index(extinctions, peer, f"{where}.Extinctions") for peer in extinctions},
    )
    agent_services = string_list(fields, "AgentServices", where)
    # Replaces the server's own registration that add_cluster just seeded (with an ID made
    # from the cluster's identity before the Identity part put back the saved one).
    cluster.catalog.tables.restore(nodes, services, checks, indexes)
    cluster.catalog._agent_services = set(agent_services)


def _resume_catalog(cluster: Cluster) -> None:
    """Imported rows whose clean-up lived in memory get it back."""
    for peer in sorted(cluster.catalog.tables.peers()):
        record = cluster.store.peering_by_name(peer)
        if record is None:
            # No peering, so no stream will ever reconcile these rows (a hand-edited file).
            exports.forget_peer(cluster.catalog.tables, peer)
        elif record.state is PeeringState.TERMINATED:
            # The peer had said Terminated and the deletion routine's timer was pending. How
            # much of its delay had run is not kept: [uncertain] it starts over, as a
            # restarted leader's routine would pick the peering up again.
            cluster.forget_imports_later(record.id, peer)
        # A DELETING peering's remover (the Peering part re-arms it) forgets its rows.


CLUSTER = (ClusterPart("Catalog", _dump_catalog, _load_catalog, _resume_catalog,
                       version=_catalog_version),)
