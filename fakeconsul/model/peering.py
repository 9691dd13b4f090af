"""The Peering record: what the state store keeps, and the snapshot a read shows.

Consul stores only PENDING, ESTABLISHING, DELETING and TERMINATED. ACTIVE and FAILING are shown on
every read from the stream tracker and never stored, so they never move ``ModifyIndex``.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field, replace
from datetime import datetime
from functools import cached_property
from typing import Any

from ..golang.gocompat import format_time, go_marshal
from .trust_bundle import PeerCAPems, Stored


class PeeringState(enum.StrEnum):
    UNDEFINED = "UNDEFINED"
    PENDING = "PENDING"
    ESTABLISHING = "ESTABLISHING"
    ACTIVE = "ACTIVE"
    FAILING = "FAILING"
    DELETING = "DELETING"
    TERMINATED = "TERMINATED"


@dataclass(frozen=True)
class Locality:
    region: str = ""
    zone: str = ""

    def to_api(self) -> dict[str, Any]:
        return {"Region": self.region, "Zone": self.zone}


@dataclass(frozen=True)
class RemoteInfo:
    """``Remote``: always shown, ``{"Partition":"","Datacenter":""}`` while unknown."""

    partition: str = ""
    datacenter: str = ""
    locality: Locality | None = None

    def to_api(self) -> dict[str, Any]:
        api: dict[str, Any] = {"Partition": self.partition, "Datacenter": self.datacenter}
        if self.locality is not None:
            api["Locality"] = self.locality.to_api()
        return api


@dataclass(frozen=True)
class StreamStatus:
    """``StreamStatus``: derived from the tracker on each read; all five keys always shown."""

    imported_services: tuple[str, ...] | None = None
    exported_services: tuple[str, ...] | None = None
    last_heartbeat: datetime | None = None
    last_receive: datetime | None = None
    last_send: datetime | None = None

    def to_api(self) -> dict[str, Any]:
        return {
            "ImportedServices": _names(self.imported_services),
            "ExportedServices": _names(self.exported_services),
            "LastHeartbeat": _time(self.last_heartbeat),
            "LastReceive": _time(self.last_receive),
            "LastSend": _time(self.last_send),
        }


def _names(names: tuple[str, ...] | None) -> list[str] | None:
    return None if names is None else list(names)


def _time(moment: datetime | None) -> str | None:
    return None if moment is None else format_time(moment)


# The peer's CA PEMs, as texts or as the peer's root (made when first read): trust_bundle.py.
_RECORD_CA_PEMS = PeerCAPems(list)
_SNAPSHOT_CA_PEMS = PeerCAPems(tuple)


@dataclass
class PeeringRecord:
    """One row of the peerings table, as Consul's state store keeps it (not shown directly)."""

    id: str
    name: str
    state: PeeringState
    meta: dict[str, str] | None = None
    partition: str = ""
    deleted_at: datetime | None = None
    peer_id: str = ""
    peer_ca_pems: PeerCAPems[list[str]] = _RECORD_CA_PEMS
    peer_server_name: str = ""
    peer_server_addresses: list[str] = field(default_factory=list)
    manual_server_addresses: list[str] = field(default_factory=list)  # never serialized
    remote: RemoteInfo = field(default_factory=RemoteInfo)
    create_index: int = 0
    modify_index: int = 0

    @property
    def is_dialer(self) -> bool:
        # Consul's ShouldDial(): a record that knows where its peer's servers are dialed them.
        return bool(self.peer_server_addresses or self.manual_server_addresses)

    @property
    def dial_addresses(self) -> list[str]:
        # The manual (external) addresses instead of the servers' own when given, as the token's.
        return list(self.manual_server_addresses or self.peer_server_addresses)

    @property
    def is_active(self) -> bool:
        # Consul's IsActive(): secrets are kept only for active peerings.
        return self.deleted_at is None and self.state is not PeeringState.TERMINATED

    def copy(self) -> PeeringRecord:
        return replace(
            self,
            meta=None if self.meta is None else dict(self.meta),
            peer_ca_pems=_copied_ca_pems(self),
            peer_server_addresses=list(self.peer_server_addresses),
            manual_server_addresses=list(self.manual_server_addresses),
        )


@dataclass(frozen=True, repr=False)
class Peering:
    """A peering as a read shows it: the stored record with the tracker's overlay.

    Attributes mirror the JSON fields in snake_case; ``state`` is the shown state and
    ``stored_state`` what the store holds. ``to_api()`` gives Consul's JSON object.
    """

    id: str
    name: str
    state: PeeringState
    stored_state: PeeringState
    stream_status: StreamStatus
    create_index: int
    modify_index: int
    remote: RemoteInfo
    partition: str = ""
    deleted_at: datetime | None = None
    meta: dict[str, str] | None = None
    peer_id: str = ""
    peer_ca_pems: PeerCAPems[tuple[str, ...]] = _SNAPSHOT_CA_PEMS
    peer_server_name: str = ""
    peer_server_addresses: tuple[str, ...] = ()

    @property
    def is_dialer(self) -> bool:
        return bool(self.peer_server_addresses)

    def __repr__(self) -> str:
        # Short, for assertion messages: the CA PEMs alone are ~700 characters each, so they
        # are counted, not printed (``to_api()`` shows everything).
        shown = self.state.value
        if self.stored_state is not self.state:
            shown += f" (stored {self.stored_state.value})"
        role = "dialer" if self.is_dialer else "acceptor"
        remote = self.remote.datacenter or "-"
        return (f"<Peering {self.name!r} {shown} {role} remote={remote} id={self.id[:8]} "
                f"index={self.create_index}/{self.modify_index} "
                f"ca_pems={len(self.peer_ca_pems)}>")

    def to_api(self) -> dict[str, Any]:
        """The JSON object Consul serves, keys in Go's struct order, Go's omitempty applied."""
        api: dict[str, Any] = {"ID": self.id, "Name": self.name}
        if self.partition:
            api["Partition"] = self.partition
        if self.deleted_at is not None:
            api["DeletedAt"] = format_time(self.deleted_at)
        if self.meta:
            api["Meta"] = {key: self.meta[key] for key in sorted(self.meta)}  # Go sorts map keys
        api["State"] = self.state.value
        if self.peer_id:
            api["PeerID"] = self.peer_id
        if self.peer_ca_pems:
            api["PeerCAPems"] = list(self.peer_ca_pems)
        if self.peer_server_name:
            api["PeerServerName"] = self.peer_server_name
        if self.peer_server_addresses:
            api["PeerServerAddresses"] = list(self.peer_server_addresses)
        api["StreamStatus"] = self.stream_status.to_api()
        api["CreateIndex"] = self.create_index
        api["ModifyIndex"] = self.modify_index
        api["Remote"] = self.remote.to_api()
        return api

    @cached_property
    def api_json(self) -> bytes:
        """``to_api()`` as compact Go JSON, encoded once per snapshot: reads share a snapshot
        until the peering changes, so a list re-sends bytes instead of re-encoding them."""
        return go_marshal(self.to_api())


def shown(record: PeeringRecord, shown_state: PeeringState, status: StreamStatus) -> Peering:
    return Peering(
        id=record.id,
        name=record.name,
        state=shown_state,
        stored_state=record.state,
        stream_status=status,
        create_index=record.create_index,
        modify_index=record.modify_index,
        remote=record.remote,
        partition=record.partition,
        deleted_at=record.deleted_at,
        meta=None if record.meta is None else dict(record.meta),
        peer_id=record.peer_id,
        peer_ca_pems=_snapshot_ca_pems(record),
        peer_server_name=record.peer_server_name,
        peer_server_addresses=tuple(record.peer_server_addresses),
    )


def _snapshot_ca_pems(record: PeeringRecord) -> Stored:
    """The record's PEMs for a frozen snapshot: texts are copied (the record's list may change
    later), a peer's root is handed over as it is, so showing a peering signs nothing."""
    stored = _RECORD_CA_PEMS.stored(record)
    return tuple(stored) if isinstance(stored, list) else stored


def _copied_ca_pems(record: PeeringRecord) -> Stored:
    stored = _RECORD_CA_PEMS.stored(record)
    return list(stored) if isinstance(stored, list | tuple) else stored
