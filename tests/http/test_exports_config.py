"""Config entries over HTTP (spec §9.1): the exported-services entry's validation texts,
decoding errors, indexes, CAS, and other kinds stored as given."""

from __future__ import annotations

import json
from typing import Any

import pytest
from answers import json_of
from exports_helpers import export, ok
from werkzeug.test import Client, TestResponse

from fakeconsul.config.exported_services import Consumer, ExportedService, validate_services


def put(client: Client, entry: Any, query: str = "") -> TestResponse:
    return client.put("/v1/config" + query, data=json.dumps(entry))


def exported(*services: dict[str, Any], name: str = "default") -> dict[str, Any]:
    return {"Kind": "exported-services", "Name": name, "Services": list(services)}


def to_peer(peer: str) -> list[dict[str, str]]:
    return [{"Peer": peer}]


@pytest.mark.parametrize(
    ("entry", "text"),
    [
        (exported(name="foo"), 'exported-services Name must be "default"'),
        (exported(name="*"), 'exported-services Name must be "default"'),
        (exported({"Name": "", "Consumers": to_peer("b")}),
         "Services[0]: service name cannot be empty"),
        (exported({"Name": "web", "Consumers": to_peer("b")}, {"Name": "api"}),
         "Services[1]: must have at least one consumer"),
        (exported({"Name": "web", "Consumers": [{"Peer": "b", "Partition": "default"}]}),
         "Services[0].Consumers[0]: must define at most one of Peer, Partition, or SamenessGroup"),
        (exported({"Name": "web", "Consumers": [{"Peer": "b"}, {"Peer": "*"}]}),
         "Services[0].Consumers[1]: exporting to all peers (wildcard) is not supported"),
        (exported({"Name": "web", "Consumers": [{"Partition": "other"}]}),
         "Services[0].Consumers[0]: partitions are an enterprise-only feature"),
        (exported({"Name": "web", "Consumers": [{"SamenessGroup": "sg"}]}),
         "Services[0].Consumers[0]: sameness-groups are an enterprise-only feature"),
        ({**exported(), "Meta": {"k" * 129: "v"}},
         '1 error occurred:\n\t* Meta key "' + "k" * 129 + '" exceeds maximum length 128\n\n'),
    ],
)
def test_invalid_exported_services_entry_is_refused(
    client1: Client, entry: dict[str, Any], text: str
) -> None:
    answer = put(client1, entry)

    assert (answer.status_code, answer.text) == (500, text)


@pytest.mark.parametrize(
    ("service", "text"),
    [
        (ExportedService("web", "*", (Consumer(peer="b"),)),
         "Services[0]: service name must be wildcard if namespace is wildcard"),
        (ExportedService("web", "", (Consumer(partition="*"),)),
         "Services[0].Consumers[0]: exporting to all partitions (wildcard) is not supported"),
    ],
)
def test_validation_texts_ce_never_reaches_through_a_write(
    service: ExportedService, text: str
) -> None:
    # CE empties namespaces and refuses non-default partitions before these checks run.
    assert validate_services((service,)) == text


def test_namespace_is_emptied_as_ce_normalizes(client1: Client) -> None:
    ok(put(client1, exported({"Name": "web", "Namespace": "*", "Consumers": to_peer("b")})))

    entry = json_of(ok(client1.get("/v1/config/exported-services/default")))
    assert entry["Services"] == [{"Name": "web", "Consumers": [{"Peer": "b"}]}]


@pytest.mark.parametrize(
    ("body", "text"),
    [
        (b"", "Request decoding failed: EOF"),
        (b"{", "Request decoding failed: unexpected EOF"),
        (b'{"Name":"default"}',
         "Request decoding failed: Payload does not contain a kind/Kind key at the top level"),
        (b'{"Kind":5}', "Request decoding failed: Kind value in payload is not a string"),
        (b'{"Kind":"nope"}', "Request decoding failed: invalid config entry kind: nope"),
        (b'{"Kind":"exported-services","Name":"default","Bogus":1}',
         'Request decoding failed: 1 error occurred:\n\t* invalid config key "Bogus"\n\n'),
        (b'{"Kind":"exported-services","Name":"default","Namespace":"ns"}',
         'Request decoding failed: 1 error occurred:\n\t* invalid config key "Namespace", '
         "namespaces are a consul enterprise feature\n\n"),
    ],
)
def test_undecodable_body_is_a_400(client1: Client, body: bytes, text: str) -> None:
    answer = client1.put("/v1/config", data=body)

    assert (answer.status_code, answer.text) == (400, text)


def test_written_entry_reads_back_with_its_indexes(client1: Client) -> None:
    export(client1, "web")

    answer = ok(client1.get("/v1/config/exported-services/default"))
    entry = json_of(answer)
    assert answer.text == (
        '{"Kind":"exported-services","Name":"default","Services":[{"Name":"web","Consumers":'
        f'[{{"Peer":"cluster-b"}}]}}],"CreateIndex":{entry["CreateIndex"]},'
        f'"ModifyIndex":{entry["CreateIndex"]}}}'
    )
    assert answer.headers["X-Consul-Index"] == str(entry["ModifyIndex"])


def test_snake_case_peer_name_alias_is_accepted(client1: Client) -> None:
    ok(put(client1, {"kind": "exported-services", "name": "default",
                     "services": [{"name": "web", "consumers": [{"peer_name": "b"}]}]}))

    entry = json_of(ok(client1.get("/v1/config/exported-services/default")))
    assert entry["Services"] == [{"Name": "web", "Consumers": [{"Peer": "b"}]}]


def test_rewrite_keeps_create_index_and_moves_modify_index(client1: Client) -> None:
    export(client1, "web")
    first = json_of(ok(client1.get("/v1/config/exported-services/default")))

    export(client1, "web", "api")

    second = json_of(ok(client1.get("/v1/config/exported-services/default")))
    assert second["CreateIndex"] == first["CreateIndex"]
    assert second["ModifyIndex"] > first["ModifyIndex"]


def test_identical_rewrite_changes_nothing(client1: Client) -> None:
    export(client1, "web")
    first = json_of(ok(client1.get("/v1/config/exported-services/default")))

    export(client1, "web")

    assert json_of(ok(client1.get("/v1/config/exported-services/default"))) == first


def test_missing_entry_is_a_404(client1: Client) -> None:
    answer = client1.get("/v1/config/exported-services/default")

    assert (answer.status_code, answer.text) == (
        404, 'Config entry not found for "exported-services" / "default"'
    )


def test_list_of_a_kind_is_empty_array_when_none(client1: Client) -> None:
    assert ok(client1.get("/v1/config/service-intentions")).text == "[]"


def test_other_kinds_are_stored_as_given(client1: Client) -> None:
    intentions = {"Kind": "service-intentions", "Name": "web",
                  "Sources": [{"Name": "api", "Peer": "cluster-b", "Action": "allow"}]}
    ok(put(client1, intentions))

    [entry] = json_of(ok(client1.get("/v1/config/service-intentions")))
    assert {k: v for k, v in entry.items() if not k.endswith("Index")} == intentions


def test_cas_zero_creates_only(client1: Client) -> None:
    first = put(client1, exported(), "?cas=0")
    again = put(client1, exported({"Name": "web", "Consumers": to_peer("b")}), "?cas=0")

    assert (first.text, again.text) == ("true", "false")


def test_cas_with_the_modify_index_writes(client1: Client) -> None:
    ok(put(client1, exported()))
    index = json_of(ok(client1.get("/v1/config/exported-services/default")))["ModifyIndex"]

    stale = put(client1, exported({"Name": "a", "Consumers": to_peer("b")}), f"?cas={index - 1}")
    fresh = put(client1, exported({"Name": "a", "Consumers": to_peer("b")}), f"?cas={index}")

    assert (stale.text, fresh.text) == ("false", "true")


def test_bad_cas_is_go_parse_error(client1: Client) -> None:
    answer = put(client1, exported(), "?cas=x")

    assert (answer.status_code, answer.text) == (
        500, 'strconv.ParseUint: parsing "x": invalid syntax'
    )


def test_delete_answers_empty_object_and_removes(client1: Client) -> None:
    export(client1, "web")

    answer = ok(client1.delete("/v1/config/exported-services/default"))

    assert answer.text == "{}"
    assert client1.get("/v1/config/exported-services/default").status_code == 404


def test_cas_delete_answers_whether_it_deleted(client1: Client) -> None:
    export(client1, "web")
    index = json_of(ok(client1.get("/v1/config/exported-services/default")))["ModifyIndex"]

    stale = ok(client1.delete(f"/v1/config/exported-services/default?cas={index + 1}"))
    fresh = ok(client1.delete(f"/v1/config/exported-services/default?cas={index}"))

    assert (stale.text, fresh.text) == ("false", "true")


def test_delete_needs_kind_and_name(client1: Client) -> None:
    answer = client1.delete("/v1/config/exported-services")

    assert (answer.status_code, answer.text) == (404, "Must provide both a kind and name to delete")


def test_delete_of_unknown_kind_is_a_400(client1: Client) -> None:
    answer = client1.delete("/v1/config/nope/x")

    assert (answer.status_code, answer.text) == (400, "invalid config entry kind: nope")
