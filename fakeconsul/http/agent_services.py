"""The agent's service registration (agent/agent_endpoint.go): register and deregister.

The fake's agent is its one server; what it registers reaches the catalog at once (Consul's
anti-entropy sync runs within seconds).
"""

from __future__ import annotations

from werkzeug.wrappers import Request, Response

from ..catalog.registration import SERVICE_DEFINITION
from ..model.cluster import Cluster
from . import render
from .catalog_common import decode
from .query import check_partition, request_token
from .routes import Endpoint


def register(cluster: Cluster, request: Request, name: str) -> Response:
    check_partition(request)
    body = decode(request, SERVICE_DEFINITION)
    cluster.catalog.agent_register(body, token=request_token(request))
    return render.empty(200)


def deregister(cluster: Cluster, request: Request, name: str) -> Response:
    check_partition(request)
    cluster.catalog.agent_deregister(name, token=request_token(request))
    return render.empty(200)


ENDPOINTS = (
    Endpoint("/v1/agent/service/register", ("PUT",), register),
    Endpoint("/v1/agent/service/deregister/", ("PUT",), deregister, subtree=True),
)
