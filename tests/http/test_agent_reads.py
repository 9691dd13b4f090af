"""What sdk/testutil and ordinary clients read from an agent: CA roots, the agent's own node
and its serfHealth check, check lists, and the agent's local services and checks."""

from __future__ import annotations

import json
from typing import Any

from werkzeug.test import Client

from fakeconsul import Network, wsgi_app


def _client(node_name: str = "node-1") -> tuple[Client, Any]:
    cluster = Network().add_cluster("dc1", node_name=node_name)
    return Client(wsgi_app(cluster)), cluster


def _json(client: Client, path: str) -> Any:
    response = client.get(path)
    assert response.status_code == 200, response.get_data(as_text=True)
    return json.loads(response.get_data())


def test_agent_ca_roots_hold_the_cluster_pem_as_the_active_root() -> None:
    client, cluster = _client()
    roots = _json(client, "/v1/agent/connect/ca/roots")
    assert (roots["ActiveRootID"], roots["TrustDomain"], roots["Roots"][0]["RootCert"]) == (
        roots["Roots"][0]["ID"], cluster.trust_domain, cluster.ca_pem)


def test_ca_root_fields_are_in_consuls_order() -> None:
    client, _ = _client()
    root = _json(client, "/v1/connect/ca/roots")["Roots"][0]
    assert list(root) == ["ID", "Name", "SerialNumber", "SigningKeyID", "ExternalTrustDomain",
                          "NotBefore", "NotAfter", "RootCert", "IntermediateCerts", "Active",
                          "PrivateKeyType", "PrivateKeyBits", "CreateIndex", "ModifyIndex"]


def test_ca_roots_pem_answers_the_certificate_chain() -> None:
    client, cluster = _client()
    response = client.get("/v1/connect/ca/roots?pem=true")
    assert (response.headers["Content-Type"], response.get_data(as_text=True)) == (
        "application/pem-certificate-chain", cluster.ca_pem)


def test_ca_roots_refuse_a_pem_that_is_not_a_boolean() -> None:
    client, _ = _client()
    response = client.get("/v1/connect/ca/roots?pem=maybe")
    assert (response.status_code, response.get_data(as_text=True)) == (
        400, "The 'pem' query parameter must be a boolean value")


def test_the_agents_node_is_in_the_catalog_under_its_config_name() -> None:
    client, _ = _client("testutil-node")
    assert [n["Node"] for n in _json(client, "/v1/catalog/nodes?index=0")] == ["testutil-node"]


def test_the_agents_node_has_serf_health_passing() -> None:
    client, _ = _client("testutil-node")
    checks = _json(client, "/v1/health/node/testutil-node")
    assert [(c["CheckID"], c["Status"]) for c in checks] == [("serfHealth", "passing")]


def test_agent_self_names_the_configured_node() -> None:
    client, _ = _client("testutil-node")
    assert _json(client, "/v1/agent/self")["Config"]["NodeName"] == "testutil-node"


def test_health_checks_of_a_service_list_its_checks_only() -> None:
    client, cluster = _client()
    cluster.catalog.register_service("web", port=80, status="critical")
    checks = _json(client, "/v1/health/checks/web")
    assert [(c["CheckID"], c["Status"]) for c in checks] == [("service:web", "critical")]


def test_health_state_filters_by_status() -> None:
    client, cluster = _client()
    cluster.catalog.register_service("web", port=80, status="critical")
    assert [c["CheckID"] for c in _json(client, "/v1/health/state/critical")] == ["service:web"]


def test_health_state_any_lists_every_check() -> None:
    client, cluster = _client()
    cluster.catalog.register_service("web", port=80, status="critical")
    assert [c["CheckID"] for c in _json(client, "/v1/health/state/any")] == [
        "serfHealth", "service:web"]


def test_health_state_without_a_state_is_a_400() -> None:
    client, _ = _client()
    response = client.get("/v1/health/state/")
    assert (response.status_code, response.get_data(as_text=True)) == (400, "Missing check state")


def test_health_node_index_is_the_checks_tables() -> None:
    client, cluster = _client()
    cluster.catalog.register_service("web", port=80, status="passing")
    response = client.get("/v1/health/node/node-1")
    assert response.headers["X-Consul-Index"] == str(cluster.index)


def test_agent_services_list_what_the_agent_registered() -> None:
    client, cluster = _client()
    cluster.catalog.register_service("web", port=80)
    assert _json(client, "/v1/agent/services") == {"web": {
        "ID": "web", "Service": "web", "Tags": [], "Meta": {}, "Port": 80, "Address": "",
        "Weights": {"Passing": 1, "Warning": 1}, "EnableTagOverride": False,
        "Datacenter": "dc1"}}


def test_agent_checks_list_the_agents_service_checks() -> None:
    client, cluster = _client()
    cluster.catalog.register_service("web", port=80, status="passing")
    assert list(_json(client, "/v1/agent/checks")) == ["service:web"]
