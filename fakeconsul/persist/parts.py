"""The built-in parts of a state document: clock, timing, links; each cluster's identity and
peering tables.

What is saved is what Consul keeps on disk (raft: peerings, secrets, indexes; the CA), plus the
fake's own world (clock offset, timing, cut links). What Consul keeps only in the leader's memory
(the stream tracker, open streams, heartbeat timers) is rebuilt on load the way a restarted
leader rebuilds it: each dialer re-dials its established peerings, and each DELETING peering is
removed when its deletion delay runs out. A restart brings every cluster up, as restarting its
agents would.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from .. import messages
from ..model.clock import ManualClock, SystemClock
from ..model.cluster import Cluster
from ..model.network import Network
from ..model.peering import Locality, PeeringRecord, PeeringState, RemoteInfo
from ..model.store import PeeringSecrets
from ..model.timing import TIMING_FIELDS, timing_to_api
from . import peering_rows
from .part import (
    ClusterPart,
    NetworkPart,
    Rows,
    SnapshotError,
    check,
    expect_dict,
    index,
    moment,
    optional,
    require,
    string_list,
    string_map,
    write_moment,
)

# --- network-wide ----------------------------------------------------------------------------


def _dump_clock(network: Network) -> dict[str, Any]:
    clock = network.clock
    offset = clock.offset.total_seconds() if isinstance(clock, SystemClock) else 0.0
    kind = "system" if isinstance(clock, SystemClock) else "manual"
    return {"Kind": kind, "Now": write_moment(clock.now()), "OffsetSeconds": offset}


def _clock_version(network: Network) -> object:
    # A system clock's Now ticks by itself; what a restart needs is its offset.
    clock = network.clock
    if isinstance(clock, SystemClock):
        return ("system", clock.offset)
    return ("manual", clock.now())


def _load_clock(network: Network, value: Any, where: str) -> None:
    fields = expect_dict(value, where)
    clock = network.clock
    if isinstance(clock, SystemClock):
        offset = require(fields, "OffsetSeconds", (int, float), "a number", where)
        clock.offset = timedelta(seconds=offset)
    elif isinstance(clock, ManualClock):
        saved = moment(fields, "Now", where)
        if saved is not None and saved > clock.now():
            clock.set(saved)  # a manual clock never goes back


def _dump_timing(network: Network) -> dict[str, float]:
    return timing_to_api(network.timing)


def _load_timing(network: Network, value: Any, where: str) -> None:
    fields = expect_dict(value, where)
    changes = {}
    for key, name in TIMING_FIELDS.items():
        if key not in fields:
            continue
        positive = name == "heartbeat_interval"
        expected = "a number of seconds > 0" if positive else "a number of seconds >= 0"
        seconds = require(fields, key, (int, float), expected, where)
        if not 0 <= seconds < float("inf") or (positive and seconds == 0):
            raise SnapshotError(messages.state_wrong_type(f"{where}.{key}", expected))
        changes[name] = seconds
    network.timing.update(**changes)


def _dump_links(network: Network) -> dict[str, Any]:
    return {"Disconnected": [list(pair) for pair in network.disconnected_pairs()]}


def _load_links(network: Network, value: Any, where: str) -> None:
    fields = expect_dict(value, where)
    pairs = optional(fields, "Disconnected", list, "a list of pairs", where, [])
    for number, pair in enumerate(pairs):
        path = f"{where}.Disconnected[{number}]"
        check(pair, list, "a pair of cluster names", path)
        if len(pair) != 2 or not all(isinstance(n, str) and n in network for n in pair):
            raise SnapshotError(messages.state_wrong_type(path, "a pair of cluster names"))
        network.disconnect(pair[0], pair[1])


# --- per cluster -----------------------------------------------------------------------------


def _dump_identity(cluster: Cluster) -> dict[str, Any]:
    return {
        "ID": cluster.id,
        "CAPem": cluster.ca_pem,
        "PeeringEnabled": cluster.peering_enabled,
        "Addresses": cluster.network.addresses_of(cluster),
    }


def _load_identity(cluster: Cluster, value: Any, where: str) -> None:
    fields = expect_dict(value, where)
    cluster.id = require(fields, "ID", str, "a string", where)
    cluster.trust_domain = f"{cluster.id}.consul"
    cluster.server_name = f"server.{cluster.name}.peering.{cluster.trust_domain}"
    cluster.ca_pem = require(fields, "CAPem", str, "a PEM string", where)
    cluster.peering_enabled = optional(fields, "PeeringEnabled", bool, "true or false", where,
                                       True)
    for address in string_list(fields, "Addresses", where):
        # Tokens and dialer records name these: they keep leading here after a restart on
        # other ports, unless another cluster is now served there.
        if cluster.network.resolve(address) is None:
            cluster.network.register_address(address, cluster)


def _dump_record(record: PeeringRecord) -> dict[str, Any]:
    remote: dict[str, Any] = {
        "Partition": record.remote.partition, "Datacenter": record.remote.datacenter,
    }
    if record.remote.locality is not None:
        remote["Locality"] = {
            "Region": record.remote.locality.region, "Zone": record.remote.locality.zone,
        }
    return {
        "ID": record.id,
        "Name": record.name,
        "State": record.state.value,
        "Meta": record.meta,
        "Partition": record.partition,
        "DeletedAt": write_moment(record.deleted_at),
        "PeerID": record.peer_id,
        "PeerCAPems": record.peer_ca_pems,
        "PeerServerName": record.peer_server_name,
        "PeerServerAddresses": record.peer_server_addresses,
        "ManualServerAddresses": record.manual_server_addresses,
        "Remote": remote,
        "CreateIndex": record.create_index,
        "ModifyIndex": record.modify_index,
    }


_STATES = ", ".join(s.value for s in PeeringState)


def _load_record(value: Any, where: str) -> PeeringRecord:
    fields = expect_dict(value, where)
    state_name = require(fields, "State", str, f"one of {_STATES}", where)
    if state_name not in PeeringState.__members__:
        raise SnapshotError(messages.state_wrong_type(f"{where}.State", f"one of {_STATES}"))
    remote_fields = expect_dict(fields.get("Remote") or {}, f"{where}.Remote")
    locality = optional(remote_fields, "Locality", dict, "an object", f"{where}.Remote")
    remote = RemoteInfo(
        partition=optional(remote_fields, "Partition", str, "a string", f"{where}.Remote", ""),
        datacenter=optional(remote_fields, "Datacenter", str, "a string", f"{where}.Remote", ""),
        locality=None if locality is None else Locality(
            region=str(locality.get("Region", "")), zone=str(locality.get("Zone", ""))
        ),
    )
    return PeeringRecord(
        id=require(fields, "ID", str, "a string", where),
        name=require(fields, "Name", str, "a string", where),
        state=PeeringState(state_name),
        meta=string_map(fields, "Meta", where),
        partition=optional(fields, "Partition", str, "a string", where, ""),
        deleted_at=moment(fields, "DeletedAt", where),
        peer_id=optional(fields, "PeerID", str, "a string", where, ""),
        peer_ca_pems=string_list(fields, "PeerCAPems", where),
        peer_server_name=optional(fields, "PeerServerName", str, "a string", where, ""),
        peer_server_addresses=string_list(fields, "PeerServerAddresses", where),
        manual_server_addresses=string_list(fields, "ManualServerAddresses", where),
        remote=remote,
        create_index=index(fields, "CreateIndex", where),
        modify_index=index(fields, "ModifyIndex", where),
    )


def _dump_peering(cluster: Cluster) -> dict[str, Any]:
    store = cluster.store
    return {
        "Index": store.index,
        "PeeringTableIndex": store.peering_table_index,
        "Peerings": [_dump_record(r) for r in store.peerings()],
        "Secrets": {
            peering_id: _dump_secrets(s) for peering_id, s in sorted(store.secrets.items())
        },
        "DialerStreamSecrets": dict(sorted(store.dialer_stream_secrets.items())),
    }


def _dump_secrets(secrets: PeeringSecrets | None) -> dict[str, str] | None:
    if secrets is None:
        return None
    return {
        "Establishment": secrets.establishment,
        "PendingStream": secrets.pending_stream,
        "ActiveStream": secrets.active_stream,
    }


def _peering_version(cluster: Cluster) -> object:
    # Every write of a peering or its secrets takes the next raft index (secrets written beside
    # a peering are written within the same operation as it), and every other table's write
    # moves the index too, which this part keeps.
    return (cluster.store.index, cluster.store.peering_table_index)


def _peering_changes(cluster: Cluster) -> dict[str, Any]:
    """The peerings written since the last call: upserted with their secrets, or removed."""
    store = cluster.store
    upserts, removed = [], []
    secrets: dict[str, Any] = {}
    dialer_secrets: dict[str, str | None] = {}
    for peering_id in sorted(store.take_changes()):
        record = store.peering_by_id(peering_id)
        if record is None:
            removed.append(peering_id)
        else:
            upserts.append(_dump_record(record))
        secrets[peering_id] = _dump_secrets(store.secrets.get(peering_id))
        dialer_secrets[peering_id] = store.dialer_stream_secrets.get(peering_id)
    return {
        "Index": store.index,
        "PeeringTableIndex": store.peering_table_index,
        "Upsert": upserts,
        "Remove": removed,
        "Secrets": secrets,  # null: none any more
        "DialerStreamSecrets": dialer_secrets,
    }


def _load_peering(cluster: Cluster, value: Any, where: str) -> None:
    fields = expect_dict(value, where)
    entries = require(fields, "Peerings", list, "a list", where)
    records = [_load_record(e, f"{where}.Peerings[{n}]") for n, e in enumerate(entries)]
    for attribute in ("id", "name"):
        seen: set[str] = set()
        for record in records:
            found = getattr(record, attribute).lower()
            if found in seen:
                raise SnapshotError(messages.state_duplicate(f"{where}.Peerings", found))
            seen.add(found)
    secrets = {}
    for peering_id, entry in expect_dict(fields.get("Secrets") or {}, f"{where}.Secrets").items():
        path = f"{where}.Secrets.{peering_id}"
        entry = expect_dict(entry, path)
        secrets[peering_id] = PeeringSecrets(
            establishment=optional(entry, "Establishment", str, "a string", path, ""),
            pending_stream=optional(entry, "PendingStream", str, "a string", path, ""),
            active_stream=optional(entry, "ActiveStream", str, "a string", path, ""),
        )
    dialer_secrets = string_map(fields, "DialerStreamSecrets", where) or {}
    store = cluster.store
    store.restore(
        records,
        # Never below what this start already wrote (an ACL bootstrap, say).
        index=max(index(fields, "Index", where), store.index),
        table_index=index(fields, "PeeringTableIndex", where),
    )
    store.secrets = secrets
    store.dialer_stream_secrets = dialer_secrets


def _resume_peering(cluster: Cluster) -> None:
    """What a restarted leader does: re-dial established peerings, finish pending deletions."""
    network, store = cluster.network, cluster.store
    now = network.now()
    for record in store.peerings():
        if record.state is PeeringState.DELETING:
            deleted = record.deleted_at or now
            due = deleted + timedelta(seconds=network.timing.deletion_delay)
            # The deferred-deletion routine is the cluster's own: reuse it as delete does.
            network.schedule((due - now).total_seconds(), cluster._remover(record.id))
        elif (
            record.state is PeeringState.ESTABLISHING
            and record.is_dialer
            and record.is_active
            and record.id in store.dialer_stream_secrets
        ):
            cluster.redial(record, record.peer_id, 0)


NETWORK = (
    NetworkPart("Clock", _dump_clock, _load_clock, version=_clock_version),
    # Small values: their dump is their version (compared, never encoded, at a save).
    NetworkPart("Timing", _dump_timing, _load_timing, version=_dump_timing),
    NetworkPart("Links", _dump_links, _load_links, version=_dump_links),
)
CLUSTER = (
    ClusterPart("Identity", _dump_identity, _load_identity, version=_dump_identity),
    ClusterPart("Peering", _dump_peering, _load_peering, _resume_peering,
                version=_peering_version,
                rows=Rows(_peering_changes, peering_rows.start, peering_rows.replay,
                          peering_rows.finish)),
)
