"""Check lists (agent/health_endpoint.go): ``/v1/health/node/:node``, ``/v1/health/checks/:service``
and ``/v1/health/state/:state``, with ``?peer=`` and blocking on the checks table's index."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from werkzeug.wrappers import Request, Response

from .. import messages
from ..model.cluster import Cluster
from .blocking import run_blocking
from .catalog_common import answer
from .query import check_partition, parse_query_options, request_token
from .render import HTTPError
from .routes import Endpoint

Query = Callable[..., tuple[list[dict[str, Any]], int]]


def _checks(cluster: Cluster, request: Request, name: str, missing: str, query: Query
            ) -> Response:
    # Consul parses the query options (their 400s first), then looks at the path's last part.
    check_partition(request)
    blocking = parse_query_options(request)
    if not name:
        raise HTTPError(400, missing)
    peer, token = request.args.get("peer", ""), request_token(request)
    found, index = run_blocking(cluster, blocking, lambda: query(name, peer=peer, token=token))
    return answer(found, request, index)


def node(cluster: Cluster, request: Request, name: str) -> Response:
    return _checks(cluster, request, name, messages.MISSING_NODE_NAME,
                   cluster.catalog.node_checks_with_index)


def service(cluster: Cluster, request: Request, name: str) -> Response:
    return _checks(cluster, request, name, messages.MISSING_SERVICE_NAME,
                   cluster.catalog.service_checks_with_index)


def state(cluster: Cluster, request: Request, name: str) -> Response:
    return _checks(cluster, request, name, messages.MISSING_CHECK_STATE,
                   cluster.catalog.checks_in_state_with_index)


ENDPOINTS = (
    Endpoint("/v1/health/node/", ("GET",), node, subtree=True),
    Endpoint("/v1/health/checks/", ("GET",), service, subtree=True),
    Endpoint("/v1/health/state/", ("GET",), state, subtree=True),
)
