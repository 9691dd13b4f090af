"""Catalog records (nodes, service instances, health checks) and the JSON Consul serves for them.

Field order and omitempty follow agent/structs (structs.Node, NodeService, ServiceNode,
HealthCheck), because the catalog and health endpoints marshal those types, not the api ones.
``peer_name`` is empty for local entries and the importer's local peering name for entries
imported over a peering stream.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from ..golang.durations import go_duration

# api.HealthPassing & co., and the order in which an aggregate status is chosen.
PASSING, WARNING, CRITICAL, MAINTENANCE = "passing", "warning", "critical", "maintenance"
# Consul's tagged address for a service's virtual IP: stripped from what a peer imports.
VIRTUAL_IP_TAG = "consul-virtual"


@dataclass
class NodeRecord:
    node: str
    address: str
    id: str = ""
    datacenter: str = ""
    tagged_addresses: dict[str, str] | None = None
    meta: dict[str, str] | None = None
    peer_name: str = ""
    create_index: int = 0
    modify_index: int = 0

    def same_as(self, other: NodeRecord) -> bool:
        """Consul's Node.IsSame: everything but the raft indexes."""
        return _same(self, other)

    def to_api(self) -> dict[str, Any]:
        api: dict[str, Any] = {
            "ID": self.id,
            "Node": self.node,
            "Address": self.address,
            "Datacenter": self.datacenter,
        }
        if self.peer_name:
            api["PeerName"] = self.peer_name
        api["TaggedAddresses"] = _sorted_map(self.tagged_addresses)
        api["Meta"] = _sorted_map(self.meta)
        api["CreateIndex"] = self.create_index
        api["ModifyIndex"] = self.modify_index
        return api


@dataclass
class ServiceRecord:
    """One service instance on a node (Consul's NodeService / ServiceNode)."""

    node: str
    id: str
    service: str
    kind: str = ""
    tags: list[str] | None = None
    address: str = ""
    # name -> (address, port): structs.ServiceAddress
    tagged_addresses: dict[str, tuple[str, int]] | None = None
    meta: dict[str, str] | None = None
    port: int = 0
    socket_path: str = ""
    weights: tuple[int, int] = (1, 1)  # Passing, Warning; Consul defaults both to 1
    enable_tag_override: bool = False
    # The Proxy and Connect objects as registered, for proxies and gateways; kept as sent.
    proxy: dict[str, Any] = field(default_factory=dict)
    connect: dict[str, Any] = field(default_factory=dict)
    peer_name: str = ""
    create_index: int = 0
    modify_index: int = 0

    @property
    def is_typical(self) -> bool:
        return self.kind == ""

    def same_as(self, other: ServiceRecord) -> bool:
        return _same(self, other)

    def _tagged_addresses_api(self) -> dict[str, Any]:
        addresses = self.tagged_addresses or {}
        return {k: {"Address": a, "Port": p} for k, (a, p) in sorted(addresses.items())}

    def to_node_service(self, *, empty_tags: bool = True) -> dict[str, Any]:
        """structs.NodeService as /v1/health/service shows it (nil Tags shown as [])."""
        api: dict[str, Any] = {}
        if self.kind:
            api["Kind"] = self.kind
        api["ID"] = self.id
        api["Service"] = self.service
        api["Tags"] = list(self.tags) if self.tags is not None else ([] if empty_tags else None)
        api["Address"] = self.address
        if self.tagged_addresses:
            api["TaggedAddresses"] = self._tagged_addresses_api()
        api["Meta"] = _sorted_map(self.meta)
        if self.port:
            api["Port"] = self.port
        if self.socket_path:
            api["SocketPath"] = self.socket_path
        api["Weights"] = {"Passing": self.weights[0], "Warning": self.weights[1]}
        api["EnableTagOverride"] = self.enable_tag_override
        api["Proxy"] = proxy_api(self.proxy)
        api["Connect"] = dict(self.connect)
        # NodeService.PeerName has no omitempty: local instances show "PeerName":"".
        api["PeerName"] = self.peer_name
        api["CreateIndex"] = self.create_index
        api["ModifyIndex"] = self.modify_index
        return api

    def to_service_node(self, node: NodeRecord) -> dict[str, Any]:
        """structs.ServiceNode as /v1/catalog/service shows it (node fields filled in)."""
        api: dict[str, Any] = {
            "ID": node.id,
            "Node": node.node,
            "Address": node.address,
            "Datacenter": node.datacenter,
            "TaggedAddresses": _sorted_map(node.tagged_addresses),
            "NodeMeta": _sorted_map(node.meta),
            "ServiceKind": self.kind,
            "ServiceID": self.id,
            "ServiceName": self.service,
            "ServiceTags": list(self.tags or []),
            "ServiceAddress": self.address,
        }
        if self.tagged_addresses:
            api["ServiceTaggedAddresses"] = self._tagged_addresses_api()
        api["ServiceWeights"] = {"Passing": self.weights[0], "Warning": self.weights[1]}
        # The state store's PartialClone always makes ServiceMeta a map: never null here.
        api["ServiceMeta"] = _sorted_map(self.meta or {})
        api["ServicePort"] = self.port
        api["ServiceSocketPath"] = self.socket_path
        api["ServiceEnableTagOverride"] = self.enable_tag_override
        api["ServiceProxy"] = proxy_api(self.proxy)
        api["ServiceConnect"] = dict(self.connect)
        api["ServiceLocality"] = None  # a pointer without omitempty in structs.ServiceNode
        if self.peer_name:
            api["PeerName"] = self.peer_name
        api["CreateIndex"] = self.create_index
        api["ModifyIndex"] = self.modify_index
        return api


@dataclass
class CheckRecord:
    node: str
    check_id: str
    name: str
    status: str = CRITICAL
    notes: str = ""
    output: str = ""
    service_id: str = ""
    service_name: str = ""
    service_tags: list[str] | None = None
    type: str = ""
    interval: str = ""
    timeout: str = ""
    exposed_port: int = 0
    # HealthCheckDefinition as Go marshals it (already in its key order).
    definition: dict[str, Any] = field(default_factory=dict)
    peer_name: str = ""
    create_index: int = 0
    modify_index: int = 0

    def same_as(self, other: CheckRecord) -> bool:
        return _same(self, other)

    def to_api(self) -> dict[str, Any]:
        api: dict[str, Any] = {
            "Node": self.node,
            "CheckID": self.check_id,
            "Name": self.name,
            "Status": self.status,
            "Notes": self.notes,
            "Output": self.output,
            "ServiceID": self.service_id,
            "ServiceName": self.service_name,
            # The HTTP handlers replace nil ServiceTags with [] before answering.
            "ServiceTags": list(self.service_tags or []),
            "Type": self.type,
            "Interval": self.interval,
            "Timeout": self.timeout,
            "ExposedPort": self.exposed_port,
        }
        if self.peer_name:
            api["PeerName"] = self.peer_name
        api["Definition"] = dict(self.definition)
        api["CreateIndex"] = self.create_index
        api["ModifyIndex"] = self.modify_index
        return api


def proxy_api(proxy: dict[str, Any]) -> dict[str, Any]:
    """ConnectProxyConfig.MarshalJSON for what was registered: ``Mode`` is always shown,
    ``MeshGateway`` and ``Expose`` are structs (never omitted), the rest only when set."""
    api = {k: v for k, v in proxy.items() if k not in ("Mode", "MeshGateway", "Expose")}
    ordered: dict[str, Any] = {}
    for key in ("TransparentProxy", "AccessLogs"):
        if key in api:
            ordered[key] = api.pop(key)
    ordered.update(api)
    ordered["Mode"] = proxy.get("Mode", "")
    ordered["MeshGateway"] = proxy.get("MeshGateway") or {}
    ordered["Expose"] = proxy.get("Expose") or {}
    return ordered


def aggregate_status(checks: list[CheckRecord]) -> str:
    """The worst status, as (api.HealthChecks).AggregatedStatus and the peer stream's
    flattenChecks decide it: maintenance beats critical beats warning beats passing."""
    status = PASSING
    for check in checks:
        if check.status == MAINTENANCE or check.check_id == "_node_maintenance" or (
            check.check_id.startswith("_service_maintenance:")
        ):
            return MAINTENANCE
        if check.status == CRITICAL:
            status = CRITICAL
        elif check.status == WARNING and status == PASSING:
            status = WARNING
    return status


def render_definition(definition: dict[str, Any]) -> dict[str, Any]:
    """HealthCheckDefinition.MarshalJSON: the three durations as Go strings first, then the
    other fields in struct order, each omitted when empty; TTL stays nanoseconds."""
    out: dict[str, Any] = {}
    for key in ("Interval", "OutputMaxSize", "Timeout", "DeregisterCriticalServiceAfter"):
        value = definition.get(key)
        if value:
            out[key] = go_duration(value) if key != "OutputMaxSize" else value
    for key in _DEFINITION_FIELDS:
        value = definition.get(key)
        if value:
            out[key] = value
    return out


_DEFINITION_FIELDS = (
    "HTTP", "TLSServerName", "TLSSkipVerify", "Header", "Method", "Body", "DisableRedirects",
    "TCP", "TCPUseTLS", "UDP", "H2PING", "H2PingUseTLS", "OSService", "ScriptArgs",
    "DockerContainerID", "Shell", "GRPC", "GRPCUseTLS", "AliasNode", "AliasService", "TTL",
)


def _sorted_map(values: dict[str, Any] | None) -> dict[str, Any] | None:
    # Go marshals a nil map as null and sorts the keys of any other.
    return None if values is None else {k: values[k] for k in sorted(values)}


def _without_indexes(record: Any) -> Any:
    return replace(record, create_index=0, modify_index=0)


def _same(a: Any, b: Any) -> bool:
    """Equal in everything but the raft indexes (Consul's IsSame)."""
    return bool(_without_indexes(a) == _without_indexes(b))
