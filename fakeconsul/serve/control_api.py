"""The control API under ``/_fakeconsul/``: time, faults, reset and state, from any language.

Every cluster's port serves it, for the whole network (a cluster that is down refuses
connections on its own port, so another cluster's port brings it back). JSON in, JSON out;
bad input gets a 400 with a text naming the field, like Consul's own 400s.
``fakeconsul serve --no-control-api`` removes this area (and the dashboard, which uses it).
"""

from __future__ import annotations

import io
import json
import math
import re
from dataclasses import replace
from typing import Any

from werkzeug.wrappers import Request, Response

from .. import messages
from ..golang.gocompat import parse_duration
from ..http import render
from ..http.app import all_endpoints, app_for
from ..http.blocking import real_seconds
from ..http.render import HTTPError
from ..http.routes import Endpoint
from ..link import endpoints as link_endpoints
from ..model.cluster import Cluster
from ..model.network import Network
from ..model.timing import TIMING_FIELDS, timing_to_api
from . import admin, dashboard, guard

PREFIX = "/_fakeconsul/"
# A blocking state query sleeps at least this long (real seconds) between two looks at a timer
# that is due, and waits at most STATE_MAX_WAIT.
STATE_POLL = 0.05
STATE_MAX_WAIT = 60.0
_METHOD = re.compile(r"[A-Za-z]+|\*")


def _json(value: Any, status: int = 200) -> Response:
    return Response(json.dumps(value) + "\n", status=status, content_type=render.JSON)


def _body(request: Request, allowed: list[str]) -> dict[str, Any]:
    """The request's JSON object (an empty body is ``{}``), with only ``allowed`` fields."""
    data = request.get_data()
    if not data.strip():
        return {}
    try:
        body = json.loads(data)
    except (UnicodeDecodeError, json.JSONDecodeError) as err:
        raise HTTPError(400, messages.CONTROL_BODY_NOT_JSON.format(err)) from None
    except RecursionError:
        raise HTTPError(400, messages.CONTROL_BODY_TOO_DEEP) from None
    if not isinstance(body, dict):
        raise HTTPError(400, messages.CONTROL_BODY_NOT_OBJECT)
    for key in body:
        if key not in allowed:
            raise HTTPError(400, messages.control_unknown_field(key, allowed))
    return body


def _seconds(body: dict[str, Any], key: str, *, required: bool = True) -> float | None:
    if key not in body:
        if required:
            raise HTTPError(400, messages.control_missing_field(key))
        return None
    value = body[key]
    if (
        isinstance(value, bool)
        or not isinstance(value, int | float)
        or not math.isfinite(value)
        or not 0 <= value <= messages.CONTROL_MAX_SECONDS
    ):
        raise HTTPError(400, messages.control_bad_seconds(key))
    return float(value)


def _string(body: dict[str, Any], key: str, default: str | None = None) -> str:
    if key not in body:
        if default is None:
            raise HTTPError(400, messages.control_missing_field(key))
        return default
    value = body[key]
    if not isinstance(value, str):
        raise HTTPError(400, messages.control_not_string(key))
    return value


def _cluster(network: Network, name: str, status: int = 400) -> Cluster:
    if name not in network:
        raise HTTPError(status, messages.control_unknown_cluster(name))
    return network[name]


# --- state, reset, clock, timing -------------------------------------------------------------


def state(cluster: Cluster, request: Request, name: str) -> Response:
    """The whole network; ``?version=V&wait=30s`` blocks until the state differs from V.

    A blocked request sleeps on the network's change signal (a stored write, a timer fired, a
    fault, the clock moved) and, while timers are pending, until the next one is due: an idle
    dashboard costs nothing between changes, where it used to rebuild the state every 50 ms.
    """
    seen = request.args.get("version", "")
    wait = 0.0
    if request.args.get("wait"):
        try:
            wait = min(parse_duration(request.args["wait"]), STATE_MAX_WAIT)
        except ValueError:
            raise HTTPError(400, messages.INVALID_WAIT) from None
    network = admin.network_of(cluster)
    deadline = real_seconds() + wait
    while True:
        generation = network.generation  # read first: a change while building shows up here
        current = admin.network_state(network)
        current["ServedBy"] = cluster.name  # the dashboard knows whose port it is on
        remaining = deadline - real_seconds()
        if not seen or current["Version"] != seen or remaining <= 0:
            return _json(current)
        network.wait_for_change(generation, _sleep_for(network, remaining))


def _sleep_for(network: Network, remaining: float) -> float:
    """Until the deadline or, when a timer is pending, until it is due (no less than
    STATE_POLL: a timer due now has just fired while the state was built)."""
    due = network.next_due()
    if due is None:
        return remaining
    return min(remaining, max((due - network.now()).total_seconds(), STATE_POLL))


def reset(cluster: Cluster, request: Request, name: str) -> Response:
    _body(request, [])
    network = admin.network_of(cluster)
    admin.reset(network)
    for each in network.clusters:
        app_for(each, SERVED_ENDPOINTS).injections.clear()
    return _json({})


def clock(cluster: Cluster, request: Request, name: str) -> Response:
    return _json({"Now": admin.clock_to_api(admin.network_of(cluster))["Now"]})


def advance(cluster: Cluster, request: Request, name: str) -> Response:
    body = _body(request, ["Seconds"])
    seconds = _seconds(body, "Seconds")
    assert seconds is not None
    admin.advance(admin.network_of(cluster), seconds)
    return _json({"Now": admin.clock_to_api(admin.network_of(cluster))["Now"]})


def timing(cluster: Cluster, request: Request, name: str) -> Response:
    network = admin.network_of(cluster)
    if request.method == "PUT":
        body = _body(request, list(TIMING_FIELDS))
        changes: dict[str, float] = {}
        for key, field in TIMING_FIELDS.items():
            seconds = _seconds(body, key, required=False)
            if seconds is not None:
                changes[field] = seconds
        if changes.get("heartbeat_interval") == 0:
            raise HTTPError(400, messages.CONTROL_HEARTBEAT_INTERVAL_ZERO)
        admin.set_timing(network, changes)
    return _json(timing_to_api(network.timing))


# --- faults ----------------------------------------------------------------------------------


def _pair(cluster: Cluster, request: Request) -> tuple[Cluster, Cluster]:
    body = _body(request, ["Clusters"])
    names = body.get("Clusters")
    if names is None:
        raise HTTPError(400, messages.control_missing_field("Clusters"))
    if (
        not isinstance(names, list)
        or len(names) != 2
        or not all(isinstance(n, str) for n in names)
        or names[0] == names[1]
    ):
        raise HTTPError(400, messages.CONTROL_TWO_CLUSTERS)
    network = admin.network_of(cluster)
    return _cluster(network, names[0]), _cluster(network, names[1])


def disconnect(cluster: Cluster, request: Request, name: str) -> Response:
    first, second = _pair(cluster, request)
    admin.network_of(cluster).disconnect(first, second)
    return _json({})


def reconnect(cluster: Cluster, request: Request, name: str) -> Response:
    first, second = _pair(cluster, request)
    admin.network_of(cluster).reconnect(first, second)
    return _json({})


def _named(cluster: Cluster, request: Request) -> Cluster:
    body = _body(request, ["Cluster"])
    return _cluster(admin.network_of(cluster), _string(body, "Cluster"))


def take_down(cluster: Cluster, request: Request, name: str) -> Response:
    admin.network_of(cluster).take_down(_named(cluster, request))
    return _json({})


def bring_up(cluster: Cluster, request: Request, name: str) -> Response:
    admin.network_of(cluster).bring_up(_named(cluster, request))
    return _json({})


_INJECT_FIELDS = ["Cluster", "Method", "Path", "Status", "Body", "Times", "Delay", "Headers",
                  "ContentType"]


def inject(cluster: Cluster, request: Request, name: str) -> Response:
    """POST adds an injected response; DELETE drops every pending one on every cluster."""
    if request.method == "DELETE":
        _body(request, [])
        for each in admin.network_of(cluster).clusters:
            app_for(each, SERVED_ENDPOINTS).injections.clear()
        return _json({})
    body = _body(request, _INJECT_FIELDS)
    target = _cluster(admin.network_of(cluster), _string(body, "Cluster", cluster.name))
    method = _string(body, "Method", "*")
    if not _METHOD.fullmatch(method):
        raise HTTPError(400, messages.CONTROL_BAD_METHOD)
    path = _string(body, "Path")
    if not path.startswith("/") or path.startswith(PREFIX):
        raise HTTPError(400, messages.CONTROL_BAD_PATH)
    status = body.get("Status")
    if status is None:
        raise HTTPError(400, messages.control_missing_field("Status"))
    # 1xx answers are not final: a client would wait for the real answer forever.
    if isinstance(status, bool) or not isinstance(status, int) or not 200 <= status <= 599:
        raise HTTPError(400, messages.CONTROL_BAD_STATUS)
    times = body.get("Times", 1)
    if isinstance(times, bool) or not isinstance(times, int) or times < 1:
        raise HTTPError(400, messages.CONTROL_BAD_TIMES)
    headers = _headers(body.get("Headers") or {})
    app_for(target, SERVED_ENDPOINTS).inject(
        method, path, status, _string(body, "Body", ""),
        times=times, delay=_seconds(body, "Delay", required=False) or 0.0,
        headers=headers, content_type=_string(body, "ContentType", render.TEXT),
    )
    return _json({})


# A header name is an RFC 9110 token; a value holds no CR, LF or other control character (it
# would split the answer: response-header injection). The server frames the answer itself.
_TOKEN = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")
_CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]")
_FRAMING = ("content-length", "transfer-encoding", "connection")


def _headers(value: object) -> dict[str, str]:
    if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
        raise HTTPError(400, messages.CONTROL_BAD_HEADERS)
    for key, text in value.items():
        if not _TOKEN.fullmatch(key):
            raise HTTPError(400, messages.CONTROL_BAD_HEADER_NAME)
        if key.lower() in _FRAMING:
            raise HTTPError(400, messages.control_framing_header(key))
        if _CONTROL_CHARACTERS.search(text):
            raise HTTPError(400, messages.CONTROL_BAD_HEADER_VALUE)
    return value


# --- any cluster's API through any port ------------------------------------------------------


def via_cluster(cluster: Cluster, request: Request, name: str) -> Response:
    """``/_fakeconsul/clusters/<name>/<path>``: ``<path>`` as cluster ``<name>`` answers it.

    The dashboard is served from one port but acts on every cluster; this also reaches
    clusters that are not served at all. The answer is that cluster's own, byte for byte.
    The request goes as sent, headers and query included, so that cluster judges the caller's
    ACL token (the dashboard's X-Consul-Token) as its own port would.
    """
    target_name, _, rest = name.partition("/")
    target = _cluster(admin.network_of(cluster), target_name, 404)
    if ("/" + rest).startswith(PREFIX):
        # Not the control API again: a path that nests /_fakeconsul/clusters/ in itself would
        # recurse once per level, each level holding a copy of the request.
        raise HTTPError(400, messages.CONTROL_PROXY_TO_CONTROL)
    if not target.is_up:
        raise HTTPError(503, messages.control_cluster_down(target.name))
    data = request.get_data()
    environ = dict(request.environ)
    environ.pop("HTTP_ACCEPT_ENCODING", None)  # compressed once, by the app that answers
    environ.update({
        "PATH_INFO": "/" + rest,
        "wsgi.input": io.BytesIO(data),
        "CONTENT_LENGTH": str(len(data)),
    })
    response: Response = app_for(target, SERVED_ENDPOINTS).handle(Request(environ))
    return response


def unknown(cluster: Cluster, request: Request, name: str) -> Response:
    raise HTTPError(404, messages.control_unknown_endpoint(PREFIX + name))


_ANY = ("GET", "HEAD", "POST", "PUT", "DELETE", "PATCH")

# Every endpoint asks for operator:read or operator:write once ACLs are on; the way through to
# a cluster's own API hands the caller's token on to that cluster instead (guard.py). All of
# them may wait: ``state`` long-polls, take-down stops the server it is answered on, and the way
# through meets the other cluster's injected delays.
ENDPOINTS = tuple(replace(endpoint, may_wait=True) for endpoint in (
    Endpoint(PREFIX + "state", ("GET",), guard.operator(state)),
    Endpoint(PREFIX + "reset", ("POST",), guard.operator(reset)),
    Endpoint(PREFIX + "clock", ("GET",), guard.operator(clock)),
    Endpoint(PREFIX + "clock/advance", ("POST",), guard.operator(advance)),
    Endpoint(PREFIX + "timing", ("GET", "PUT"), guard.operator(timing)),
    Endpoint(PREFIX + "disconnect", ("POST",), guard.operator(disconnect)),
    Endpoint(PREFIX + "reconnect", ("POST",), guard.operator(reconnect)),
    Endpoint(PREFIX + "take-down", ("POST",), guard.operator(take_down)),
    Endpoint(PREFIX + "bring-up", ("POST",), guard.operator(bring_up)),
    Endpoint(PREFIX + "inject", ("POST", "DELETE"), guard.operator(inject)),
    Endpoint(PREFIX + "clusters/", _ANY, guard.same_origin(via_cluster), subtree=True),
    Endpoint(PREFIX, _ANY, guard.operator(unknown), subtree=True),
))

# What a served cluster answers: Consul's API, this control API and the dashboard.
SERVED_ENDPOINTS = all_endpoints() + ENDPOINTS + dashboard.ENDPOINTS + link_endpoints.ENDPOINTS
