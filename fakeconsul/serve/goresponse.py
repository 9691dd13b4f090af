"""A handler's answer as Go's ``net/http`` server writes it on an HTTP/1.x connection.

Written by hand because this is the part no protocol library does: h11 frames requests (see
``connection.py``) but would write its own header order and framing, and one blocked query's
answer must be encoded once and written as the same bytes to every socket waiting on it.
Everything below follows ``chunkWriter.writeHeader`` and ``extraHeader.Write`` in Go's
``src/net/http/server.go``:

* the status line from Go's ``StatusText`` (``gostatus.py``);
* the handler's headers first, sorted by canonical key (``Header.WriteSubset``), each value on
  its own line, newlines replaced by spaces and surrounding blanks trimmed;
* then the server's own, in this order: ``Date``, ``Content-Length``, ``Content-Type`` (Go sniffs
  one when the handler set none; the fake's handlers always set one), ``Connection``,
  ``Transfer-Encoding``;
* ``Content-Length`` when the handler finished within the 2,048-byte buffer
  (``bufferBeforeChunkingSize``) Go keeps before it starts chunking; a longer HTTP/1.1 body goes
  out chunked (one chunk, as Consul's single ``Write`` of its JSON makes it), a longer
  HTTP/1.0 body without a length and the connection closes after it;
* no body and no ``Content-Length``/``Transfer-Encoding`` for 1xx, 204 and 304 (304 drops
  ``Content-Type`` too); a HEAD answer keeps its length but sends no body;
* ``Connection: close`` only when the connection closes after this answer (the client asked, or
  the handler did) and the request is HTTP/1.1; an HTTP/1.0 client that asked for keep-alive gets
  ``Connection: keep-alive`` when the length is known.

There is no ``Server`` header: Go's server sends none.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Iterable
from dataclasses import dataclass
from email.utils import formatdate

from .gostatus import STATUS_TEXT, status_line

BUFFER_BEFORE_CHUNKING = 2048  # Go's bufferBeforeChunkingSize
# Set by the server after the handler is done, never taken from the handler's headers (werkzeug
# adds Content-Length to every Response; Go computes it itself). Canonical keys: every spelling
# of these names canonicalizes to them.
_SERVER_OWNED = frozenset({"Content-Length", "Transfer-Encoding"})
_TOKEN_CHARS = frozenset(
    "!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
)


# An answer has about eight headers and they are the same few names every time: worked out
# character by character, their keys were most of the cost of encoding an answer.
@functools.lru_cache(maxsize=1024)
def canonical_key(key: str) -> str:
    """textproto.CanonicalMIMEHeaderKey: ``x-consul-index`` -> ``X-Consul-Index``; a key with a
    byte that is not a token character is returned unchanged, as Go does."""
    if not key or not _TOKEN_CHARS.issuperset(key):
        return key
    return "-".join(part[:1].upper() + part[1:].lower() for part in key.split("-"))


_date_cache: tuple[int, str] = (0, "")


def http_date() -> str:
    """``Mon, 02 Jan 2006 15:04:05 GMT`` for now (Go's appendTime), computed once a second."""
    global _date_cache
    now = int(time.time())
    if _date_cache[0] != now:
        _date_cache = (now, formatdate(now, usegmt=True))
    return _date_cache[1]


@dataclass(frozen=True)
class RequestFacts:
    """What of the request shapes the answer's framing."""

    http11: bool = True
    head: bool = False
    wants_close: bool = False  # HTTP/1.1 "Connection: close", or HTTP/1.0 without keep-alive
    wants_10_keep_alive: bool = False  # HTTP/1.0 with "Connection: keep-alive"


def _body_allowed(status: int) -> bool:
    return not (100 <= status < 200 or status in (204, 304))


def encode(
    status: int, headers: Iterable[tuple[str, str]], body: bytes, request: RequestFacts
) -> tuple[bytes, bool]:
    """The answer's bytes and whether the connection closes after it."""
    grouped: dict[str, list[str]] = {}
    for key, value in headers:
        name = canonical_key(key)
        if name in _SERVER_OWNED:
            continue
        grouped.setdefault(name, []).append(value)
    allowed = _body_allowed(status)
    if status == 304:
        grouped.pop("Content-Type", None)  # Go's suppressedHeaders(304)
    close = request.wants_close and not request.wants_10_keep_alive
    handler_connection = ",".join(grouped.get("Connection", ())).lower()
    if "close" in handler_connection:
        close = True
    length: int | None = None
    chunked = False
    if allowed and len(body) <= BUFFER_BEFORE_CHUNKING and (not request.head or body):
        length = len(body)
    elif allowed and not request.head:
        if request.http11:
            chunked = True
        else:
            close = True
    extra_connection = ""
    if request.wants_10_keep_alive and (request.head or length is not None or not allowed):
        if "Connection" not in grouped:
            extra_connection = "keep-alive"
    elif request.wants_10_keep_alive:
        close = True
    if close and "close" not in handler_connection:
        grouped.pop("Connection", None)
        if request.http11:
            extra_connection = "close"
    # The head is put together as text and encoded once (an encode per line cost as much as
    # the rest of the head).
    head = []
    for name in sorted(grouped):
        for value in grouped[name]:
            if "\r" in value or "\n" in value:
                value = value.replace("\r\n", " ").replace("\r", " ").replace("\n", " ")
            head.append(f"{name}: {value.strip()}\r\n")
    if "Date" not in grouped:
        head.append(f"Date: {http_date()}\r\n")
    if length is not None:
        head.append(f"Content-Length: {length}\r\n")
    if extra_connection:
        head.append(f"Connection: {extra_connection}\r\n")
    if chunked:
        head.append("Transfer-Encoding: chunked\r\n")
    head.append("\r\n")
    pieces = [status_line(status, request.http11), "".join(head).encode("latin-1")]
    if allowed and not request.head:
        if chunked:  # pieces, not one formatted copy: a 10,000-peering list is 11 MB
            pieces += (b"%x\r\n" % len(body), body, b"\r\n0\r\n\r\n")
        else:
            pieces.append(body)
    return b"".join(pieces), close


# --- answers the server writes itself, before any handler runs (server.go ``c.serve``) ---------

_ERROR_HEADERS = "\r\nContent-Type: text/plain; charset=utf-8\r\nConnection: close\r\n\r\n"


def bad_request(text: str = "", code: int = 400) -> bytes:
    """Go's answer to a request it cannot read: ``400 Bad Request``, or for a ``statusError``
    (``missing required Host header``) ``400 Bad Request: <text>``, in the status line and as
    the body; no Date, no length; the connection closes after it."""
    public = f"{code} {STATUS_TEXT[code]}" + (f": {text}" if text else "")
    return f"HTTP/1.1 {public}{_ERROR_HEADERS}{public}".encode("latin-1")


# Consul reads any body a client sends; a fake left running must not hold a 100 MB upload in
# memory (and save it in its state file), so bodies over this limit are refused before they are
# read. The answer is the fake's own: Consul has no such limit.
MAX_BODY_BYTES = 32 << 20
BODY_TOO_LARGE = (
    f"HTTP/1.1 413 Request Entity Too Large{_ERROR_HEADERS}"
    f"fakeconsul refuses request bodies over {MAX_BODY_BYTES >> 20} MiB"
).encode("ascii")

HEADER_TOO_LARGE = (
    f"HTTP/1.1 431 Request Header Fields Too Large{_ERROR_HEADERS}"
    "431 Request Header Fields Too Large"
).encode("ascii")
UNSUPPORTED_TRANSFER_ENCODING = (
    f"HTTP/1.1 501 Not Implemented{_ERROR_HEADERS}Unsupported transfer encoding"
).encode("ascii")

# hashicorp/go-connlimit ``HTTPConnStateFuncWithDefault429Handler``, which Consul installs as its
# HTTP server's ConnState hook: written to a new connection over ``http_max_conns_per_client``
# before any request is read, then the connection is closed.
_LIMIT_MESSAGE = (
    "Your IP is issuing too many concurrent connections, please rate limit your calls\n"
)
TOO_MANY_CONNECTIONS = (
    "HTTP/1.1 429 Too Many Requests\r\nContent-Type: text/plain\r\n"
    f"Content-Length: {len(_LIMIT_MESSAGE)}\r\nConnection: close\r\n\r\n{_LIMIT_MESSAGE}"
).encode("ascii")
CONTINUE = b"HTTP/1.1 100 Continue\r\n\r\n"
