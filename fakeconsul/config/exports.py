"""What a cluster exports to each peer (spec §9.2) and how the stream carries it (§9.3).

Replication is snapshot reconciliation, as Consul's peer stream does it: each push computes the
exporter's export list and health view for that peer and makes the importer's catalog rows for
the peer equal to it (one raft index when anything changes, none when nothing does). A push
happens when a stream connects (the importer reconciles to the current snapshot), when a link
that was cut comes back, and one stream event after any local change on the exporter (a
zero-delay timer on the network's clock). Nothing is pushed over a stream that is not connected,
whose link is cut, or whose clusters are not both up.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import TYPE_CHECKING

from ..catalog.records import (
    VIRTUAL_IP_TAG,
    CheckRecord,
    NodeRecord,
    ServiceRecord,
    aggregate_status,
)
from ..catalog.store import LOCAL
from ..model.peering import PeeringState

if TYPE_CHECKING:
    from ..model.cluster import Cluster
    from ..model.stream import Stream

WILDCARD = "*"
# The servers' own service is never exported, even when named.
CONSUL_SERVICE = "consul"
OVERALL_CHECK = "overall-check"


def exportable(instance: ServiceRecord) -> bool:
    """Only typical services cross a peering: proxies and gateways stay home."""
    return instance.is_typical and not instance.service.endswith("-sidecar-proxy")


def _local_exportable_names(cluster: Cluster) -> set[str]:
    return {s.service for s in cluster.catalog.services(LOCAL) if exportable(s)}


@dataclass(frozen=True)
class ResolvedExport:
    """One row of ``/v1/exported-services``."""

    service: str
    peers: tuple[str, ...]
    partitions: tuple[str, ...]


def resolved_exports(cluster: Cluster) -> list[ResolvedExport]:
    """Every exported service with its consumers, wildcards expanded, sorted by name."""
    entry = cluster.config_entries.exported_services()
    if entry is None:
        return []
    registered = _local_exportable_names(cluster)
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


def exported_names(cluster: Cluster, peer_name: str) -> tuple[str, ...]:
    """The sorted service names ``cluster`` exports to its peering ``peer_name``: explicitly
    named services even without instances, ``*`` as the typical services registered now."""
    return tuple(e.service for e in resolved_exports(cluster) if peer_name in e.peers)


# --- what the importer stores ----------------------------------------------------------------

Rows = tuple[
    dict[str, NodeRecord], dict[tuple[str, str], ServiceRecord], dict[tuple[str, str], CheckRecord]
]


def snapshot(exporter: Cluster, names: tuple[str, ...], as_peer: str) -> Rows:
    """The exporter's health view of ``names`` as the importer stores it under ``as_peer``."""
    nodes: dict[str, NodeRecord] = {}
    services: dict[tuple[str, str], ServiceRecord] = {}
    checks: dict[tuple[str, str], CheckRecord] = {}
    for name in names:
        instances, _ = exporter.catalog.instances(name, LOCAL)
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
            own = exporter.catalog.checks_of(instance)
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


def reconcile(importer: Cluster, peer: str, rows: Rows) -> bool:
    """Make the importer's rows for ``peer`` equal ``rows``; True when anything changed."""
    nodes, services, checks = rows
    catalog = importer.catalog
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


def forget_peer(cluster: Cluster, peer_name: str) -> None:
    """The deletion routine: every row imported from ``peer_name`` goes (peer names compare
    case-insensitively, as the deleting URL may change a peering name's case)."""
    peers = {p for p in cluster.catalog.peers() if p.lower() == peer_name.lower()}
    for peer in peers:
        reconcile(cluster, peer, ({}, {}, {}))


# --- the stream --------------------------------------------------------------------------------


def _carries(stream: Stream) -> bool:
    acceptor = stream.acceptor
    return (
        stream.connected
        and not stream.link_lost
        and acceptor is not None
        and stream.network.can_reach(stream.dialer, acceptor)
    )


def push(stream: Stream, exporter: Cluster, at: datetime) -> None:
    """One direction of the stream: ``exporter``'s exports reach the other end."""
    if not _carries(stream):
        return
    acceptor = stream.acceptor
    assert acceptor is not None
    ends = [(stream.dialer, stream.dialer_peering_id), (acceptor, stream.acceptor_peering_id)]
    if exporter is not stream.dialer:
        ends.reverse()
    (_, exporter_id), (importer, importer_id) = ends
    exporter_record = exporter.store.peering_by_id(exporter_id)
    importer_record = importer.store.peering_by_id(importer_id)
    sent, received = exporter.tracker.get(exporter_id), importer.tracker.get(importer_id)
    if exporter_record is None or importer_record is None or sent is None or received is None:
        return
    names = exported_names(exporter, exporter_record.name)
    rows = snapshot(exporter, names, importer_record.name)
    changed = reconcile(importer, importer_record.name, rows)
    if changed or sent.exported_services != names or received.imported_services != names:
        sent.last_send_success = at
        received.last_recv_resource = at
    sent.exported_services = names
    received.imported_services = names


def sync_both_ways(stream: Stream, at: datetime) -> None:
    """A stream opened (or its link came back): each side sends its export list and snapshot."""
    push(stream, stream.dialer, at)
    if stream.acceptor is not None:
        push(stream, stream.acceptor, at)


def sync_from(cluster: Cluster, at: datetime) -> None:
    """Push ``cluster``'s exports over every stream it takes part in."""
    for record in cluster.store.peerings():
        stream = cluster.network.stream_for(cluster, record.id)
        if stream is not None:
            push(stream, cluster, at)


def exports_changed(cluster: Cluster) -> None:
    """A local write may change what ``cluster`` exports: push within one stream event."""
    if cluster.export_sync_pending:
        return
    cluster.export_sync_pending = True

    def run(at: datetime) -> None:
        cluster.export_sync_pending = False
        if cluster.is_up:
            sync_from(cluster, at)

    cluster.network.schedule(0, run)


def clean_up_terminated(cluster: Cluster, peering_id: str, peer_name: str) -> None:
    """The peer said Terminated: the deletion routine removes what was imported from it
    (after ``deletion_delay``, unless the peering came back to life meanwhile)."""

    def run(_at: datetime) -> None:
        record = cluster.store.peering_by_id(peering_id)
        if record is None or record.state in (PeeringState.TERMINATED, PeeringState.DELETING):
            forget_peer(cluster, peer_name)

    cluster.network.schedule(cluster.network.timing.deletion_delay, run)
