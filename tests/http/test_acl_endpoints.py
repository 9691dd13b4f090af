"""The ACL endpoints: shapes, validation and errors, as agent/acl_endpoint.go and the ACL RPCs
answer. dc1 has ACLs with the initial management token "root"; dc2 has ACLs and no token yet
(it is bootstrapped over HTTP)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from answers import json_of
from werkzeug.test import Client, TestResponse

from fakeconsul import Cluster, ManualClock, Network, wsgi_app
from fakeconsul.acl import ACLConfig

ANONYMOUS = "00000000-0000-0000-0000-000000000002"
# acl/errors.go: a denial of the anonymous token names it in words and ends with this sentence.
IMPLICIT = ". The anonymous token is used implicitly when a request does not specify a token."
MANAGEMENT = "00000000-0000-0000-0000-000000000001"
ROOT = {"X-Consul-Token": "root"}


@pytest.fixture
def network(clock: ManualClock) -> Network:
    net = Network(clock=clock)
    net.add_cluster("dc1", acl=ACLConfig(default_policy="deny", initial_management_token="root"))
    net.add_cluster("dc2", acl=ACLConfig(default_policy="deny"))
    return net


@pytest.fixture
def dc1(network: Network) -> Cluster:
    return network["dc1"]


@pytest.fixture
def dc2(network: Network) -> Cluster:
    return network["dc2"]


def put(client: Client, path: str, body: Any, token: str | None = "root") -> TestResponse:
    headers = {"X-Consul-Token": token} if token else {}
    data = body if isinstance(body, bytes) else json.dumps(body)
    return client.put(path, data=data, headers=headers)


def answer(response: TestResponse) -> tuple[int, str]:
    return response.status_code, response.text


def _secret_with(client: Client, rules: str, name: str) -> str:
    assert put(client, "/v1/acl/policy", {"Name": name, "Rules": rules}).status_code == 200
    made = put(client, "/v1/acl/token", {"Policies": [{"Name": name}]})
    return str(json_of(made)["SecretID"])


# --- ACLs disabled ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("PUT", "/v1/acl/bootstrap"),
        ("PUT", "/v1/acl/policy"),
        ("GET", "/v1/acl/policy/x"),
        ("GET", "/v1/acl/policy/name/x"),
        ("GET", "/v1/acl/policies"),
        ("PUT", "/v1/acl/token"),
        ("GET", "/v1/acl/token/x"),
        ("GET", "/v1/acl/token/self"),
        ("GET", "/v1/acl/tokens"),
    ],
)
def test_with_acls_disabled_every_acl_endpoint_answers_401(
    method: str, path: str, clock: ManualClock
) -> None:
    client = Client(wsgi_app(Network(clock=clock).add_cluster("dc9")))

    response = client.open(path, method=method)

    assert answer(response) == (401, "ACL support disabled")
    assert response.headers["X-Consul-Default-Acl-Policy"] == "allow"


# --- what exists from the start -----------------------------------------------------------------


def test_the_global_management_policy_exists_from_the_start(client1: Client) -> None:
    body = json_of(client1.get(f"/v1/acl/policy/{MANAGEMENT}", headers=ROOT))

    assert (body["Name"], body["Description"]) == (
        "global-management", "Builtin Policy that grants unlimited access")


def test_the_anonymous_token_exists_from_the_start(client1: Client) -> None:
    body = json_of(client1.get(f"/v1/acl/token/{ANONYMOUS}", headers=ROOT))

    assert body == {
        "AccessorID": ANONYMOUS, "SecretID": "anonymous", "Description": "Anonymous Token",
        "Local": False, "CreateTime": "2024-05-01T10:20:30Z",
        "Hash": body["Hash"], "CreateIndex": body["CreateIndex"],
        "ModifyIndex": body["ModifyIndex"],
    }


def test_the_initial_management_token_reads_itself(client1: Client) -> None:
    body = json_of(client1.get("/v1/acl/token/self", headers=ROOT))

    assert (body["SecretID"], body["Description"], body["Policies"]) == (
        "root", "Initial Management Token", [{"ID": MANAGEMENT, "Name": "global-management"}])


def test_policies_list_by_id_without_rules(client1: Client) -> None:
    put(client1, "/v1/acl/policy", {"Name": "peers", "Rules": 'peering = "read"'})

    listed = json_of(client1.get("/v1/acl/policies", headers=ROOT))

    assert listed[0]["ID"] == MANAGEMENT
    assert [sorted(p) for p in listed] == [
        ["CreateIndex", "Datacenters", "Description", "Hash", "ID", "ModifyIndex", "Name"]] * 2


def test_lists_carry_the_table_index(client1: Client, dc1: Cluster) -> None:
    put(client1, "/v1/acl/policy", {"Name": "peers"})

    response = client1.get("/v1/acl/policies", headers=ROOT)

    assert response.headers["X-Consul-Index"] == str(dc1.index)


# --- bootstrap ----------------------------------------------------------------------------------


def test_bootstrap_is_refused_once_an_initial_management_token_was_configured(
    client1: Client, dc1: Cluster
) -> None:
    management = dc1.acl.token_by_secret("root")
    assert management is not None

    response = client1.put("/v1/acl/bootstrap")

    assert answer(response) == (
        403, "Permission denied: ACL bootstrap no longer allowed (reset index: "
             f"{management.create_index})")


def test_bootstrap_mints_a_management_token(client2: Client) -> None:
    body = json_of(client2.put("/v1/acl/bootstrap"))

    assert body["ID"] == body["SecretID"]
    assert (body["Description"], body["Policies"]) == (
        "Bootstrap Token (Global Management)", [{"ID": MANAGEMENT, "Name": "global-management"}])


def test_the_bootstrapped_token_manages_peerings(client2: Client) -> None:
    secret = json_of(client2.put("/v1/acl/bootstrap"))["SecretID"]

    response = client2.get("/v1/peerings", headers={"X-Consul-Token": secret})

    assert answer(response) == (200, "[]")


def test_a_second_bootstrap_names_the_reset_index(client2: Client) -> None:
    first = json_of(client2.put("/v1/acl/bootstrap"))

    response = client2.put("/v1/acl/bootstrap")

    assert answer(response) == (
        403, "Permission denied: ACL bootstrap no longer allowed (reset index: "
             f"{first['CreateIndex']})")


def test_bootstrap_takes_a_chosen_secret(client2: Client) -> None:
    body = json_of(put(client2, "/v1/acl/bootstrap", {"BootstrapSecret": "chosen"}, token=None))

    assert body["SecretID"] == "chosen"


def test_a_bootstrap_body_with_an_unknown_field_is_refused(client2: Client) -> None:
    response = put(client2, "/v1/acl/bootstrap", {"Secret": "x"}, token=None)

    assert answer(response) == (400, 'Request decoding failed: json: unknown field "Secret"')


# --- who may use the ACL endpoints ----------------------------------------------------------


def test_anonymous_may_not_read_acls(client1: Client) -> None:
    assert answer(client1.get("/v1/acl/policies")) == (
        403, "Permission denied: anonymous token lacks permission 'acl:read'" + IMPLICIT)


def test_an_unknown_secret_is_acl_not_found(client1: Client) -> None:
    response = client1.get("/v1/acl/tokens", headers={"X-Consul-Token": "who-knows"})

    assert answer(response) == (403, "ACL not found")


def test_acl_read_does_not_allow_writes(client1: Client, dc1: Cluster) -> None:
    secret = _secret_with(client1, 'acl = "read"', "acl-reader")
    reader = dc1.acl.token_by_secret(secret)
    assert reader is not None

    response = put(client1, "/v1/acl/policy", {"Name": "more"}, token=secret)

    assert answer(response) == (
        403,
        f"Permission denied: token with AccessorID '{reader.accessor_id}' lacks permission "
        "'acl:write'",
    )


def test_acl_read_sees_secrets_hidden(client1: Client) -> None:
    secret = _secret_with(client1, 'acl = "read"', "acl-reader")

    listed = json_of(client1.get("/v1/acl/tokens", headers={"X-Consul-Token": secret}))

    assert {t["SecretID"] for t in listed} == {"<hidden>"}


def test_the_allow_default_does_not_open_the_acl_endpoints(clock: ManualClock) -> None:
    cluster = Network(clock=clock, acl=ACLConfig(default_policy="allow")).add_cluster("dc1")

    response = Client(wsgi_app(cluster)).get("/v1/acl/policies")

    assert answer(response) == (
        403, "Permission denied: anonymous token lacks permission 'acl:read'" + IMPLICIT)


# --- policies -----------------------------------------------------------------------------------


def test_a_created_policy_is_answered_whole(client1: Client) -> None:
    body = json_of(put(client1, "/v1/acl/policy",
               {"Name": "peers", "Description": "d", "Rules": 'peering = "read"'}))

    assert list(body) == [
        "ID", "Name", "Description", "Rules", "Hash", "CreateIndex", "ModifyIndex"]


def test_a_policy_reads_by_name(client1: Client) -> None:
    made = json_of(put(client1, "/v1/acl/policy", {"Name": "peers"}))

    assert json_of(client1.get("/v1/acl/policy/name/peers", headers=ROOT)) == made


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ({}, (500, "Invalid Policy: no Name is set")),
        ({"Name": "has space"}, (
            500,
            "Invalid Policy: invalid Name. Only alphanumeric characters, '-' and '_' are allowed")),
        ({"Name": "x", "ID": MANAGEMENT},
         (400, "Cannot specify the ID when creating a new policy")),
        ({"Name": "global-management"}, (
            500, 'Invalid Policy: A Policy with Name "global-management" already exists')),
        ({"Name": "x", "Foo": 1}, (400, 'Policy decoding failed: json: unknown field "Foo"')),
        ({"Name": 1}, (
            400,
            "Policy decoding failed: json: cannot unmarshal number into Go struct field .Name of "
            "type string")),
        (b"", (400, "Policy decoding failed: EOF")),
        ({"Name": "x", "Rules": 'peering = "all"'}, (500, 'Invalid peering policy: "all"')),
        ({"Name": "x", "Rules": 'operator = "writ"'}, (500, 'Invalid operator policy: "writ"')),
        ({"Name": "x", "Rules": 'service_prefix "" {\n policy = "own"\n}'}, (
            500,
            'Invalid service_prefix policy: &acl.ServiceRule{Name:"", Policy:"own", '
            'Intentions:"", EnterpriseRule:acl.EnterpriseRule{}}')),
        ({"Name": "x", "Rules": "peering ="}, (
            500,
            "Failed to parse ACL rules: Unexpected end of file; expected BOOL, STRING, IDENTIFIER, "
            "LEFTBRACE, LEFTBRACKET, LEFTPAREN, MINUS, NUMBER, FLOAT")),
    ],
    ids=["no-name", "bad-name", "id-on-create", "name-taken", "unknown-field", "wrong-type",
         "empty-body", "bad-peering-level", "bad-operator-level", "bad-service-rule",
         "syntax-error"],
)
def test_policy_create_refusals(body: Any, expected: tuple[int, str], client1: Client) -> None:
    assert answer(put(client1, "/v1/acl/policy", body)) == expected


def test_a_refused_policy_writes_nothing(client1: Client, dc1: Cluster) -> None:
    before = dc1.index

    put(client1, "/v1/acl/policy", {"Name": "x", "Rules": 'peering = "all"'})

    assert dc1.index == before


def test_policy_update_replaces_the_fields(client1: Client) -> None:
    made = json_of(put(client1, "/v1/acl/policy", {"Name": "peers", "Description": "old"}))
    pid = made["ID"]

    updated = put(client1, f"/v1/acl/policy/{pid}", {"Name": "peers2", "Rules": 'mesh = "read"'})

    assert (json_of(updated)["Name"], json_of(updated)["Description"],
            json_of(updated)["CreateIndex"]) == ("peers2", "", made["CreateIndex"])


@pytest.mark.parametrize(
    ("path", "body", "expected"),
    [
        (f"/v1/acl/policy/{MANAGEMENT}", {"ID": ANONYMOUS, "Name": "x"},
         (400, "Policy ID in URL and payload do not match")),
        ("/v1/acl/policy/6a1f7ee8-7c0c-4a3e-9d0a-3b0c1f0e9a11", {"Name": "x"},
         (500, "cannot find policy 6a1f7ee8-7c0c-4a3e-9d0a-3b0c1f0e9a11")),
        ("/v1/acl/policy/not-a-uuid", {"Name": "x"}, (500, "Policy ID invalid UUID")),
        (f"/v1/acl/policy/{MANAGEMENT}", {"Name": "global-management", "Rules": ""},
         (500, "Changing the Rules for the builtin global-management policy is not permitted")),
    ],
    ids=["id-mismatch", "missing", "not-uuid", "management-rules"],
)
def test_policy_update_refusals(
    path: str, body: Any, expected: tuple[int, str], client1: Client
) -> None:
    assert answer(put(client1, path, body)) == expected


def test_renaming_a_policy_onto_another_name_is_refused(client1: Client) -> None:
    made = json_of(put(client1, "/v1/acl/policy", {"Name": "one"}))

    response = put(client1, f"/v1/acl/policy/{made['ID']}",
                   {"Name": "global-management"})

    assert answer(response) == (
        500, 'Invalid Policy: A policy with name "global-management" already exists')


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/v1/acl/policy/", (400, "Missing policy ID")),
        ("/v1/acl/policy/name/", (400, "Missing policy Name")),
        ("/v1/acl/policy/6a1f7ee8-7c0c-4a3e-9d0a-3b0c1f0e9a11",
         (404, "Requested policy does not exist: ACL not found")),
        ("/v1/acl/policy/name/nothing", (404, "Requested policy does not exist: ACL not found")),
    ],
)
def test_policy_read_refusals(path: str, expected: tuple[int, str], client1: Client) -> None:
    assert answer(client1.get(path, headers=ROOT)) == expected


def test_a_policy_is_deleted_with_true(client1: Client) -> None:
    made = json_of(put(client1, "/v1/acl/policy", {"Name": "gone"}))
    path = f"/v1/acl/policy/{made['ID']}"

    assert answer(client1.delete(path, headers=ROOT)) == (200, "true")
    assert client1.get(path, headers=ROOT).status_code == 404


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        (f"/v1/acl/policy/{MANAGEMENT}",
         (500, "Delete operation not permitted on the builtin global-management policy")),
        ("/v1/acl/policy/6a1f7ee8-7c0c-4a3e-9d0a-3b0c1f0e9a11",
         (404, "Cannot find policy to delete")),
        ("/v1/acl/policy/", (400, "Missing policy ID")),
    ],
)
def test_policy_delete_refusals(path: str, expected: tuple[int, str], client1: Client) -> None:
    assert answer(client1.delete(path, headers=ROOT)) == expected


def test_a_deleted_policy_drops_out_of_its_tokens(client1: Client) -> None:
    made = json_of(put(client1, "/v1/acl/policy", {"Name": "gone"}))
    token = json_of(put(client1, "/v1/acl/token", {"Policies": [{"Name": "gone"}]}))
    client1.delete(f"/v1/acl/policy/{made['ID']}", headers=ROOT)

    read = json_of(client1.get(f"/v1/acl/token/{token['AccessorID']}", headers=ROOT))

    assert "Policies" not in read


# --- tokens -------------------------------------------------------------------------------------


def test_a_created_token_links_policies_by_name_or_id(client1: Client) -> None:
    made = json_of(put(client1, "/v1/acl/policy", {"Name": "peers"}))
    links = [{"Name": "peers"}, {"ID": MANAGEMENT}, {"ID": made["ID"]}]

    body = json_of(put(client1, "/v1/acl/token", {"Description": "ops", "Policies": links}))

    assert body["Policies"] == [
        {"ID": made["ID"], "Name": "peers"},
        {"ID": MANAGEMENT, "Name": "global-management"},
    ]


def test_a_token_may_be_created_with_its_own_ids(client1: Client) -> None:
    ids = {"AccessorID": "5e1d7c3a-4b7b-4e0a-9f54-6c1b2a3d4e5f",
           "SecretID": "0b4c1d2e-3f40-4a5b-8c6d-7e8f9a0b1c2d"}

    body = json_of(put(client1, "/v1/acl/token", ids))

    assert (body["AccessorID"], body["SecretID"]) == (
        ids["AccessorID"], ids["SecretID"])


def test_a_full_api_token_body_decodes(client1: Client) -> None:
    # What the Go client sends: zero values of fields the fake does not model included.
    body = {"AccessorID": "", "SecretID": "", "Description": "go", "Policies": None,
            "Roles": None, "Local": False, "CreateTime": "0001-01-01T00:00:00Z", "Hash": None,
            "CreateIndex": 0, "ModifyIndex": 0}

    assert put(client1, "/v1/acl/token", body).status_code == 200


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ({"Policies": [{"Name": "nope"}]}, (500, 'No such ACL policy with name "nope"')),
        ({"Policies": [{"ID": "6a1f7ee8-7c0c-4a3e-9d0a-3b0c1f0e9a11"}]},
         (500, 'No such ACL policy with ID "6a1f7ee8-7c0c-4a3e-9d0a-3b0c1f0e9a11"')),
        ({"Roles": [{"Name": "ops"}]}, (500, 'No such ACL role with name "ops"')),
        ({"AccessorID": ANONYMOUS}, (
            500, 'Invalid Token: AccessorID - UUIDs with the prefix '
                 '"00000000-0000-0000-0000-0000000000" are reserved')),
        ({"SecretID": "not-a-uuid"}, (500, "Invalid Token: SecretID - not a valid UUID")),
        ({"Local": "yes"}, (
            400, "Token decoding failed: json: cannot unmarshal string into Go struct field "
                 ".Local of type bool")),
        ({"Policies": [{"Nme": "x"}]}, (400, 'Token decoding failed: json: unknown field "Nme"')),
    ],
    ids=["policy-name", "policy-id", "role", "reserved-accessor", "bad-secret", "wrong-type",
         "unknown-field"],
)
def test_token_create_refusals(body: Any, expected: tuple[int, str], client1: Client) -> None:
    assert answer(put(client1, "/v1/acl/token", body)) == expected


def test_an_accessor_id_in_use_is_refused(client1: Client) -> None:
    made = json_of(put(client1, "/v1/acl/token", {}))

    response = put(client1, "/v1/acl/token", {"AccessorID": made["SecretID"]})

    assert answer(response) == (500, "Invalid Token: AccessorID is already in use")


def test_token_update_keeps_the_secret_and_replaces_the_rest(client1: Client) -> None:
    made = json_of(put(client1, "/v1/acl/token", {"Description": "old", "Policies": [
        {"ID": MANAGEMENT}]}))
    accessor = made["AccessorID"]

    body = json_of(put(client1, f"/v1/acl/token/{accessor}", {"Description": "new"}))

    assert (body["SecretID"], body["Description"], "Policies" in body) == (
        made["SecretID"], "new", False)


@pytest.mark.parametrize(
    ("path", "body", "expected"),
    [
        (f"/v1/acl/token/{ANONYMOUS}", {"AccessorID": "5e1d7c3a-4b7b-4e0a-9f54-6c1b2a3d4e5f"},
         (400, "Token Accessor ID in URL and payload do not match")),
        ("/v1/acl/token/5e1d7c3a-4b7b-4e0a-9f54-6c1b2a3d4e5f", {},
         (500, 'Cannot find token "5e1d7c3a-4b7b-4e0a-9f54-6c1b2a3d4e5f"')),
        (f"/v1/acl/token/{ANONYMOUS}", {"SecretID": "0b4c1d2e-3f40-4a5b-8c6d-7e8f9a0b1c2d"},
         (500, "Changing a token's SecretID is not permitted")),
        (f"/v1/acl/token/{ANONYMOUS}", {"Local": True},
         (500, f"Cannot toggle local mode of {ANONYMOUS}")),
        ("/v1/acl/token/not-a-uuid", {}, (500, "AccessorID is not a valid UUID")),
    ],
    ids=["id-mismatch", "missing", "secret-change", "local-toggle", "not-uuid"],
)
def test_token_update_refusals(
    path: str, body: Any, expected: tuple[int, str], client1: Client
) -> None:
    assert answer(put(client1, path, body)) == expected


def test_the_anonymous_token_may_be_given_a_policy(client1: Client) -> None:
    put(client1, "/v1/acl/policy", {"Name": "public-peerings", "Rules": 'peering = "read"'})
    put(client1, f"/v1/acl/token/{ANONYMOUS}", {"Policies": [{"Name": "public-peerings"}]})

    assert answer(client1.get("/v1/peerings")) == (200, "[]")


@pytest.mark.parametrize(
    ("path", "headers", "expected"),
    [
        ("/v1/acl/token/", ROOT, (400, "Missing token AccessorID")),
        ("/v1/acl/token/5e1d7c3a-4b7b-4e0a-9f54-6c1b2a3d4e5f", ROOT,
         (404, "Requested token does not exist: ACL not found")),
        ("/v1/acl/token/self", {"X-Consul-Token": "who-knows"},
         (404, "Supplied token does not exist")),
        ("/v1/acl/token/self", {}, (404, "Supplied token does not exist")),
    ],
)
def test_token_read_refusals(
    path: str, headers: dict[str, str], expected: tuple[int, str], client1: Client
) -> None:
    assert answer(client1.get(path, headers=headers)) == expected


def test_any_holder_of_a_secret_reads_its_own_token(client1: Client) -> None:
    secret = _secret_with(client1, 'service "web" { policy = "read" }', "web")

    body = json_of(client1.get("/v1/acl/token/self", headers={"X-Consul-Token": secret}))

    assert body["SecretID"] == secret


def test_a_token_is_deleted_with_true(client1: Client) -> None:
    made = json_of(put(client1, "/v1/acl/token", {}))
    path = f"/v1/acl/token/{made['AccessorID']}"

    assert answer(client1.delete(path, headers=ROOT)) == (200, "true")
    assert client1.get("/v1/acl/token/self",
                       headers={"X-Consul-Token": made["SecretID"]}).status_code == 404


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        (f"/v1/acl/token/{ANONYMOUS}",
         (500, "Delete operation not permitted on the anonymous token")),
        ("/v1/acl/token/5e1d7c3a-4b7b-4e0a-9f54-6c1b2a3d4e5f",
         (404, "Cannot find token to delete")),
        ("/v1/acl/token/not-a-uuid", (500, "Accessor ID is missing or an invalid UUID")),
    ],
)
def test_token_delete_refusals(path: str, expected: tuple[int, str], client1: Client) -> None:
    assert answer(client1.delete(path, headers=ROOT)) == expected


def test_a_token_may_not_delete_itself(client1: Client, dc1: Cluster) -> None:
    management = dc1.acl.token_by_secret("root")
    assert management is not None

    response = client1.delete(f"/v1/acl/token/{management.accessor_id}", headers=ROOT)

    assert answer(response) == (
        500, "Deletion of the request's authorization token is not permitted")


def test_tokens_filter_by_policy(client1: Client) -> None:
    put(client1, "/v1/acl/token", {"Policies": [{"ID": MANAGEMENT}], "Description": "m2"})

    listed = json_of(client1.get(f"/v1/acl/tokens?policy={MANAGEMENT}", headers=ROOT))

    assert sorted(t["Description"] for t in listed) == [
        "Initial Management Token", "m2"]


# --- agent endpoints under ACLs ---------------------------------------------------------------


def test_agent_self_needs_agent_read_on_the_node(client1: Client) -> None:
    assert answer(client1.get("/v1/agent/self")) == (
        403,
        "Permission denied: anonymous token lacks permission 'agent:read' "
        'on "dc1-server-1"' + IMPLICIT,
    )


def test_agent_members_are_filtered_by_node_read(client1: Client) -> None:
    assert answer(client1.get("/v1/agent/members")) == (200, "[]")


def test_a_node_read_token_sees_the_member(client1: Client) -> None:
    secret = _secret_with(client1, 'node_prefix "dc1-" { policy = "read" }', "nodes")

    members = json_of(client1.get("/v1/agent/members", headers={"X-Consul-Token": secret}))

    assert [m["Name"] for m in members] == ["dc1-server-1"]
