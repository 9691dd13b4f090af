"""Config entries (agent/config_endpoint.go): ``PUT /v1/config`` and ``/v1/config/:kind[/:name]``.

``?cas=`` is parsed with strconv.ParseUint; Consul returns that error as it is, so a bad value
is a 500 with Go's text.
"""

from __future__ import annotations

from werkzeug.wrappers import Request, Response

from .. import messages
from ..golang.gocompat import parse_uint64
from ..golang.gojson import GoJSONError, decode_any
from ..model.cluster import Cluster
from ..model.errors import ConsulError
from . import render
from .catalog_common import answer, blocking_read
from .query import check_partition, request_token
from .render import HTTPError
from .routes import Endpoint


def _cas(request: Request) -> int | None:
    raw = request.args.get("cas", "")
    if not raw:
        return None
    try:
        return parse_uint64(raw)
    except ValueError as err:
        raise ConsulError(500, str(err)) from None


def apply(cluster: Cluster, request: Request, name: str) -> Response:
    check_partition(request)
    try:
        raw = decode_any(request.get_data())
    except GoJSONError as err:
        raise HTTPError(400, messages.CONFIG_DECODING_FAILED.format(err.message)) from None
    written = cluster.config.write_config_entry(
        raw, cas=_cas(request), token=request_token(request)
    )
    return render.json_body(written, request)


def get_or_delete(cluster: Cluster, request: Request, rest: str) -> Response:
    check_partition(request)
    parts = rest.split("/", 1)
    token = request_token(request)
    if request.method == "DELETE":
        if len(parts) != 2:
            raise HTTPError(404, messages.CONFIG_DELETE_NEEDS_BOTH)
        cas = _cas(request)
        deleted = cluster.config.delete_config_entry(parts[0], parts[1], cas=cas, token=token)
        # Consul answers CAS deletes with the outcome and plain ones with an empty object.
        return render.json_body(deleted if cas is not None else {}, request)
    if len(parts) == 2:
        kind, entry_name = parts
        entry, index = blocking_read(
            cluster, request,
            lambda: cluster.config.read_config_entry_with_index(kind, entry_name, token=token),
        )
        if entry is None:
            raise HTTPError(404, messages.config_not_found(kind, entry_name))
        return answer(entry, request, index)
    entries, index = blocking_read(
        cluster, request,
        lambda: cluster.config.list_config_entries_with_index(parts[0], token=token),
    )
    return answer(entries, request, index)


ENDPOINTS = (
    Endpoint("/v1/config", ("PUT",), apply),
    Endpoint("/v1/config/", ("GET", "DELETE"), get_or_delete, subtree=True),
)
