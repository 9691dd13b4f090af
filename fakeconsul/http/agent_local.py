"""The agent's local state (agent/agent_endpoint.go): ``/v1/agent/services`` and
``/v1/agent/checks``, maps keyed by service and check ID, filtered by the token's reads."""

from __future__ import annotations

from werkzeug.wrappers import Request, Response

from ..model.cluster import Cluster
from . import render
from .query import check_partition, request_token
from .routes import Endpoint


def services(cluster: Cluster, request: Request, name: str) -> Response:
    check_partition(request)
    return render.json_body(cluster.catalog.agent_services(token=request_token(request)),
                            request)


def checks(cluster: Cluster, request: Request, name: str) -> Response:
    check_partition(request)
    return render.json_body(cluster.catalog.agent_checks(token=request_token(request)), request)


ENDPOINTS = (
    Endpoint("/v1/agent/services", ("GET",), services),
    Endpoint("/v1/agent/checks", ("GET",), checks),
)
