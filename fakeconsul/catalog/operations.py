"""A cluster's catalog operations: registration (catalog and agent) and discovery (§9.4).

A ``Cluster`` owns one as ``cluster.catalog``. Like the peering operations, each runs inside the
cluster's ``operation`` (the network's lock, the network brought up to the clock) and raises
ConsulError where the HTTP API answers non-2xx. Reads return what the endpoints serve
(JSON-shaped dicts in Consul's field order) and, in their ``*_with_index`` form, the index a
blocking query waits on. Every local write calls ``on_local_change``: the cluster lets its
exports flow to peers within one stream event.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from .. import messages
from ..model.errors import ConsulError
from ..model.ids import url_name_id
from ..version import CONSUL_VERSION
from . import health_reads
from .records import PASSING, CheckRecord, NodeRecord, ServiceRecord
from .registration import (
    agent_checks,
    catalog_check,
    check_type_problem,
    is_any_address,
    node_record,
    rpc_failure,
    service_record,
    uuid_problem,
)
from .store import LOCAL, Catalog

if TYPE_CHECKING:
    from ..acl import ACLSystem
    from ..model.store import Store

Operation = Callable[[], AbstractContextManager[None]]


def server_node_name(cluster_name: str) -> str:
    """The node the cluster's one server runs on (the agent the HTTP API talks to)."""
    return f"{cluster_name}-server-1"


class CatalogOperations:
    """Registration and discovery on one cluster's catalog tables (``tables``)."""

    def __init__(
        self, *, datacenter: str, node_id: str, store: Store, acl: ACLSystem,
        operation: Operation, on_local_change: Callable[[], None], node_name: str = "",
    ) -> None:
        self.datacenter = datacenter
        # An agent's config names its node (node_name); a fake cluster's default is derived.
        self._node_name = node_name or server_node_name(datacenter)
        self._node_id = node_id  # the server node's ID is derived from the cluster's
        self.acl = acl
        self._operation = operation
        self._exports_may_change = on_local_change
        self.tables = Catalog(store)
        self._agent_services: set[str] = set()
        self._seed_server()

    @property
    def server_node(self) -> str:
        return self._node_name

    def _seed_server(self) -> None:
        """A Consul server registers itself: its node, the ``consul`` service, serfHealth."""
        node = self.server_node
        self.tables.seed(
            NodeRecord(
                node=node,
                address="127.0.0.1",
                id=url_name_id(f"fakeconsul:{self._node_id}"),
                datacenter=self.datacenter,
                tagged_addresses={"lan": "127.0.0.1", "lan_ipv4": "127.0.0.1",
                                  "wan": "127.0.0.1", "wan_ipv4": "127.0.0.1"},
                meta={"consul-network-segment": "", "consul-version": CONSUL_VERSION},
            ),
            ServiceRecord(node=node, id="consul", service="consul", port=8300),
            CheckRecord(node=node, check_id="serfHealth", name="Serf Health Status",
                        status=PASSING, output="Agent alive and reachable"),
        )

    def reset(self) -> None:
        """Back to the server's own registration only."""
        self.tables.clear()
        self._agent_services.clear()
        self._seed_server()

    # Every ACL check of this area goes through ``self.acl`` (everything is allowed while ACLs
    # are off). Writes are refused with 403; reads of lists are filtered, as Consul filters
    # catalog and health results by service:read and node:read instead of refusing them.


    # --- registration ------------------------------------------------------------------------

    def catalog_register(self, request: dict[str, Any], *, token: str | None = None) -> None:
        """``PUT /v1/catalog/register`` with a decoded RegisterRequest (Go field names).
        ``token``: the caller's ACL secret (node:write, and service:write for a service)."""
        with self._operation():
            self.acl.resolve_first(token)
            self._register(request, token)
            self._exports_may_change()

    def _register(self, request: dict[str, Any], token: str | None) -> None:
        node_name = request.get("Node") or ""
        if not node_name:
            raise rpc_failure(messages.MUST_PROVIDE_NODE)
        if not request.get("Address") and not request.get("SkipNodeUpdate"):
            raise rpc_failure(messages.MUST_PROVIDE_ADDRESS)
        if request.get("ID"):
            problem = uuid_problem(request["ID"])
            if problem is not None:
                raise rpc_failure(messages.bad_node_id(problem))
        service = None
        if request.get("Service") is not None:
            body = request["Service"]
            if body.get("ID") and not body.get("Service"):
                raise rpc_failure(messages.SERVICE_NAME_WITH_ID)
            if is_any_address(body.get("Address") or ""):
                raise rpc_failure(messages.INVALID_SERVICE_ADDRESS)
            if body.get("ID") or body.get("Service"):
                service = service_record(node_name, body, name_key="Service")
        bodies = ([request["Check"]] if request.get("Check") else []) + [
            c for c in request.get("Checks") or () if c
        ]
        checks = [catalog_check(node_name, body) for body in bodies]
        existing = self.tables.node(node_name)
        node = node_record(request, self.datacenter)
        if existing is not None and request.get("SkipNodeUpdate"):
            node = existing
        for check in checks:
            same_node = check.node.lower() == node_name.lower()
            if not same_node and self.tables.node(check.node) is None:
                raise rpc_failure(messages.MISSING_NODE_REGISTRATION)
            if check.service_id:
                registering = service is not None and same_node and service.id == check.service_id
                owner = service if registering else self.tables.service(
                    check.node, check.service_id)
                if owner is None:
                    raise rpc_failure(messages.MISSING_SERVICE_REGISTRATION)
                # ensureCheckTxn copies the service's name and tags onto its checks.
                check.service_name, check.service_tags = owner.service, owner.tags
        if node is not existing:
            self.acl.require(token, "node", "write", node_name)
        if service is not None:
            self.acl.require(token, "service", "write", service.service)
        with self.tables.transaction() as txn:
            if node is not existing:
                txn.put_node(node)
            if service is not None:
                txn.put_service(service)
            for check in checks:
                txn.put_check(check)

    def catalog_deregister(self, node: str, service_id: str = "", check_id: str = "", *,
                           token: str | None = None) -> None:
        """``PUT /v1/catalog/deregister``: a check, a service (and its checks) or a node."""
        with self._operation():
            self.acl.resolve_first(token)
            if not node:
                raise rpc_failure(messages.MUST_PROVIDE_NODE)
            instance = self.tables.service(node, service_id) if service_id else None
            if instance is not None:
                self.acl.require(token, "service", "write", instance.service)
            elif not service_id:
                self.acl.require(token, "node", "write", node)
            with self.tables.transaction() as txn:
                if service_id:
                    txn.delete_service(LOCAL, node, service_id)
                elif check_id:
                    txn.delete_check(LOCAL, node, check_id)
                else:
                    txn.delete_node(LOCAL, node)
            self._exports_may_change()

    def agent_register(self, definition: dict[str, Any], *, token: str | None = None) -> None:
        """``PUT /v1/agent/service/register`` with a decoded ServiceDefinition: the service
        and its checks land on the server's node (the agent syncs to the catalog at once)."""
        with self._operation():
            self.acl.resolve_first(token)
            if not definition.get("Name"):
                raise ConsulError(400, messages.MISSING_SERVICE_NAME)
            for check in [definition.get("Check")] + list(definition.get("Checks") or ()):
                problem = check_type_problem(check) if check else None
                if problem is not None:
                    raise ConsulError(400, messages.INVALID_CHECK.format(problem))
            if is_any_address(definition.get("Address") or ""):
                raise ConsulError(400, messages.INVALID_SERVICE_ADDRESS)
            self.acl.require(token, "service", "write", definition["Name"])
            node = self.server_node
            service = service_record(node, definition, name_key="Name")
            checks = agent_checks(node, service, definition)
            kept = {c.check_id for c in checks}
            with self.tables.transaction() as txn:
                for old in self.tables.node_checks(node):
                    # Re-registering replaces the service's checks.
                    if old.service_id == service.id and old.check_id not in kept:
                        txn.delete_check(LOCAL, node, old.check_id)
                txn.put_service(service)
                for check in checks:
                    txn.put_check(check)
            self._agent_services.add(service.id)
            self._exports_may_change()

    def agent_deregister(self, service_id: str, *, token: str | None = None) -> None:
        """``PUT /v1/agent/service/deregister/:id``; 404 for an ID the agent does not know."""
        with self._operation():
            self.acl.resolve_first(token)
            node = self.server_node
            instance = self.tables.service(node, service_id)
            if service_id not in self._agent_services or instance is None:
                raise ConsulError(404, messages.unknown_agent_service(service_id))
            self.acl.require(token, "service", "write", instance.service)
            self._agent_services.discard(service_id)
            with self.tables.transaction() as txn:
                txn.delete_service(LOCAL, node, service_id)
            self._exports_may_change()

    def register_service(
        self,
        name: str,
        *,
        service_id: str = "",
        address: str = "",
        port: int = 0,
        tags: list[str] | None = None,
        meta: dict[str, str] | None = None,
        status: str | None = None,
        node: str | None = None,
        node_address: str = "127.0.0.1",
        token: str | None = None,
    ) -> None:
        """Register an instance of ``name``: on the server's node like the agent endpoint, or on
        ``node`` like ``/v1/catalog/register``. ``status`` adds one TTL-style check with it."""
        if node is None:
            definition: dict[str, Any] = {"Name": name, "ID": service_id, "Address": address,
                                          "Port": port, "Tags": tags, "Meta": meta}
            if status is not None:
                definition["Check"] = {"TTL": 30_000_000_000, "Status": status}
            self.agent_register(definition, token=token)
            return
        sid = service_id or name
        request: dict[str, Any] = {
            "Node": node, "Address": node_address,
            "Service": {"ID": sid, "Service": name, "Address": address, "Port": port,
                        "Tags": tags, "Meta": meta},
        }
        if status is not None:
            request["Checks"] = [{"CheckID": f"service:{sid}", "Name": f"Service '{name}' check",
                                  "Status": status, "ServiceID": sid}]
        self.catalog_register(request, token=token)

    def deregister_service(self, service_id: str, *, node: str | None = None,
                           token: str | None = None) -> None:
        """Remove an instance registered by ``register_service``."""
        if node is None:
            self.agent_deregister(service_id, token=token)
        else:
            self.catalog_deregister(node, service_id=service_id, token=token)

    def set_check_status(self, node: str, check_id: str, status: str) -> None:
        """A check changes status (what a running check or a TTL update does in Consul)."""
        with self._operation():
            check = next((c for c in self.tables.node_checks(node) if c.check_id == check_id),
                         None)
            if check is None:
                raise KeyError(f"no check {check_id!r} on node {node!r}")
            with self.tables.transaction() as txn:
                txn.put_check(_with_status(check, status))
            self._exports_may_change()

    # --- discovery -----------------------------------------------------------------------------

    def _readable(self, instances: list[tuple[NodeRecord, ServiceRecord]], token: str | None
                  ) -> list[tuple[NodeRecord, ServiceRecord]]:
        return [(node, service) for node, service in instances
                if self.acl.can(token, "service", "read", service.service)
                and self.acl.can(token, "node", "read", node.node)]

    def health_service_with_index(
        self, name: str, *, peer: str = "", passing: bool = False, token: str | None = None
    ) -> tuple[list[dict[str, Any]], int]:
        """``GET /v1/health/service/:name`` (``?peer=``, ``?passing``) and its index."""
        with self._operation():
            instances, index = self.tables.instances(name, peer)
            instances = self._readable(instances, token)
            entries = [(node, service, self.tables.checks_of(service))
                       for node, service in instances]
            if passing:
                entries = _only_passing(entries)
            return [
                {"Node": node.to_api(), "Service": service.to_node_service(),
                 "Checks": [c.to_api() for c in checks]}
                for node, service, checks in entries
            ], index

    def health_service(self, name: str, *, peer: str = "", passing: bool = False,
                       token: str | None = None) -> list[dict[str, Any]]:
        return self.health_service_with_index(name, peer=peer, passing=passing, token=token)[0]

    def catalog_service_with_index(self, name: str, *, peer: str = "", token: str | None = None
                                   ) -> tuple[list[dict[str, Any]], int]:
        """``GET /v1/catalog/service/:name``: ServiceNode entries and the service's index."""
        with self._operation():
            instances, index = self.tables.instances(name, peer)
            instances = self._readable(instances, token)
            return [service.to_service_node(node) for node, service in instances], index

    def catalog_service(self, name: str, *, peer: str = "", token: str | None = None
                        ) -> list[dict[str, Any]]:
        return self.catalog_service_with_index(name, peer=peer, token=token)[0]

    def catalog_services_with_index(self, *, peer: str = "", token: str | None = None
                                    ) -> tuple[dict[str, list[str]], int]:
        with self._operation():
            listing, index = self.tables.service_tags(peer)
            readable = {k: v for k, v in listing.items()
                        if self.acl.can(token, "service", "read", k)}
            return readable, index

    def catalog_services(self, *, peer: str = "", token: str | None = None
                         ) -> dict[str, list[str]]:
        """``GET /v1/catalog/services``: service name -> tags (``{}`` when none)."""
        return self.catalog_services_with_index(peer=peer, token=token)[0]

    def catalog_nodes_with_index(self, *, peer: str = "", token: str | None = None
                                 ) -> tuple[list[dict[str, Any]], int]:
        with self._operation():
            nodes, index = self.tables.nodes(peer)
            return [n.to_api() for n in nodes
                    if self.acl.can(token, "node", "read", n.node)], index

    def catalog_nodes(self, *, peer: str = "", token: str | None = None) -> list[dict[str, Any]]:
        """``GET /v1/catalog/nodes``: local nodes, or those imported from ``peer``."""
        return self.catalog_nodes_with_index(peer=peer, token=token)[0]

    # --- health reads and the agent's local state (catalog/health_reads.py) -------------------

    def _check_readable(self, token: str | None) -> health_reads.Readable:
        def readable(check: CheckRecord) -> bool:
            if not self.acl.can(token, "node", "read", check.node):
                return False
            return not check.service_name or self.acl.can(
                token, "service", "read", check.service_name)

        return readable

    def node_checks_with_index(self, node: str, *, peer: str = "", token: str | None = None
                               ) -> tuple[list[dict[str, Any]], int]:
        """``GET /v1/health/node/:node``: the node's checks and the checks table's index."""
        with self._operation():
            return health_reads.node_checks(self.tables, node, peer, self._check_readable(token))

    def service_checks_with_index(self, service: str, *, peer: str = "",
                                  token: str | None = None) -> tuple[list[dict[str, Any]], int]:
        """``GET /v1/health/checks/:service``."""
        with self._operation():
            return health_reads.service_checks(self.tables, service, peer,
                                               self._check_readable(token))

    def checks_in_state_with_index(self, state: str, *, peer: str = "",
                                   token: str | None = None) -> tuple[list[dict[str, Any]], int]:
        """``GET /v1/health/state/:state`` (``any``, ``passing``, ``warning``, ``critical``)."""
        with self._operation():
            return health_reads.checks_in_state(self.tables, state, peer,
                                                self._check_readable(token))

    def agent_services(self, *, token: str | None = None) -> dict[str, dict[str, Any]]:
        """``GET /v1/agent/services``: what was registered through the agent, by ID; filtered
        by service:read."""
        with self._operation():
            self.acl.resolve_first(token)
            node = self.server_node
            found = [s for sid in sorted(self._agent_services)
                     if (s := self.tables.service(node, sid)) is not None
                     and self.acl.can(token, "service", "read", s.service)]
            return {s.id: health_reads.agent_service(s, self.datacenter) for s in found}

    def agent_checks(self, *, token: str | None = None) -> dict[str, dict[str, Any]]:
        """``GET /v1/agent/checks``: the checks of the agent's services, by check ID."""
        with self._operation():
            self.acl.resolve_first(token)
            readable = self._check_readable(token)
            found = [c for c in self.tables.node_checks(self.server_node)
                     if c.service_id in self._agent_services and readable(c)]
            return {c.check_id: health_reads.agent_check(c)
                    for c in sorted(found, key=lambda c: c.check_id)}


def _with_status(check: CheckRecord, status: str) -> CheckRecord:
    return replace(check, status=status)


Entry = tuple[NodeRecord, ServiceRecord, list[CheckRecord]]


def _only_passing(entries: list[Entry]) -> list[Entry]:
    """filterNonPassing: an entry with any non-passing check is swapped out for the last
    kept one, so the survivors' order is Consul's, not the catalog's."""
    out = list(entries)
    n, i = len(out), 0
    while i < n:
        if any(check.status != PASSING for check in out[i][2]):
            out[i], out[n - 1] = out[n - 1], out[i]
            n -= 1
            continue
        i += 1
    return out[:n]
