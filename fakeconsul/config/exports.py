"""What a cluster exports to each peer (spec §9.2) and what the importer stores (§9.3).

Replication is snapshot reconciliation, as Consul's peer stream does it: each push computes the
exporter's export list and health view for that peer and makes the importer's catalog rows for
the peer equal to it (one raft index when anything changes, none when nothing does). This module
computes both sides from a cluster's config entries and catalog tables; when a push happens is
the stream's and the cluster's business (``model/stream.py``, ``model/cluster.py``).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from ..catalog.records import (
    VIRTUAL_IP_TAG,
    CheckRecord,
    NodeRecord,
    ServiceRecord,
    aggregate_status,
)
from ..catalog.store import LOCAL, Catalog
from .entries import ConfigEntries

WILDCARD = "*"
# The servers' own service is never exported, even when named.
CONSUL_SERVICE = "consul"
OVERALL_CHECK = "overall-check"


def exportable(instance: ServiceRecord) -> bool:
    """Only typical services cross a peering: proxies and gateways stay home."""
    return instance.is_typical and not instance.service.endswith("-sidecar-proxy")


def _local_exportable_names(catalog: Catalog) -> set[str]:
    return {s.service for s in catalog.services(LOCAL) if exportable(s)}


@dataclass(frozen=True)
class ResolvedExport:
    """One row of ``/v1/exported-services``."""

    service: str
    peers: tuple[str, ...]
    partitions: tuple[str, ...]


def resolved_exports(entries: ConfigEntries, catalog: Catalog) -> list[ResolvedExport]:
    """Every exported service with its consumers, wildcards expanded, sorted by name."""
    entry = entries.exported_services()
    if entry is None:
        return []
    registered = _local_exportable_names(catalog)
    peers: dict[str, set[str]] = {}
    partitions: dict[str, set[str]] = {}
    for exported in entry.services:
        names = registered if exported.name == WILDCARD else {exported.name}
        for name in names - {CONSUL_SERVICE}:
            peers.setdefault(name, set())
            partitions.setdefault(name, set())
            for consumer in exported.consumers:
                if consumer.peer:
                    peers[name].add(consumer.peer)
                if consumer.partition:
                    partitions[name].add(consumer.partition)
    return [
        ResolvedExport(name, tuple(sorted(peers[name])), tuple(sorted(partitions[name])))
        for name in sorted(peers)
    ]


def exported_names(entries: ConfigEntries, catalog: Catalog, peer_name: str) -> tuple[str, ...]:
    """The sorted service names exported to the peering ``peer_name``: explicitly named
    services even without instances, ``*`` as the typical services registered now."""
    return tuple(e.service for e in resolved_exports(entries, catalog) if peer_name in e.peers)


# --- what the importer stores ----------------------------------------------------------------

Rows = tuple[
    dict[str, NodeRecord], dict[tuple[str, str], ServiceRecord], dict[tuple[str, str], CheckRecord]
]


def snapshot(exporter: Catalog, names: tuple[str, ...], as_peer: str) -> Rows:
    """The exporter's health view of ``names`` as the importer stores it under ``as_peer``."""
    nodes: dict[str, NodeRecord] = {}
    services: dict[tuple[str, str], ServiceRecord] = {}
    checks: dict[tuple[str, str], CheckRecord] = {}
    for name in names:
        instances, _ = exporter.instances(name, LOCAL)
        for node, instance in instances:
            if not exportable(instance):
                continue
            key = node.node.lower()
            nodes[key] = replace(node, peer_name=as_peer, create_index=0, modify_index=0)
            addresses = {
                k: v for k, v in (instance.tagged_addresses or {}).items() if k != VIRTUAL_IP_TAG
            }
            services[(key, instance.id)] = replace(
                instance, kind="", proxy={}, connect={}, tagged_addresses=addresses or None,
                peer_name=as_peer, create_index=0, modify_index=0,
            )
            own = exporter.checks_of(instance)
            if own:
                # Consul flattens every node and service check into one synthetic check.
                check_id = f"{instance.id}:{OVERALL_CHECK}"
                checks[(key, check_id)] = CheckRecord(
                    node=node.node, check_id=check_id, name=OVERALL_CHECK,
                    status=aggregate_status(own), service_id=instance.id,
                    service_name=instance.service, service_tags=instance.tags,
                    peer_name=as_peer,
                )
    return nodes, services, checks


def reconcile(catalog: Catalog, peer: str, rows: Rows) -> bool:
    """Make the importer's rows for ``peer`` equal ``rows``; True when anything changed."""
    nodes, services, checks = rows
    with catalog.transaction() as txn:
        for (p, node, check_id), _ in list(catalog.checks_by_key.items()):
            if p == peer and (node, check_id) not in checks:
                txn.delete_check(peer, node, check_id)
        for (p, node, service_id), _ in list(catalog.services_by_key.items()):
            if p == peer and (node, service_id) not in services:
                txn.delete_service(peer, node, service_id)
        for (p, node), _ in list(catalog.nodes_by_key.items()):
            if p == peer and node not in nodes:
                txn.delete_node(peer, node)
        for node_record in nodes.values():
            txn.put_node(replace(node_record))
        for service_record in services.values():
            txn.put_service(replace(service_record))
        for check_record in checks.values():
            txn.put_check(replace(check_record))
    return txn.changed


def forget_peer(catalog: Catalog, peer_name: str) -> None:
    """The deletion routine: every row imported from ``peer_name`` goes (peer names compare
    case-insensitively, as the deleting URL may change a peering name's case)."""
    peers = {p for p in catalog.peers() if p.lower() == peer_name.lower()}
    for peer in peers:
        reconcile(catalog, peer, ({}, {}, {}))
