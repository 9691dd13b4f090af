"""The acceptor's link endpoints, served beside Consul's API on every port of a cluster (the
gRPC TLS port its tokens name answers them too)."""

from __future__ import annotations

import json
from typing import Any

from werkzeug.wrappers import Request, Response

from .. import messages
from ..http import render
from ..http.render import HTTPError
from ..http.routes import Endpoint
from ..model.cluster import Cluster
from . import acceptor
from .wire import EXCHANGE, STREAM, VERSION


def _body(request: Request) -> dict[str, Any]:
    try:
        body = json.loads(request.get_data() or b"{}")
    except ValueError:
        raise HTTPError(400, messages.LINK_BODY_NOT_JSON) from None
    if not isinstance(body, dict):
        raise HTTPError(400, messages.LINK_BODY_NOT_OBJECT)
    acceptor.refuse_unknown_version(body, VERSION)
    return body


def exchange(cluster: Cluster, request: Request, name: str) -> Response:
    body = _body(request)
    secret = acceptor.exchange(cluster, str(body.get("PeerID", "")),
                               str(body.get("EstablishmentSecret", "")))
    return render.json_body({"StreamSecret": secret}, request)


def stream(cluster: Cluster, request: Request, name: str) -> Response:
    return render.json_body(acceptor.stream(cluster, _body(request)), request)


ENDPOINTS = (
    Endpoint(EXCHANGE, ("POST",), exchange),
    Endpoint(STREAM, ("POST",), stream),
)
