"""A request read by h11 as the WSGI environ werkzeug's ``Request`` expects (PEP 3333).

The path reaches the application as sent: percent-decoded, but with its ``//`` and dot segments
kept (werkzeug's request handler folds leading slashes, which hid ``//v1/peerings`` from the
app's clean-path 301, as Go's ServeMux sends it).
"""

from __future__ import annotations

import functools
import io
import sys
from typing import Any
from urllib.parse import unquote_to_bytes

import h11

# Headers WSGI carries without the HTTP_ prefix.
_UNPREFIXED = {b"content-type": "CONTENT_TYPE", b"content-length": "CONTENT_LENGTH"}


def build_environ(
    request: h11.Request,
    body: bytes,
    *,
    server: tuple[str, int],
    client: tuple[str, int],
) -> dict[str, Any]:
    target = request.target
    if target.startswith(b"http://") or target.startswith(b"https://"):
        # An absolute-form target (a proxy's): Go keeps the path part for the mux.
        after_scheme = target.split(b"//", 1)[1]
        slash = after_scheme.find(b"/")
        target = after_scheme[slash:] if slash >= 0 else b"/"
    raw_path, _, query = target.partition(b"?")
    environ: dict[str, Any] = {
        "REQUEST_METHOD": request.method.decode("latin-1"),
        "SCRIPT_NAME": "",
        "PATH_INFO": unquote_to_bytes(raw_path).decode("latin-1"),
        "QUERY_STRING": query.decode("latin-1"),
        "RAW_URI": target.decode("latin-1"),
        "REQUEST_URI": target.decode("latin-1"),
        "SERVER_NAME": server[0],
        "SERVER_PORT": str(server[1]),
        "SERVER_PROTOCOL": "HTTP/" + request.http_version.decode("ascii"),
        "REMOTE_ADDR": client[0],
        "REMOTE_PORT": str(client[1]),
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(body),
        # The body is read whole (h11 took it off the wire, chunked or not): werkzeug may read
        # the stream to its end instead of trusting CONTENT_LENGTH.
        "wsgi.input_terminated": True,
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": True,
        "wsgi.multiprocess": False,
        "wsgi.run_once": False,
    }
    for name, value in request.headers:
        key = _environ_key(name)
        text = value.decode("latin-1")
        if key in environ and key.startswith("HTTP_"):
            environ[key] += "," + text  # repeated headers join, as PEP 3333 asks
        else:
            environ[key] = text
    if "CONTENT_LENGTH" not in environ:
        # A chunked body has been read whole: the application sees its length.
        environ["CONTENT_LENGTH"] = str(len(body)) if body else ""
    return environ


# Clients send the same few header names on every request: each one's key is made once.
@functools.lru_cache(maxsize=512)
def _environ_key(name: bytes) -> str:
    return _UNPREFIXED.get(name) or "HTTP_" + name.decode("latin-1").upper().replace("-", "_")
