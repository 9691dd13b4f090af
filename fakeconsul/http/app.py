"""A cluster's werkzeug application: Consul's mux, method checks, headers and error rendering.

Routing follows Go's ServeMux as Consul registers it: exact paths, the ``/v1/peering/`` subtree
(whose rest is the name), a 301 to the cleaned path for ``//`` or dot segments, and a 301 from
``/v1/peering`` to ``/v1/peering/``.
"""

from __future__ import annotations

import functools
import logging
import posixpath
import traceback
from collections.abc import Iterable
from typing import Any

from werkzeug.exceptions import NotFound
from werkzeug.routing import BaseConverter, Map, Rule
from werkzeug.wrappers import Request, Response

from .. import messages
from ..model.cluster import Cluster
from ..model.errors import ConsulError
from . import (
    acl,
    agent,
    agent_local,
    agent_services,
    catalog,
    config,
    connect_ca,
    exported,
    health,
    health_checks,
    peering,
    render,
)
from .blocking import Parked
from .faults import InjectedResponse, Injections
from .render import HTTPError
from .routes import Endpoint


class _RestConverter(BaseConverter):
    """The rest of the path after a subtree pattern, slashes and emptiness included."""

    regex = ".*"
    part_isolating = False


# Each API area declares its own ENDPOINTS (path, methods, handler); the app joins them. These
# are Consul's; the fake's own areas (control API, dashboard) are added by ``serve/``.
AREAS = (peering, agent, acl, catalog, health, agent_services, config, exported, connect_ca,
         health_checks, agent_local)
ROUTE_CACHE_SIZE = 1024  # remembered path matches per app (see ConsulApp._dispatch)
# Only paths up to this long are remembered (for the route cache and the unserved warnings): a
# client sending megabyte paths must not make the app keep a gigabyte of them.
REMEMBERED_PATH = 512
# Unserved API paths each app warns about once; a scan of many paths stops at this many.
UNSERVED_WARNINGS = 256

log = logging.getLogger("fakeconsul.http")


def all_endpoints() -> tuple[Endpoint, ...]:
    return tuple(endpoint for area in AREAS for endpoint in area.ENDPOINTS)


@functools.lru_cache(maxsize=8)
def _rules(endpoints: tuple[Endpoint, ...]) -> Map:
    # werkzeug compiles each rule (~1 ms apiece); the map is only read once built, so every app
    # with the same endpoints shares one instead of paying ~50 ms per cluster and test.
    rules = []
    for number, endpoint in enumerate(endpoints):
        path = endpoint.path + "<rest:name>" if endpoint.subtree else endpoint.path
        rules.append(Rule(path, endpoint=number))
    # Go's ServeMux matches exact patterns exactly: "/v1/peerings/" is not "/v1/peerings", and
    # "/v1/peering/token/" falls into the "/v1/peering/" subtree (a peering named "token/").
    return Map(
        rules, converters={"rest": _RestConverter}, strict_slashes=True, merge_slashes=False
    )


def _subtree_roots(endpoints: Iterable[Endpoint]) -> set[str]:
    """Paths Go's ServeMux redirects to ``path + "/"``: a subtree's root, unless the same path
    is registered exactly too (``/v1/acl/policy`` creates, ``/v1/acl/policy/`` reads)."""
    exact = {e.path for e in endpoints if not e.subtree}
    return {e.path.rstrip("/") for e in endpoints if e.subtree} - exact


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


def _request_path(request: Request) -> str:
    """The path as sent, like Go's URL.Path: werkzeug's ``request.path`` folds leading slashes
    into one, which would hide ``//v1/peerings`` from the clean-path redirect."""
    raw = request.environ.get("PATH_INFO") or ""
    # PEP 3333 carries the path bytes as latin-1; werkzeug decodes them the same way.
    return raw.encode("latin-1").decode("utf-8", "replace")


log = logging.getLogger("fakeconsul.http")  # configured by fakeconsul serve (serve/logs.py)
_APP = "http.app"  # the key of a cluster's app among its attachments


def app_for(cluster: Cluster, endpoints: Iterable[Endpoint] | None = None) -> ConsulApp:
    """The cluster's one app, made with ``endpoints`` on first use: its injected answers and
    the errors it met belong to the cluster, whichever port or test client reaches it."""
    app: ConsulApp | None = cluster.attachments.get(_APP)
    if app is None:
        app = cluster.attachments[_APP] = ConsulApp(cluster, endpoints)
    return app


class ConsulApp:
    """WSGI application answering as one Consul agent (the cluster's leader) answers.

    An exception the fake did not expect is answered with a 500, logged with its traceback at
    error level and counted in ``error_count``. While ``keep_errors`` is true (tests: the
    pytest plugin re-raises them, then drops them) it is also kept in ``errors``; a
    long-running ``fakeconsul serve`` keeps none, so no caller can grow its memory.
    """

    def __init__(self, cluster: Cluster, endpoints: Iterable[Endpoint] | None = None) -> None:
        self.cluster = cluster
        self.endpoints = tuple(endpoints) if endpoints is not None else all_endpoints()
        self._map = _rules(self.endpoints)
        self._subtrees = _subtree_roots(self.endpoints)
        self._routes: dict[str, tuple[int, str]] = {}  # path -> (endpoint number, name)
        self._unserved: set[str] = set()  # API paths already warned about
        self.errors: list[BaseException] = []
        self.keep_errors = True
        self.error_count = 0
        self.injections = Injections()

    def drop_areas(self, areas: Iterable[Any]) -> None:
        """Stop serving the endpoints of ``areas`` (modules with ``ENDPOINTS``)."""
        gone = {endpoint for area in areas for endpoint in area.ENDPOINTS}
        self.endpoints = tuple(e for e in self.endpoints if e not in gone)
        self._map = _rules(self.endpoints)
        self._subtrees = _subtree_roots(self.endpoints)
        self._routes.clear()

    def inject(
        self,
        method: str,
        path: str,
        status: int,
        body: str | bytes = "",
        *,
        times: int = 1,
        delay: float = 0.0,
        headers: dict[str, str] | None = None,
        content_type: str = render.TEXT,
    ) -> None:
        """Answer the next ``times`` requests for ``method`` (or ``"*"``) and ``path`` with
        ``status`` and ``body``, after ``delay`` real seconds, instead of the fake's answer."""
        self.injections.add(InjectedResponse(
            method.upper() if method != "*" else method, path, status, body, times, delay,
            dict(headers or {}), content_type,
        ))

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        request = Request(environ)
        response = self.handle(request)
        return response(environ, start_response)

    def handle(self, request: Request) -> Response:
        # Go compares methods as sent ("get" is not GET: 405); werkzeug upper-cases them.
        request.method = request.environ.get("REQUEST_METHOD") or request.method
        try:
            injected = self.injections.take(request)
            if injected is None:
                return self._dispatch(request)  # each of its answers has its Vary already
            response = injected
        except Parked:
            raise  # the server holds the request and runs it again later (blocking.PARKING)
        except Exception as err:  # a bug in the fake: answer loudly, log it, keep it for a test
            self.error_count += 1
            log.error("internal error answering %s %s", request.method, request.path[:200],
                      exc_info=err)
            if self.keep_errors:
                self.errors.append(err)
            detail = "".join(traceback.format_exception_only(type(err), err)).strip()
            response = render.text(500, messages.internal_error(detail[:500]))
        return render.vary(response)

    def _dispatch(self, request: Request) -> Response:
        """The app's own answer, with ``Vary`` as every answer has it: ``_wrap`` adds it where
        gziphandler does (before the policy header), the rest get it last."""
        path = _request_path(request)
        if request.method != "CONNECT":
            cleaned = _clean_path(path)
            if cleaned != path:
                return render.vary(self._redirect(request, cleaned))
            if path in self._subtrees:
                return render.vary(self._redirect(request, path + "/"))
        route = self._route(path)
        if route is None:
            self._warn_unserved(request.method, path)
            return render.vary(self._unrouted(path))
        number, name = route
        return self._wrap(self.endpoints[number], request, name)

    def _route(self, path: str) -> tuple[int, str] | None:
        # werkzeug walks its rule table on every match; clients repeat the same few paths, so
        # each match is remembered (a bounded dict: a scan over many names cannot grow it).
        route = self._routes.get(path)
        if route is None:
            try:
                number, args = self._map.bind("consul").match(path, method=None)
            except NotFound:
                return None
            if len(path) > REMEMBERED_PATH:
                return number, args.get("name", "")
            if len(self._routes) >= ROUTE_CACHE_SIZE:
                self._routes.clear()
            route = self._routes[path] = (number, args.get("name", ""))
        return route

    def may_wait(self, request: Request) -> bool:
        """Whether answering ``request`` may sleep or wait for another thread: an answer is
        injected (it may have a delay), or its endpoint says so (``Endpoint.may_wait``). A
        redirect or an unrouted path never waits."""
        if self.injections:
            return True
        route = self._route(_request_path(request))
        return route is not None and self.endpoints[route[0]].may_wait

    def reusable(self, request: Request) -> bool:
        """Whether this answer to ``request`` may be sent again while the network does not
        change: a ``GET`` to a ``reusable`` endpoint, no answer injected."""
        if self.injections or request.method != "GET":
            return False
        route = self._route(_request_path(request))
        return route is not None and self.endpoints[route[0]].reusable

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
                response = render.consul_error(err)
        render.ensure_content_type(request, response)
        render.gzip_endpoint(request, response)
        # acl.default_policy; "allow" while ACLs are disabled. The wrapper's own header (no
        # handler sets it), so appended rather than set: the same list, without set's scan.
        response.headers.add("X-Consul-Default-Acl-Policy", self.cluster.acl.default_policy)
        return response

    def _warn_unserved(self, method: str, path: str) -> None:
        path = path[:REMEMBERED_PATH]
        if "/v1/" not in path or path in self._unserved:
            return
        if len(self._unserved) >= UNSERVED_WARNINGS:
            return
        self._unserved.add(path)
        log.warning(messages.unserved_path(self.cluster.name, method, path))

    def _unrouted(self, path: str) -> Response:
        if "/v1/" in path:  # Consul's Index handler tests strings.Contains, not a prefix
            response = render.text(404, messages.INVALID_URL_PATH)
            response.headers["X-Content-Type-Options"] = "nosniff"
            return response
        if path == "/":
            return render.text(200, messages.INDEX_UI_DISABLED)
        return render.text(404, messages.INVALID_URL_PATH_NOT_API)

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
        # Go's header writer turns CR and LF in a value into spaces (headerNewlineToSpace); the
        # body keeps them, as http.Redirect writes it.
        response.headers["Location"] = location.replace("\r", " ").replace("\n", " ")
        return response
