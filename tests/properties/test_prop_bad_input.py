"""Random requests, most of them wrong: the fake never raises, and always answers like Consul.

Methods, paths, query strings, headers and bodies are drawn at random around the peering and
agent routes. Whatever comes in, the answer must be a status Consul uses with a body of the shape
Consul gives for it (a text it writes for errors, a JSON body fitting its schema for a 200), and
no exception may reach the app's error list.
"""

from __future__ import annotations

import base64
import gzip
import json
from collections.abc import Iterator
from urllib.parse import quote, urlencode

import pytest
import schema_check
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sizes import scaled
from werkzeug.test import Client

from fakeconsul import Cluster, Network, wsgi_app

TEXT = "text/plain; charset=utf-8"

ROUTES = ["/v1/peering/token", "/v1/peering/establish", "/v1/peering/", "/v1/peering/dc2",
          "/v1/peerings", "/v1/peering", "/v1/status/leader", "/v1/agent/self", "/v1/", "/",
          "/nope", "//v1/peerings", "/v1/peering/../peerings", "/v1/./peerings"]
METHODS = ["GET", "POST", "PUT", "DELETE", "OPTIONS", "PATCH", "HEAD", "get", "Post", "BREW"]
SEGMENT = st.text(alphabet="abcDEF019-_.%/ é\u2028", max_size=12)
FIELDS = ["PeerName", "peername", "PEERNAME", "PeeringToken", "Partition", "Meta", "meta",
          "ServerExternalAddresses", "Datacenter", "PeerName\u017f"]


@pytest.fixture(scope="module")
def world() -> Iterator[tuple[Cluster, Cluster, str]]:
    """Two peered clusters, shared by the examples (their state drifts as requests land),
    and a fresh token from dc1."""
    network = Network()
    dc1, dc2 = network.add_cluster("dc1"), network.add_cluster("dc2")
    dc2.establish("dc1", dc1.generate_token("dc2"))
    yield dc1, dc2, dc1.generate_token("spare")


def paths() -> st.SearchStrategy[str]:
    suffix = SEGMENT.map(lambda s: quote(s, safe="/%.-_"))
    return st.tuples(st.sampled_from(ROUTES), suffix).map("".join)


def queries() -> st.SearchStrategy[str]:
    keys = st.sampled_from(["pretty", "partition", "stale", "consistent", "token", "dc",
                            "filter", "x"])
    values = st.text(alphabet="ab01 %&=;-", max_size=6)
    plain = st.lists(st.tuples(keys, values), max_size=3).map(urlencode)
    # A blocking read must stay short: a valid index always comes with a wait of milliseconds.
    blocking = st.one_of(
        st.just(""),
        st.sampled_from(["abc", "-1", "1e3", "18446744073709551616"]).map(
            lambda i: f"index={i}"),
        st.tuples(st.integers(0, 40), st.sampled_from(["1ms", "2ms"])).map(
            lambda p: f"index={p[0]}&wait={p[1]}"),
        st.sampled_from(["forever", "-1s", "1", "5mins"]).map(lambda w: f"wait={w}"),
    )
    return st.tuples(plain, blocking).map(lambda p: "&".join(part for part in p if part))


def headers() -> st.SearchStrategy[dict[str, str]]:
    names = st.sampled_from(["X-Consul-Token", "X-Consul-Partition", "Authorization",
                             "Content-Type", "Accept-Encoding"])
    values = st.one_of(st.sampled_from(["", "default", "Bearer x", "gzip", "application/json"]),
                       st.text(alphabet="abc =;/-", max_size=8))
    return st.dictionaries(names, values, max_size=3)


def json_values(token: str) -> st.SearchStrategy[object]:
    scalars = st.one_of(
        st.none(), st.booleans(), st.integers(), st.text(max_size=8),
        st.sampled_from(["dc9", "--AA--", "consul-x", token, token[:-3], token + "==", "e30K",
                         base64.b64encode(b'{"PeerID":"x","ServerAddresses":["a:1"]}').decode()]),
    )
    return st.recursive(
        scalars,
        lambda inner: st.lists(inner, max_size=3) | st.dictionaries(
            st.sampled_from(FIELDS) | st.text(max_size=4), inner, max_size=4),
        max_leaves=10,
    )


def bodies(token: str) -> st.SearchStrategy[bytes]:
    documents = json_values(token).map(lambda v: json.dumps(v).encode())
    return st.one_of(st.binary(max_size=64), documents,
                     documents.map(lambda d: d[: len(d) // 2]), documents.map(lambda d: d + d))


@settings(max_examples=scaled(100), suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_any_request_gets_a_consul_shaped_answer(
    world: tuple[Cluster, Cluster, str], data: st.DataObject
) -> None:
    dc1, dc2, token = world
    cluster = data.draw(st.sampled_from([dc1, dc2]))
    method, path = data.draw(st.sampled_from(METHODS)), data.draw(paths())
    query, sent = data.draw(queries()), data.draw(headers())
    body = data.draw(bodies(token))

    response = Client(wsgi_app(cluster)).open(path, method=method, query_string=query,
                                             headers=sent, data=body)

    errors, wsgi_app(cluster).errors[:] = list(wsgi_app(cluster).errors), []
    assert not errors, f"the fake raised: {errors!r}"
    status, text = response.status_code, response.get_data()
    assert status in (200, 301, 400, 403, 404, 405, 500)
    if status >= 400:
        assert response.headers["Content-Type"] == TEXT
        if response.headers.get("Content-Encoding") == "gzip":  # the client asked for it
            text = gzip.decompress(text)
        decoded = text.decode("utf-8")
        if method == "HEAD":  # Go's server, like werkzeug, sends no body for HEAD
            assert decoded == ""
            return
        assert schema_check.is_consul_error_text(decoded), f"not a Consul text: {decoded!r}"
    elif status == 301:
        assert response.headers["Location"]
    else:
        found = schema_check.problem(method, response.request.path, status, response.headers,
                                     text)
        assert found is None, found
