"""The Go-client checker itself (spec §13): it must refuse what the Go client refuses.

The story tests trust ``goclient`` to catch an answer the Go client cannot read; these tests show
that it does, one refused shape at a time, and that Consul's own shapes pass.
"""

from __future__ import annotations

import json
from typing import Any

import goclient
import pytest
from werkzeug.wrappers import Response

READ_HEADERS = {"X-Consul-Index": "27", "X-Consul-KnownLeader": "true", "X-Consul-LastContact": "0"}
PEERING: dict[str, Any] = {
    "ID": "8b0c2c4e-6f1d-4c47-9b6a-0d4f3b1b2a11",
    "Name": "cluster-b",
    "State": "PENDING",
    "StreamStatus": {
        "ImportedServices": None,
        "ExportedServices": None,
        "LastHeartbeat": None,
        "LastReceive": None,
        "LastSend": None,
    },
    "CreateIndex": 27,
    "ModifyIndex": 27,
    "Remote": {"Partition": "", "Datacenter": ""},
}


def answer(body: bytes | str, status: int = 200, headers: dict[str, str] | None = None) -> Any:
    return Response(body, status=status, headers=READ_HEADERS if headers is None else headers)


def with_raw(field: str, raw: str) -> str:
    """The PEERING JSON with one field's value replaced by raw JSON text."""
    text = json.dumps({**PEERING, field: "@@"})
    return text.replace('"@@"', raw)


def with_stream_time(raw: str) -> str:
    text = json.dumps({**PEERING, "StreamStatus": {**PEERING["StreamStatus"], "LastSend": "@@"}})
    return text.replace('"@@"', raw)


def test_consul_acceptor_answer_reads() -> None:
    peering = goclient.read(answer(json.dumps(PEERING)))

    assert peering is not None and peering["Name"] == "cluster-b"


def test_read_404_is_not_found_whatever_the_body() -> None:
    assert goclient.read(answer("<html>nope</html>", status=404, headers={})) is None


def test_read_null_body_is_an_empty_peering() -> None:
    assert goclient.read(answer("null")) == {}


@pytest.mark.parametrize("status", [201, 204, 500])
def test_only_200_is_success(status: int) -> None:
    with pytest.raises(goclient.GoClientError, match=f"Unexpected response code: {status}"):
        goclient.read(answer(json.dumps(PEERING), status=status))


@pytest.mark.parametrize(
    ("field", "raw"),
    [
        ("CreateIndex", "5.0"),
        ("CreateIndex", '"5"'),
        ("ModifyIndex", "-1"),
        ("ModifyIndex", "1e3"),
        ("ModifyIndex", "18446744073709551616"),
        ("Meta", '{"env": 1}'),
        ("Meta", '["env"]'),
        ("PeerCAPems", '"-----BEGIN CERTIFICATE-----"'),
        ("PeerServerAddresses", "[1]"),
        ("State", "3"),
        ("StreamStatus", "[]"),
        ("DeletedAt", '""'),
        ("DeletedAt", '"2024-01-02T03:04:05"'),
        ("DeletedAt", '"2024-01-02 03:04:05Z"'),
        ("DeletedAt", "1704164645"),
        ("DeletedAt", '"2024-13-02T03:04:05Z"'),
    ],
)
def test_read_refuses_a_field_of_the_wrong_shape(field: str, raw: str) -> None:
    with pytest.raises(goclient.GoClientError):
        goclient.read(answer(with_raw(field, raw)))


def test_read_refuses_a_naive_stream_time() -> None:
    with pytest.raises(goclient.GoClientError):
        goclient.read(answer(with_stream_time('"2024-01-02T03:04:05.123456"')))


@pytest.mark.parametrize(
    "raw",
    [
        '"2024-01-02T03:04:05Z"',
        '"2024-01-02T03:04:05.123456Z"',
        '"2024-01-02T03:04:05.123456+00:00"',
    ],
)
def test_read_accepts_rfc3339_times_with_a_zone(raw: str) -> None:
    assert goclient.read(answer(with_stream_time(raw))) is not None


def test_keys_match_case_insensitively() -> None:
    with pytest.raises(goclient.GoClientError):
        goclient.read(answer(json.dumps({**PEERING, "createindex": "5"})))


def test_unknown_keys_are_ignored() -> None:
    assert goclient.read(answer(json.dumps({**PEERING, "ImportedServiceCount": "x"}))) is not None


def test_read_without_last_contact_is_refused() -> None:
    headers = {"X-Consul-Index": "27", "X-Consul-KnownLeader": "true"}
    with pytest.raises(goclient.GoClientError, match="LastContact"):
        goclient.read(answer(json.dumps(PEERING), headers=headers))


def test_read_with_a_non_decimal_index_is_refused() -> None:
    headers = {**READ_HEADERS, "X-Consul-Index": "0x1b"}
    with pytest.raises(goclient.GoClientError, match="X-Consul-Index"):
        goclient.read(answer(json.dumps(PEERING), headers=headers))


def test_list_refuses_an_object() -> None:
    with pytest.raises(goclient.GoClientError):
        goclient.list_peerings(answer(json.dumps(PEERING)))


def test_list_accepts_null() -> None:
    assert goclient.list_peerings(answer("null")) == []


def test_list_404_is_an_error() -> None:
    with pytest.raises(goclient.GoClientError, match="Unexpected response code: 404"):
        goclient.list_peerings(answer("[]", status=404))


@pytest.mark.parametrize("body", ["", "[]", '"token"'])
def test_generate_token_refuses_a_body_that_is_not_an_object(body: str) -> None:
    with pytest.raises(goclient.GoClientError):
        goclient.generate_token(answer(body, headers={}))


def test_generate_token_refuses_a_number_token() -> None:
    with pytest.raises(goclient.GoClientError):
        goclient.generate_token(answer('{"PeeringToken":5}', headers={}))


def test_establish_refuses_an_empty_body() -> None:
    with pytest.raises(goclient.GoClientError, match="EOF"):
        goclient.establish(answer("", headers={}))


def test_establish_reads_only_the_first_value() -> None:
    goclient.establish(answer("{} trailing words", headers={}))


def test_delete_refuses_204() -> None:
    with pytest.raises(goclient.GoClientError, match="Unexpected response code: 204"):
        goclient.delete(answer("", status=204, headers={}))
