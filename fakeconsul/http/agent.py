"""The calls clients make before peering: leader, peers, agent/self, datacenters, members.

Peering does not cross WAN federation, so each fake cluster knows only its own datacenter.
"""

from __future__ import annotations

import uuid

from werkzeug.wrappers import Request, Response

from ..model.cluster import Cluster
from ..version import CONSUL_VERSION
from . import render
from .query import request_token
from .routes import Endpoint

RAFT_ADDRESS = "127.0.0.1:8300"
REVISION = "fakeconsul"


def _node_name(cluster: Cluster) -> str:
    return cluster.catalog.server_node


def _node_id(cluster: Cluster) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"fakeconsul:{cluster.id}"))


def status_leader(cluster: Cluster, request: Request, name: str) -> Response:
    return render.json_body(RAFT_ADDRESS, request)


def status_peers(cluster: Cluster, request: Request, name: str) -> Response:
    return render.json_body([RAFT_ADDRESS], request)


def catalog_datacenters(cluster: Cluster, request: Request, name: str) -> Response:
    return render.json_body([cluster.name], request)


def _member(cluster: Cluster) -> dict[str, object]:
    return {
        "Name": _node_name(cluster),
        "Addr": "127.0.0.1",
        "Port": 8301,
        "Tags": {
            "build": f"{CONSUL_VERSION}:{REVISION}",
            "dc": cluster.name,
            "id": _node_id(cluster),
            "port": "8300",
            "role": "consul",
            "vsn": "2",
        },
        "Status": 1,
        "ProtocolMin": 1,
        "ProtocolMax": 5,
        "ProtocolCur": 2,
        "DelegateMin": 2,
        "DelegateMax": 5,
        "DelegateCur": 4,
    }


def agent_members(cluster: Cluster, request: Request, name: str) -> Response:
    # With ACLs on, members are filtered by node:read on their names (filterMembers).
    visible = cluster.acl.can(request_token(request), "node", "read", _node_name(cluster))
    return render.json_body([_member(cluster)] if visible else [], request)


def agent_self(cluster: Cluster, request: Request, name: str) -> Response:
    cluster.acl.require(request_token(request), "agent", "read", _node_name(cluster))
    config = {
        "Datacenter": cluster.name,
        "PrimaryDatacenter": cluster.name,
        "NodeName": _node_name(cluster),
        "NodeID": _node_id(cluster),
        "Partition": "",
        "Revision": REVISION,
        "Server": True,
        "Version": CONSUL_VERSION,
        "BuildDate": "2024-11-26T00:00:00Z",
    }
    body = {
        "Config": config,
        "DebugConfig": {
            "Datacenter": cluster.name,
            "NodeName": _node_name(cluster),
            "PeeringEnabled": cluster.peering_enabled,
            "ConnectEnabled": True,
        },
        "Coord": None,
        "Member": _member(cluster),
        "Stats": {"consul": {"server": "true", "leader": "true", "known_datacenters": "1"}},
        "Meta": {"consul-network-segment": "", "consul-version": CONSUL_VERSION},
        "xDS": {
            "SupportedProxies": {"envoy": ["1.31.2"]},
            "Port": 8502,
            "Ports": {"Plaintext": 8502, "TLS": -1},
        },
    }
    return render.json_body(body, request)


ENDPOINTS = (
    Endpoint("/v1/status/leader", ("GET",), status_leader),
    Endpoint("/v1/status/peers", ("GET",), status_peers),
    Endpoint("/v1/agent/self", ("GET",), agent_self),
    Endpoint("/v1/agent/members", ("GET",), agent_members),
    Endpoint("/v1/catalog/datacenters", ("GET",), catalog_datacenters),
)
