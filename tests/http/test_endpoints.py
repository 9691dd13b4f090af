"""The five peering endpoints' answers when all goes well: bodies, key order, omissions, headers.

Spec §2 (endpoints), §3 (the Peering object), §7 (indexes) and §11 (headers).
"""

from __future__ import annotations

import base64
import gzip
import json
from collections.abc import Callable
from typing import Any

import pytest
from answers import json_of
from werkzeug.test import Client, TestResponse

from fakeconsul import Cluster, ManualClock, Network, wsgi_app

PEERING_KEYS_ACCEPTOR = [
    "ID",
    "Name",
    "State",
    "StreamStatus",
    "CreateIndex",
    "ModifyIndex",
    "Remote",
]
STREAM_STATUS_KEYS = [
    "ImportedServices",
    "ExportedServices",
    "LastHeartbeat",
    "LastReceive",
    "LastSend",
]
NULL_STREAM_STATUS = dict.fromkeys(STREAM_STATUS_KEYS)


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    keys = [key for key, _ in pairs]
    assert len(keys) == len(set(keys)), f"duplicate keys in {keys}"
    return dict(pairs)


def parse(response: TestResponse) -> Any:
    """The body as JSON, objects in document order, duplicate keys refused."""
    return json.loads(response.get_data(), object_pairs_hook=_no_duplicates)


def keys(response: TestResponse) -> list[str]:
    return list(parse(response))


def read(client: Client, name: str) -> TestResponse:
    response = client.get(f"/v1/peering/{name}")
    assert response.status_code == 200, response.text
    return response


# --- POST /v1/peering/token ---------------------------------------------------------------------


def test_generate_token_body_has_exactly_the_key_peering_token(
    generate: Callable[..., TestResponse],
) -> None:
    response = generate(PeerName="dc2")

    assert response.status_code == 200
    assert keys(response) == ["PeeringToken"]


def test_generate_token_is_standard_base64_of_a_go_token(
    generate: Callable[..., TestResponse],
) -> None:
    token = json_of(generate(PeerName="dc2"))["PeeringToken"]

    assert token.startswith("eyJDQSI6")  # {"CA":
    assert list(json.loads(base64.b64decode(token, validate=True)))[0] == "CA"


def test_generate_token_answers_json(generate: Callable[..., TestResponse]) -> None:
    assert generate(PeerName="dc2").headers["Content-Type"] == "application/json"


def test_generate_token_has_no_index_header(generate: Callable[..., TestResponse]) -> None:
    assert "X-Consul-Index" not in generate(PeerName="dc2").headers


def test_generate_token_creates_a_pending_peering(
    generate: Callable[..., TestResponse], client1: Client
) -> None:
    generate(PeerName="dc2")

    assert json_of(read(client1, "dc2"))["State"] == "PENDING"


def test_generate_token_again_keeps_id_and_meta_and_bumps_modify_index(
    generate: Callable[..., TestResponse], client1: Client
) -> None:
    generate(PeerName="dc2", Meta={"env": "prod"})
    before = json_of(read(client1, "dc2"))

    generate(PeerName="dc2", Meta={"env": "test"})
    after = json_of(read(client1, "dc2"))

    assert (after["ID"], after["Meta"], after["CreateIndex"]) == (
        before["ID"],
        {"env": "prod"},
        before["CreateIndex"],
    )
    assert after["ModifyIndex"] > before["ModifyIndex"]


# --- POST /v1/peering/establish -----------------------------------------------------------------


def _establish(client1: Client, client2: Client) -> TestResponse:
    token = json_of(client1.post("/v1/peering/token", data='{"PeerName":"dc2"}'))["PeeringToken"]
    return client2.post(
        "/v1/peering/establish", data=json.dumps({"PeerName": "dc1", "PeeringToken": token})
    )


def test_establish_body_is_exactly_an_empty_object(client1: Client, client2: Client) -> None:
    response = _establish(client1, client2)

    assert response.status_code == 200
    assert response.get_data() == b"{}"


def test_establish_answers_json_without_index(client1: Client, client2: Client) -> None:
    response = _establish(client1, client2)

    assert response.headers["Content-Type"] == "application/json"
    assert "X-Consul-Index" not in response.headers


# --- GET /v1/peering/:name: the Peering object ----------------------------------------------------


def test_read_fresh_acceptor_is_byte_for_byte_consul(
    generate: Callable[..., TestResponse], client1: Client, dc1: Cluster
) -> None:
    generate(PeerName="dc2")
    record = dc1.read("dc2")
    assert record is not None

    body = read(client1, "dc2").get_data()

    index = record.create_index
    assert (
        body
        == (
            f'{{"ID":"{record.id}","Name":"dc2","State":"PENDING","StreamStatus":{{"ImportedServices":null,'
            '"ExportedServices":null,"LastHeartbeat":null,"LastReceive":null,"LastSend":null},'
            f'"CreateIndex":{index},"ModifyIndex":{index},"Remote":{{"Partition":"","Datacenter":""}}}}'
        ).encode()
    )


def test_read_fresh_acceptor_keys_in_struct_order(
    generate: Callable[..., TestResponse], client1: Client
) -> None:
    generate(PeerName="dc2")

    assert keys(read(client1, "dc2")) == PEERING_KEYS_ACCEPTOR


def test_read_meta_comes_between_name_and_state(
    generate: Callable[..., TestResponse], client1: Client
) -> None:
    generate(PeerName="dc2", Meta={"env": "prod"})

    assert keys(read(client1, "dc2"))[:4] == ["ID", "Name", "Meta", "State"]


def test_read_meta_keys_are_sorted_as_go_sorts_map_keys(
    generate: Callable[..., TestResponse], client1: Client
) -> None:
    generate(PeerName="dc2", Meta={"b": "2", "a": "1", "B": "3"})

    assert b'"Meta":{"B":"3","a":"1","b":"2"}' in read(client1, "dc2").get_data()


def test_read_empty_meta_is_omitted(generate: Callable[..., TestResponse], client1: Client) -> None:
    generate(PeerName="dc2", Meta={})

    assert "Meta" not in keys(read(client1, "dc2"))


def test_read_escapes_html_characters_as_go_does(
    generate: Callable[..., TestResponse], client1: Client
) -> None:
    generate(PeerName="dc2", Meta={"k": "<a&b>"})

    assert b'"Meta":{"k":"\\u003ca\\u0026b\\u003e"}' in read(client1, "dc2").get_data()


def test_read_writes_non_ascii_as_raw_utf8(
    generate: Callable[..., TestResponse], client1: Client
) -> None:
    generate(PeerName="dc2", Meta={"k": "caf\u00e9"})

    assert '"Meta":{"k":"caf\u00e9"}'.encode() in read(client1, "dc2").get_data()


def test_read_dialer_keys_in_struct_order(peer: Callable[..., None], client2: Client) -> None:
    peer(Meta={"env": "prod"})

    assert keys(read(client2, "dc1")) == [
        "ID",
        "Name",
        "Meta",
        "State",
        "PeerID",
        "PeerCAPems",
        "PeerServerName",
        "PeerServerAddresses",
        "StreamStatus",
        "CreateIndex",
        "ModifyIndex",
        "Remote",
    ]


def test_read_connected_acceptor_shows_only_the_peer_ca(
    peer: Callable[..., None], client1: Client
) -> None:
    peer()

    assert keys(read(client1, "dc2")) == [
        "ID",
        "Name",
        "State",
        "PeerCAPems",
        "StreamStatus",
        "CreateIndex",
        "ModifyIndex",
        "Remote",
    ]


def test_read_dialer_remote_comes_from_the_token(
    peer: Callable[..., None], client2: Client
) -> None:
    peer()

    assert json_of(read(client2, "dc1"))["Remote"] == {"Partition": "default", "Datacenter": "dc1"}


def test_read_connected_acceptor_remote_names_the_dialer_datacenter(
    peer: Callable[..., None], client1: Client
) -> None:
    peer()

    assert json_of(read(client1, "dc2"))["Remote"] == {"Partition": "", "Datacenter": "dc2"}


def test_read_remote_keys_in_struct_order(peer: Callable[..., None], client2: Client) -> None:
    peer()

    assert list(parse(read(client2, "dc1"))["Remote"]) == ["Partition", "Datacenter"]


def test_read_dialer_peer_fields_name_the_acceptor(
    peer: Callable[..., None], client2: Client, dc1: Cluster
) -> None:
    peer()
    acceptor = dc1.read("dc2")
    assert acceptor is not None

    body = json_of(read(client2, "dc1"))

    assert (body["PeerID"], body["PeerServerName"], body["PeerCAPems"]) == (
        acceptor.id,
        dc1.server_name,
        [dc1.ca_pem],
    )


def test_read_fresh_acceptor_stream_status_is_all_null(
    generate: Callable[..., TestResponse], client1: Client
) -> None:
    generate(PeerName="dc2")

    assert parse(read(client1, "dc2"))["StreamStatus"] == NULL_STREAM_STATUS


def test_read_connected_stream_status_lists_and_times(
    peer: Callable[..., None], client2: Client
) -> None:
    peer()

    assert json_of(read(client2, "dc1"))["StreamStatus"] == {
        "ImportedServices": None,  # empty lists are nil after the internal gRPC hop
        "ExportedServices": None,
        "LastHeartbeat": None,
        "LastReceive": "2024-05-01T10:20:30Z",
        "LastSend": "2024-05-01T10:20:30Z",
    }


def test_read_last_heartbeat_appears_after_the_heartbeat_interval(
    peer: Callable[..., None], client2: Client, clock: ManualClock
) -> None:
    peer()
    clock.advance(15)

    assert json_of(read(client2, "dc1"))["StreamStatus"]["LastHeartbeat"] == "2024-05-01T10:20:45Z"


@pytest.mark.parametrize("stage", ["fresh", "connected", "deleting"])
def test_read_stream_status_always_has_its_five_keys_in_order(
    stage: str, peer: Callable[..., None], client1: Client, network: Network
) -> None:
    network.timing.deletion_delay = 60
    if stage == "fresh":
        client1.post("/v1/peering/token", data='{"PeerName":"dc2"}')
    else:
        peer()
    if stage == "deleting":
        client1.delete("/v1/peering/dc2")

    assert list(parse(read(client1, "dc2"))["StreamStatus"]) == STREAM_STATUS_KEYS


def test_read_deleting_acceptor_shows_deleted_at_and_drops_meta(
    generate: Callable[..., TestResponse], client1: Client, clock: ManualClock, network: Network
) -> None:
    network.timing.deletion_delay = 60
    generate(PeerName="dc2", Meta={"env": "prod"})
    clock.advance(0.25)
    client1.delete("/v1/peering/dc2")

    body = parse(read(client1, "dc2"))

    assert list(body) == [
        "ID",
        "Name",
        "DeletedAt",
        "State",
        "StreamStatus",
        "CreateIndex",
        "ModifyIndex",
        "Remote",
    ]
    assert (body["DeletedAt"], body["State"]) == ("2024-05-01T10:20:30.25Z", "DELETING")


def test_read_deleting_dialer_keeps_server_addresses_and_remote_only(
    peer: Callable[..., None], client2: Client, network: Network
) -> None:
    network.timing.deletion_delay = 60
    peer(Meta={"env": "prod"})
    client2.delete("/v1/peering/dc1")

    body = parse(read(client2, "dc1"))

    assert list(body) == [
        "ID",
        "Name",
        "DeletedAt",
        "State",
        "PeerServerAddresses",
        "StreamStatus",
        "CreateIndex",
        "ModifyIndex",
        "Remote",
    ]
    assert body["Remote"] == {"Partition": "default", "Datacenter": "dc1"}


def test_read_deleting_peering_has_no_stream_status(
    peer: Callable[..., None], client1: Client, network: Network
) -> None:
    network.timing.deletion_delay = 60
    peer()
    client1.delete("/v1/peering/dc2")  # the local stream is torn down with its tracker entry

    assert parse(read(client1, "dc2"))["StreamStatus"] == NULL_STREAM_STATUS


def test_read_is_case_insensitive(generate: Callable[..., TestResponse], client1: Client) -> None:
    generate(PeerName="dc2")

    assert json_of(read(client1, "DC2"))["Name"] == "dc2"


def test_read_missing_is_404_with_consul_text(client1: Client) -> None:
    response = client1.get("/v1/peering/nope")

    assert (response.status_code, response.text) == (404, 'Peering not found for "nope"')
    assert response.headers["Content-Type"] == "text/plain; charset=utf-8"


def test_read_missing_has_no_index_header(client1: Client) -> None:
    assert "X-Consul-Index" not in client1.get("/v1/peering/nope").headers


@pytest.mark.parametrize(
    ("path", "text"),
    [
        ("NoPe", 'Peering not found for "NoPe"'),
        ("a%22b", 'Peering not found for "a\\"b"'),
        ("a%20b", 'Peering not found for "a b"'),
        ("caf%C3%A9", 'Peering not found for "caf\u00e9"'),
        ("tab%09here", 'Peering not found for "tab\\there"'),
    ],
)
def test_read_missing_echoes_the_name_go_quoted(client1: Client, path: str, text: str) -> None:
    response = client1.get(f"/v1/peering/{path}")

    assert (response.status_code, response.text) == (404, text)


# --- GET /v1/peerings ---------------------------------------------------------------------------


def test_list_empty_is_an_empty_array(client1: Client) -> None:
    response = client1.get("/v1/peerings")

    assert (response.status_code, response.get_data()) == (200, b"[]")


def test_list_orders_by_name(generate: Callable[..., TestResponse], client1: Client) -> None:
    for name in ("foo", "bar", "baz"):
        generate(PeerName=name)

    assert [p["Name"] for p in json_of(client1.get("/v1/peerings"))] == ["bar", "baz", "foo"]


def test_list_orders_by_lower_cased_name(
    generate: Callable[..., TestResponse], client1: Client, network: Network
) -> None:
    network.timing.deletion_delay = 60
    for name in ("alpha", "beta", "gamma"):
        generate(PeerName=name)
    client1.delete("/v1/peering/BETA")  # Consul rewrites the name as given in the URL

    assert [p["Name"] for p in json_of(client1.get("/v1/peerings"))] == ["alpha", "BETA", "gamma"]


def test_list_includes_deleting_peerings(
    generate: Callable[..., TestResponse], client1: Client, network: Network
) -> None:
    network.timing.deletion_delay = 60
    generate(PeerName="dc2")
    client1.delete("/v1/peering/dc2")

    assert [p["State"] for p in json_of(client1.get("/v1/peerings"))] == ["DELETING"]


def test_list_includes_terminated_peerings(
    peer: Callable[..., None], client1: Client, client2: Client
) -> None:
    peer()
    client1.delete("/v1/peering/dc2")

    assert [p["State"] for p in json_of(client2.get("/v1/peerings"))] == ["TERMINATED"]


def test_list_items_are_the_read_objects(
    generate: Callable[..., TestResponse], client1: Client
) -> None:
    generate(PeerName="dc2", Meta={"env": "prod"})

    assert client1.get("/v1/peerings").get_data() == b"[" + read(client1, "dc2").get_data() + b"]"


# --- DELETE /v1/peering/:name -------------------------------------------------------------------


def test_delete_answers_200_with_empty_body(
    generate: Callable[..., TestResponse], client1: Client
) -> None:
    generate(PeerName="dc2")

    response = client1.delete("/v1/peering/dc2")

    assert (response.status_code, response.get_data()) == (200, b"")


def test_delete_answer_is_empty_json_and_has_no_index(
    generate: Callable[..., TestResponse], client1: Client
) -> None:
    generate(PeerName="dc2")

    response = client1.delete("/v1/peering/dc2")

    # agent/http.go ensureContentTypeHeader (1.20.2+) names JSON for an empty answer.
    assert response.headers.get("Content-Type") == "application/json"
    assert "X-Consul-Index" not in response.headers


def test_delete_missing_name_is_200(client1: Client) -> None:
    response = client1.delete("/v1/peering/nope")

    assert (response.status_code, response.get_data()) == (200, b"")


def test_delete_removes_the_peering(generate: Callable[..., TestResponse], client1: Client) -> None:
    generate(PeerName="dc2")
    client1.delete("/v1/peering/dc2")

    assert client1.get("/v1/peering/dc2").status_code == 404


def test_delete_is_case_insensitive(generate: Callable[..., TestResponse], client1: Client) -> None:
    generate(PeerName="dc2")
    client1.delete("/v1/peering/DC2")

    assert client1.get("/v1/peering/dc2").status_code == 404


def test_delete_of_a_deleting_peering_does_not_write(
    generate: Callable[..., TestResponse], client1: Client, network: Network
) -> None:
    network.timing.deletion_delay = 60
    generate(PeerName="dc2")
    client1.delete("/v1/peering/dc2")
    before = json_of(read(client1, "dc2"))["ModifyIndex"]

    response = client1.delete("/v1/peering/dc2")

    assert response.status_code == 200
    assert json_of(read(client1, "dc2"))["ModifyIndex"] == before


# --- ?pretty, ?dc, ?filter ----------------------------------------------------------------------


def test_read_pretty_is_four_space_indented_with_trailing_newline(
    peer: Callable[..., None], client2: Client
) -> None:
    peer(Meta={"env": "prod"})
    value = json_of(read(client2, "dc1"))

    body = client2.get("/v1/peering/dc1?pretty").get_data()

    assert body == (json.dumps(value, indent=4) + "\n").encode()


def test_read_without_pretty_is_compact_without_newline(
    peer: Callable[..., None], client2: Client
) -> None:
    peer(Meta={"env": "prod"})

    body = read(client2, "dc1").get_data()

    assert body == json.dumps(json.loads(body), separators=(",", ":")).encode()


@pytest.mark.parametrize("query", ["pretty", "pretty=", "pretty=false", "pretty=0"])
def test_pretty_takes_any_value(
    generate: Callable[..., TestResponse], client1: Client, query: str
) -> None:
    generate(PeerName="dc2")

    assert client1.get(f"/v1/peering/dc2?{query}").get_data().endswith(b"\n}\n")


def test_list_pretty_empty_is_brackets_and_newline(client1: Client) -> None:
    assert client1.get("/v1/peerings?pretty").get_data() == b"[]\n"


def test_generate_token_pretty(client1: Client) -> None:
    response = client1.post("/v1/peering/token?pretty", data='{"PeerName":"dc2"}')

    token = json.loads(response.get_data())["PeeringToken"]
    assert response.get_data() == f'{{\n    "PeeringToken": "{token}"\n}}\n'.encode()


def test_establish_pretty_is_braces_and_newline(client1: Client, client2: Client) -> None:
    token = json_of(client1.post("/v1/peering/token", data='{"PeerName":"dc2"}'))["PeeringToken"]

    response = client2.post(
        "/v1/peering/establish?pretty", data=json.dumps({"PeerName": "dc1", "PeeringToken": token})
    )

    assert response.get_data() == b"{}\n"


def test_read_ignores_dc(generate: Callable[..., TestResponse], client1: Client) -> None:
    generate(PeerName="dc2")

    assert client1.get("/v1/peering/dc2?dc=dc2").get_data() == read(client1, "dc2").get_data()


def test_list_ignores_dc(generate: Callable[..., TestResponse], client1: Client) -> None:
    generate(PeerName="dc2")

    assert (
        client1.get("/v1/peerings?dc=elsewhere").get_data()
        == client1.get("/v1/peerings").get_data()
    )


def test_generate_token_ignores_dc(client1: Client) -> None:
    response = client1.post("/v1/peering/token?dc=dc9", data='{"PeerName":"dc2"}')

    assert response.status_code == 200
    assert json_of(read(client1, "dc2"))["Name"] == "dc2"


def test_list_ignores_filter(generate: Callable[..., TestResponse], client1: Client) -> None:
    generate(PeerName="dc2")

    response = client1.get('/v1/peerings?filter=Name == "nothing"')

    assert response.get_data() == client1.get("/v1/peerings").get_data()


# --- headers ------------------------------------------------------------------------------------


def test_read_index_header_is_the_modify_index(
    generate: Callable[..., TestResponse], client1: Client
) -> None:
    generate(PeerName="dc2")
    generate(PeerName="other")  # a later write elsewhere in the table

    response = read(client1, "dc2")

    assert response.headers["X-Consul-Index"] == str(json_of(response)["ModifyIndex"])


def test_list_index_header_is_the_table_index(
    generate: Callable[..., TestResponse], client1: Client
) -> None:
    generate(PeerName="other")
    generate(PeerName="dc2")  # the latest peering write

    response = client1.get("/v1/peerings")

    assert response.headers["X-Consul-Index"] == str(json_of(read(client1, "dc2"))["ModifyIndex"])


def test_list_index_rises_when_a_peering_is_removed(
    generate: Callable[..., TestResponse], client1: Client
) -> None:
    generate(PeerName="dc2")
    marked = client1.get("/v1/peerings").headers["X-Consul-Index"]

    client1.delete("/v1/peering/dc2")

    assert int(client1.get("/v1/peerings").headers["X-Consul-Index"]) > int(marked)


def test_list_index_of_an_empty_table_is_1_not_0(client1: Client) -> None:
    assert client1.get("/v1/peerings").headers["X-Consul-Index"] == "1"


@pytest.mark.parametrize("path", ["/v1/peering/dc2", "/v1/peerings"])
def test_read_answers_carry_leader_headers(
    generate: Callable[..., TestResponse], client1: Client, path: str
) -> None:
    generate(PeerName="dc2")

    headers = client1.get(path).headers

    assert (headers["X-Consul-KnownLeader"], headers["X-Consul-LastContact"]) == ("true", "0")


def test_header_names_are_go_canonical_on_the_wire(
    generate: Callable[..., TestResponse], client1: Client
) -> None:
    generate(PeerName="dc2")

    names = {name for name, _ in read(client1, "dc2").headers}

    assert {
        "X-Consul-Index",
        "X-Consul-Knownleader",
        "X-Consul-Lastcontact",
        "X-Consul-Default-Acl-Policy",
    } <= names


def _request_table(client1: Client, client2: Client) -> dict[str, Callable[[], TestResponse]]:
    def establish_ok() -> TestResponse:
        return _establish(client1, client2)

    return {
        "generate 200": lambda: client1.post("/v1/peering/token", data='{"PeerName":"dc2"}'),
        "generate 400": lambda: client1.post("/v1/peering/token", data=""),
        "generate 500": lambda: client1.post("/v1/peering/token", data='{"PeerName":"--AA--"}'),
        "establish 200": establish_ok,
        "establish 400": lambda: client2.post("/v1/peering/establish", data="{}"),
        "read 200": lambda: (
            client1.post("/v1/peering/token", data='{"PeerName":"x"}'),
            client1.get("/v1/peering/x"),
        )[1],
        "read 404": lambda: client1.get("/v1/peering/nope"),
        "read 400": lambda: client1.get("/v1/peering/x?index=abc"),
        "list 200": lambda: client1.get("/v1/peerings"),
        "delete 200": lambda: client1.delete("/v1/peering/nope"),
        "405": lambda: client1.put("/v1/peerings"),
        "OPTIONS": lambda: client1.options("/v1/peering/token"),
    }


REQUESTS = [
    "generate 200",
    "generate 400",
    "generate 500",
    "establish 200",
    "establish 400",
    "read 200",
    "read 404",
    "read 400",
    "list 200",
    "delete 200",
    "405",
    "OPTIONS",
]


@pytest.mark.parametrize("request_name", REQUESTS)
def test_every_peering_answer_reports_the_default_acl_policy(
    client1: Client, client2: Client, request_name: str
) -> None:
    response = _request_table(client1, client2)[request_name]()

    assert response.headers.get("X-Consul-Default-Acl-Policy") == "allow"


@pytest.mark.parametrize("request_name", REQUESTS)
def test_every_peering_answer_varies_on_accept_encoding(
    client1: Client, client2: Client, request_name: str
) -> None:
    response = _request_table(client1, client2)[request_name]()

    assert response.headers.get("Vary") == "Accept-Encoding"


def test_any_answer_is_gzipped_when_asked(client1: Client) -> None:
    # Consul wraps each endpoint in gziphandler with MinSize(0): even two bytes are compressed.
    response = client1.get("/v1/peerings", headers={"Accept-Encoding": "gzip"})

    assert response.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(response.get_data()) == b"[]"


def test_a_gzipped_answer_has_go_s_gzip_header(client1: Client) -> None:
    # gziphandler's gzip.Writer has a zero ModTime: MTIME 0, no flags, XFL 0 at the default
    # level, OS 255 (compress/gzip Writer.Write); Python writes the current time unless told.
    response = client1.get("/v1/peerings", headers={"Accept-Encoding": "gzip"})

    assert response.get_data()[:10] == b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff"


def test_gzip_refused_with_q_zero_is_not_used(client1: Client) -> None:
    response = client1.get("/v1/peerings", headers={"Accept-Encoding": "gzip;q=0"})

    assert "Content-Encoding" not in response.headers
    assert response.get_data() == b"[]"


def test_an_empty_answer_is_not_gzipped(client1: Client) -> None:
    response = client1.delete("/v1/peering/nothing", headers={"Accept-Encoding": "gzip"})

    assert "Content-Encoding" not in response.headers
    assert response.get_data() == b""


# --- the harness ------------------------------------------------------------------------------


def test_an_unexpected_exception_is_kept_for_the_test(
    client1: Client, dc1: Cluster, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(**_: Any) -> Any:  # called with the request's ACL token
        raise RuntimeError("boom")

    monkeypatch.setattr(dc1, "list_with_index", broken)

    response = client1.get("/v1/peerings")

    assert (response.status_code, response.text) == (
        500,
        "fakeconsul internal error: RuntimeError: boom",
    )
    assert [str(err) for err in wsgi_app(dc1).errors] == ["boom"]
    wsgi_app(dc1).errors.clear()  # seen and checked: not a failure of this test


def test_an_internal_error_is_logged_with_its_traceback(
    dc1: Cluster, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(dc1, "list_with_index", broken)
    Client(wsgi_app(dc1)).get("/v1/peerings")
    wsgi_app(dc1).errors.clear()  # seen and checked: not a failure of this test

    [record] = [r for r in caplog.records if r.name == "fakeconsul.http"]
    assert (record.levelname, record.getMessage(), record.exc_info is not None) == (
        "ERROR", "internal error answering GET /v1/peerings", True)


def test_an_app_that_keeps_no_errors_still_counts_them(
    dc1: Cluster, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(dc1, "list_with_index", broken)
    app = wsgi_app(dc1)
    app.keep_errors = False
    Client(app).get("/v1/peerings")
    Client(app).get("/v1/peerings")

    assert (app.error_count, app.errors) == (2, [])


def test_a_very_long_path_is_answered_but_not_remembered(client1: Client, dc1: Cluster) -> None:
    path = "/v1/peering/" + "a" * 2000
    response = client1.get(path)
    assert (response.status_code, path in wsgi_app(dc1)._routes) == (404, False)
