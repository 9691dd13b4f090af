"""The five peering endpoints (agent/peering_endpoint.go): decode, check, call the cluster."""

from __future__ import annotations

from time import sleep
from typing import Any

from werkzeug.wrappers import Request, Response

from .. import messages, schemas
from ..golang.gojson import GoJSONError, decode_stream
from ..model.cluster import Cluster
from ..model.errors import ConsulError
from ..model.peering import Peering
from . import render
from .blocking import missing_keeps_blocking, real_seconds, run_blocking
from .parse_quirk import parsed_then_answered
from .query import Blocking, check_partition, has_arg, request_token
from .render import HTTPError
from .routes import Endpoint

# The bodies are described once, in fakeconsul/schemas: the Go decoder (Go's exact texts) is
# derived from the schema, and the schema then checks what the decoder accepted.
GENERATE_BODY = schemas.RequestBody("generate-token-request")
ESTABLISH_BODY = schemas.RequestBody("establish-request")
GENERATE_REQUEST = GENERATE_BODY.go_struct
ESTABLISH_REQUEST = ESTABLISH_BODY.go_struct


def _decode(request: Request, target: schemas.RequestBody) -> dict[str, Any]:
    try:
        body = decode_stream(request.get_data(), target.go_struct)
    except GoJSONError as err:
        raise HTTPError(400, messages.BODY_DECODING_FAILED.format(err.message)) from None
    target.check_decoded(body)
    return body


def generate_token(cluster: Cluster, request: Request, name: str) -> Response:
    body = _decode(request, GENERATE_BODY)
    if not body["PeerName"]:
        raise HTTPError(400, messages.GENERATE_PEER_NAME_REQUIRED)
    check_partition(request)
    token = cluster.generate_token(
        body["PeerName"],
        meta=body["Meta"],
        server_external_addresses=body["ServerExternalAddresses"],
        partition=body["Partition"],
        token=request_token(request),
    )
    return render.json_body({"PeeringToken": token}, request)


def establish(cluster: Cluster, request: Request, name: str) -> Response:
    body = _decode(request, ESTABLISH_BODY)
    if not body["PeerName"]:
        raise HTTPError(400, messages.ESTABLISH_PEER_NAME_REQUIRED)
    if not body["PeeringToken"]:
        raise HTTPError(400, messages.ESTABLISH_TOKEN_REQUIRED)
    check_partition(request)
    started = real_seconds()
    try:
        cluster.establish(
            body["PeerName"], body["PeeringToken"], meta=body["Meta"], token=request_token(request)
        )
    except ConsulError as err:
        # Consul answers an unreachable acceptor once its retries are over (about 3 s for
        # `fakeconsul serve`); the operation took no model time, so the wait happens here,
        # outside the network's lock, on a worker (the endpoint may wait).
        sleep(max(err.answer_after - (real_seconds() - started), 0.0))
        raise
    return render.json_body({}, request)


def read_or_delete(cluster: Cluster, request: Request, name: str) -> Response:
    if not name:
        raise HTTPError(400, messages.NAME_REQUIRED)
    check_partition(request)
    if request.method == "DELETE":
        cluster.delete(name, token=request_token(request))
        return render.empty(200)
    token = request_token(request)

    def answer(blocking: Blocking) -> Response:
        read = missing_keeps_blocking(
            lambda: cluster.read_with_index(name, token=token), blocking.min_index
        )
        peering, index = run_blocking(cluster, blocking, read)
        if peering is None:
            raise HTTPError(404, messages.peering_not_found(name))
        return _peerings_body(peering, request, index)

    return parsed_then_answered(request, answer)


def list_peerings(cluster: Cluster, request: Request, name: str) -> Response:
    check_partition(request)
    token = request_token(request)

    def answer(blocking: Blocking) -> Response:
        peerings, index = run_blocking(
            cluster, blocking, lambda: cluster.list_with_index(token=token)
        )
        return _peerings_body(peerings, request, index)

    return parsed_then_answered(request, answer)


def _peerings_body(value: Peering | list[Peering], request: Request, index: int) -> Response:
    """One peering or a list, as json.Marshal writes them, with the query meta. Compact output
    reuses each snapshot's own encoding (a slice is its elements' bytes joined by commas), so
    listing unchanged peerings costs a join instead of an encoding per peering."""
    if has_arg(request, "pretty"):
        api = value.to_api() if isinstance(value, Peering) else [p.to_api() for p in value]
        response = render.json_body(api, request)
        response.headers.extend(_query_meta(index))
        return response
    if isinstance(value, Peering):
        body = value.api_json
    else:
        body = b"[" + b",".join(p.api_json for p in value) + b"]"
    return render.json_bytes(body, _query_meta(index))


def _query_meta(index: int) -> list[tuple[str, str]]:
    # Go canonicalizes header names on the wire; these are the bytes Consul sends.
    return [
        ("X-Consul-Index", str(max(index, 1))),  # never 0
        ("X-Consul-Knownleader", "true"),
        ("X-Consul-Lastcontact", "0"),
        # setMeta's setQueryBackend: the peering RPCs answer through a blocking query.
        ("X-Consul-Query-Backend", "blocking-query"),
    ]


ENDPOINTS = (
    Endpoint("/v1/peering/token", ("POST",), generate_token),
    # Establish may exchange the secret with an acceptor in another process over the network:
    # never on the server's event loop, which that acceptor's answer may need.
    Endpoint("/v1/peering/establish", ("POST",), establish, may_wait=True),
    Endpoint("/v1/peering/", ("GET", "DELETE"), read_or_delete, subtree=True, reusable=True),
    Endpoint("/v1/peerings", ("GET",), list_peerings, reusable=True),
)
