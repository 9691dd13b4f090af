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


# A stream poll is held until something travels or its wait ends, and an exchange may be
# answered by another process: both run on a worker, never on the server's event loop.
ENDPOINTS = (
    Endpoint(EXCHANGE, ("POST",), exchange, may_wait=True),
    Endpoint(STREAM, ("POST",), stream, may_wait=True),
)
