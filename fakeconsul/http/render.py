"""Responses as Consul's Go HTTP wrapper writes them."""

from __future__ import annotations

import gzip
from typing import Any

from werkzeug.wrappers import Request, Response

from ..gocompat import go_marshal

TEXT = "text/plain; charset=utf-8"  # what Go's http server sniffs for a plain-text body
JSON = "application/json"
# gziphandler's default: smaller bodies are not worth compressing.
GZIP_MIN_SIZE = 1400


class HTTPError(Exception):
    """An answer the HTTP handler gives itself (Consul's HTTPError{StatusCode, Reason})."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


def text(status: int, body: str) -> Response:
    return Response(body.encode("utf-8"), status=status, content_type=TEXT)


def empty(status: int = 200) -> Response:
    response = Response(b"", status=status)
    del response.headers["Content-Type"]
    return response


def json_body(value: Any, request: Request) -> Response:
    pretty = "pretty" in request.args
    return Response(go_marshal(value, pretty=pretty), status=200, content_type=JSON)


def maybe_gzip(request: Request, response: Response) -> Response:
    """Compress like Consul's gzip middleware when the client asks and the body is large."""
    response.headers["Vary"] = "Accept-Encoding"
    accepts = request.headers.get("Accept-Encoding", "")
    if "gzip" not in accepts.lower() or response.direct_passthrough:
        return response
    data = response.get_data()
    if len(data) < GZIP_MIN_SIZE:
        return response
    response.set_data(gzip.compress(data, compresslevel=6))
    response.headers["Content-Encoding"] = "gzip"
    return response
