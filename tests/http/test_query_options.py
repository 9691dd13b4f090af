"""Query options and read headers of the peering endpoints (agent/http.go parse and setMeta).

The peering read and list handlers ignore parse()'s result (agent/peering_endpoint.go): on a bad
option the body is parse's text, then the normal answer; the status and headers are the 400's.
Other endpoints (the catalog's) stop after the text.
"""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from werkzeug.test import Client, TestResponse

from fakeconsul import Cluster, Network, wsgi_app
from fakeconsul.acl import ACLConfig

READ, LIST = "/v1/peering/dc2", "/v1/peerings"
STALE_CONSISTENT = "Cannot specify ?stale with ?consistent, conflicting semantics."
CACHED_CONSISTENT = "Cannot specify ?cached with ?consistent, conflicting semantics."
BAD_CACHE_CONTROL = "Invalid Cache-Control header."


def _answer(response: TestResponse) -> tuple[int, str]:
    return response.status_code, response.get_data(as_text=True)


# --- X-Consul-Query-Backend ---------------------------------------------------------------------


@pytest.mark.parametrize("path", [READ, LIST])
def test_reads_name_the_blocking_query_backend(
    generate: Callable[..., TestResponse], client1: Client, path: str
) -> None:
    generate(PeerName="dc2")

    assert client1.get(path).headers["X-Consul-Query-Backend"] == "blocking-query"


def test_a_missing_peering_sends_no_query_meta(client1: Client) -> None:
    # The handler answers 404 before setMeta.
    assert "X-Consul-Query-Backend" not in client1.get("/v1/peering/nope").headers


# --- the parse quirk: text, then the answer ---------------------------------------------------


def test_a_bad_index_on_a_missing_name_appends_the_not_found_text(client1: Client) -> None:
    response = client1.get("/v1/peering/nope?index=abc")

    assert _answer(response) == (400, 'Invalid indexPeering not found for "nope"')


def test_the_400_carries_none_of_the_answers_headers(
    generate: Callable[..., TestResponse], client1: Client
) -> None:
    generate(PeerName="dc2")

    response = client1.get(f"{READ}?index=abc")

    assert (
        response.headers["Content-Type"], "X-Consul-Index" in response.headers,
        "X-Consul-Query-Backend" in response.headers,
    ) == ("text/plain; charset=utf-8", False, False)


def test_a_denial_after_a_bad_option_is_appended_too() -> None:
    cluster = Network().add_cluster(
        "dc1", acl=ACLConfig(default_policy="deny", initial_management_token="root"))

    response = Client(wsgi_app(cluster)).get(f"{LIST}?wait=abc", headers={"X-Consul-Token": "x"})

    assert _answer(response) == (400, "Invalid wait timeACL not found")


# --- max_stale, cached, Cache-Control (parseConsistency, parseCacheControl) --------------------

BAD: list[tuple[str, dict[str, str], str]] = [
    ("max_stale=abc", {}, 'Invalid max_stale value "abc"'),
    ("max_stale=5", {}, 'Invalid max_stale value "5"'),
    ("max_stale=5s&consistent", {}, STALE_CONSISTENT),
    ("cached&consistent", {}, CACHED_CONSISTENT),
    ("max_stale=x&stale&consistent", {}, 'Invalid max_stale value "x"'),
    ("stale&consistent&cached", {}, STALE_CONSISTENT),
    ("", {"Cache-Control": "max-age=abc"}, BAD_CACHE_CONTROL),
    ("", {"Cache-Control": "no-cache, Max-Age=1.5"}, BAD_CACHE_CONTROL),
    ("", {"Cache-Control": "stale-if-error=soon"}, BAD_CACHE_CONTROL),
    ("wait=bad", {"Cache-Control": "max-age=x"}, BAD_CACHE_CONTROL),
    ("cached&consistent", {"Cache-Control": "max-age=x"}, CACHED_CONSISTENT),
]


@pytest.mark.parametrize("path", [READ, LIST])
@pytest.mark.parametrize(("query", "headers", "text"), BAD)
def test_a_bad_consistency_or_cache_option_is_400_then_the_answer(
    generate: Callable[..., TestResponse], client1: Client, path: str, query: str,
    headers: dict[str, str], text: str,
) -> None:
    generate(PeerName="dc2")
    normal = client1.get(path).get_data(as_text=True)

    response = client1.get(f"{path}?{query}", headers=headers)

    assert _answer(response) == (400, text + normal)


@pytest.mark.parametrize(
    ("query", "headers"),
    [
        ("max_stale=5s", {}),
        ("max_stale=0s&consistent", {}),
        ("cached", {}),
        ("cached&stale", {}),
        ("", {"Cache-Control": "max-age=30, must-revalidate"}),
        ("", {"Cache-Control": "max-age=-1"}),
        ("", {"Cache-Control": "no-store"}),
    ],
)
def test_accepted_consistency_and_cache_options(
    generate: Callable[..., TestResponse], client1: Client, query: str, headers: dict[str, str]
) -> None:
    generate(PeerName="dc2")

    assert client1.get(f"{READ}?{query}", headers=headers).status_code == 200


def test_a_catalog_read_stops_after_the_text(dc1: Cluster, client1: Client) -> None:
    client1.put("/v1/catalog/register", data=json.dumps(
        {"Node": "n1", "Address": "10.0.0.1", "Service": {"Service": "web"}}))

    assert _answer(client1.get("/v1/catalog/services?max_stale=abc")) == (
        400, 'Invalid max_stale value "abc"')
