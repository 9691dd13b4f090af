"""Registration requests, as the catalog and agent endpoints decode them, into catalog records.

``CatalogRegister`` takes a structs.RegisterRequest (node, optional service, checks) and runs
Catalog.Register's checks; ``AgentRegister`` takes a structs.ServiceDefinition and does what the
agent does before its anti-entropy sync writes the service to the catalog (here at once).
"""

from __future__ import annotations

import re
from typing import Any

from .. import messages
from ..golang.durations import go_duration
from ..golang.gojson import ANY, BOOL, DURATION, INT, STRING, GoStruct, GoType, map_of, slice_of
from ..model.errors import ConsulError
from .records import CRITICAL, CheckRecord, NodeRecord, ServiceRecord, render_definition


def _structs(name: str, fields: list[tuple[str, GoType]], pointer: bool = False) -> GoStruct:
    return GoStruct(name, "structs", fields, pointer=pointer)


# Pointers as in Consul's structs: an absent (or null) pointer field decodes to None.
_WEIGHTS_FIELDS: list[tuple[str, GoType]] = [("Passing", INT), ("Warning", INT)]
_SERVICE_ADDRESS = _structs("ServiceAddress", [("Address", STRING), ("Port", INT)])
_DEFINITION = _structs("HealthCheckDefinition", [
    ("HTTP", STRING), ("TLSServerName", STRING), ("TLSSkipVerify", BOOL),
    ("Header", map_of(slice_of(STRING))), ("Method", STRING), ("Body", STRING),
    ("TCP", STRING), ("UDP", STRING), ("H2PING", STRING), ("Interval", DURATION),
    ("OutputMaxSize", INT), ("Timeout", DURATION), ("DeregisterCriticalServiceAfter", DURATION),
    ("ScriptArgs", slice_of(STRING)), ("DockerContainerID", STRING), ("Shell", STRING),
    ("GRPC", STRING), ("GRPCUseTLS", BOOL), ("AliasNode", STRING), ("AliasService", STRING),
    ("TTL", DURATION),
])
_SERVICE_FIELDS: list[tuple[str, GoType]] = [
    ("Kind", STRING), ("ID", STRING), ("Service", STRING), ("Tags", slice_of(STRING)),
    ("Address", STRING), ("TaggedAddresses", map_of(_SERVICE_ADDRESS)),
    ("Meta", map_of(STRING)), ("Port", INT), ("SocketPath", STRING),
    ("Weights", _structs("Weights", _WEIGHTS_FIELDS)), ("EnableTagOverride", BOOL),
    ("Proxy", ANY), ("Connect", ANY),
]
NODE_SERVICE = _structs("NodeService", _SERVICE_FIELDS, pointer=True)
_HEALTH_CHECK_FIELDS: list[tuple[str, GoType]] = [
    ("Node", STRING), ("CheckID", STRING), ("Name", STRING), ("Status", STRING),
    ("Notes", STRING), ("Output", STRING), ("ServiceID", STRING),
    ("ServiceName", STRING), ("ServiceTags", slice_of(STRING)), ("Type", STRING),
    ("Interval", STRING), ("Timeout", STRING), ("ExposedPort", INT),
    ("Definition", _DEFINITION),
]
HEALTH_CHECK = _structs("HealthCheck", _HEALTH_CHECK_FIELDS, pointer=True)
REGISTER_REQUEST = _structs("RegisterRequest", [
    ("Datacenter", STRING), ("ID", STRING), ("Node", STRING), ("Address", STRING),
    ("TaggedAddresses", map_of(STRING)), ("NodeMeta", map_of(STRING)),
    ("Service", NODE_SERVICE), ("Check", HEALTH_CHECK),
    ("Checks", slice_of(HEALTH_CHECK)),  # structs.HealthChecks: []*HealthCheck
    ("SkipNodeUpdate", BOOL),
])
DEREGISTER_REQUEST = _structs("DeregisterRequest", [
    ("Datacenter", STRING), ("Node", STRING), ("ServiceID", STRING), ("CheckID", STRING),
])
_CHECK_TYPE_FIELDS: list[tuple[str, GoType]] = [
    ("CheckID", STRING), ("Name", STRING), ("Status", STRING), ("Notes", STRING),
    ("ScriptArgs", slice_of(STRING)), ("HTTP", STRING), ("Header", map_of(slice_of(STRING))),
    ("Method", STRING), ("Body", STRING), ("TCP", STRING), ("UDP", STRING), ("GRPC", STRING),
    ("GRPCUseTLS", BOOL), ("H2PING", STRING), ("AliasNode", STRING), ("AliasService", STRING),
    ("DockerContainerID", STRING), ("Shell", STRING), ("TLSServerName", STRING),
    ("TLSSkipVerify", BOOL), ("Interval", DURATION), ("Timeout", DURATION),
    ("TTL", DURATION), ("DeregisterCriticalServiceAfter", DURATION),
    ("OutputMaxSize", INT), ("SuccessBeforePassing", INT), ("FailuresBeforeCritical", INT),
]
CHECK_TYPE = _structs("CheckType", _CHECK_TYPE_FIELDS)
SERVICE_DEFINITION = _structs("ServiceDefinition", [
    ("Kind", STRING), ("ID", STRING), ("Name", STRING), ("Tags", slice_of(STRING)),
    ("Address", STRING), ("TaggedAddresses", map_of(_SERVICE_ADDRESS)),
    ("Meta", map_of(STRING)), ("Port", INT), ("SocketPath", STRING),
    ("Weights", _structs("Weights", _WEIGHTS_FIELDS, pointer=True)),
    ("EnableTagOverride", BOOL), ("Proxy", ANY), ("Connect", ANY),
    ("Check", CHECK_TYPE),  # a value: CheckTypes() skips it while it is Empty()
    ("Checks", slice_of(_structs("CheckType", _CHECK_TYPE_FIELDS, pointer=True))),
    ("Token", STRING),
])


def _given(check: dict[str, Any] | None) -> bool:
    """A check definition that is there: not nil and not all zero (CheckType.Empty(), a
    reflect.DeepEqual with the zero value). [uncertain] The fake skips an empty entry of
    ``Checks`` too, where Consul would validate (and refuse) it; it always has."""
    return check is not None and any(v not in (None, "", 0, False) for v in check.values())


_ANY_ADDRESS = {"0.0.0.0", "::", "[::]"}
_HEX = re.compile(r"[0-9a-fA-F]*")


def check_type_name(check: dict[str, Any]) -> str:
    """CheckType.Type(): the kind of a check definition, "" when it is none of them."""
    interval = check.get("Interval") or 0
    if check.get("GRPC") and interval > 0:
        return "grpc"
    if check.get("HTTP") and interval > 0:
        return "http"
    if (check.get("TTL") or 0) > 0:
        return "ttl"
    for key, name in (("TCP", "tcp"), ("UDP", "udp")):
        if check.get(key) and interval > 0:
            return name
    if check.get("AliasService"):
        return "alias"
    if check.get("DockerContainerID") and interval > 0:
        return "docker"
    if check.get("ScriptArgs") and interval > 0:
        return "script"
    if check.get("H2PING") and interval > 0:
        return "h2ping"
    return ""


def check_type_problem(check: dict[str, Any]) -> str | None:
    """The part of CheckType.Validate a registration can trip over (the fake runs no check)."""
    if not _given(check):
        return None
    interval, ttl = check.get("Interval") or 0, check.get("TTL") or 0
    needs_interval = any(check.get(k) for k in ("ScriptArgs", "HTTP", "TCP", "UDP", "GRPC",
                                                "H2PING"))
    if interval > 0 and ttl > 0:
        return messages.CHECK_INTERVAL_AND_TTL
    if needs_interval and interval <= 0:
        return messages.CHECK_NEEDS_INTERVAL
    if not needs_interval and not check.get("AliasService") and ttl <= 0:
        return messages.CHECK_NEEDS_TTL
    return None


def uuid_problem(text: str) -> str | None:
    """hashicorp/go-uuid ParseUUID's complaint about ``text``, or None."""
    if len(text) != 36:
        return messages.UUID_WRONG_LENGTH
    if any(text[i] != "-" for i in (8, 13, 18, 23)):
        return messages.UUID_IMPROPER
    digits = text.replace("-", "")
    bad = next((c for c in digits if not _HEX.fullmatch(c)), None)
    if bad is not None:
        return f"encoding/hex: invalid byte: U+{ord(bad):04X} {_go_char(bad)}"
    return None


def _go_char(c: str) -> str:
    return "'\\''" if c == "'" else f"'{c}'"


def rpc_failure(text: str) -> ConsulError:
    # Errors from the Catalog RPC reach the HTTP body as their plain text, with status 500.
    return ConsulError(500, text)


def _weights(value: dict[str, Any] | None) -> tuple[int, int]:
    # ToServiceNode keeps only valid weights; anything else becomes the default 1/1.
    if value is None:
        return (1, 1)
    passing, warning = value.get("Passing", 0), value.get("Warning", 0)
    if passing < 1 or warning < 0 or passing > 65535 or warning > 65535:
        return (1, 1)
    return (passing, warning)


def _addresses(value: dict[str, Any] | None) -> dict[str, tuple[str, int]] | None:
    if not value:
        return None
    return {k: (v.get("Address", ""), v.get("Port", 0)) for k, v in value.items() if _given(v)}


def service_record(node: str, body: dict[str, Any], *, name_key: str) -> ServiceRecord:
    """A NodeService (catalog: name under "Service"; agent: under "Name") as stored."""
    name = body.get(name_key) or ""
    return ServiceRecord(
        node=node,
        id=body.get("ID") or name,
        service=name,
        kind=body.get("Kind") or "",
        tags=body.get("Tags"),
        address=body.get("Address") or "",
        tagged_addresses=_addresses(body.get("TaggedAddresses")),
        meta=body.get("Meta"),
        port=body.get("Port") or 0,
        socket_path=body.get("SocketPath") or "",
        weights=_weights(body.get("Weights")),
        enable_tag_override=bool(body.get("EnableTagOverride")),
        proxy=dict(body.get("Proxy") or {}) if isinstance(body.get("Proxy"), dict) else {},
        connect=dict(body.get("Connect") or {}) if isinstance(body.get("Connect"), dict) else {},
    )


def catalog_check(node: str, body: dict[str, Any]) -> CheckRecord:
    """checkPreApply plus the state store's defaults for a catalog-registered check."""
    definition = body.get("Definition") or {}
    check_type = body.get("Type") or check_type_name(definition)
    return CheckRecord(
        node=body.get("Node") or node,
        check_id=body.get("CheckID") or body.get("Name") or "",
        name=body.get("Name") or "",
        status=body.get("Status") or CRITICAL,
        notes=body.get("Notes") or "",
        output=body.get("Output") or "",
        service_id=body.get("ServiceID") or "",
        service_name=body.get("ServiceName") or "",
        service_tags=body.get("ServiceTags"),
        type=check_type,
        interval=body.get("Interval") or "",
        timeout=body.get("Timeout") or "",
        exposed_port=body.get("ExposedPort") or 0,
        definition=render_definition(definition),
    )


def agent_checks(node: str, service: ServiceRecord, body: dict[str, Any]) -> list[CheckRecord]:
    """The agent's checks for a service definition (IDs ``service:<id>[:n]``), critical until
    a Status says otherwise. [uncertain] Interval/Timeout show the definition's durations."""
    definitions = [c for c in [body.get("Check"), *(body.get("Checks") or ())] if _given(c)]
    checks = []
    for i, check in enumerate(definitions):
        check_id = check.get("CheckID") or f"service:{service.id}"
        if not check.get("CheckID") and len(definitions) > 1:
            check_id += f":{i + 1}"
        interval, timeout = check.get("Interval") or 0, check.get("Timeout") or 0
        checks.append(CheckRecord(
            node=node,
            check_id=check_id,
            name=check.get("Name") or f"Service '{service.service}' check",
            status=check.get("Status") or CRITICAL,
            notes=check.get("Notes") or "",
            service_id=service.id,
            service_name=service.service,
            service_tags=service.tags,
            type=check_type_name(check),
            interval=go_duration(interval) if interval else "",
            timeout=go_duration(timeout) if timeout else "",
        ))
    return checks


def node_record(body: dict[str, Any], datacenter: str) -> NodeRecord:
    return NodeRecord(
        node=body.get("Node") or "",
        address=body.get("Address") or "",
        id=body.get("ID") or "",
        datacenter=body.get("Datacenter") or datacenter,
        tagged_addresses=body.get("TaggedAddresses"),
        meta=body.get("NodeMeta"),
    )


def is_any_address(address: str) -> bool:
    return address in _ANY_ADDRESS
