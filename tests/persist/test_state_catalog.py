"""The state file keeps the catalog: local registrations, imported rows, and every index."""

from __future__ import annotations

import json
from typing import Any

import pytest
from moments import START

from fakeconsul import Cluster, ManualClock, Network
from fakeconsul.persist.part import SnapshotError
from fakeconsul.persist.snapshot import dump, load

EXPORT_WEB = {"Kind": "exported-services", "Name": "default",
              "Services": [{"Name": "web", "Consumers": [{"Peer": "dc2"}]}]}


def _reload(network: Network, clock: ManualClock | None = None) -> Network:
    """The network as a restarted server sees it, through a JSON round trip."""
    fresh = Network(clock=clock or ManualClock(START))
    load(fresh, json.loads(json.dumps(dump(network))))
    return fresh


@pytest.fixture
def exporting(dc1: Cluster, dc2: Cluster) -> None:
    """dc1 exports web (one passing instance) to dc2; each calls its peering by the other's
    name."""
    dc2.establish("dc1", dc1.generate_token("dc2"))
    dc1.catalog.register_service("web", port=8080, status="passing")
    dc1.config.write_config_entry(EXPORT_WEB)


def test_a_catalog_registration_survives_with_its_indexes(network: Network,
                                                          dc1: Cluster) -> None:
    dc1.catalog.catalog_register({
        "Node": "n1", "Address": "10.0.0.1", "NodeMeta": {"rack": "a"},
        "Service": {"Service": "db", "Tags": ["primary"], "Port": 5432,
                    "TaggedAddresses": {"lan": {"Address": "10.0.0.1", "Port": 5432}},
                    "Weights": {"Passing": 3, "Warning": 1}},
        "Check": {"Name": "db alive", "ServiceID": "db", "Status": "warning"},
    })
    again = _reload(network)["dc1"]
    assert again.catalog.health_service_with_index("db") == (
        dc1.catalog.health_service_with_index("db")
    )


def test_an_agent_service_can_still_be_deregistered(network: Network, dc1: Cluster) -> None:
    dc1.catalog.register_service("web", port=8080)
    again = _reload(network)["dc1"]
    again.catalog.deregister_service("web")
    assert again.catalog.catalog_service("web") == []


def test_the_server_node_keeps_the_id_made_from_its_cluster(network: Network,
                                                            dc1: Cluster) -> None:
    assert _reload(network)["dc1"].catalog.catalog_nodes() == dc1.catalog.catalog_nodes()


def test_no_catalog_index_goes_back(network: Network, dc1: Cluster) -> None:
    dc1.catalog.register_service("gone", port=1)
    dc1.catalog.deregister_service("gone")  # leaves only the "last extinction" index behind
    dc1.catalog.register_service("web", port=8080)
    again = _reload(network)["dc1"]
    assert again.catalog.tables.saved_indexes() == dc1.catalog.tables.saved_indexes()
    assert again.catalog.tables.service_index("gone") == dc1.catalog.tables.service_index("gone")


@pytest.mark.usefixtures("exporting")
def test_imported_rows_are_there_before_the_stream_redials(network: Network,
                                                           dc2: Cluster) -> None:
    network.timing.update(connect_delay=30)  # the restarted dialer re-dials at once anyway
    network.disconnect("dc1", "dc2")  # ... but the cut link keeps the stream down
    again = _reload(network)["dc2"]
    expected = dc2.catalog.health_service_with_index("web", peer="dc1")
    assert again.catalog.health_service_with_index("web", peer="dc1") == expected


@pytest.mark.usefixtures("exporting")
def test_a_redial_that_changes_nothing_moves_no_imported_index(network: Network,
                                                               dc2: Cluster) -> None:
    before = dc2.catalog.health_service_with_index("web", peer="dc1")
    again = _reload(network)["dc2"]
    stream = again.read("dc1").stream_status  # type: ignore[union-attr]
    after = again.catalog.health_service_with_index("web", peer="dc1")
    assert (after, stream.imported_services) == (before, ("web",))


@pytest.mark.usefixtures("exporting")
def test_exports_reach_the_peer_after_a_reload(network: Network) -> None:
    again = _reload(network)
    again["dc1"].catalog.register_service("web", service_id="web-2", port=8081, status="passing")
    ports = [e["Service"]["Port"] for e in again["dc2"].catalog.health_service("web", peer="dc1")]
    assert ports == [8080, 8081]


@pytest.mark.usefixtures("exporting")
def test_rows_of_a_terminated_peer_are_still_cleaned_up(network: Network, dc1: Cluster) -> None:
    network.timing.update(deletion_delay=60)
    dc1.delete("dc2")  # dc2's side: TERMINATED; its imports go after the deletion delay
    network.clock.advance(20)
    restarted = ManualClock(START)
    again = _reload(network, restarted)["dc2"]
    restarted.advance(59)
    kept = again.catalog.catalog_service("web", peer="dc1")
    restarted.advance(1)
    assert (len(kept), again.catalog.catalog_service("web", peer="dc1")) == (1, [])


@pytest.mark.parametrize(("change", "reason"), [
    (lambda c: c["Services"][0].update(Port="80"),
     "Clusters[0].Catalog.Services[0].Port must be a whole number"),
    (lambda c: c["Services"][0].pop("ModifyIndex"),
     "Clusters[0].Catalog.Services[0].ModifyIndex is missing"),
    (lambda c: c["Checks"].append(dict(c["Checks"][0])),
     'Clusters[0].Catalog.Checks names "dc1-server-1/serfHealth" twice'),
    (lambda c: c["Nodes"].pop(0),
     'Clusters[0].Catalog.Services[0] is on node "dc1-server-1", which the catalog\'s Nodes '
     "do not hold"),
    (lambda c: c["TableIndexes"][""].update(nodes=-1),
     'Clusters[0].Catalog.TableIndexes[""].nodes must be a whole number >= 0'),
])
def test_a_bad_catalog_is_refused_with_its_reason(network: Network, dc1: Cluster,
                                                  change: Any, reason: str) -> None:
    document = dump(network)
    change(document["Clusters"][0]["Catalog"])
    with pytest.raises(SnapshotError) as caught:
        load(Network(), json.loads(json.dumps(document)))
    assert str(caught.value) == reason
