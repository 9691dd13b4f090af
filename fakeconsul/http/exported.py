"""Export and import listings (spec §9.5): ``/v1/exported-services``, ``/v1/imported-services``
and the UI's ``/v1/internal/ui/exported-services?peer=``. All of them block on ``?index=``."""

from __future__ import annotations

from werkzeug.wrappers import Request, Response

from ..model.cluster import Cluster
from .catalog_common import answer, blocking_read
from .query import request_token
from .routes import Endpoint


def exported_services(cluster: Cluster, request: Request, name: str) -> Response:
    token = request_token(request)
    rows, index = blocking_read(
        cluster, request, lambda: cluster.config.exported_services_list_with_index(token=token)
    )
    return answer(rows, request, index)


def imported_services(cluster: Cluster, request: Request, name: str) -> Response:
    token = request_token(request)
    rows, index = blocking_read(
        cluster, request, lambda: cluster.config.imported_services_list_with_index(token=token)
    )
    return answer(rows, request, index)


def ui_exported_services(cluster: Cluster, request: Request, name: str) -> Response:
    peer, token = request.args.get("peer", ""), request_token(request)
    rows, index = blocking_read(
        cluster, request, lambda: cluster.config.ui_exported_services_with_index(peer, token=token)
    )
    return answer(rows, request, index)


ENDPOINTS = (
    Endpoint("/v1/exported-services", ("GET",), exported_services),
    Endpoint("/v1/imported-services", ("GET",), imported_services),
    Endpoint("/v1/internal/ui/exported-services", ("GET",), ui_exported_services),
)
