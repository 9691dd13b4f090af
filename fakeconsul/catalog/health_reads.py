"""Health reads over a cluster's catalog tables: a node's checks, a service's checks, checks
in a state (Consul's Health.NodeChecks, ServiceChecks, ChecksInState), and the agent's own
services and checks (its local state, which the fake's server syncs to the catalog at once).

Each read returns JSON-shaped values in Consul's order and the index a blocking query waits on:
the checks table's, as Consul's state store answers these three queries.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

from .records import CheckRecord, ServiceRecord
from .store import Catalog

# Whether the caller may read a check (node:read, and service:read for a service's check).
Readable = Callable[[CheckRecord], bool]
HEALTH_ANY = "any"


def _all_checks(tables: Catalog, peer: str) -> list[CheckRecord]:
    # memdb's id index: by node, then check ID.
    return [c for (p, _, _), c in sorted(tables.checks_by_key.items()) if p == peer]


def node_checks(tables: Catalog, node: str, peer: str, readable: Readable
                ) -> tuple[list[dict[str, Any]], int]:
    found = [c for c in tables.node_checks(node, peer) if readable(c)]
    return [c.to_api() for c in found], tables.table_index(peer, "checks")


def service_checks(tables: Catalog, service: str, peer: str, readable: Readable
                   ) -> tuple[list[dict[str, Any]], int]:
    found = [c for c in _all_checks(tables, peer)
             if c.service_name.lower() == service.lower() and readable(c)]
    return [c.to_api() for c in found], tables.table_index(peer, "checks")


def checks_in_state(tables: Catalog, state: str, peer: str, readable: Readable
                    ) -> tuple[list[dict[str, Any]], int]:
    """``any`` lists every check; any other state those with that status (an unknown state
    matches none, as the status index holds no such value)."""
    found = [c for c in _all_checks(tables, peer)
             if (state == HEALTH_ANY or c.status == state) and readable(c)]
    return [c.to_api() for c in found], tables.table_index(peer, "checks")


def agent_service(service: ServiceRecord, datacenter: str) -> dict[str, Any]:
    """buildAgentService: api.AgentService from the agent's local state (no raft indexes)."""
    api: dict[str, Any] = {}
    if service.kind:
        api["Kind"] = service.kind
    api["ID"] = service.id
    api["Service"] = service.service
    api["Tags"] = list(service.tags or [])
    api["Meta"] = dict(sorted((service.meta or {}).items()))
    api["Port"] = service.port
    api["Address"] = service.address
    if service.socket_path:
        api["SocketPath"] = service.socket_path
    if service.tagged_addresses:
        api["TaggedAddresses"] = {k: {"Address": a, "Port": p}
                                  for k, (a, p) in sorted(service.tagged_addresses.items())}
    api["Weights"] = {"Passing": service.weights[0] or 1, "Warning": service.weights[1]}
    api["EnableTagOverride"] = service.enable_tag_override
    if service.kind and service.proxy:
        api["Proxy"] = dict(service.proxy)
    if service.connect.get("Native"):
        api["Connect"] = {"Native": True}
    api["Datacenter"] = datacenter
    return api


def agent_check(check: CheckRecord) -> dict[str, Any]:
    """A local check as /v1/agent/checks shows it: structs.HealthCheck, indexes zero."""
    return replace(check, create_index=0, modify_index=0).to_api()
