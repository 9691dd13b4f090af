"""Every peering endpoint against every kind of token, with ACLs on and default deny (spec §8).

dc1 is configured with the initial management token "root". Bodies of denials are the gRPC
status message alone (agent/http.go handleErr, 1.15+), answered 403 by the wrapper.
"""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from answers import json_of
from werkzeug.test import Client, TestResponse

from fakeconsul import Cluster, ManualClock, Network, wsgi_app
from fakeconsul.acl import ACLConfig

ANONYMOUS = "00000000-0000-0000-0000-000000000002"
ACL_NOT_FOUND = "ACL not found"
IMPLICIT = ". The anonymous token is used implicitly when a request does not specify a token."


def denied(accessor: str, level: str) -> str:
    """acl/errors.go PermissionDeniedError.Error: the anonymous token is named in words."""
    if accessor == ANONYMOUS:
        return f"Permission denied: anonymous token lacks permission 'peering:{level}'{IMPLICIT}"
    return (
        f"Permission denied: token with AccessorID '{accessor}' lacks permission 'peering:{level}'"
    )


@pytest.fixture
def network(clock: ManualClock) -> Network:
    # dc1 (under test) has ACLs; dc2 is an open peer that mints tokens for establish.
    net = Network(clock=clock)
    net.add_cluster("dc1", acl=ACLConfig(default_policy="deny", initial_management_token="root"))
    return net


@pytest.fixture
def dc1(network: Network) -> Cluster:
    return network["dc1"]


def _token_with(dc1: Cluster, rules: str) -> tuple[str, str]:
    """A new token holding one policy with ``rules``: (secret, accessor)."""
    policy = dc1.acl.create_policy(f"p{len(dc1.acl.policies)}", rules, token="root")
    token = dc1.acl.create_token([policy.name], token="root")
    return token.secret_id, token.accessor_id


# who -> (secret or None for no token, accessor or None when the secret is unknown, level held)
Kinds = dict[str, tuple[str | None, str | None, str]]


@pytest.fixture
def kinds(dc1: Cluster) -> Kinds:
    read_secret, read_accessor = _token_with(dc1, 'peering = "read"')
    write_secret, write_accessor = _token_with(dc1, 'peering = "write"')
    op_secret, op_accessor = _token_with(dc1, 'operator = "write"')
    other_secret, other_accessor = _token_with(dc1, 'service_prefix "" { policy = "write" }')
    management = dc1.acl.token_by_secret("root")
    assert management is not None
    return {
        "anonymous": (None, ANONYMOUS, "none"),
        "read": (read_secret, read_accessor, "read"),
        "write": (write_secret, write_accessor, "write"),
        "operator-write": (op_secret, op_accessor, "write"),
        "management": ("root", management.accessor_id, "write"),
        "unknown": ("7c8a7b52-9bbf-4f5e-8d5e-111111111111", None, "none"),
        "no-peering-rule": (other_secret, other_accessor, "none"),
    }


def _call(endpoint: str, client1: Client, client2: Client, secret: str | None) -> TestResponse:
    headers = {"X-Consul-Token": secret} if secret else {}
    if endpoint == "generate":
        return client1.post("/v1/peering/token", data=json.dumps({"PeerName": "dc2"}),
                            headers=headers)
    if endpoint == "establish":
        answer = client2.post("/v1/peering/token", data=json.dumps({"PeerName": "dc1"}))
        body = {"PeerName": "dc2", "PeeringToken": json_of(answer)["PeeringToken"]}
        return client1.post("/v1/peering/establish", data=json.dumps(body), headers=headers)
    if endpoint == "read":
        return client1.get("/v1/peering/existing", headers=headers)
    if endpoint == "list":
        return client1.get("/v1/peerings", headers=headers)
    return client1.delete("/v1/peering/existing", headers=headers)


NEEDS = {"generate": "write", "establish": "write", "read": "read", "list": "read",
         "delete": "write"}
GRANTS = {"none": set(), "read": {"read"}, "write": {"read", "write"}}


@pytest.mark.parametrize("endpoint", list(NEEDS))
@pytest.mark.parametrize(
    "who",
    ["anonymous", "read", "write", "operator-write", "management", "unknown", "no-peering-rule"],
)
def test_peering_endpoint_by_token(
    endpoint: str, who: str, kinds: Kinds, dc1: Cluster, client1: Client, client2: Client
) -> None:
    dc1.generate_token("existing", token="root")
    secret, accessor, held = kinds[who]

    response = _call(endpoint, client1, client2, secret)

    needed = NEEDS[endpoint]
    if accessor is None:
        assert (response.status_code, response.text) == (403, ACL_NOT_FOUND)
    elif needed in GRANTS[held]:
        assert response.status_code == 200, response.text
    else:
        assert (response.status_code, response.text) == (403, denied(accessor, needed))


def test_list_is_all_or_nothing(dc1: Cluster, client1: Client, kinds: Kinds) -> None:
    dc1.generate_token("existing", token="root")
    secret = kinds["read"][0]

    response = client1.get("/v1/peerings", headers={"X-Consul-Token": secret or ""})

    assert [p["Name"] for p in json_of(response)] == ["existing"]


def test_a_blocking_read_is_checked_before_it_blocks(client1: Client) -> None:
    response = client1.get("/v1/peering/existing?index=100&wait=5s")

    assert (response.status_code, response.text) == (403, denied(ANONYMOUS, "read"))


def test_validation_answers_before_the_acl_check(client1: Client) -> None:
    response = client1.post("/v1/peering/token", data=json.dumps({"PeerName": "Bad_Name"}))

    assert (response.status_code, response.text) == (
        500,
        "Bad_Name is not a valid peer name: a valid peering name "
        "must consist of lower case alphanumeric characters or '-', and must start and end with "
        "an alphanumeric character",
    )


def test_a_body_error_answers_before_the_acl_check(client1: Client) -> None:
    response = client1.post("/v1/peering/token", data=b"")

    assert (response.status_code, response.text) == (400, "Body decoding failed: EOF")


# --- where the token comes from (spec §2.0) ---------------------------------------------------

Send = Callable[[Client], TestResponse]


@pytest.mark.parametrize(
    "send",
    [
        lambda c: c.get("/v1/peerings?token=root"),
        lambda c: c.get("/v1/peerings", headers={"X-Consul-Token": "root"}),
        lambda c: c.get("/v1/peerings", headers={"Authorization": "Bearer root"}),
        lambda c: c.get("/v1/peerings", headers={"Authorization": "bearer root extra"}),
    ],
    ids=["query", "x-consul-token", "bearer", "bearer-first-word"],
)
def test_the_token_is_read_from_each_source(send: Send, client1: Client) -> None:
    assert send(client1).status_code == 200


def test_the_query_token_wins_over_the_header(client1: Client) -> None:
    response = client1.get("/v1/peerings?token=nope", headers={"X-Consul-Token": "root"})

    assert (response.status_code, response.text) == (403, ACL_NOT_FOUND)


def test_an_authorization_header_of_another_scheme_is_no_token(client1: Client) -> None:
    response = client1.get("/v1/peerings", headers={"Authorization": "Basic root"})

    assert (response.status_code, response.text) == (403, denied(ANONYMOUS, "read"))


# --- the policy header --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("GET", "/v1/peerings", 403),
        ("GET", "/v1/peering/nope?token=root", 404),
        ("PUT", "/v1/peerings", 405),
        ("GET", "/v1/acl/policies?token=root", 200),
        ("GET", "/v1/status/leader", 200),
    ],
)
def test_every_api_answer_names_the_configured_default_policy(
    method: str, path: str, status: int, client1: Client
) -> None:
    response = client1.open(path, method=method)

    assert (response.status_code, response.headers["X-Consul-Default-Acl-Policy"]) == (
        status, "deny")


def test_a_cluster_without_acls_says_allow(client2: Client) -> None:
    assert client2.get("/v1/peerings").headers["X-Consul-Default-Acl-Policy"] == "allow"


def test_anonymous_may_peer_under_the_allow_default(clock: ManualClock) -> None:
    net = Network(clock=clock, acl=ACLConfig(default_policy="allow"))
    client = Client(wsgi_app(net.add_cluster("dc1")))

    response = client.post("/v1/peering/token", data=json.dumps({"PeerName": "dc2"}))

    assert response.status_code == 200
