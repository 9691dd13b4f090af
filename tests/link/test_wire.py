"""What travels on the link: catalog rows as JSON, and one POST's answer or its LinkError."""

from __future__ import annotations

import json

import pytest
from processes import free_port
from pytest_httpserver import HTTPServer

from fakeconsul.catalog.records import CheckRecord, NodeRecord, ServiceRecord
from fakeconsul.config.exports import Rows
from fakeconsul.link.wire import STREAM, LinkError, post, rows_from_json, rows_to_json


def _rows(peer_name: str = "") -> Rows:
    node = NodeRecord(node="Node-A", address="10.0.0.1", meta={"zone": "a"},
                      peer_name=peer_name, create_index=7, modify_index=9)
    service = ServiceRecord(node="Node-A", id="api-1", service="api", port=9090,
                            tags=["v1"], tagged_addresses={"lan": ("10.0.0.1", 9090)},
                            weights=(3, 1), peer_name=peer_name)
    check = CheckRecord(node="Node-A", check_id="api-alive", name="alive", status="passing",
                        service_id="api-1", service_name="api", peer_name=peer_name)
    return ({"node-a": node}, {("node-a", "api-1"): service},
            {("node-a", "api-alive"): check})


def _travelled(rows: Rows, peer_name: str) -> Rows:
    """Rows as the receiver rebuilds them from the bytes the sender wrote."""
    return rows_from_json(json.loads(json.dumps(rows_to_json(rows))), peer_name)


def test_rows_arrive_tagged_with_the_receivers_name_for_the_peering() -> None:
    assert _travelled(_rows(), "dc1-peer") == _rows("dc1-peer")


def test_the_senders_own_peer_name_does_not_travel() -> None:
    nodes, _, _ = _travelled(_rows("from-sender"), "dc1-peer")
    assert nodes["node-a"].peer_name == "dc1-peer"


def test_tagged_addresses_arrive_as_address_and_port_pairs() -> None:
    _, services, _ = _travelled(_rows(), "p")
    assert services[("node-a", "api-1")].tagged_addresses == {"lan": ("10.0.0.1", 9090)}


def test_weights_arrive_as_a_pair() -> None:
    _, services, _ = _travelled(_rows(), "p")
    assert services[("node-a", "api-1")].weights == (3, 1)


def test_rows_are_keyed_as_the_catalog_keys_them() -> None:
    nodes, services, checks = _travelled(_rows(), "p")
    assert (list(nodes), list(services), list(checks)) == (
        ["node-a"], [("node-a", "api-1")], [("node-a", "api-alive")])


def test_an_empty_body_is_no_rows() -> None:
    assert rows_from_json({}, "p") == ({}, {}, {})


def test_post_returns_the_json_answer(httpserver: HTTPServer) -> None:
    httpserver.expect_request(STREAM, method="POST", json={"PeerID": "x"}).respond_with_json(
        {"Digest": "d"})
    assert post(f"127.0.0.1:{httpserver.port}", STREAM, {"PeerID": "x"}, 5) == {"Digest": "d"}


def test_an_error_answer_is_a_link_error_with_its_status_and_text(
        httpserver: HTTPServer) -> None:
    httpserver.expect_request(STREAM).respond_with_data("invalid peering stream secret",
                                                        status=403)
    with pytest.raises(LinkError) as raised:
        post(f"127.0.0.1:{httpserver.port}", STREAM, {}, 5)
    err = raised.value
    assert (err.status, err.text, err.refused) == (
        403, "invalid peering stream secret", False)


def test_an_answer_that_is_not_json_is_a_link_error_without_status(
        httpserver: HTTPServer) -> None:
    httpserver.expect_request(STREAM).respond_with_data("<html>")
    with pytest.raises(LinkError) as raised:
        post(f"127.0.0.1:{httpserver.port}", STREAM, {}, 5)
    err = raised.value
    assert (err.status, err.refused) == (0, False)


def test_nothing_listening_is_a_refused_link_error() -> None:
    with pytest.raises(LinkError) as raised:
        post(f"127.0.0.1:{free_port()}", STREAM, {}, 5)
    err = raised.value
    assert (err.status, err.refused) == (0, True)
