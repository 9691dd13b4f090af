"""Who may use the fake's own API under ``/_fakeconsul/`` and the dashboard.

Consul's API keeps Consul's behaviour; the fake's own endpoints can reset a network, forge
answers and move time, so with ACLs on they ask for a token as Consul's operator endpoints do
(reads ``operator:read``, writes ``operator:write``). Whether ACLs are on or not, a browser page
of another site (an ``Origin`` that is not the server's own) and a request for a DNS name that
is not this server's (DNS rebinding) are refused: both would let any web page drive a fake left
running on a developer's machine.
"""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

from werkzeug.wrappers import Request, Response

from .. import messages
from ..http.query import request_token
from ..http.render import HTTPError
from ..http.routes import Handler
from ..model.cluster import Cluster

_READS = ("GET", "HEAD")
_LOCAL_NAMES = ("localhost",)


def _hostname(netloc: str) -> str:
    """The host part of ``host[:port]`` or ``[v6]:port``, lower-cased."""
    if netloc.startswith("["):
        return netloc[1:].partition("]")[0].lower()
    return netloc.rpartition(":")[0].lower() if netloc.count(":") == 1 else netloc.lower()


def _is_ip(name: str) -> bool:
    try:
        ipaddress.ip_address(name)
    except ValueError:
        return False
    return True


def _own_host(cluster: Cluster, request: Request) -> bool:
    """A rebinding attack needs a DNS name: IP literals, localhost and the name the server
    listens on are the server's own."""
    name = _hostname(request.host)
    if not name or _is_ip(name) or name in _LOCAL_NAMES or name.endswith(".localhost"):
        return True
    served = cluster.served_address
    return served is not None and name == _hostname(served)


def refuse_foreign(cluster: Cluster, request: Request) -> None:
    """403 for a request whose Host or Origin is not this server's."""
    if not _own_host(cluster, request):
        raise HTTPError(403, messages.control_foreign_host(request.host))
    origin = request.headers.get("Origin")
    if origin is not None:
        parts = urlsplit(origin)
        if parts.scheme not in ("http", "https") or parts.netloc.lower() != request.host.lower():
            raise HTTPError(403, messages.control_foreign_origin(origin))


def operator(handler: Handler) -> Handler:
    """``handler`` for callers of this server's origin holding ``operator:read`` (GET, HEAD)
    or ``operator:write`` (the rest), as the cluster whose port answers judges the token."""

    def checked(cluster: Cluster, request: Request, name: str) -> Response:
        refuse_foreign(cluster, request)
        level = "read" if request.method in _READS else "write"
        cluster.acl.require(request_token(request), "operator", level)
        return handler(cluster, request, name)

    return checked


def same_origin(handler: Handler) -> Handler:
    """``handler`` for callers of this server's origin only (the token is judged further on)."""

    def checked(cluster: Cluster, request: Request, name: str) -> Response:
        refuse_foreign(cluster, request)
        return handler(cluster, request, name)

    return checked
