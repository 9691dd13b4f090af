"""The dashboard at ``/ui/``: static files shipped in the package, no build step, no CDN.

The page reads ``GET /_fakeconsul/state`` (a blocking query, so it stays live without
hammering the server) and acts through the control API and ``/_fakeconsul/clusters/<name>/``,
so one page served by any cluster drives them all.
"""

from __future__ import annotations

import re
from importlib import resources

from werkzeug.wrappers import Request, Response

from .. import messages
from ..http.render import HTTPError
from ..http.routes import Endpoint
from ..model.cluster import Cluster
from .guard import same_origin

_TYPES = {
    "html": "text/html; charset=utf-8",
    "js": "text/javascript; charset=utf-8",
    "css": "text/css; charset=utf-8",
    "svg": "image/svg+xml",
}
_NAME = re.compile(r"[a-z0-9_-]+\.(html|js|css|svg)")


def asset(cluster: Cluster, request: Request, name: str) -> Response:
    name = name or "index.html"
    match = _NAME.fullmatch(name)
    resource = resources.files("fakeconsul.serve") / "ui" / name
    if match is None or not resource.is_file():
        raise HTTPError(404, messages.ui_no_file(name))
    response = Response(resource.read_bytes(), content_type=_TYPES[match.group(1)])
    # The files change with the package, not while it runs; but never serve a stale page
    # after an upgrade.
    response.headers["Cache-Control"] = "no-cache"
    return response


# The page itself needs no token (as Consul's UI assets do not); what it does through the control
# API does. A DNS name that is not this server's is refused here too.
ENDPOINTS = (Endpoint("/ui/", ("GET", "HEAD"), same_origin(asset), subtree=True),)
