"""The text of an ACL denial on every ACL-checked area (acl/errors.go PermissionDeniedError.Error).

Since 1.15 the anonymous token is named in words and followed by a sentence; any other token is
named by its AccessorID; a secret no token has gives ``ACL not found``. All are 403.
"""

from __future__ import annotations

import json

import pytest
from werkzeug.test import Client, TestResponse

from fakeconsul import Cluster, ManualClock, Network, wsgi_app
from fakeconsul.acl import ACLConfig

IMPLICIT = ". The anonymous token is used implicitly when a request does not specify a token."
UNKNOWN_SECRET = "7c8a7b52-9bbf-4f5e-8d5e-111111111111"
REGISTRATION = {"Node": "n1", "Address": "10.0.0.1", "Service": {"Service": "web"}}
EXPORT = {"Kind": "exported-services", "Name": "default", "Services": []}

# (method, path, body, what is lacked): one call per ACL-checked area.
CALLS = {
    "peering": ("GET", "/v1/peerings", None, "'peering:read'"),
    "acl": ("GET", "/v1/acl/policies", None, "'acl:read'"),
    "agent": ("GET", "/v1/agent/self", None, "'agent:read' on \"dc1-server-1\""),
    "config": ("PUT", "/v1/config", EXPORT, "'mesh:write'"),
    "catalog": ("PUT", "/v1/catalog/register", REGISTRATION, "'node:write' on \"n1\""),
}


@pytest.fixture
def secured(clock: ManualClock) -> Cluster:
    net = Network(clock=clock)
    return net.add_cluster(
        "dc1", acl=ACLConfig(default_policy="deny", initial_management_token="root")
    )


def _call(cluster: Cluster, area: str, secret: str | None) -> TestResponse:
    method, path, body, _ = CALLS[area]
    headers = {"X-Consul-Token": secret} if secret else {}
    data = json.dumps(body) if body is not None else None
    return Client(wsgi_app(cluster)).open(path, method=method, data=data, headers=headers)


def _answer(response: TestResponse) -> tuple[int, str]:
    return response.status_code, response.get_data(as_text=True)


@pytest.mark.parametrize("area", list(CALLS))
def test_no_token_names_the_anonymous_token_in_words(secured: Cluster, area: str) -> None:
    lacked = CALLS[area][3]

    assert _answer(_call(secured, area, None)) == (
        403, f"Permission denied: anonymous token lacks permission {lacked}{IMPLICIT}")


@pytest.mark.parametrize("area", list(CALLS))
def test_a_named_token_keeps_its_accessor_id(secured: Cluster, area: str) -> None:
    policy = secured.acl.create_policy("nothing", 'key_prefix "" { policy = "read" }',
                                       token="root")
    token = secured.acl.create_token([policy.name], token="root")
    lacked = CALLS[area][3]

    assert _answer(_call(secured, area, token.secret_id)) == (
        403,
        f"Permission denied: token with AccessorID '{token.accessor_id}' lacks permission "
        f"{lacked}",
    )


@pytest.mark.parametrize("area", list(CALLS))
def test_an_unknown_secret_is_acl_not_found(secured: Cluster, area: str) -> None:
    assert _answer(_call(secured, area, UNKNOWN_SECRET)) == (403, "ACL not found")


def test_the_anonymous_secret_named_explicitly_is_still_anonymous(secured: Cluster) -> None:
    assert _answer(_call(secured, "peering", "anonymous")) == (
        403, f"Permission denied: anonymous token lacks permission 'peering:read'{IMPLICIT}")
