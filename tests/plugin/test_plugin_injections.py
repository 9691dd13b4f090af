"""Injected responses: the next N requests matching a method and path get a canned answer."""

from __future__ import annotations

import pytest
from plugin_http import call

from fakeconsul.testing import ServedCluster

PEERINGS = "/v1/peerings"


def test_an_injected_response_answers_the_next_request(fake_consul: ServedCluster) -> None:
    fake_consul.inject_response("GET", PEERINGS, 503, "No cluster leader")
    answer = call("GET", fake_consul.url + PEERINGS)
    assert (answer.status, answer.body) == (503, b"No cluster leader")


def test_an_injected_response_answers_once_by_default(fake_consul: ServedCluster) -> None:
    fake_consul.inject_response("GET", PEERINGS, 503, "No cluster leader")
    call("GET", fake_consul.url + PEERINGS)
    answer = call("GET", fake_consul.url + PEERINGS)
    assert (answer.status, answer.body) == (200, b"[]")


def test_times_answers_that_many_requests(fake_consul: ServedCluster) -> None:
    fake_consul.inject_response("GET", PEERINGS, 500, "rpc error", times=3)
    statuses = [call("GET", fake_consul.url + PEERINGS).status for _ in range(4)]
    assert statuses == [500, 500, 500, 200]


def test_method_star_matches_every_method(fake_consul: ServedCluster) -> None:
    fake_consul.inject_response("*", "/v1/peering/token", 429, "slow down", times=2)
    statuses = [
        call("POST", fake_consul.url + "/v1/peering/token", {"PeerName": "a"}).status,
        call("GET", fake_consul.url + "/v1/peering/token").status,
    ]
    assert statuses == [429, 429]


def test_another_method_or_path_is_not_matched(fake_consul: ServedCluster) -> None:
    fake_consul.inject_response("POST", PEERINGS, 500)
    fake_consul.inject_response("GET", "/v1/peering/x", 500)
    assert call("GET", fake_consul.url + PEERINGS).status == 200


def test_headers_and_content_type_are_sent(fake_consul: ServedCluster) -> None:
    fake_consul.inject_response("GET", PEERINGS, 200, "[]", content_type="application/json",
                                headers={"X-Consul-Index": "99"})
    headers = call("GET", fake_consul.url + PEERINGS).headers
    assert (headers["content-type"], headers["x-consul-index"]) == ("application/json", "99")


def test_a_delay_makes_a_client_time_out(fake_consul: ServedCluster) -> None:
    fake_consul.inject_response("GET", PEERINGS, 200, "[]", delay=0.5)
    with pytest.raises(TimeoutError):
        call("GET", fake_consul.url + PEERINGS, timeout=0.1)


def test_injections_leave_python_calls_alone(fake_consul: ServedCluster) -> None:
    fake_consul.inject_response("GET", PEERINGS, 503)
    assert fake_consul.list() == []
    assert call("GET", fake_consul.url + PEERINGS).status == 503
