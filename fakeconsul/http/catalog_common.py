"""What the catalog, health, config and export handlers share: Consul's ``parse()`` and
``setMeta()`` for read endpoints, and the typed body decoding of the write endpoints."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from werkzeug.wrappers import Request, Response

from .. import messages
from ..golang.gojson import GoJSONError, GoStruct, decode_stream
from ..model.cluster import Cluster
from . import render
from .blocking import run_blocking
from .query import check_partition, parse_query_options
from .render import HTTPError

T = TypeVar("T")


def decode(request: Request, target: GoStruct) -> dict[str, Any]:
    """decodeBody into ``target``; a failure is Consul's 400 ``Request decode failed: ...``.
    decodeBody does not call DisallowUnknownFields: unknown keys are ignored."""
    try:
        return decode_stream(request.get_data(), target, disallow_unknown_fields=False)
    except GoJSONError as err:
        raise HTTPError(400, messages.REQUEST_DECODE_FAILED.format(err.message)) from None


def blocking_read(
    cluster: Cluster, request: Request, query: Callable[[], tuple[T, int]]
) -> tuple[T, int]:
    """Consul's parse() (partition, consistency, wait, index), then the query, blocking when
    ``?index=`` asks; returns the result and the index to send."""
    check_partition(request)
    return run_blocking(cluster, parse_query_options(request), query)


def answer(value: Any, request: Request, index: int) -> Response:
    """A read's JSON with setMeta's headers (``X-Consul-Index`` never 0)."""
    response = render.json_body(value, request)
    response.headers["X-Consul-Index"] = str(max(index, 1))
    response.headers["X-Consul-Knownleader"] = "true"
    response.headers["X-Consul-Lastcontact"] = "0"
    return response
