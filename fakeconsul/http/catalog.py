"""Catalog endpoints (agent/catalog_endpoint.go): registration, and discovery with ``?peer=``.

Without ``?peer=`` only local entries are listed; with it, only what was imported from that
peering (unknown peer: empty answers, not an error).
"""

from __future__ import annotations

from werkzeug.wrappers import Request, Response

from .. import messages
from ..catalog.registration import DEREGISTER_REQUEST, REGISTER_REQUEST
from ..model.cluster import Cluster
from . import render
from .catalog_common import answer, blocking_read, decode
from .query import check_partition, request_token
from .render import HTTPError
from .routes import Endpoint


def register(cluster: Cluster, request: Request, name: str) -> Response:
    check_partition(request)
    body = decode(request, REGISTER_REQUEST)
    cluster.catalog.catalog_register(body, token=request_token(request))
    return render.json_body(True, request)


def deregister(cluster: Cluster, request: Request, name: str) -> Response:
    check_partition(request)
    body = decode(request, DEREGISTER_REQUEST)
    cluster.catalog.catalog_deregister(
        body.get("Node") or "", body.get("ServiceID") or "", body.get("CheckID") or "",
        token=request_token(request),
    )
    return render.json_body(True, request)


def services(cluster: Cluster, request: Request, name: str) -> Response:
    peer, token = request.args.get("peer", ""), request_token(request)
    listing, index = blocking_read(
        cluster, request,
        lambda: cluster.catalog.catalog_services_with_index(peer=peer, token=token),
    )
    return answer(listing, request, index)


def nodes(cluster: Cluster, request: Request, name: str) -> Response:
    peer, token = request.args.get("peer", ""), request_token(request)
    found, index = blocking_read(
        cluster, request, lambda: cluster.catalog.catalog_nodes_with_index(peer=peer, token=token)
    )
    return answer(found, request, index)


def service(cluster: Cluster, request: Request, name: str) -> Response:
    if not name:
        raise HTTPError(400, messages.MISSING_SERVICE_NAME)
    peer, token = request.args.get("peer", ""), request_token(request)
    tags = request.args.getlist("tag") if "tag" in request.args else None
    found, index = blocking_read(
        cluster, request,
        lambda: cluster.catalog.catalog_service_with_index(name, peer=peer, token=token),
    )
    if tags is not None:
        found = [e for e in found if all(t in e["ServiceTags"] for t in tags)]
    return answer(found, request, index)


ENDPOINTS = (
    Endpoint("/v1/catalog/register", ("PUT",), register),
    Endpoint("/v1/catalog/deregister", ("PUT",), deregister),
    Endpoint("/v1/catalog/services", ("GET",), services),
    Endpoint("/v1/catalog/nodes", ("GET",), nodes),
    Endpoint("/v1/catalog/service/", ("GET",), service, subtree=True),
)
