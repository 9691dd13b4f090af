"""What the stream carries while connected (spec §9.2, §9.3): export lists, wildcard, snapshot
reconciliation, health changes, and what it does (and does not) do to indexes."""

from __future__ import annotations

import json

import pytest
from answers import json_of
from exports_helpers import (
    EXPORTER_PEER,
    IMPORTER_PEER,
    export,
    imported,
    ok,
    peer_both,
    register,
    register_on_node,
    stream_status,
)
from werkzeug.test import Client

from fakeconsul import Cluster, ManualClock


@pytest.fixture(autouse=True)
def _peered(client1: Client, client2: Client) -> None:
    peer_both(client1, client2)


def test_wildcard_exports_every_registered_typical_service(
    client1: Client, client2: Client
) -> None:
    register(client1, "web")
    register(client1, "api")
    register(client1, "web-sidecar-proxy")
    export(client1, "*")

    assert stream_status(client2, IMPORTER_PEER)["ImportedServices"] == ["api", "web"]


def test_wildcard_follows_later_registrations(client1: Client, client2: Client) -> None:
    export(client1, "*")

    register(client1, "db")

    assert stream_status(client1, EXPORTER_PEER)["ExportedServices"] == ["db"]


def test_consul_service_is_never_exported(client1: Client) -> None:
    export(client1, "consul", "web")

    assert stream_status(client1, EXPORTER_PEER)["ExportedServices"] == ["web"]


def test_named_service_without_instances_is_listed_but_not_in_the_catalog(
    client2: Client, client1: Client
) -> None:
    export(client1, "web")

    assert stream_status(client2, IMPORTER_PEER)["ImportedServices"] == ["web"]
    assert imported(client2, "web") == []


def test_export_to_another_peer_is_not_sent(client1: Client, client2: Client) -> None:
    register(client1, "web")
    export(client1, "web", peer="someone-else")

    assert stream_status(client2, IMPORTER_PEER)["ImportedServices"] is None  # null, not []
    assert imported(client2, "web") == []


def test_service_removed_from_the_export_disappears(client1: Client, client2: Client) -> None:
    register(client1, "web")
    register(client1, "api")
    export(client1, "web", "api")

    export(client1, "api")

    assert imported(client2, "web") == []
    assert stream_status(client2, IMPORTER_PEER)["ImportedServices"] == ["api"]


def test_deleting_the_entry_stops_every_export(client1: Client, client2: Client) -> None:
    register(client1, "web")
    export(client1, "web")

    ok(client1.delete("/v1/config/exported-services/default"))

    assert (imported(client2, "web"), stream_status(client2, IMPORTER_PEER)["ImportedServices"]) \
        == ([], None)


def test_deregistered_instance_disappears(client1: Client, client2: Client) -> None:
    register_on_node(client1, "n1", "web")
    register_on_node(client1, "n2", "web")
    export(client1, "web")

    ok(client1.put("/v1/catalog/deregister",
                   data=json.dumps({"Node": "n1", "ServiceID": "web"})))

    assert [e["Node"]["Node"] for e in imported(client2, "web")] == ["n2"]


def test_last_instance_gone_leaves_the_name_listed(client1: Client, client2: Client) -> None:
    register(client1, "web")
    export(client1, "web")

    ok(client1.put("/v1/agent/service/deregister/web"))

    assert imported(client2, "web") == []
    assert stream_status(client2, IMPORTER_PEER)["ImportedServices"] == ["web"]


def test_orphaned_imported_node_goes_too(client1: Client, client2: Client) -> None:
    register_on_node(client1, "n1", "web")
    export(client1, "web")

    ok(client1.put("/v1/catalog/deregister", data=json.dumps({"Node": "n1"})))

    assert json_of(ok(client2.get(f"/v1/catalog/nodes?peer={IMPORTER_PEER}"))) == []


@pytest.mark.parametrize(
    ("statuses", "overall"),
    [
        (["passing", "passing"], "passing"),
        (["passing", "warning"], "warning"),
        (["warning", "critical"], "critical"),
        (["critical", "maintenance"], "maintenance"),
    ],
)
def test_overall_check_is_the_worst_status(
    client1: Client, client2: Client, statuses: list[str], overall: str
) -> None:
    checks = [{"CheckID": f"c{i}", "Name": f"c{i}", "Status": s, "ServiceID": "web"}
              for i, s in enumerate(statuses)]
    ok(client1.put("/v1/catalog/register", data=json.dumps({
        "Node": "n1", "Address": "10.0.0.1", "Service": {"Service": "web"}, "Checks": checks,
    })))
    export(client1, "web")

    [entry] = imported(client2, "web")
    assert [c["Status"] for c in entry["Checks"]] == [overall]


def test_node_check_counts_in_the_overall_check(client1: Client, client2: Client) -> None:
    register_on_node(client1, "n1", "web")
    ok(client1.put("/v1/catalog/register", data=json.dumps({
        "Node": "n1", "Address": "10.0.0.1",
        "Check": {"CheckID": "node-health", "Name": "node", "Status": "critical"},
    })))
    export(client1, "web")

    [entry] = imported(client2, "web")
    assert entry["Checks"][0]["Status"] == "critical"


def test_instance_without_checks_is_imported_without_checks(
    client1: Client, client2: Client
) -> None:
    ok(client1.put("/v1/catalog/register", data=json.dumps(
        {"Node": "n1", "Address": "10.0.0.1", "Service": {"Service": "web"}}
    )))
    export(client1, "web")

    [entry] = imported(client2, "web")
    assert entry["Checks"] == []


def test_health_change_reaches_the_importer(
    client1: Client, client2: Client, dc1: Cluster
) -> None:
    register_on_node(client1, "n1", "web")
    export(client1, "web")

    dc1.catalog.set_check_status("n1", "service:web", "critical")

    [entry] = imported(client2, "web")
    assert entry["Checks"][0]["Status"] == "critical"


def test_proxy_and_virtual_ip_are_stripped(client1: Client, client2: Client) -> None:
    ok(client1.put("/v1/catalog/register", data=json.dumps({
        "Node": "n1", "Address": "10.0.0.1",
        "Service": {"Service": "web", "Port": 80, "TaggedAddresses": {
            "consul-virtual": {"Address": "240.0.0.1", "Port": 20000},
            "lan": {"Address": "10.0.0.1", "Port": 80},
        }},
    })))
    export(client1, "web")

    [entry] = imported(client2, "web")
    assert entry["Service"]["TaggedAddresses"] == {"lan": {"Address": "10.0.0.1", "Port": 80}}


def test_directions_are_independent(client1: Client, client2: Client) -> None:
    register(client1, "web")
    register(client2, "billing")
    export(client1, "web")
    export(client2, "billing", peer=IMPORTER_PEER)

    assert (stream_status(client1, EXPORTER_PEER)["ExportedServices"],
            stream_status(client1, EXPORTER_PEER)["ImportedServices"]) == (["web"], ["billing"])
    assert [e["Service"]["PeerName"] for e in imported(client1, "billing", EXPORTER_PEER)] == [
        EXPORTER_PEER
    ]


def test_import_does_not_move_the_peering_modify_index(
    client1: Client, client2: Client
) -> None:
    before = json_of(ok(client2.get(f"/v1/peering/{IMPORTER_PEER}")))["ModifyIndex"]
    register(client1, "web")

    export(client1, "web")

    assert json_of(ok(client2.get(f"/v1/peering/{IMPORTER_PEER}")))["ModifyIndex"] == before


def test_import_is_a_catalog_write_on_the_importer(
    client1: Client, client2: Client, dc2: Cluster
) -> None:
    register(client1, "web")
    before = dc2.index

    export(client1, "web")

    [entry] = imported(client2, "web")
    assert entry["Service"]["CreateIndex"] == dc2.index > before


def test_import_updates_last_send_and_last_receive(
    client1: Client, client2: Client, clock: ManualClock
) -> None:
    register(client1, "web")
    clock.advance(5.5)

    export(client1, "web")

    assert stream_status(client1, EXPORTER_PEER)["LastSend"] == "2024-05-01T10:20:35.5Z"
    assert stream_status(client2, IMPORTER_PEER)["LastReceive"] == "2024-05-01T10:20:35.5Z"


def test_unchanged_export_sends_nothing(
    client1: Client, client2: Client, clock: ManualClock, dc2: Cluster
) -> None:
    register(client1, "web")
    export(client1, "web")
    before = (dc2.index, stream_status(client1, EXPORTER_PEER)["LastSend"])
    clock.advance(1)

    register(client1, "other")  # not exported: nothing the peer sees changes

    assert (dc2.index, stream_status(client1, EXPORTER_PEER)["LastSend"]) == before
