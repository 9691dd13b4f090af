"""A read sent again gets the answer kept from the last time while the network has not changed,
and the app's own answer as soon as anything it shows may have (serve/reuse.py)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from wire_raw import Raw, undated

from fakeconsul import ACLConfig, Cluster, ManualClock, Network, wsgi_app
from fakeconsul.serve import goresponse
from fakeconsul.serve.server import ClusterServer

READ = "/v1/peering/dc2"


@pytest.fixture
def cluster(dc1: Cluster) -> Cluster:
    """The served cluster (conftest.py's ``server`` and ``raw``), on the test's manual clock."""
    return dc1


@pytest.fixture
def peered(dc1: Cluster, dc2: Cluster) -> None:
    dc2.establish("dc1", dc1.generate_token("dc2"))


@pytest.fixture
def app_runs(dc1: Cluster, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The paths the app was run for, from now on."""
    app = wsgi_app(dc1)
    handle = app.handle
    runs: list[str] = []

    def counted(request: Any) -> Any:
        runs.append(request.path)
        return handle(request)

    monkeypatch.setattr(app, "handle", counted)
    return runs


def _get(raw: Raw, path: str, *headers: str) -> bytes:
    raw.get(path, *headers)
    return raw.answer()


def _body(answer: bytes) -> Any:
    return json.loads(answer.split(b"\r\n\r\n", 1)[1])


def test_a_read_sent_again_is_answered_without_running_the_app(
        raw: Raw, peered: None, app_runs: list[str]) -> None:
    first = _get(raw, READ)
    again = _get(raw, READ)

    assert (app_runs, undated(again)) == ([READ], undated(first))


def test_a_read_with_other_headers_runs_the_app(
        raw: Raw, peered: None, app_runs: list[str]) -> None:
    _get(raw, READ)
    _get(raw, READ, "Accept: application/json")

    assert app_runs == [READ, READ]


def test_a_write_between_two_reads_is_shown(raw: Raw, dc1: Cluster) -> None:
    _get(raw, "/v1/peerings")
    dc1.generate_token("dc3")

    assert [p["Name"] for p in _body(_get(raw, "/v1/peerings"))] == ["dc3"]


def test_a_heartbeat_between_two_reads_is_shown(
        raw: Raw, peered: None, network: Network, clock: ManualClock) -> None:
    before = _body(_get(raw, READ))["StreamStatus"]["LastHeartbeat"]
    clock.advance(network.timing.heartbeat_interval)

    assert _body(_get(raw, READ))["StreamStatus"]["LastHeartbeat"] != before


def test_a_cut_link_between_two_reads_is_shown(
        raw: Raw, peered: None, network: Network, clock: ManualClock) -> None:
    _get(raw, READ)
    network.disconnect("dc1", "dc2")
    clock.advance(network.timing.heartbeat_timeout + 1)

    assert _body(_get(raw, READ))["State"] == "FAILING"


def test_a_token_created_between_two_reads_is_honoured(network: Network) -> None:
    secured = network.add_cluster(
        "secured", acl=ACLConfig(default_policy="deny", initial_management_token="root"))
    server = ClusterServer(secured)
    server.start()
    raw = Raw(server.host, server.port)
    try:
        header = "X-Consul-Token: 6d2a3a7e-0000-4000-8000-000000000001"
        denied = _get(raw, "/v1/peerings", header)
        secured.acl.create_policy("peering-read", 'peering = "read"', token="root")
        secured.acl.create_token(["peering-read"], secret_id=header.split(": ")[1], token="root")
        allowed = _get(raw, "/v1/peerings", header)
    finally:
        raw.close()
        server.stop()

    assert (denied.split(b"\r\n", 1)[0], allowed.split(b"\r\n", 1)[0]) == (
        b"HTTP/1.1 403 Forbidden", b"HTTP/1.1 200 OK")


def test_an_injected_answer_comes_before_a_kept_one(raw: Raw, dc1: Cluster) -> None:
    _get(raw, "/v1/peerings")
    wsgi_app(dc1).inject("GET", "/v1/peerings", 500, "injected")

    assert _get(raw, "/v1/peerings").endswith(b"\r\n\r\ninjected")


def test_a_kept_answer_carries_the_date_it_is_sent_at(
        raw: Raw, peered: None, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(goresponse, "http_date", lambda: "Wed, 02 Dec 2026 05:00:00 GMT")
    _get(raw, READ)
    monkeypatch.setattr(goresponse, "http_date", lambda: "Wed, 02 Dec 2026 05:00:01 GMT")

    assert b"\r\nDate: Wed, 02 Dec 2026 05:00:01 GMT\r\n" in _get(raw, READ)


def test_a_re_pointed_server_never_sends_the_last_cluster_s_answer(
        server: ClusterServer, raw: Raw, dc1: Cluster, monkeypatch: pytest.MonkeyPatch) -> None:
    _get(raw, "/v1/peerings")
    other = Network(clock=ManualClock(dc1.network.now())).add_cluster("dc1")
    other.generate_token("elsewhere")
    monkeypatch.setattr(other.network, "generation", dc1.network.generation)
    server.attach(other)
    again = Raw(server.host, server.port)
    try:
        names = [p["Name"] for p in _body(_get(again, "/v1/peerings"))]
    finally:
        again.close()

    assert names == ["elsewhere"]


def test_a_blocking_read_answered_at_once_is_answered_at_once_again(
        raw: Raw, peered: None, dc1: Cluster, app_runs: list[str]) -> None:
    path = f"/v1/peerings?index={dc1.index - 1}"
    first = _get(raw, path)
    again = _get(raw, path)

    assert (len(app_runs), undated(again)) == (1, undated(first))


def test_a_server_told_not_to_reuse_runs_the_app_for_each_read(
        dc1: Cluster, peered: None, app_runs: list[str]) -> None:
    server = ClusterServer(dc1, reuse_answers=False)
    server.start()
    raw = Raw(server.host, server.port)
    try:
        _get(raw, READ)
        _get(raw, READ)
    finally:
        raw.close()
        server.stop()

    assert app_runs == [READ, READ]


def test_a_catch_up_that_fails_before_a_kept_answer_gets_the_app_s_500(
        raw: Raw, dc1: Cluster, monkeypatch: pytest.MonkeyPatch) -> None:
    _get(raw, "/v1/peerings")

    def failing() -> None:
        raise RuntimeError("a timer failed")

    monkeypatch.setattr(dc1.network, "catch_up", failing)
    status = _get(raw, "/v1/peerings").split(b"\r\n", 1)[0]
    kept = wsgi_app(dc1).errors.pop()

    assert (status, str(kept)) == (b"HTTP/1.1 500 Internal Server Error", "a timer failed")
