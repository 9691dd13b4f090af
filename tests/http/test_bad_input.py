"""Every malformed request, with Consul's exact status and text.

The texts are copied from the spec (§2.0-§2.5, §3.1, §3.2, §4.3, §7, §11) or, for Go's own
decoder messages, from Go's encoding/json. They are written out here on purpose: importing them
from fakeconsul.messages would let a wrong text pass.
"""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from answers import json_of
from werkzeug.test import Client, TestResponse

from fakeconsul import Cluster, Network, wsgi_app

GENERATE = "/v1/peering/token"
ESTABLISH = "/v1/peering/establish"
NAME_RULE = (
    " is not a valid peer name: a valid peering name must consist of lower case alphanumeric "
    "characters or '-', and must start and end with an alphanumeric character"
)
META_FAILED = "meta tags failed validation: "
GENERATE_NEEDS_NAME = "PeerName is required in the payload when generating a new peering token."
ESTABLISH_NEEDS_NAME = "PeerName is required in the payload when establishing a peering."
ESTABLISH_NEEDS_TOKEN = "PeeringToken is required in the payload when establishing a peering."
PARTITION_QUERY = (
    'Invalid query parameter: "partition" - Partitions are a Consul Enterprise feature'
)
PARTITION_HEADER = (
    'Invalid header: "X-Consul-Partition" - Partitions are a Consul Enterprise feature'
)
TEXT = "text/plain; charset=utf-8"


def status_text(response: TestResponse) -> tuple[int, str]:
    return response.status_code, response.get_data().decode("utf-8")


def post(client: Client, path: str, body: bytes | str) -> TestResponse:
    return client.post(path, data=body)


@pytest.fixture
def token(client1: Client) -> str:
    """A fresh token from dc1 for the peer it calls ``dc2``."""
    response = client1.post(GENERATE, data='{"PeerName":"dc2"}')
    assert response.status_code == 200, response.text
    return str(json_of(response)["PeeringToken"])


# --- methods ------------------------------------------------------------------------------------

ROUTES = [
    (GENERATE, "OPTIONS,POST"),
    (ESTABLISH, "OPTIONS,POST"),
    ("/v1/peering/dc2", "OPTIONS,GET,DELETE"),
    ("/v1/peerings", "OPTIONS,GET"),
]
WRONG_METHODS = [
    ("GET", GENERATE, "OPTIONS,POST"),  # the exact route wins over the /v1/peering/ subtree
    ("PUT", GENERATE, "OPTIONS,POST"),
    ("DELETE", GENERATE, "OPTIONS,POST"),
    ("GET", ESTABLISH, "OPTIONS,POST"),
    ("PATCH", ESTABLISH, "OPTIONS,POST"),
    ("POST", "/v1/peering/dc2", "OPTIONS,GET,DELETE"),
    ("PUT", "/v1/peering/dc2", "OPTIONS,GET,DELETE"),
    ("POST", "/v1/peerings", "OPTIONS,GET"),
    ("DELETE", "/v1/peerings", "OPTIONS,GET"),
]


@pytest.mark.parametrize(("method", "path", "allow"), WRONG_METHODS)
def test_wrong_method_is_405_with_text(client1: Client, method: str, path: str, allow: str) -> None:
    response = client1.open(path, method=method)

    assert status_text(response) == (405, f"method {method} not allowed")
    assert response.headers["Content-Type"] == TEXT


@pytest.mark.parametrize(("method", "path", "allow"), WRONG_METHODS)
def test_wrong_method_names_the_allowed_ones(
    client1: Client, method: str, path: str, allow: str
) -> None:
    assert client1.open(path, method=method).headers["Allow"] == allow


@pytest.mark.parametrize(("path", "allow"), ROUTES)
def test_options_is_200_with_empty_body(client1: Client, path: str, allow: str) -> None:
    response = client1.options(path)

    assert (response.status_code, response.get_data()) == (200, b"")


@pytest.mark.parametrize(("path", "allow"), ROUTES)
def test_options_names_the_allowed_methods(client1: Client, path: str, allow: str) -> None:
    assert client1.options(path).headers["Allow"] == allow


# --- body decoding ------------------------------------------------------------------------------


@pytest.mark.parametrize("path", [GENERATE, ESTABLISH])
def test_unknown_field_is_refused(client1: Client, path: str) -> None:
    response = post(client1, path, '{"PeerName":"a","Datacenter":"dc1"}')

    assert status_text(response) == (400, 'Body decoding failed: json: unknown field "Datacenter"')


@pytest.mark.parametrize("path", [GENERATE, ESTABLISH])
def test_decoding_failure_is_plain_text(client1: Client, path: str) -> None:
    assert post(client1, path, "abc").headers["Content-Type"] == TEXT


def test_lower_case_keys_are_accepted(client1: Client) -> None:
    assert post(client1, GENERATE, '{"peername":"dc2","meta":{"env":"prod"}}').status_code == 200
    assert json_of(client1.get("/v1/peering/dc2"))["Meta"] == {"env": "prod"}


def test_upper_case_keys_are_accepted(client1: Client) -> None:
    assert post(client1, GENERATE, '{"PEERNAME":"dc2"}').status_code == 200
    assert client1.get("/v1/peering/dc2").status_code == 200


def test_establish_keys_are_case_insensitive(client2: Client, token: str) -> None:
    response = post(client2, ESTABLISH, json.dumps({"peerName": "dc1", "PEERINGTOKEN": token}))

    assert (response.status_code, response.get_data()) == (200, b"{}")


def test_last_of_duplicate_keys_wins(client1: Client) -> None:
    post(client1, GENERATE, '{"PeerName":"first","peername":"second"}')

    assert [p["Name"] for p in json_of(client1.get("/v1/peerings"))] == ["second"]


TYPE_ERRORS = [
    (GENERATE, '{"PeerName":1}', "number", "PeeringGenerateTokenRequest.PeerName", "string"),
    (GENERATE, '{"PeerName":1.5}', "number", "PeeringGenerateTokenRequest.PeerName", "string"),
    (GENERATE, '{"PeerName":true}', "bool", "PeeringGenerateTokenRequest.PeerName", "string"),
    (GENERATE, '{"PeerName":["a"]}', "array", "PeeringGenerateTokenRequest.PeerName", "string"),
    (
        GENERATE,
        '{"PeerName":{"a":"b"}}',
        "object",
        "PeeringGenerateTokenRequest.PeerName",
        "string",
    ),
    (GENERATE, '{"peername":1}', "number", "PeeringGenerateTokenRequest.PeerName", "string"),
    (
        GENERATE,
        '{"PeerName":"a","Partition":5}',
        "number",
        "PeeringGenerateTokenRequest.Partition",
        "string",
    ),
    (
        GENERATE,
        '{"PeerName":"a","Meta":"x"}',
        "string",
        "PeeringGenerateTokenRequest.Meta",
        "map[string]string",
    ),
    (
        GENERATE,
        '{"PeerName":"a","Meta":{"k":1}}',
        "number",
        "PeeringGenerateTokenRequest.Meta",
        "string",
    ),
    (
        GENERATE,
        '{"PeerName":"a","ServerExternalAddresses":"1.2.3.4:8503"}',
        "string",
        "PeeringGenerateTokenRequest.ServerExternalAddresses",
        "[]string",
    ),
    (
        GENERATE,
        '{"PeerName":"a","ServerExternalAddresses":[1]}',
        "number",
        "PeeringGenerateTokenRequest.ServerExternalAddresses",
        "string",
    ),
    (
        ESTABLISH,
        '{"PeerName":"a","PeeringToken":5}',
        "number",
        "PeeringEstablishRequest.PeeringToken",
        "string",
    ),
    (
        ESTABLISH,
        '{"PeerName":"a","PeeringToken":"x","Meta":[]}',
        "array",
        "PeeringEstablishRequest.Meta",
        "map[string]string",
    ),
]


@pytest.mark.parametrize(("path", "body", "kind", "field", "go_type"), TYPE_ERRORS)
def test_wrong_type_is_refused_in_go_words(
    client1: Client, path: str, body: str, kind: str, field: str, go_type: str
) -> None:
    response = post(client1, path, body)

    assert status_text(response) == (
        400,
        f"Body decoding failed: json: cannot unmarshal {kind} into Go struct field {field} "
        f"of type {go_type}",
    )


@pytest.mark.parametrize("path", [GENERATE, ESTABLISH])
@pytest.mark.parametrize("body", [b"", b"  \r\n\t "])
def test_empty_body_is_eof(client1: Client, path: str, body: bytes) -> None:
    assert status_text(post(client1, path, body)) == (400, "Body decoding failed: EOF")


SYNTAX_ERRORS = [
    ("abc", "invalid character 'a' looking for beginning of value"),
    ('{PeerName:"a"}', "invalid character 'P' looking for beginning of object key string"),
    ('{"PeerName" "a"}', "invalid character '\"' after object key"),
    ('{"PeerName":"a",}', "invalid character '}' looking for beginning of object key string"),
    ('{"PeerName":"a"]', "invalid character ']' after object key:value pair"),
    ("{'PeerName':'a'}", "invalid character '\\'' looking for beginning of object key string"),
    ('{"PeerName":"a"', "unexpected EOF"),
    ('{"Datacenter":"x",', "unexpected EOF"),  # the whole value is read before any field
    ('{"PeerName":tru}', "invalid character '}' in literal true (expecting 'e')"),
    ('{"PeerName":NaN}', "invalid character 'N' looking for beginning of value"),
    ('{"PeerName":01}', "invalid character '1' after object key:value pair"),
    ('{"PeerName":"a\nb"}', "invalid character '\\n' in string literal"),
    ('{"PeerName":"\\x"}', "invalid character 'x' in string escape code"),
    ('\ufeff{"PeerName":"a"}', "invalid character '\u00ef' looking for beginning of value"),
]


@pytest.mark.parametrize("path", [GENERATE, ESTABLISH])
@pytest.mark.parametrize(("body", "error"), SYNTAX_ERRORS)
def test_non_json_is_refused_with_go_syntax_error(
    client1: Client, path: str, body: str, error: str
) -> None:
    assert status_text(post(client1, path, body)) == (400, f"Body decoding failed: {error}")


@pytest.mark.parametrize(
    ("path", "go_type"),
    [(GENERATE, "api.PeeringGenerateTokenRequest"), (ESTABLISH, "api.PeeringEstablishRequest")],
)
@pytest.mark.parametrize(
    ("body", "kind"),
    [
        ("[]", "array"),
        ('["PeerName"]', "array"),
        ("1", "number"),
        ('"dc2"', "string"),
        ("true", "bool"),
    ],
)
def test_body_that_is_not_an_object_is_refused(
    client1: Client, path: str, go_type: str, body: str, kind: str
) -> None:
    assert status_text(post(client1, path, body)) == (
        400,
        f"Body decoding failed: json: cannot unmarshal {kind} into Go value of type {go_type}",
    )


@pytest.mark.parametrize(
    ("path", "text"), [(GENERATE, GENERATE_NEEDS_NAME), (ESTABLISH, ESTABLISH_NEEDS_NAME)]
)
def test_null_body_decodes_to_nothing(client1: Client, path: str, text: str) -> None:
    assert status_text(post(client1, path, "null")) == (400, text)


def test_bytes_after_the_first_value_are_ignored(client1: Client) -> None:
    assert post(client1, GENERATE, '{"PeerName":"dc2"} this is not JSON').status_code == 200


def test_too_deep_nesting_is_refused_at_depth_10001(client1: Client) -> None:
    response = post(client1, GENERATE, "[" * 100_000)

    assert status_text(response) == (
        400,
        "Body decoding failed: invalid character '[' exceeded max depth",
    )


def test_deep_legal_nesting_is_a_type_error_not_a_crash(client1: Client) -> None:
    response = post(client1, GENERATE, "[" * 9_000 + "]" * 9_000)

    assert status_text(response) == (
        400,
        "Body decoding failed: json: cannot unmarshal array into Go value of type "
        "api.PeeringGenerateTokenRequest",
    )


def test_deep_value_of_an_unknown_field_is_skipped(client1: Client) -> None:
    response = post(client1, GENERATE, '{"X":' + "[" * 9_000 + "]" * 9_000 + "}")

    assert status_text(response) == (400, 'Body decoding failed: json: unknown field "X"')


HUGE = 3 * 1024 * 1024


def test_huge_body_with_valid_first_value_is_accepted(client1: Client) -> None:
    assert post(client1, GENERATE, '{"PeerName":"dc2"}' + " " * HUGE).status_code == 200


def test_huge_array_body_is_a_type_error(client1: Client) -> None:
    response = post(client1, GENERATE, "[" + "1," * (HUGE // 2) + "1]")

    assert status_text(response) == (
        400,
        "Body decoding failed: json: cannot unmarshal array into Go value of type "
        "api.PeeringGenerateTokenRequest",
    )


def test_huge_unknown_field_is_refused(client1: Client) -> None:
    response = post(client1, GENERATE, '{"Filler":"' + "x" * HUGE + '"}')

    assert status_text(response) == (400, 'Body decoding failed: json: unknown field "Filler"')


def test_huge_body_without_peer_name_is_refused(client1: Client) -> None:
    response = post(client1, GENERATE, '{"Meta":{"k":"' + "v" * HUGE + '"}}')

    assert status_text(response) == (400, GENERATE_NEEDS_NAME)


def test_non_utf8_byte_outside_a_string_is_a_syntax_error(client1: Client) -> None:
    response = post(client1, GENERATE, b"\xff")

    # Go quotes the byte as the rune U+00FF.
    assert status_text(response) == (
        400,
        "Body decoding failed: invalid character '\u00ff' looking for beginning of value",
    )


def test_non_utf8_byte_inside_a_string_becomes_replacement_character(client1: Client) -> None:
    response = post(client1, GENERATE, b'{"PeerName":"a\xffb"}')

    assert status_text(response) == (500, "a\ufffdb" + NAME_RULE)


# --- required fields ----------------------------------------------------------------------------


@pytest.mark.parametrize("body", ["{}", '{"PeerName":""}', '{"Meta":{"k":"v"}}'])
def test_generate_without_peer_name(client1: Client, body: str) -> None:
    assert status_text(post(client1, GENERATE, body)) == (400, GENERATE_NEEDS_NAME)


@pytest.mark.parametrize(
    "body", ["{}", '{"PeeringToken":"x"}', '{"PeerName":"","PeeringToken":"x"}']
)
def test_establish_without_peer_name(client1: Client, body: str) -> None:
    assert status_text(post(client1, ESTABLISH, body)) == (400, ESTABLISH_NEEDS_NAME)


@pytest.mark.parametrize("body", ['{"PeerName":"dc1"}', '{"PeerName":"dc1","PeeringToken":""}'])
def test_establish_without_token(client1: Client, body: str) -> None:
    assert status_text(post(client1, ESTABLISH, body)) == (400, ESTABLISH_NEEDS_TOKEN)


# --- partitions (CE) ----------------------------------------------------------------------------

PARTITIONED_REQUESTS: list[tuple[str, str, str | None]] = [
    ("POST", GENERATE, '{"PeerName":"dc2"}'),
    ("POST", ESTABLISH, '{"PeerName":"dc1","PeeringToken":"x"}'),
    ("GET", "/v1/peering/dc2", None),
    ("DELETE", "/v1/peering/dc2", None),
    ("GET", "/v1/peerings", None),
]


@pytest.mark.parametrize(("method", "path", "body"), PARTITIONED_REQUESTS)
@pytest.mark.parametrize("partition", ["default", "other"])
def test_partition_query_parameter_is_refused(
    client1: Client, method: str, path: str, body: str | None, partition: str
) -> None:
    response = client1.open(f"{path}?partition={partition}", method=method, data=body)

    assert status_text(response) == (400, PARTITION_QUERY)


@pytest.mark.parametrize(("method", "path", "body"), PARTITIONED_REQUESTS)
def test_partition_header_is_refused(
    client1: Client, method: str, path: str, body: str | None
) -> None:
    response = client1.open(
        path, method=method, data=body, headers={"X-Consul-Partition": "default"}
    )

    assert status_text(response) == (400, PARTITION_HEADER)


def test_empty_partition_query_parameter_is_ignored(client1: Client) -> None:
    assert client1.get("/v1/peerings?partition=").status_code == 200


@pytest.mark.parametrize("partition", ["", "default", "DEFAULT", "Default"])
def test_generate_accepts_the_default_partition_in_the_body(
    client1: Client, partition: str
) -> None:
    body = json.dumps({"PeerName": "dc2", "Partition": partition})

    assert post(client1, GENERATE, body).status_code == 200


def test_generate_refuses_another_partition_in_the_body(client1: Client) -> None:
    response = post(client1, GENERATE, '{"PeerName":"dc2","Partition":"other"}')

    assert status_text(response) == (
        500,
        "Partitions are a Consul Enterprise feature",
    )


def test_generate_checks_the_partition_before_the_name(client1: Client) -> None:
    response = post(client1, GENERATE, '{"PeerName":"--AA--","Partition":"other"}')

    assert status_text(response) == (
        500,
        "Partitions are a Consul Enterprise feature",
    )


def test_establish_ignores_a_partition_in_the_body(client2: Client, token: str) -> None:
    body = json.dumps({"PeerName": "dc1", "PeeringToken": token, "Partition": "other"})

    assert post(client2, ESTABLISH, body).status_code == 200


# --- names --------------------------------------------------------------------------------------

INVALID_NAMES = ["--AA--", "Peer1", "UPPER", "a_b", "a.b", "-a", "a-", "a" * 64, "caf\u00e9", " a"]


@pytest.mark.parametrize("name", INVALID_NAMES)
def test_generate_refuses_an_invalid_peer_name(client1: Client, name: str) -> None:
    response = post(client1, GENERATE, json.dumps({"PeerName": name}))

    assert status_text(response) == (500, name + NAME_RULE)


@pytest.mark.parametrize("name", ["--AA--", "Peer1"])
def test_establish_refuses_an_invalid_peer_name_before_the_token(
    client1: Client, name: str
) -> None:
    response = post(client1, ESTABLISH, json.dumps({"PeerName": name, "PeeringToken": "x"}))

    assert status_text(response) == (500, name + NAME_RULE)


@pytest.mark.parametrize("name", ["peer1-usw1", "my-peer-s1", "peering-a", "a", "0", "a" * 63])
def test_generate_accepts_a_valid_peer_name(client1: Client, name: str) -> None:
    assert post(client1, GENERATE, json.dumps({"PeerName": name})).status_code == 200


# --- meta ---------------------------------------------------------------------------------------

META_ERRORS: list[tuple[dict[str, str], str]] = [
    (
        {f"k{i}": "v" for i in range(65)},
        "Node metadata cannot contain more than 64 key/value pairs",
    ),
    ({"": "v"}, "Couldn't load metadata pair ('', 'v'): Key cannot be blank"),
    ({"a.b": "v"}, "Couldn't load metadata pair ('a.b', 'v'): Key contains invalid characters"),
    (
        {"k" * 129: "v"},
        f"Couldn't load metadata pair ('{'k' * 129}', 'v'): "
        "Key is too long (limit: 128 characters)",
    ),
    (
        {"consul-x": "v"},
        "Couldn't load metadata pair ('consul-x', 'v'): "
        "Key prefix 'consul-' is reserved for internal use",
    ),
    (
        {"k": "v" * 513},
        f"Couldn't load metadata pair ('k', '{'v' * 513}'): "
        "Value is too long (limit: 512 characters)",
    ),
]


@pytest.mark.parametrize(("meta", "error"), META_ERRORS)
def test_generate_refuses_bad_meta(client1: Client, meta: dict[str, str], error: str) -> None:
    response = post(client1, GENERATE, json.dumps({"PeerName": "dc2", "Meta": meta}))

    assert status_text(response) == (500, META_FAILED + error)


@pytest.mark.parametrize(("meta", "error"), META_ERRORS)
def test_establish_refuses_bad_meta(
    client2: Client, token: str, meta: dict[str, str], error: str
) -> None:
    body = json.dumps({"PeerName": "dc1", "PeeringToken": token, "Meta": meta})

    assert status_text(post(client2, ESTABLISH, body)) == (500, META_FAILED + error)


@pytest.mark.parametrize(
    "meta",
    [{f"k{i}": "v" for i in range(64)}, {"k" * 128: "v"}, {"k": "v" * 512}, {"Key_-9": "v"}],
)
def test_generate_accepts_meta_at_the_limits(client1: Client, meta: dict[str, str]) -> None:
    assert post(client1, GENERATE, json.dumps({"PeerName": "dc2", "Meta": meta})).status_code == 200


# --- tokens (Consul's test vectors, spec §4.3) --------------------------------------------------


@pytest.mark.parametrize(
    ("peering_token", "error"),
    [
        ("+++/+++", "failed to decode token: illegal base64 data at input byte 4"),
        ("Cg==", "unexpected end of JSON input"),
        ("e30K", "peering token server addresses value is empty"),
    ],
)
def test_establish_refuses_a_malformed_token(
    client2: Client, peering_token: str, error: str
) -> None:
    body = json.dumps({"PeerName": "dc1", "PeeringToken": peering_token})

    assert status_text(post(client2, ESTABLISH, body)) == (500, error)


# --- names in the path, query options ------------------------------------------------------------


@pytest.mark.parametrize("method", ["GET", "DELETE"])
def test_empty_name_in_the_path_is_refused(client1: Client, method: str) -> None:
    response = client1.open("/v1/peering/", method=method)

    assert status_text(response) == (400, "Must specify a name to fetch.")


QUERIES: list[tuple[str, str]] = [
    ("index=abc", "Invalid index"),
    ("index=-1", "Invalid index"),
    ("index=1.5", "Invalid index"),
    ("index=+1", "Invalid index"),
    ("index=18446744073709551616", "Invalid index"),
    ("wait=abc", "Invalid wait time"),
    ("wait=10", "Invalid wait time"),
    ("wait=5x", "Invalid wait time"),
    ("wait=bad&index=bad", "Invalid wait time"),
    ("stale&consistent", "Cannot specify ?stale with ?consistent, conflicting semantics."),
    (
        "stale&consistent&index=bad",
        "Cannot specify ?stale with ?consistent, conflicting semantics.",
    ),
]


@pytest.mark.parametrize("path", ["/v1/peering/dc2", "/v1/peerings"])
@pytest.mark.parametrize(("query", "text"), QUERIES)
def test_bad_query_option_is_refused(
    generate: Callable[..., TestResponse], client1: Client, path: str, query: str, text: str
) -> None:
    generate(PeerName="dc2")
    normal = client1.get(path).get_data(as_text=True)

    # agent/peering_endpoint.go ignores parse()'s result: the normal answer follows the text.
    assert status_text(client1.get(f"{path}?{query}")) == (400, text + normal)


@pytest.mark.parametrize("query", ["stale", "consistent", "index=", "wait=", "index=0&wait=1s"])
def test_accepted_query_options_answer_at_once(
    generate: Callable[..., TestResponse], client1: Client, query: str
) -> None:
    generate(PeerName="dc2")

    assert client1.get(f"/v1/peering/dc2?{query}").status_code == 200


# --- paths outside the routes -------------------------------------------------------------------


@pytest.mark.parametrize(
    "path", ["/v1/nope", "/v1/peeringz", "/v1/peerings/", "/v1/peerings/x", "/v1/"]
)
def test_unknown_v1_path_is_404_with_text(client1: Client, path: str) -> None:
    response = client1.get(path)

    assert status_text(response) == (404, "Invalid URL path: not a recognized HTTP API endpoint\n")


@pytest.mark.parametrize("route", ["token", "establish"])
def test_trailing_slash_after_a_post_route_is_a_peering_name(client1: Client, route: str) -> None:
    response = client1.get(f"/v1/peering/{route}/")

    assert status_text(response) == (404, f'Peering not found for "{route}/"')


def test_post_to_a_post_route_with_trailing_slash_is_405(client1: Client) -> None:
    response = client1.post("/v1/peering/token/", data='{"PeerName":"dc2"}')

    assert status_text(response) == (405, "method POST not allowed")
    assert response.headers["Allow"] == "OPTIONS,GET,DELETE"


def test_unknown_v1_path_has_no_acl_policy_header(client1: Client) -> None:
    assert "X-Consul-Default-Acl-Policy" not in client1.get("/v1/nope").headers


def test_peering_without_slash_redirects_to_the_subtree(client1: Client) -> None:
    response = client1.get("/v1/peering")

    assert (response.status_code, response.headers["Location"]) == (301, "/v1/peering/")


def test_redirect_keeps_the_query(client1: Client) -> None:
    assert client1.get("/v1/peering?pretty").headers["Location"] == "/v1/peering/?pretty"


def test_redirect_body_is_go_html_for_get(client1: Client) -> None:
    response = client1.get("/v1/peering")

    assert response.get_data() == b'<a href="/v1/peering/">Moved Permanently</a>.\n\n'


REDIRECTS = [
    ("/v1//peerings", "/v1/peerings"),
    ("/v1/peering//dc2", "/v1/peering/dc2"),
    ("/v1/peering/./dc2", "/v1/peering/dc2"),
    ("/v1/peering/../peerings", "/v1/peerings"),
    ("/v1/peerings/.", "/v1/peerings"),
    ("//v1/peerings", "/v1/peerings"),
]


@pytest.mark.parametrize(("path", "clean"), REDIRECTS)
def test_unclean_path_redirects_to_the_clean_one(client1: Client, path: str, clean: str) -> None:
    # PATH_INFO as a real server passes it (the test client would read "//v1" as a host name).
    response = client1.get("/", environ_overrides={"PATH_INFO": path})

    assert (response.status_code, response.headers["Location"]) == (301, clean)


def test_unclean_path_redirect_for_post(client1: Client) -> None:
    response = client1.post("/", data="{}", environ_overrides={"PATH_INFO": "/v1//peering/token"})

    assert (response.status_code, response.headers["Location"]) == (301, "/v1/peering/token")


# --- conflicts and refused tokens (spec §2.1, §2.2, §4.4) -----------------------------------

SECRET_REFUSED = (
    "a new peering token must be generated: "
    "invalid peering establishment secret"
)
MARKED_FOR_DELETION = (
    "failed to write peering: cannot write to peering that is marked for deletion"
)


def establish_body(name: str, peering_token: str) -> str:
    return json.dumps({"PeerName": name, "PeeringToken": peering_token})


def test_establish_on_an_acceptor_name_is_refused(client1: Client, client2: Client) -> None:
    post(client1, GENERATE, '{"PeerName":"dc2"}')
    dc2_token = json_of(post(client2, GENERATE, '{"PeerName":"dc1"}'))["PeeringToken"]

    response = post(client1, ESTABLISH, establish_body("dc2", dc2_token))

    assert status_text(response) == (
        500,
        'cannot create peering with name: "dc2"; '
        "there is an existing peering expecting to be dialed",
    )


def test_generate_on_a_dialer_name_is_refused(client2: Client, peer: Callable[..., None]) -> None:
    peer()  # dc2 dials dc1 and calls it "dc1"

    response = post(client2, GENERATE, '{"PeerName":"dc1"}')

    assert status_text(response) == (
        500,
        'cannot create peering with name: "dc1"; there is already an established peering',
    )


def test_generate_on_a_deleting_acceptor_is_refused(client1: Client, network: Network) -> None:
    network.timing.deletion_delay = 60
    post(client1, GENERATE, '{"PeerName":"dc2"}')
    client1.delete("/v1/peering/dc2")

    assert status_text(post(client1, GENERATE, '{"PeerName":"dc2"}')) == (500, MARKED_FOR_DELETION)


def test_establish_on_a_deleting_dialer_is_refused(
    client1: Client, client2: Client, network: Network, peer: Callable[..., None]
) -> None:
    network.timing.deletion_delay = 60
    peer()
    client2.delete("/v1/peering/dc1")
    fresh = json_of(post(client1, GENERATE, '{"PeerName":"dc2-again"}'))["PeeringToken"]

    response = post(client2, ESTABLISH, establish_body("dc1", fresh))

    assert status_text(response) == (500, MARKED_FOR_DELETION)


def test_establish_with_own_token_is_refused(client1: Client, dc1: Cluster, token: str) -> None:
    response = post(client1, ESTABLISH, establish_body("myself", token))

    assert status_text(response) == (
        500,
        f'cannot create a peering within the same cluster "{dc1.server_name}". Refer to '
        "the `exported-services` documentation if you want to export between partitions "
        "without peering",
    )


def test_reused_token_is_403(client2: Client, token: str) -> None:
    post(client2, ESTABLISH, establish_body("dc1", token))

    assert status_text(post(client2, ESTABLISH, establish_body("dc1-b", token))) == (
        403,
        SECRET_REFUSED,
    )


def test_superseded_token_is_403(client1: Client, client2: Client, token: str) -> None:
    post(client1, GENERATE, '{"PeerName":"dc2"}')  # a newer secret replaces the unused one

    assert status_text(post(client2, ESTABLISH, establish_body("dc1", token))) == (
        403,
        SECRET_REFUSED,
    )


def test_token_of_a_deleted_acceptor_peering_is_403(
    client1: Client, client2: Client, token: str
) -> None:
    client1.delete("/v1/peering/dc2")

    assert status_text(post(client2, ESTABLISH, establish_body("dc1", token))) == (
        403,
        SECRET_REFUSED,
    )


# --- peering disabled (spec §11) ----------------------------------------------------------------

DISABLED_REQUESTS: list[tuple[str, str, str | None]] = [
    ("POST", GENERATE, '{"PeerName":"dc2"}'),
    ("POST", ESTABLISH, '{"PeerName":"dc1","PeeringToken":"x"}'),
    ("GET", "/v1/peering/dc2", None),
    ("DELETE", "/v1/peering/dc2", None),
    ("GET", "/v1/peerings", None),
]


@pytest.mark.parametrize(("method", "path", "body"), DISABLED_REQUESTS)
def test_every_endpoint_fails_when_peering_is_disabled(
    network: Network, method: str, path: str, body: str | None
) -> None:
    disabled = network.add_cluster("dc3", peering_enabled=False)

    response = Client(wsgi_app(disabled)).open(path, method=method, data=body)

    assert status_text(response) == (
        500,
        "peering must be enabled to use this endpoint",
    )


# --- which check comes first (spec §2.1, §2.2, §2.3) ----------------------------------------


def test_decoding_comes_before_the_partition_check(client1: Client) -> None:
    response = post(client1, GENERATE + "?partition=default", "abc")

    assert status_text(response) == (
        400,
        "Body decoding failed: invalid character 'a' looking for beginning of value",
    )


def test_missing_peer_name_comes_before_the_partition_check(client1: Client) -> None:
    assert status_text(post(client1, GENERATE + "?partition=default", "{}")) == (
        400,
        GENERATE_NEEDS_NAME,
    )


def test_empty_name_comes_before_the_partition_check(client1: Client) -> None:
    response = client1.get("/v1/peering/?partition=default")

    assert status_text(response) == (400, "Must specify a name to fetch.")


def test_partition_check_comes_before_query_options(client1: Client) -> None:
    assert status_text(client1.get("/v1/peering/dc2?partition=default&index=abc")) == (
        400,
        PARTITION_QUERY,
    )


def test_generate_checks_the_name_before_the_meta(client1: Client) -> None:
    response = post(client1, GENERATE, '{"PeerName":"--AA--","Meta":{"consul-x":"v"}}')

    assert status_text(response) == (500, "--AA--" + NAME_RULE)


def test_establish_checks_the_token_before_the_meta(client2: Client) -> None:
    body = '{"PeerName":"dc1","PeeringToken":"Cg==","Meta":{"consul-x":"v"}}'

    assert status_text(post(client2, ESTABLISH, body)) == (
        500,
        "unexpected end of JSON input",
    )


# Go's decoder takes 10,000 levels (scanner.go maxNestingDepth); deeper is its syntax error.
def _nested(depth: int) -> str:
    return ('{"Kind":"proxy-defaults","Name":"global","Config":{"A":'
            + "[" * depth + "]" * depth + "}}")


def test_a_config_entry_nested_as_deep_as_go_decodes_is_stored(client1: Client) -> None:
    response = client1.put("/v1/config", data=_nested(9998))  # 10,000 levels in all
    assert (response.status_code, response.text) == (200, "true")


def test_a_config_entry_nested_as_deep_as_go_decodes_reads_back(client1: Client) -> None:
    client1.put("/v1/config", data=_nested(9998))
    response = client1.get("/v1/config/proxy-defaults/global")
    assert b'"Config":{"A":' + b"[" * 9998 + b"]" * 9998 + b"}" in response.get_data()


def test_a_config_entry_nested_deeper_than_go_decodes_gets_gos_text(client1: Client) -> None:
    response = client1.put("/v1/config", data=_nested(9999))
    assert (response.status_code, response.text) == (
        400, "Request decoding failed: invalid character '[' exceeded max depth")


def test_a_deep_value_in_the_wrong_place_gets_the_decoders_type_error(client1: Client) -> None:
    body = ('{"Kind":"exported-services","Name":"default","Meta":{"a":'
            + "[" * 2000 + "]" * 2000 + "}}")
    response = client1.put("/v1/config", data=body)
    assert (response.status_code, response.text.startswith(
        "Request decoding failed: 1 error(s) decoding:\n\n* 'Meta[a]' expected type 'string', "
        "got unconvertible type '[]interface {}', value: '[[[")) == (400, True)
