"""Exports ride the simulated stream: nothing flows while it is not connected (cut links, a
cluster down), a reconnect reconciles the importer to the current snapshot, and deleting or
terminating the peering removes what was imported from it (spec §6, §9.2)."""

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
    stream_status,
)
from werkzeug.test import Client

from fakeconsul import Cluster, ManualClock, Network


@pytest.fixture(autouse=True)
def _peered(client1: Client, client2: Client) -> None:
    peer_both(client1, client2)


def test_nothing_flows_while_the_link_is_cut(
    client1: Client, client2: Client, network: Network, dc1: Cluster, dc2: Cluster
) -> None:
    network.disconnect(dc1, dc2)

    register(client1, "web")
    export(client1, "web")

    # An empty list is null over HTTP (protobuf has no empty repeated field).
    assert (imported(client2, "web"), stream_status(client2, IMPORTER_PEER)["ImportedServices"]) \
        == ([], None)


def test_held_up_changes_arrive_when_the_link_comes_back(
    client1: Client, client2: Client, network: Network, dc1: Cluster, dc2: Cluster
) -> None:
    network.disconnect(dc1, dc2)
    register(client1, "web")
    export(client1, "web")

    network.reconnect(dc1, dc2)

    assert [e["Service"]["ID"] for e in imported(client2, "web")] == ["web"]


def test_redial_after_failure_reconciles_to_the_current_snapshot(
    client1: Client, client2: Client, network: Network, dc1: Cluster, dc2: Cluster,
    clock: ManualClock,
) -> None:
    register(client1, "web")
    register(client1, "api")
    export(client1, "web")
    network.disconnect(dc1, dc2)
    clock.advance(network.timing.heartbeat_timeout)  # both sides: FAILING
    ok(client1.put("/v1/agent/service/deregister/web"))
    export(client1, "api")

    network.reconnect(dc1, dc2)
    clock.advance(64)  # the dialer's next attempt

    assert json_of(ok(client2.get(f"/v1/peering/{IMPORTER_PEER}")))["State"] == "ACTIVE"
    assert (imported(client2, "web"), [e["Service"]["ID"] for e in imported(client2, "api")]) == (
        [], ["api"]
    )


def test_imports_stay_while_the_peering_is_failing(
    client1: Client, client2: Client, network: Network, dc1: Cluster, dc2: Cluster,
    clock: ManualClock,
) -> None:
    register(client1, "web")
    export(client1, "web")

    network.disconnect(dc1, dc2)
    clock.advance(network.timing.heartbeat_timeout)

    assert json_of(ok(client2.get(f"/v1/peering/{IMPORTER_PEER}")))["State"] == "FAILING"
    assert len(imported(client2, "web")) == 1


def test_nothing_is_sent_while_the_importer_is_down(client1: Client, dc2: Cluster) -> None:
    dc2.take_down()

    register(client1, "web")
    export(client1, "web")

    assert stream_status(client1, EXPORTER_PEER)["ExportedServices"] is None


def test_importer_back_up_receives_the_snapshot(client1: Client, client2: Client,
                                                dc2: Cluster) -> None:
    dc2.take_down()
    register(client1, "web")
    export(client1, "web")

    dc2.bring_up()

    assert [e["Service"]["ID"] for e in imported(client2, "web")] == ["web"]


def test_importer_deleting_the_peering_drops_its_imports(client1: Client, client2: Client) -> None:
    register(client1, "web")
    export(client1, "web")

    ok(client2.delete(f"/v1/peering/{IMPORTER_PEER}"))

    assert imported(client2, "web") == []


def test_terminated_acceptor_drops_what_it_imported(client1: Client, client2: Client) -> None:
    register(client2, "billing")
    export(client2, "billing", peer=IMPORTER_PEER)

    ok(client2.delete(f"/v1/peering/{IMPORTER_PEER}"))

    assert json_of(ok(client1.get(f"/v1/peering/{EXPORTER_PEER}")))["State"] == "TERMINATED"
    assert imported(client1, "billing", EXPORTER_PEER) == []


def test_imports_stay_until_the_deferred_deletion_runs(
    client1: Client, client2: Client, network: Network, clock: ManualClock
) -> None:
    network.timing.deletion_delay = 10
    register(client1, "web")
    export(client1, "web")
    ok(client2.delete(f"/v1/peering/{IMPORTER_PEER}"))
    still_there = len(imported(client2, "web"))

    clock.advance(10)

    assert (still_there, imported(client2, "web")) == (1, [])


def test_nothing_flows_after_the_exporter_deleted(client1: Client, client2: Client) -> None:
    register(client1, "web")
    ok(client1.delete(f"/v1/peering/{EXPORTER_PEER}"))

    export(client1, "web")

    assert imported(client2, "web") == []


def test_importers_other_catalog_is_untouched_by_the_clean_up(
    client1: Client, client2: Client
) -> None:
    register(client1, "web")
    export(client1, "web")
    register(client2, "web")

    ok(client1.delete(f"/v1/peering/{EXPORTER_PEER}"))

    local = json_of(ok(client2.get("/v1/health/service/web")))
    assert [e["Service"]["PeerName"] for e in local] == [""]


def test_catalog_register_on_importer_does_not_touch_imports(
    client1: Client, client2: Client
) -> None:
    register(client1, "web")
    export(client1, "web")

    ok(client2.put("/v1/catalog/deregister", data=json.dumps({"Node": "dc1-server-1"})))

    assert len(imported(client2, "web")) == 1
