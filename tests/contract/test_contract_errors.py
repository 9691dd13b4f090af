"""What Consul answers to wrong requests, for every target: status and exact text.

The texts are written out (spec §2, §3.1, §4.3, §11) rather than imported from the fake, so a
wrong text in the fake cannot pass, and a real Consul run says whether the spec is right.
"""

from __future__ import annotations

import pytest
from contract_api import Target

GENERATE = "/v1/peering/token"
ESTABLISH = "/v1/peering/establish"
NAME_RULE = (
    " is not a valid peer name: a valid peering name must consist of lower case alphanumeric "
    "characters or '-', and must start and end with an alphanumeric character"
)

BAD_BODIES = [
    (GENERATE, b'{"PeerName":"a","Datacenter":"dc1"}', 400,
     'Body decoding failed: json: unknown field "Datacenter"'),
    (ESTABLISH, b'{"PeerName":"a","Datacenter":"dc1"}', 400,
     'Body decoding failed: json: unknown field "Datacenter"'),
    (GENERATE, b"", 400, "Body decoding failed: EOF"),
    (GENERATE, b"abc", 400,
     "Body decoding failed: invalid character 'a' looking for beginning of value"),
    (GENERATE, b'{"PeerName":1}', 400,
     "Body decoding failed: json: cannot unmarshal number into Go struct field "
     "PeeringGenerateTokenRequest.PeerName of type string"),
    (GENERATE, b"{}", 400,
     "PeerName is required in the payload when generating a new peering token."),
    (ESTABLISH, b'{"PeeringToken":"e30K"}', 400,
     "PeerName is required in the payload when establishing a peering."),
    (ESTABLISH, b'{"PeerName":"a"}', 400,
     "PeeringToken is required in the payload when establishing a peering."),
    (GENERATE, b'{"PeerName":"--AA--"}', 500, "--AA--" + NAME_RULE),
    (ESTABLISH, b'{"PeerName":"a","PeeringToken":"e30K"}', 500,
     "peering token server addresses value is empty"),
    (ESTABLISH, b'{"PeerName":"a","PeeringToken":"Cg=="}', 500,
     "unexpected end of JSON input"),
    (GENERATE, b'{"PeerName":"a","Meta":{"consul-x":"y"}}', 500,
     "meta tags failed validation: Couldn't load metadata pair ('consul-x', 'y'): "
     "Key prefix 'consul-' is reserved for internal use"),
]


@pytest.mark.parametrize(("path", "body", "status", "text"), BAD_BODIES)
def test_bad_body_is_refused_with_consuls_text(
    target: Target, path: str, body: bytes, status: int, text: str
) -> None:
    answer = target.a.call("POST", path, raw=body)

    assert (answer.status, answer.text) == (status, text)


@pytest.mark.parametrize(("method", "path", "allow"), [
    ("PUT", GENERATE, "OPTIONS,POST"),
    ("GET", ESTABLISH, "OPTIONS,POST"),
    ("POST", "/v1/peering/x", "OPTIONS,GET,DELETE"),
    ("DELETE", "/v1/peerings", "OPTIONS,GET"),
])
def test_wrong_method_is_405(target: Target, method: str, path: str, allow: str) -> None:
    answer = target.a.call(method, path)

    assert (answer.status, answer.text) == (405, f"method {method} not allowed")
    assert answer.headers["Allow"] == allow


def test_options_lists_the_methods(target: Target) -> None:
    answer = target.a.call("OPTIONS", "/v1/peering/x")

    assert (answer.status, answer.headers["Allow"]) == (200, "OPTIONS,GET,DELETE")


def test_an_empty_answer_is_json(target: Target) -> None:
    answers = [target.a.call(method, "/v1/peering/never-made") for method in ("OPTIONS", "DELETE")]

    assert [(a.status, a.body, a.headers.get("Content-Type")) for a in answers] == [
        (200, b"", "application/json"), (200, b"", "application/json")]


def test_partition_query_is_enterprise_only(target: Target) -> None:
    answer = target.a.call("GET", "/v1/peerings?partition=default")

    assert (answer.status, answer.text) == (
        400, 'Invalid query parameter: "partition" - Partitions are a Consul Enterprise feature')


@pytest.mark.parametrize(("query", "text"), [
    ("index=abc", "Invalid index"),
    ("wait=forever", "Invalid wait time"),
    ("stale&consistent", "Cannot specify ?stale with ?consistent, conflicting semantics."),
    ("max_stale=abc", 'Invalid max_stale value "abc"'),
    ("max_stale=5s&consistent", "Cannot specify ?stale with ?consistent, conflicting semantics."),
    ("cached&consistent", "Cannot specify ?cached with ?consistent, conflicting semantics."),
])
def test_bad_query_option_is_400(target: Target, query: str, text: str) -> None:
    normal = target.a.call("GET", "/v1/peerings").text
    answer = target.a.call("GET", f"/v1/peerings?{query}")

    # agent/peering_endpoint.go ignores parse()'s result: the normal answer follows the text.
    assert (answer.status, answer.text) == (400, text + normal)


def test_a_bad_cache_control_header_is_400(target: Target) -> None:
    normal = target.a.call("GET", "/v1/peerings").text
    answer = target.a.call("GET", "/v1/peerings", extra_headers={"Cache-Control": "max-age=abc"})

    assert (answer.status, answer.text) == (400, "Invalid Cache-Control header." + normal)


def test_a_bad_index_on_a_missing_name_appends_the_404_text(target: Target) -> None:
    answer = target.a.call("GET", "/v1/peering/never-made?index=abc")

    assert (answer.status, answer.text) == (400, 'Invalid indexPeering not found for "never-made"')


def test_peering_reads_name_their_query_backend(target: Target) -> None:
    target.a.generate_token("backend-peer")

    backends = [target.a.call("GET", path).headers.get("X-Consul-Query-Backend")
                for path in ("/v1/peering/backend-peer", "/v1/peerings")]

    assert backends == ["blocking-query", "blocking-query"]


def test_unknown_api_path_is_404(target: Target) -> None:
    answer = target.a.call("GET", "/v1/peeringz")

    assert (answer.status, answer.text) == (
        404, "Invalid URL path: not a recognized HTTP API endpoint\n")


def test_leader_is_a_host_and_port(target: Target) -> None:
    answer = target.a.call("GET", "/v1/status/leader")

    assert answer.status == 200 and ":" in answer.json()  # the shape is the schema's job
