"""A cluster's werkzeug application: Consul's mux, method checks, headers and error rendering.

Routing follows Go's ServeMux as Consul registers it: exact paths, the ``/v1/peering/`` subtree
(whose rest is the name), a 301 to the cleaned path for ``//`` or dot segments, and a 301 from
``/v1/peering`` to ``/v1/peering/``.
"""

from __future__ import annotations

import posixpath
import traceback
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from werkzeug.exceptions import NotFound
from werkzeug.routing import BaseConverter, Map, Rule
from werkzeug.wrappers import Request, Response

from .. import messages
from ..cluster import Cluster
from ..errors import ConsulError
from . import agent, peering, render
from .render import HTTPError

Handler = Callable[[Cluster, Request, str], Response]


class _RestConverter(BaseConverter):
    """The rest of the path after a subtree pattern, slashes and emptiness included."""

    regex = ".*"
    part_isolating = False


@dataclass(frozen=True)
class Endpoint:
    path: str
    methods: tuple[str, ...]
    handler: Handler
    subtree: bool = False


ENDPOINTS = (
    Endpoint("/v1/peering/token", ("POST",), peering.generate_token),
    Endpoint("/v1/peering/establish", ("POST",), peering.establish),
    Endpoint("/v1/peering/", ("GET", "DELETE"), peering.read_or_delete, subtree=True),
    Endpoint("/v1/peerings", ("GET",), peering.list_peerings),
    Endpoint("/v1/status/leader", ("GET",), agent.status_leader),
    Endpoint("/v1/status/peers", ("GET",), agent.status_peers),
    Endpoint("/v1/agent/self", ("GET",), agent.agent_self),
    Endpoint("/v1/agent/members", ("GET",), agent.agent_members),
    Endpoint("/v1/catalog/datacenters", ("GET",), agent.catalog_datacenters),
)


def _rules(endpoints: Iterable[Endpoint]) -> Map:
    rules = []
    for number, endpoint in enumerate(endpoints):
        path = endpoint.path + "<rest:name>" if endpoint.subtree else endpoint.path
        rules.append(Rule(path, endpoint=number))
    return Map(
        rules, converters={"rest": _RestConverter}, strict_slashes=False, merge_slashes=False
    )


def _clean_path(path: str) -> str:
    """Go's cleanPath: Clean, keeping one trailing slash."""
    if not path.startswith("/"):
        path = "/" + path
    cleaned = posixpath.normpath(path)
    if cleaned.startswith("//"):
        cleaned = "/" + cleaned.lstrip("/")
    if path.endswith("/") and cleaned != "/":
        cleaned += "/"
    return cleaned


class ConsulApp:
    """WSGI application answering as one Consul agent (the cluster's leader) answers.

    An exception the fake did not expect is kept in ``errors`` (and answered with a 500), so a
    test harness can re-raise it instead of letting it hide behind a status code.
    """

    def __init__(self, cluster: Cluster, endpoints: Iterable[Endpoint] = ENDPOINTS) -> None:
        self.cluster = cluster
        self.endpoints = tuple(endpoints)
        self._map = _rules(self.endpoints)
        self._subtrees = {e.path.rstrip("/") for e in self.endpoints if e.subtree}
        self.errors: list[BaseException] = []

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        request = Request(environ)
        response = self.handle(request)
        return response(environ, start_response)

    def handle(self, request: Request) -> Response:
        try:
            response = self._dispatch(request)
        except Exception as err:  # a bug in the fake: keep it for the test, answer loudly
            self.errors.append(err)
            response = render.text(500, "fakeconsul internal error: " + "".join(
                traceback.format_exception_only(type(err), err)).strip())
        return render.maybe_gzip(request, response)

    def _dispatch(self, request: Request) -> Response:
        path = request.path
        if request.method != "CONNECT":
            cleaned = _clean_path(path)
            if cleaned != path:
                return self._redirect(request, cleaned)
            if path in self._subtrees:
                return self._redirect(request, path + "/")
        try:
            number, args = self._map.bind("consul").match(path, method=None)
        except NotFound:
            return self._unrouted(path)
        return self._wrap(self.endpoints[number], request, args.get("name", ""))

    def _wrap(self, endpoint: Endpoint, request: Request, name: str) -> Response:
        """Consul's HTTP wrapper: OPTIONS, the method list, the handler, errors as text."""
        allow = ",".join(("OPTIONS",) + endpoint.methods)
        if request.method == "OPTIONS":
            response = render.empty(200)
            response.headers["Allow"] = allow
        elif request.method not in endpoint.methods:
            response = render.text(405, messages.method_not_allowed(request.method))
            response.headers["Allow"] = allow
        else:
            try:
                response = endpoint.handler(self.cluster, request, name)
            except HTTPError as err:
                response = render.text(err.status, err.reason)
            except ConsulError as err:
                response = render.text(err.status, err.message)
        # ACLs are disabled until configured: Consul then reports the "allow" policy.
        response.headers["X-Consul-Default-Acl-Policy"] = "allow"
        return response

    def _unrouted(self, path: str) -> Response:
        if path.startswith("/v1/"):
            response = render.text(404, messages.INVALID_URL_PATH)
            response.headers["X-Content-Type-Options"] = "nosniff"
            return response
        if path == "/":
            return render.text(200, messages.INDEX_UI_DISABLED)
        return render.empty(404)

    @staticmethod
    def _redirect(request: Request, location: str) -> Response:
        if request.query_string:
            location += "?" + request.query_string.decode("latin-1")
        if request.method in ("GET", "HEAD"):
            response = Response(
                messages.moved_permanently_html(location), 301,
                content_type="text/html; charset=utf-8",
            )
        else:
            response = render.empty(301)
        response.headers["Location"] = location
        return response
