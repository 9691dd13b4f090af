"""The ``exported-services`` config entry (structs.ExportedServicesConfigEntry, CE), spec §9.1.

Consul decodes a config entry with mapstructure (case-insensitive field names, snake_case
aliases, weakly typed scalars), normalizes it, then validates it. Validation runs in Consul's
order: the name, Meta, the CE-only checks (validateServicesEnterprise), then each service.

In CE, Normalize empties every service's Namespace (acl.NormalizeNamespace returns ""), and the
CE checks refuse any consumer partition but ``default`` first, so two of §9.1's texts (namespace
wildcard, partition wildcard) cannot be reached through a write; ``validate_services`` still
holds them, in Consul's order, for what the spec lists.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .. import messages
from ..golang.gocompat import multierror
from ..golang.mapdecode import MapDecoder, Schema

KIND = "exported-services"
WILDCARD = "*"
CE_NAME = "default"


@dataclass(frozen=True)
class Consumer:
    partition: str = ""
    peer: str = ""
    sameness_group: str = ""

    def to_api(self) -> dict[str, str]:
        api = {}
        if self.partition:
            api["Partition"] = self.partition
        if self.peer:
            api["Peer"] = self.peer
        if self.sameness_group:
            api["SamenessGroup"] = self.sameness_group
        return api


@dataclass(frozen=True)
class ExportedService:
    name: str
    namespace: str = ""
    consumers: tuple[Consumer, ...] = ()

    def to_api(self) -> dict[str, Any]:
        api: dict[str, Any] = {"Name": self.name}
        if self.namespace:
            api["Namespace"] = self.namespace
        if self.consumers:
            api["Consumers"] = [c.to_api() for c in self.consumers]
        return api


@dataclass(frozen=True)
class ExportedServicesEntry:
    name: str
    services: tuple[ExportedService, ...] = ()
    meta: dict[str, str] | None = field(default=None, compare=True, hash=False)

    def body_api(self) -> dict[str, Any]:
        """Everything but Kind, Name and the indexes, in the struct's order."""
        api: dict[str, Any] = {}
        if self.services:
            api["Services"] = [s.to_api() for s in self.services]
        if self.meta:
            api["Meta"] = {k: self.meta[k] for k in sorted(self.meta)}
        return api

    def normalized(self) -> ExportedServicesEntry:
        """CE's Normalize: namespaces are an Enterprise notion, so every one becomes ""."""
        services = tuple(
            ExportedService(s.name, "", s.consumers) for s in self.services
        )
        return ExportedServicesEntry(self.name, services, self.meta)

    def peers_of(self, service_name: str) -> list[str]:
        return sorted({c.peer for s in self.services if s.name == service_name
                       for c in s.consumers if c.peer})


# --- decoding --------------------------------------------------------------------------------

_CONSUMER: Schema = {"Partition": "string", "Peer": "string", "SamenessGroup": "string"}
_SERVICE: Schema = {"Name": "string", "Namespace": "string", "Consumers": ("list", _CONSUMER)}
_ENTRY: Schema = {"Name": "string", "Services": ("list", _SERVICE), "Meta": "map"}
# hcl/mapstructure ``alias`` tags of structs.ServiceConsumer.
_ALIASES = {"peer_name": "Peer", "sameness_group": "SamenessGroup"}


def decode(raw: dict[str, Any]) -> ExportedServicesEntry:
    """DecodeConfigEntry for this kind; raises ValueError with Consul's text."""
    decoded = MapDecoder(_ALIASES).decode(raw, _ENTRY)
    services = tuple(
        ExportedService(
            name=s.get("Name", ""),
            namespace=s.get("Namespace", ""),
            consumers=tuple(
                Consumer(c.get("Partition", ""), c.get("Peer", ""), c.get("SamenessGroup", ""))
                for c in s.get("Consumers") or ()
            ),
        )
        for s in decoded.get("Services") or ()
    )
    return ExportedServicesEntry(decoded.get("Name", ""), services, decoded.get("Meta"))


# --- validation ------------------------------------------------------------------------------


def validate(entry: ExportedServicesEntry) -> str | None:
    """Consul's Validate() on a normalized entry: the first problem's text, or None."""
    if entry.name != CE_NAME:
        return messages.EXPORTED_SERVICES_NAME
    problem = meta_problem(entry.meta)
    if problem is not None:
        return problem
    for i, service in enumerate(entry.services):
        for j, consumer in enumerate(service.consumers):
            if consumer.partition and consumer.partition.lower() != "default":
                return messages.consumer_problem(i, j, messages.PARTITIONS_ENTERPRISE_ONLY)
            if consumer.sameness_group:
                return messages.consumer_problem(i, j, messages.SAMENESS_ENTERPRISE_ONLY)
    return validate_services(entry.services)


def validate_services(services: tuple[ExportedService, ...]) -> str | None:
    """validateServices(): per service, then per consumer, the first problem's text."""
    for i, service in enumerate(services):
        if service.name == "":
            return messages.service_problem(i, messages.SERVICE_NAME_EMPTY)
        if service.namespace == WILDCARD and service.name != WILDCARD:
            return messages.service_problem(i, messages.NAMESPACE_WILDCARD)
        if not service.consumers:
            return messages.service_problem(i, messages.NO_CONSUMER)
        for j, consumer in enumerate(service.consumers):
            targets = (consumer.peer, consumer.partition, consumer.sameness_group)
            if sum(1 for target in targets if target) > 1:
                return messages.consumer_problem(i, j, messages.CONSUMER_AT_MOST_ONE)
            if consumer.partition == WILDCARD:
                return messages.consumer_problem(i, j, messages.CONSUMER_ALL_PARTITIONS)
            if consumer.peer == WILDCARD:
                return messages.consumer_problem(i, j, messages.CONSUMER_ALL_PEERS)
    return None


# validateConfigEntryMeta's limits.
META_MAX_PAIRS, META_KEY_MAX, META_VALUE_MAX = 64, 128, 512


def meta_problem(meta: dict[str, str] | None) -> str | None:
    """validateConfigEntryMeta: every problem, joined by go-multierror. Go walks the map in
    random order; the fake reports keys in sorted order."""
    if not meta:
        return None
    problems = []
    if len(meta) > META_MAX_PAIRS:
        problems.append(messages.meta_too_many(META_MAX_PAIRS))
    for key in sorted(meta):
        if len(key.encode()) > META_KEY_MAX:
            problems.append(messages.meta_key_too_long(key, META_KEY_MAX))
        if len(meta[key].encode()) > META_VALUE_MAX:
            problems.append(messages.meta_value_too_long(key, META_VALUE_MAX))
    return multierror(problems) if problems else None
