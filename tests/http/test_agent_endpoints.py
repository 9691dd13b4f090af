"""The calls clients make before any peering (spec §11): leader, peers, agent/self, datacenters,
members. Each fake cluster is its own datacenter and its own (single-server) leader."""

from __future__ import annotations

import re

import pytest
from answers import json_of
from werkzeug.test import Client

HOST_PORT = re.compile(r"[0-9.]+:[0-9]+")
VERSION = re.compile(r"[0-9]+\.[0-9]+\.[0-9]+")
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def test_status_leader_is_a_json_address(client1: Client) -> None:
    response = client1.get("/v1/status/leader")

    assert response.status_code == 200
    assert HOST_PORT.fullmatch(json_of(response))


def test_status_peers_lists_the_leader(client1: Client) -> None:
    leader = json_of(client1.get("/v1/status/leader"))

    assert json_of(client1.get("/v1/status/peers")) == [leader]


@pytest.mark.parametrize("path", ["/v1/status/leader", "/v1/status/peers", "/v1/agent/self"])
def test_agent_answers_json(client1: Client, path: str) -> None:
    assert client1.get(path).headers["Content-Type"] == "application/json"


def test_agent_self_has_consul_top_level_sections(client1: Client) -> None:
    body = json_of(client1.get("/v1/agent/self"))

    assert {"Config", "DebugConfig", "Member", "Meta", "Stats", "xDS"} <= set(body)


def test_agent_self_config_names_the_datacenter(client1: Client, client2: Client) -> None:
    datacenters = [
        json_of(c.get("/v1/agent/self"))["Config"]["Datacenter"] for c in (client1, client2)
    ]

    assert datacenters == ["dc1", "dc2"]


def test_agent_self_config_has_a_node_name(client1: Client) -> None:
    node_name = json_of(client1.get("/v1/agent/self"))["Config"]["NodeName"]

    assert isinstance(node_name, str) and node_name


def test_agent_self_config_has_a_consul_version(client1: Client) -> None:
    assert VERSION.fullmatch(json_of(client1.get("/v1/agent/self"))["Config"]["Version"])


def test_agent_self_config_has_a_node_id(client1: Client) -> None:
    assert UUID.fullmatch(json_of(client1.get("/v1/agent/self"))["Config"]["NodeID"])


def test_agent_self_is_a_server_of_its_own_primary_datacenter(client1: Client) -> None:
    config = json_of(client1.get("/v1/agent/self"))["Config"]

    assert (config["Server"], config["PrimaryDatacenter"]) == (True, "dc1")


def test_catalog_datacenters_knows_only_its_own(client1: Client, client2: Client) -> None:
    assert [json_of(c.get("/v1/catalog/datacenters")) for c in (client1, client2)] == [
        ["dc1"],
        ["dc2"],
    ]


def test_agent_members_lists_the_node_of_agent_self(client1: Client) -> None:
    node_name = json_of(client1.get("/v1/agent/self"))["Config"]["NodeName"]

    members = json_of(client1.get("/v1/agent/members"))

    assert [(m["Name"], m["Tags"]["dc"], m["Status"]) for m in members] == [(node_name, "dc1", 1)]


@pytest.mark.parametrize(
    "path",
    [
        "/v1/status/leader",
        "/v1/status/peers",
        "/v1/agent/self",
        "/v1/agent/members",
        "/v1/catalog/datacenters",
    ],
)
def test_agent_endpoints_are_get_only(client1: Client, path: str) -> None:
    response = client1.put(path)

    assert (response.status_code, response.text) == (405, "method PUT not allowed")
    assert response.headers["Allow"] == "OPTIONS,GET"


def test_agent_endpoints_honour_pretty(client1: Client) -> None:
    assert client1.get("/v1/catalog/datacenters?pretty").get_data() == b'[\n    "dc1"\n]\n'
