"""``GET /v1/health/service/:name`` (agent/health_endpoint.go), with ``?peer=``, ``?passing``,
``?tag=`` and blocking ``?index=``/``?wait=``; imports wake it as local writes do."""

from __future__ import annotations

from werkzeug.wrappers import Request, Response

from .. import messages
from ..model.cluster import Cluster
from .catalog_common import answer, blocking_read
from .query import request_token
from .render import HTTPError
from .routes import Endpoint

_TRUE = ("1", "t", "T", "TRUE", "true", "True")
_FALSE = ("0", "f", "F", "FALSE", "false", "False")


def _passing(request: Request) -> bool:
    """getBoolQueryParam: present and empty means true; otherwise strconv.ParseBool."""
    if "passing" not in request.args:
        return False
    value = request.args.get("passing", "")
    if value == "" or value in _TRUE:
        return True
    if value in _FALSE:
        return False
    # Consul only looks at ?passing once the (possibly blocking) query returned; the fake
    # answers the 400 at once, which a client cannot tell apart.
    raise HTTPError(400, messages.INVALID_PASSING)


def service(cluster: Cluster, request: Request, name: str) -> Response:
    if not name:
        raise HTTPError(400, messages.MISSING_SERVICE_NAME)
    passing = _passing(request)
    peer, token = request.args.get("peer", ""), request_token(request)
    tags = request.args.getlist("tag") if "tag" in request.args else None
    found, index = blocking_read(
        cluster, request,
        lambda: cluster.catalog.health_service_with_index(
            name, peer=peer, passing=passing, token=token
        ),
    )
    if tags is not None:
        found = [e for e in found if all(t in e["Service"]["Tags"] for t in tags)]
    return answer(found, request, index)


ENDPOINTS = (Endpoint("/v1/health/service/", ("GET",), service, subtree=True),)
