"""``/_fakeconsul/clusters/<name>/`` hands the caller's ACL token to that cluster (the dashboard
sends its token there), however the request carries it."""

from __future__ import annotations

import pytest
from serve_helpers import START, call
from werkzeug.test import Client

from fakeconsul import ManualClock, Network, wsgi_app
from fakeconsul.acl import ACLConfig

TOKEN_PATH = "/_fakeconsul/clusters/dc2/v1/peering/token"


@pytest.fixture
def denying() -> Client:
    """dc1's port; dc2 beside it; both deny by default, "root" is the management token."""
    network = Network(clock=ManualClock(START),
                      acl=ACLConfig(default_policy="deny", initial_management_token="root"))
    network.add_cluster("dc1")
    network.add_cluster("dc2")
    return Client(wsgi_app(network["dc1"]))


@pytest.mark.parametrize("carried", [
    {"headers": {"X-Consul-Token": "root"}},
    {"headers": {"Authorization": "Bearer root"}},
    {"query_string": "token=root"},
])
def test_the_token_reaches_the_cluster(denying: Client, carried: dict[str, object]) -> None:
    response = denying.open(TOKEN_PATH, method="POST", data='{"PeerName": "dc1"}',
                            **carried)  # type: ignore[arg-type]
    assert (response.status_code, "PeeringToken" in response.get_json()) == (200, True)


def test_a_wrong_token_is_judged_by_the_cluster(denying: Client) -> None:
    response = denying.open(TOKEN_PATH, method="POST", data='{"PeerName": "dc1"}',
                            headers={"X-Consul-Token": "wrong"})
    assert (response.status_code, response.get_data(as_text=True)) == (
        403, "ACL not found")


def test_without_a_token_the_cluster_refuses(denying: Client) -> None:
    response = call(denying, "POST", TOKEN_PATH, {"PeerName": "dc1"})
    assert (response.status_code, response.get_data(as_text=True)) == (
        403, "Permission denied: anonymous token lacks permission 'peering:write'. The "
        "anonymous token is used implicitly when a request does not specify a token.")
