"""Responses as Consul's Go HTTP wrapper writes them."""

from __future__ import annotations

import gzip
import io
from collections.abc import Iterable
from typing import Any

from werkzeug.datastructures import Headers
from werkzeug.wrappers import Request, Response

from ..golang.gocompat import go_marshal
from ..model.errors import ConsulError

TEXT = "text/plain; charset=utf-8"  # what Go's http server sniffs for a plain-text body
JSON = "application/json"


class HTTPError(Exception):
    """An answer the HTTP handler gives itself (Consul's HTTPError{StatusCode, Reason})."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


def header(request: Request, environ_key: str) -> str:
    """``request.headers.get(name, "")``, read where werkzeug's ``EnvironHeaders`` reads it:
    ``environ_key`` is ``HTTP_`` and the name upper-cased with ``_`` for ``-``. Its ``get``
    raises and catches a ``KeyError`` for each absent header."""
    value: str = request.environ.get(environ_key, "")
    return value


def text(status: int, body: str) -> Response:
    return Response(body.encode("utf-8"), status=status, content_type=TEXT)


def consul_error(err: ConsulError) -> Response:
    """agent/http.go handleErr (1.15+): an error from an internal gRPC service is unpacked and
    only its status message is written; the gRPC code (``err.code``) never reaches the body."""
    return text(err.status, err.message)


def empty(status: int = 200) -> Response:
    response = Response(b"", status=status)
    del response.headers["Content-Type"]
    return response


def ensure_content_type(request: Request, response: Response) -> Response:
    """agent/http.go ensureContentTypeHeader (1.20.2+, api.GetContentType): after the handler,
    a response without Content-Type gets one. It only reaches the wire when the handler wrote
    nothing (an empty 200 from DELETE or OPTIONS): a written status has sent its headers, so a
    redirect or an error keeps its own. GET and DELETE echo the request's Content-Type, if it
    has one; everything else is JSON (the octet-stream rules are for /v1/kv, /v1/snapshot and
    /v1/event/fire, which the fake does not serve)."""
    if "Content-Type" in response.headers or response.status_code != 200:
        return response
    if response.direct_passthrough or response.get_data():
        return response
    asked = request.headers.get("Content-Type", "")
    if request.method in ("GET", "DELETE") and asked:
        response.headers["Content-Type"] = asked
    else:
        response.headers["Content-Type"] = JSON
    return response


def json_body(value: Any, request: Request) -> Response:
    pretty = "pretty" in request.args
    return Response(go_marshal(value, pretty=pretty), status=200, content_type=JSON)


def json_bytes(body: bytes, headers: Iterable[tuple[str, str]] = ()) -> Response:
    """``Response(body, content_type=JSON)`` with ``headers`` after its own two, the same list
    built at once: werkzeug's header setter validates its value and scans the list on every
    call, and setting the body sets Content-Length through it once more (benchmarks/README.md,
    issue 13). ``response`` is werkzeug's public body attribute, what ``set_data`` assigns."""
    response = Response(status=200, headers=Headers(
        [("Content-Type", JSON), ("Content-Length", str(len(body))), *headers]
    ))
    response.response = [body]
    return response


def accepts_gzip(request: Request) -> bool:
    """gziphandler's test: ``gzip`` listed in Accept-Encoding with a q-value above 0."""
    encodings = header(request, "HTTP_ACCEPT_ENCODING")
    if not encodings:
        return False  # most clients send none: nothing to split
    for part in encodings.split(","):
        coding, _, params = part.strip().partition(";")
        if coding.strip().lower() != "gzip":
            continue
        q = params.strip().lower()
        if q.startswith("q="):
            try:
                return float(q[2:]) > 0
            except ValueError:
                return False
        return True
    return False


def vary(response: Response) -> Response:
    response.headers["Vary"] = "Accept-Encoding"
    return response


def _go_gzip(data: bytes) -> bytes:
    """``data`` compressed by a gzip.Writer as gziphandler makes one: the default level (6)
    and a zero ModTime, so the header is MTIME 0, XFL 0, OS 255 (unknown). GzipFile writes that
    header; ``gzip.compress`` would write the current time, or with ``mtime=0`` zlib's OS 3."""
    buffer = io.BytesIO()
    with gzip.GzipFile(fileobj=buffer, mode="wb", compresslevel=6, mtime=0) as out:
        out.write(data)
    return buffer.getvalue()


def gzip_endpoint(request: Request, response: Response) -> Response:
    """Consul wraps each API endpoint in gziphandler with MinSize(0): any non-empty body is
    compressed when the client accepts gzip. Vary is gziphandler's own header, which no
    handler sets, so it is appended: the same list as ``vary`` makes, without its scan."""
    response.headers.add("Vary", "Accept-Encoding")
    if response.direct_passthrough or not accepts_gzip(request):
        return response
    data = response.get_data()
    if not data:
        return response
    response.set_data(_go_gzip(data))
    response.headers["Content-Encoding"] = "gzip"
    return response
