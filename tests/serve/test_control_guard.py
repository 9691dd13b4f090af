"""The control API is the fake's own and can wipe, forge and move time: with ACLs on it asks for
operator:read or operator:write, and it never answers another site's page or a DNS name that is
not this server's (a fake left running beside a browser must not be driven by any web page)."""

from __future__ import annotations

import json

import pytest
from serve_helpers import START, call
from werkzeug.test import Client

from fakeconsul import ManualClock, Network, wsgi_app
from fakeconsul.acl import ACLConfig

IMPLICIT = "The anonymous token is used implicitly when a request does not specify a token."
DEEP = "[" * 2000 + "]" * 2000


def _denying(initial: str | None = "root") -> Network:
    network = Network(clock=ManualClock(START),
                      acl=ACLConfig(default_policy="deny", initial_management_token=initial))
    network.add_cluster("dc1")
    network.add_cluster("dc2")
    return network


@pytest.fixture
def denying() -> Client:
    """dc1's port; both clusters deny by default; "root" is the management token."""
    return Client(wsgi_app(_denying()["dc1"]))


def _status_and_text(client: Client, method: str, path: str, body: object = None,
                     **headers: str) -> tuple[int, str]:
    data = None if body is None else json.dumps(body)
    response = client.open(path, method=method, data=data, headers=headers)
    return response.status_code, response.get_data(as_text=True)


# --- ACLs ------------------------------------------------------------------------------------

def test_an_anonymous_read_of_the_state_is_refused(denying: Client) -> None:
    assert _status_and_text(denying, "GET", "/_fakeconsul/state") == (
        403, "Permission denied: anonymous token lacks permission 'operator:read'. "
        + IMPLICIT)


def test_an_anonymous_reset_is_refused(denying: Client) -> None:
    assert _status_and_text(denying, "POST", "/_fakeconsul/reset") == (
        403, "Permission denied: anonymous token lacks permission 'operator:write'. "
        + IMPLICIT)


def test_the_management_token_reads_the_state(denying: Client) -> None:
    assert call(denying, "GET", "/_fakeconsul/state").status_code == 403
    response = denying.get("/_fakeconsul/state", headers={"X-Consul-Token": "root"})
    assert response.status_code == 200


def test_operator_read_reads_but_does_not_write() -> None:
    network = _denying()
    dc1 = network["dc1"]
    dc1.acl.create_policy("looker", 'operator = "read"', token="root")
    reader = dc1.acl.create_token(["looker"], token="root").secret_id
    client = Client(wsgi_app(dc1))

    read = client.get("/_fakeconsul/clock", headers={"X-Consul-Token": reader})
    write = _status_and_text(client, "POST", "/_fakeconsul/clock/advance", {"Seconds": 1},
                             **{"X-Consul-Token": reader})
    assert (read.status_code, write[0]) == (200, 403)


def test_an_unknown_control_path_is_judged_before_it_is_found(denying: Client) -> None:
    assert _status_and_text(denying, "GET", "/_fakeconsul/nothing") == (
        403, "Permission denied: anonymous token lacks permission 'operator:read'. "
        + IMPLICIT)


def test_an_injected_answer_needs_operator_write(denying: Client) -> None:
    status, _ = _status_and_text(denying, "POST", "/_fakeconsul/inject",
                                 {"Path": "/v1/acl/token/self", "Status": 200})
    assert status == 403


# --- the bootstrap exploit: a reset never reopens ACL bootstrap ------------------------------

def test_a_reset_keeps_the_bootstrap_closed() -> None:
    client = Client(wsgi_app(_denying(initial=None)["dc1"]))
    admin = client.put("/v1/acl/bootstrap").get_json()["SecretID"]
    assert client.post("/_fakeconsul/reset", headers={"X-Consul-Token": admin}).status_code == 200

    again = client.put("/v1/acl/bootstrap")
    assert (again.status_code, again.get_data(as_text=True).startswith(
        "Permission denied: ACL bootstrap no longer allowed (reset index: ")) == (403, True)


def test_a_reset_keeps_the_bootstrapped_token_working() -> None:
    client = Client(wsgi_app(_denying(initial=None)["dc1"]))
    admin = client.put("/v1/acl/bootstrap").get_json()["SecretID"]
    client.post("/_fakeconsul/reset", headers={"X-Consul-Token": admin})

    assert client.get("/_fakeconsul/state", headers={"X-Consul-Token": admin}).status_code == 200


def test_a_reset_keeps_the_management_token_of_the_command_line(denying: Client) -> None:
    denying.post("/_fakeconsul/reset", headers={"X-Consul-Token": "root"})

    assert denying.get("/_fakeconsul/state", headers={"X-Consul-Token": "root"}).status_code == 200


# --- other sites and DNS rebinding -----------------------------------------------------------

@pytest.fixture
def open_client(dc1: object, dc2: object, client: Client) -> Client:
    return client


def test_a_page_of_another_origin_is_refused(open_client: Client) -> None:
    assert _status_and_text(open_client, "POST", "/_fakeconsul/reset",
                            Origin="http://evil.example") == (
        403, "fakeconsul's control API answers only pages it serves itself, not Origin "
        "http://evil.example")


def test_a_page_of_the_server_itself_is_answered(open_client: Client) -> None:
    response = open_client.post("/_fakeconsul/reset", headers={"Origin": "http://localhost"})
    assert response.status_code == 200


def test_a_foreign_dns_name_is_refused(open_client: Client) -> None:
    assert _status_and_text(open_client, "GET", "/_fakeconsul/state",
                            Host="rebound.evil.example:8500") == (
        403, "fakeconsul's control API answers only requests for this server's own address, "
        "localhost or an IP address, not Host rebound.evil.example:8500")


def test_an_ip_address_as_host_is_answered(open_client: Client) -> None:
    response = open_client.get("/_fakeconsul/state", headers={"Host": "192.0.2.7:8500"})
    assert response.status_code == 200


def test_the_dashboard_refuses_a_foreign_dns_name(open_client: Client) -> None:
    response = open_client.get("/ui/", headers={"Host": "rebound.evil.example"})
    assert response.status_code == 403


def test_consuls_own_api_keeps_consuls_behaviour_for_other_origins(open_client: Client) -> None:
    response = open_client.get("/v1/peerings", headers={"Origin": "http://evil.example"})
    assert response.status_code == 200


def test_the_way_through_to_a_cluster_refuses_another_origin(open_client: Client) -> None:
    status, _ = _status_and_text(open_client, "GET", "/_fakeconsul/clusters/dc2/v1/peerings",
                                 Origin="http://evil.example")
    assert status == 403


def test_the_way_through_does_not_lead_back_into_the_control_api(open_client: Client) -> None:
    assert _status_and_text(open_client, "POST",
                            "/_fakeconsul/clusters/dc2/_fakeconsul/reset") == (
        400, "/_fakeconsul/clusters/<name>/ reaches a cluster's Consul API, not /_fakeconsul/")


# --- bodies and injected answers -------------------------------------------------------------

def test_a_deeply_nested_body_is_a_400(open_client: Client) -> None:
    response = open_client.put("/_fakeconsul/timing", data=DEEP)
    assert (response.status_code, response.get_data(as_text=True)) == (
        400, "Request body is nested too deeply")


@pytest.mark.parametrize(("headers", "text"), [
    ({"X-A": "one\r\nSet-Cookie: stolen=1"},
     '"Headers" values must not hold CR, LF or other control characters'),
    ({"X-A\r\nX-B": "one"},
     "\"Headers\" names must be HTTP header names (letters, digits, !#$%&'*+-.^_`|~)"),
    ({"Bad Name": "one"},
     "\"Headers\" names must be HTTP header names (letters, digits, !#$%&'*+-.^_`|~)"),
    ({"Content-Length": "9999"},
     '"Headers" must not set Content-Length: the server frames the answer itself'),
    ({"transfer-encoding": "chunked"},
     '"Headers" must not set transfer-encoding: the server frames the answer itself'),
    ({"Connection": "close"},
     '"Headers" must not set Connection: the server frames the answer itself'),
])
def test_an_injected_header_that_would_break_the_answer_is_refused(
    open_client: Client, headers: dict[str, str], text: str
) -> None:
    body = {"Path": "/v1/peerings", "Status": 503, "Headers": headers}
    assert _status_and_text(open_client, "POST", "/_fakeconsul/inject", body) == (400, text)


@pytest.mark.parametrize("status", [100, 101, 199, 600])
def test_an_injected_status_outside_final_answers_is_refused(
    open_client: Client, status: int
) -> None:
    body = {"Path": "/v1/peerings", "Status": status}
    assert _status_and_text(open_client, "POST", "/_fakeconsul/inject", body) == (
        400, '"Status" must be an HTTP status code from 200 to 599')
