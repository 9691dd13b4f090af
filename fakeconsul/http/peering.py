"""The five peering endpoints (agent/peering_endpoint.go): decode, check, call the cluster."""

from __future__ import annotations

from typing import Any

from werkzeug.wrappers import Request, Response

from .. import messages
from ..cluster import Cluster
from ..gojson import STRING, GoJSONError, GoStruct, decode_stream, map_of, slice_of
from . import render
from .blocking import run_blocking
from .query import check_partition, parse_query_options
from .render import HTTPError
from .routes import Endpoint

GENERATE_REQUEST = GoStruct(
    "PeeringGenerateTokenRequest",
    "api",
    [
        ("PeerName", STRING),
        ("Partition", STRING),
        ("Meta", map_of(STRING)),
        ("ServerExternalAddresses", slice_of(STRING)),
    ],
)
ESTABLISH_REQUEST = GoStruct(
    "PeeringEstablishRequest",
    "api",
    [
        ("PeerName", STRING),
        ("PeeringToken", STRING),
        ("Partition", STRING),
        ("Meta", map_of(STRING)),
    ],
)


def _decode(request: Request, target: GoStruct) -> dict[str, Any]:
    try:
        return decode_stream(request.get_data(), target)
    except GoJSONError as err:
        raise HTTPError(400, messages.BODY_DECODING_FAILED.format(err.message)) from None


def generate_token(cluster: Cluster, request: Request, name: str) -> Response:
    body = _decode(request, GENERATE_REQUEST)
    if not body["PeerName"]:
        raise HTTPError(400, messages.GENERATE_PEER_NAME_REQUIRED)
    check_partition(request)
    token = cluster.generate_token(
        body["PeerName"],
        meta=body["Meta"],
        server_external_addresses=body["ServerExternalAddresses"],
        partition=body["Partition"],
    )
    return render.json_body({"PeeringToken": token}, request)


def establish(cluster: Cluster, request: Request, name: str) -> Response:
    body = _decode(request, ESTABLISH_REQUEST)
    if not body["PeerName"]:
        raise HTTPError(400, messages.ESTABLISH_PEER_NAME_REQUIRED)
    if not body["PeeringToken"]:
        raise HTTPError(400, messages.ESTABLISH_TOKEN_REQUIRED)
    check_partition(request)
    cluster.establish(body["PeerName"], body["PeeringToken"], meta=body["Meta"])
    return render.json_body({}, request)


def read_or_delete(cluster: Cluster, request: Request, name: str) -> Response:
    if not name:
        raise HTTPError(400, messages.NAME_REQUIRED)
    check_partition(request)
    if request.method == "DELETE":
        cluster.delete(name)
        return render.empty(200)
    blocking = parse_query_options(request)
    peering, index = run_blocking(cluster, blocking, lambda: cluster.read_with_index(name))
    if peering is None:
        raise HTTPError(404, messages.peering_not_found(name))
    return _with_query_meta(render.json_body(peering.to_api(), request), index)


def list_peerings(cluster: Cluster, request: Request, name: str) -> Response:
    check_partition(request)
    blocking = parse_query_options(request)
    peerings, index = run_blocking(cluster, blocking, cluster.list_with_index)
    return _with_query_meta(render.json_body([p.to_api() for p in peerings], request), index)


def _with_query_meta(response: Response, index: int) -> Response:
    # Go canonicalizes header names on the wire; these are the bytes Consul sends.
    response.headers["X-Consul-Index"] = str(max(index, 1))  # never 0
    response.headers["X-Consul-Knownleader"] = "true"
    response.headers["X-Consul-Lastcontact"] = "0"
    return response


ENDPOINTS = (
    Endpoint("/v1/peering/token", ("POST",), generate_token),
    Endpoint("/v1/peering/establish", ("POST",), establish),
    Endpoint("/v1/peering/", ("GET", "DELETE"), read_or_delete, subtree=True),
    Endpoint("/v1/peerings", ("GET",), list_peerings),
)
