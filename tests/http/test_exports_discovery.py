"""Discovery and listing endpoints (spec §9.4, §9.5), registration errors, and ACLs on them."""

from __future__ import annotations

import json

import pytest
from answers import json_of
from exports_helpers import (
    EXPORTER_PEER,
    IMPORTER_PEER,
    export,
    ok,
    peer_both,
    register,
    register_on_node,
)
from werkzeug.test import Client, TestResponse

from fakeconsul import Cluster, Network, wsgi_app
from fakeconsul.acl import ACLConfig


@pytest.fixture
def exported_web(client1: Client, client2: Client) -> None:
    peer_both(client1, client2)
    register_on_node(client1, "n1", "web")
    export(client1, "web")


@pytest.mark.usefixtures("exported_web")
def test_catalog_service_with_peer_lists_imported_entries(client2: Client) -> None:
    [entry] = json_of(ok(client2.get(f"/v1/catalog/service/web?peer={IMPORTER_PEER}")))

    assert (entry["Node"], entry["Address"], entry["ServiceID"], entry["PeerName"]) == (
        "n1", "10.0.0.1", "web", IMPORTER_PEER
    )


@pytest.mark.usefixtures("exported_web")
def test_catalog_services_with_peer(client2: Client) -> None:
    assert ok(client2.get(f"/v1/catalog/services?peer={IMPORTER_PEER}")).text == '{"web":[]}'


@pytest.mark.usefixtures("exported_web")
def test_catalog_nodes_with_peer(client2: Client) -> None:
    nodes = json_of(ok(client2.get(f"/v1/catalog/nodes?peer={IMPORTER_PEER}")))

    assert [(n["Node"], n["PeerName"], n["Datacenter"]) for n in nodes] == [
        ("n1", IMPORTER_PEER, "dc1")
    ]


@pytest.mark.usefixtures("exported_web")
def test_without_peer_only_local_entries_show(client2: Client) -> None:
    assert json_of(ok(client2.get("/v1/health/service/web"))) == []
    assert json_of(ok(client2.get("/v1/catalog/services"))) == {"consul": []}


@pytest.mark.usefixtures("exported_web")
@pytest.mark.parametrize("path", [
    "/v1/health/service/web?peer=nobody",
    "/v1/catalog/service/web?peer=nobody",
    "/v1/catalog/nodes?peer=nobody",
])
def test_unknown_peer_gives_an_empty_array(client2: Client, path: str) -> None:
    assert ok(client2.get(path)).text == "[]"


@pytest.mark.usefixtures("exported_web")
def test_unknown_peer_gives_an_empty_service_map(client2: Client) -> None:
    assert ok(client2.get("/v1/catalog/services?peer=nobody")).text == "{}"


def test_local_health_entry_in_consul_field_order(client1: Client) -> None:
    register(client1, "web", Port=8080)

    [entry] = json_of(ok(client1.get("/v1/health/service/web")))

    assert list(entry) == ["Node", "Service", "Checks"]
    assert list(entry["Service"]) == [
        "ID", "Service", "Tags", "Address", "Meta", "Port", "Weights", "EnableTagOverride",
        "Proxy", "Connect", "PeerName", "CreateIndex", "ModifyIndex",
    ]
    assert (entry["Service"]["PeerName"], entry["Service"]["Proxy"]) == (
        "", {"Mode": "", "MeshGateway": {}, "Expose": {}}
    )
    assert [c["CheckID"] for c in entry["Checks"]] == ["serfHealth", "service:web"]


def test_passing_filter_drops_instances_with_a_failing_check(client1: Client) -> None:
    register_on_node(client1, "n1", "web", status="passing")
    register_on_node(client1, "n2", "web", status="critical")

    entries = json_of(ok(client1.get("/v1/health/service/web?passing")))

    assert [e["Node"]["Node"] for e in entries] == ["n1"]


def test_invalid_passing_value_is_a_400(client1: Client) -> None:
    answer = client1.get("/v1/health/service/web?passing=maybe")

    assert (answer.status_code, answer.text) == (400, "Invalid value for ?passing")


@pytest.mark.usefixtures("exported_web")
def test_exported_services_listing(client1: Client) -> None:
    assert ok(client1.get("/v1/exported-services")).text == (
        f'[{{"Service":"web","Consumers":{{"Peers":["{EXPORTER_PEER}"]}}}}]'
    )


@pytest.mark.usefixtures("exported_web")
def test_imported_services_listing(client2: Client) -> None:
    assert ok(client2.get("/v1/imported-services")).text == (
        f'[{{"Service":"web","SourcePeer":"{IMPORTER_PEER}"}}]'
    )


def test_nothing_exported_is_an_empty_array(client1: Client) -> None:
    assert ok(client1.get("/v1/exported-services")).text == "[]"


@pytest.mark.usefixtures("exported_web")
def test_ui_exported_services_for_a_peer(client1: Client) -> None:
    [summary] = json_of(ok(client1.get(
        f"/v1/internal/ui/exported-services?peer={EXPORTER_PEER}"
    )))

    assert (summary["Name"], summary["Datacenter"], summary["InstanceCount"]) == ("web", "dc1", 0)


def test_ui_exported_services_needs_a_peer(client1: Client) -> None:
    answer = client1.get("/v1/internal/ui/exported-services")

    assert (answer.status_code, answer.text) == (500, "must provide PeerName")


@pytest.mark.parametrize(
    ("body", "status", "text"),
    [
        ({"Address": "10.0.0.1"}, 500, "Must provide node"),
        ({"Node": "n1"}, 500, "Must provide address if SkipNodeUpdate is not set"),
        ({"Node": "n1", "Address": "10.0.0.1", "Service": {"ID": "web"}}, 500,
         "Must provide service name (Service.Service) with ID (Service.ID)"),
        ({"Node": "n1", "Address": "10.0.0.1",
          "Service": {"Service": "web", "Address": "0.0.0.0"}}, 500, "Invalid service address"),
        ({"Node": "n1", "Address": "10.0.0.1", "ID": "not-a-uuid"}, 500,
         "Bad node ID: uuid string is wrong length"),
        ({"Node": "n1", "Address": "10.0.0.1",
          "Check": {"Name": "c", "ServiceID": "missing"}}, 500, "Missing service registration"),
        ({"Node": "n1", "Address": "10.0.0.1", "Service": {"Service": "web", "Port": "80"}}, 400,
         "Request decode failed: json: cannot unmarshal string into Go struct field "
         "NodeService.Service.Port of type int"),
    ],
)
def test_catalog_register_errors(client1: Client, body: object, status: int, text: str) -> None:
    answer = client1.put("/v1/catalog/register", data=json.dumps(body))

    assert (answer.status_code, answer.text) == (status, text)


@pytest.mark.parametrize(
    ("body", "text"),
    [
        ({"Port": 80}, "Missing service name"),
        ({"Name": "web", "Check": {"HTTP": "http://x"}},
         "Invalid check: Interval must be > 0 for Script, HTTP, H2PING, TCP or UDP checks"),
        ({"Name": "web", "Check": {"TTL": "10s", "Interval": "10s"}},
         "Invalid check: Interval and TTL cannot both be specified"),
    ],
)
def test_agent_register_errors(client1: Client, body: object, text: str) -> None:
    answer = client1.put("/v1/agent/service/register", data=json.dumps(body))

    assert (answer.status_code, answer.text) == (400, text)


def test_agent_deregister_of_unknown_id_is_a_404(client1: Client) -> None:
    answer = client1.put("/v1/agent/service/deregister/nope")

    assert (answer.status_code, answer.text) == (
        404,
        'Unknown service ID "nope". Ensure that the service ID is passed, not the service name.',
    )


def test_agent_register_answers_an_empty_200(client1: Client) -> None:
    answer = client1.put("/v1/agent/service/register", data=json.dumps({"Name": "web"}))

    assert (answer.status_code, answer.get_data()) == (200, b"")


def test_catalog_register_answers_true(client1: Client) -> None:
    answer = client1.put("/v1/catalog/register", data=json.dumps(
        {"Node": "n1", "Address": "10.0.0.1"}
    ))

    assert (answer.status_code, answer.text) == (200, "true")


# --- ACLs --------------------------------------------------------------------------------------


@pytest.fixture
def secured(network: Network) -> Cluster:
    return network.add_cluster(
        "dc3", acl=ACLConfig(default_policy="deny", initial_management_token="root")
    )


def export_as(cluster: Cluster, token: str | None) -> TestResponse:
    entry = {"Kind": "exported-services", "Name": "default",
             "Services": [{"Name": "web", "Consumers": [{"Peer": "p"}]}]}
    headers = {"X-Consul-Token": token} if token else {}
    return Client(wsgi_app(cluster)).put("/v1/config", data=json.dumps(entry), headers=headers)


def test_exporting_needs_mesh_write(secured: Cluster) -> None:
    answer = export_as(secured, None)

    assert (answer.status_code, answer.text) == (
        403, "Permission denied: anonymous token lacks permission 'mesh:write'. The anonymous "
        "token is used implicitly when a request does not specify a token.",
    )


def test_management_token_may_export(secured: Cluster) -> None:
    assert export_as(secured, "root").text == "true"


def test_listing_exports_needs_mesh_read(secured: Cluster) -> None:
    answer = Client(wsgi_app(secured)).get("/v1/exported-services")

    assert (answer.status_code, answer.text) == (
        403, "Permission denied: anonymous token lacks permission 'mesh:read'. The anonymous "
        "token is used implicitly when a request does not specify a token.",
    )


def test_discovery_filters_what_the_token_cannot_read(secured: Cluster) -> None:
    secured.catalog.register_service("web", token="root")

    assert ok(Client(wsgi_app(secured)).get("/v1/health/service/web")).text == "[]"
