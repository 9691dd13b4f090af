"""fakeconsul/schemas: loadable, valid draft 2020-12, and the single source of the Go decoders.

The request schemas must accept exactly what Go's decoder accepts (for bodies written with the
canonical key case): a property test checks both directions, so neither can drift alone.
"""

from __future__ import annotations

import base64
import copy
import json
from typing import Any

import pytest
import schema_check
from hypothesis import given, settings
from hypothesis import strategies as st
from jsonschema import ValidationError
from sizes import scaled

from fakeconsul import Network, schemas
from fakeconsul.golang.gojson import GoJSONError, GoStruct, GoType, decode_stream

STREAM_NULL = dict.fromkeys(
    ["ImportedServices", "ExportedServices", "LastHeartbeat", "LastReceive", "LastSend"]
)
# spec §3: the acceptor right after generate-token (CE).
ACCEPTOR: dict[str, Any] = {
    "ID": "8b0c2c4e-6f1d-4c47-9b6a-0d4f3b1b2a11",
    "Name": "cluster-b",
    "State": "PENDING",
    "StreamStatus": STREAM_NULL,
    "CreateIndex": 27,
    "ModifyIndex": 27,
    "Remote": {"Partition": "", "Datacenter": ""},
}


def describe(typ: GoType) -> object:
    """A Go type as comparable data: kind, Go's name for it, and its parts."""
    if isinstance(typ, GoStruct):
        fields = [(name, describe(ftype)) for name, ftype in typ.fields]
        return ("struct", typ.text, typ.error_text, fields)
    return (typ.kind, typ.text, None if typ.elem is None else describe(typ.elem))


# --- loading --------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", schemas.names())
def test_every_schema_is_valid_draft_2020_12(name: str) -> None:
    schema = schemas.load(name)
    schemas.validator(name)  # checks the schema against the draft's meta-schema

    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["$id"] == schemas.BASE_URI + f"{name}.json"


def test_load_gives_a_copy_to_change_freely() -> None:
    schemas.load("peering")["properties"].clear()

    assert "ID" in schemas.load("peering")["properties"]


def test_unknown_schema_name_is_refused() -> None:
    with pytest.raises(schemas.SchemaError, match="no schema named 'peer'"):
        schemas.load("peer")


ROUTES = [
    ("GET", "/v1/peering/web", "peering"),
    ("GET", "/v1/peerings", "peerings"),
    ("POST", "/v1/peering/token", "generate-token-response"),
    ("POST", "/v1/peering/establish", "establish-response"),
    ("GET", "/v1/status/leader", "status-leader"),
    ("GET", "/v1/agent/self", "agent-self"),
    ("DELETE", "/v1/peering/web", None),
    ("GET", "/v1/kv/web", None),
]


@pytest.mark.parametrize(("method", "path", "name"), ROUTES)
def test_response_schema_names_the_body_of_a_route(method: str, path: str, name: str) -> None:
    assert schemas.response_schema(method, path) == name


# --- the Go structs derived from the x-go-* annotations ---------------------------------------

STRING = ("string", "string", None)
STRINGS = ("slice", "[]string", STRING)
STRING_MAP = ("map", "map[string]string", STRING)
GO_STRUCTS = {
    "generate-token-request": (
        "struct", "api.PeeringGenerateTokenRequest", "api.PeeringGenerateTokenRequest",
        [("PeerName", STRING), ("Partition", STRING), ("Meta", STRING_MAP),
         ("ServerExternalAddresses", STRINGS)],
    ),
    "establish-request": (
        "struct", "api.PeeringEstablishRequest", "api.PeeringEstablishRequest",
        [("PeerName", STRING), ("PeeringToken", STRING), ("Partition", STRING),
         ("Meta", STRING_MAP)],
    ),
    "peering-token": (
        "struct", "structs.PeeringToken", "structs.PeeringToken",
        [("CA", STRINGS), ("ManualServerAddresses", STRINGS), ("ServerAddresses", STRINGS),
         ("ServerName", STRING), ("PeerID", STRING), ("EstablishmentSecret", STRING),
         ("Remote", ("struct", "structs.PeeringTokenRemote", "structs.PeeringTokenRemote", [
             ("Partition", STRING), ("Datacenter", STRING),
             ("Locality", ("struct", "*structs.Locality", "structs.Locality",
                           [("Region", STRING), ("Zone", STRING)])),
         ]))],
    ),
}


@pytest.mark.parametrize("name", sorted(GO_STRUCTS))
def test_go_struct_is_consuls_go_type(name: str) -> None:
    assert describe(schemas.go_struct(name)) == GO_STRUCTS[name]


def test_the_server_decodes_with_the_derived_structs() -> None:
    from fakeconsul.http import peering

    assert peering.GENERATE_REQUEST is peering.GENERATE_BODY.go_struct
    assert describe(peering.GENERATE_REQUEST) == GO_STRUCTS["generate-token-request"]


def test_derived_struct_names_go_types_in_errors() -> None:
    with pytest.raises(GoJSONError) as caught:
        decode_stream(b'{"PeerName":1}', schemas.go_struct("generate-token-request"))

    assert caught.value.message == (
        "json: cannot unmarshal number into Go struct field "
        "PeeringGenerateTokenRequest.PeerName of type string"
    )


def test_a_response_schema_is_no_go_struct() -> None:
    with pytest.raises(schemas.SchemaError, match="an object needs x-go-type"):
        schemas.go_struct("peering")


# --- request schemas accept what Go's decoder accepts ---------------------------------------------

SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=5),
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=3), inner,
                                                                  max_size=3),
    max_leaves=8,
)


def bodies(name: str) -> st.SearchStrategy[dict[str, Any]]:
    """Objects over the schema's own keys (and a stray one) with values of any JSON type."""
    keys = list(schemas.load(name)["properties"]) + ["Datacenter"]
    return st.dictionaries(st.sampled_from(keys), VALUES, max_size=5)


def go_accepts(body: dict[str, Any], name: str) -> bool:
    try:
        decode_stream(json.dumps(body).encode(), schemas.go_struct(name))
    except GoJSONError:
        return False
    return True


@pytest.mark.parametrize("name", schemas.REQUESTS)
@settings(max_examples=scaled(40))
@given(data=st.data())
def test_request_schema_accepts_exactly_what_go_decodes(name: str, data: st.DataObject) -> None:
    body = data.draw(bodies(name))

    assert schemas.validator(name).is_valid(body) == go_accepts(body, name)


@pytest.mark.parametrize("name", schemas.REQUESTS)
@settings(max_examples=scaled(40))
@given(data=st.data())
def test_what_go_decodes_fits_the_schema(name: str, data: st.DataObject) -> None:
    body = data.draw(bodies(name))
    upper = {key.upper(): value for key, value in body.items()}  # Go folds the key case
    try:
        decoded = decode_stream(json.dumps(upper).encode(), schemas.go_struct(name))
    except GoJSONError:
        return

    schemas.RequestBody(name).check_decoded(decoded)


def test_a_decoded_body_that_misfits_is_the_fakes_bug() -> None:
    body = schemas.RequestBody("generate-token-request")

    with pytest.raises(schemas.SchemaDisagreement, match="decoded body misfits its schema"):
        body.check_decoded({"PeerName": 5})


# --- response schemas describe Consul's answers ---------------------------------------------------


def test_consuls_acceptor_sample_fits() -> None:
    schemas.validate("peering", ACCEPTOR)


MISFITS = {
    "an empty omitempty field": {**ACCEPTOR, "Partition": ""},
    "the never-shown UNDEFINED": {**ACCEPTOR, "State": "UNDEFINED"},
    "an index as a string": {**ACCEPTOR, "ModifyIndex": "27"},
    "a naive timestamp": {**ACCEPTOR, "DeletedAt": "2024-05-01T10:20:30"},
    "a trailing zero in nanoseconds": {**ACCEPTOR, "DeletedAt": "2024-05-01T10:20:30.10Z"},
    "no StreamStatus": {k: v for k, v in ACCEPTOR.items() if k != "StreamStatus"},
    "a StreamStatus key missing": {**ACCEPTOR, "StreamStatus": {"LastSend": None}},
    "an unknown key": {**ACCEPTOR, "ImportedServiceCount": 0},
}


@pytest.mark.parametrize("case", sorted(MISFITS))
def test_shapes_consul_never_sends_misfit(case: str) -> None:
    with pytest.raises(ValidationError):
        schemas.validate("peering", MISFITS[case])


def test_tokens_the_fake_mints_fit_the_token_schema() -> None:
    network = Network()
    token = network.add_cluster("dc1").generate_token("dc2", server_external_addresses=["a:1"])

    schemas.validate("peering-token", json.loads(base64.b64decode(token)))


def test_answer_check_finds_a_misfit_body() -> None:
    body = json.dumps({**ACCEPTOR, "State": "UNDEFINED"}).encode()
    headers = {"Content-Type": "application/json"}

    found = schema_check.problem("GET", "/v1/peering/cluster-b", 200, headers, body)

    assert found is not None and "misfits schema 'peering' at $.State" in found


def test_answer_check_leaves_error_answers_to_the_text_checks() -> None:
    headers = {"Content-Type": "text/plain; charset=utf-8"}

    assert schema_check.problem("GET", "/v1/peering/x", 404, headers, b"nope") is None


def test_answer_check_reads_the_token_inside_a_token_answer() -> None:
    token = base64.b64encode(json.dumps({"CA": None}).encode()).decode()
    body = json.dumps({"PeeringToken": token}).encode()

    found = schema_check.problem(
        "POST", "/v1/peering/token", 200, {"Content-Type": "application/json"}, body
    )

    assert found is not None and "the token misfits schema 'peering-token'" in found


def test_load_does_not_share_nested_values() -> None:
    first = schemas.load("peering")
    nested = copy.deepcopy(first["$defs"])
    first["$defs"]["remote"]["required"].append("Locality")

    assert schemas.load("peering")["$defs"] == nested
