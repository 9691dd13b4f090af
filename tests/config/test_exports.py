"""Exports and discovery from Python, without HTTP: the calls a cluster offers (spec §9)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from fakeconsul import Cluster, ConsulError, ManualClock, Network
from fakeconsul.golang.durations import go_duration

EXPORT_WEB = {
    "Kind": "exported-services",
    "Name": "default",
    "Services": [{"Name": "web", "Consumers": [{"Peer": "dc2-peer"}]}],
}


@pytest.fixture
def exporting(dc1: Cluster, dc2: Cluster, peered: Callable[..., None]) -> None:
    """dc1 (calls its peering "dc2-peer") exports web to dc2 (which calls it "dc1-peer")."""
    peered()
    dc1.catalog.register_service("web", port=8080, status="passing")
    assert dc1.config.write_config_entry(EXPORT_WEB)


@pytest.mark.usefixtures("exporting")
def test_importer_discovers_web_from_python(dc2: Cluster) -> None:
    [entry] = dc2.catalog.health_service("web", peer="dc1-peer")

    assert (entry["Service"]["Port"], entry["Service"]["PeerName"]) == (8080, "dc1-peer")


@pytest.mark.usefixtures("exporting")
def test_exported_services_hook_names_what_the_stream_sends(dc1: Cluster) -> None:
    assert dc1.exported_services("dc2-peer") == ("web",)


@pytest.mark.usefixtures("exporting")
def test_stream_status_shows_both_lists(dc1: Cluster, dc2: Cluster) -> None:
    exporter, importer = dc1.read("dc2-peer"), dc2.read("dc1-peer")

    assert exporter is not None and importer is not None
    assert (exporter.stream_status.exported_services, importer.stream_status.imported_services) \
        == (("web",), ("web",))


@pytest.mark.usefixtures("exporting")
def test_deregistering_from_python_reaches_the_importer(dc1: Cluster, dc2: Cluster) -> None:
    dc1.catalog.deregister_service("web")

    assert dc2.catalog.health_service("web", peer="dc1-peer") == []


@pytest.mark.usefixtures("exporting")
def test_change_reaches_the_peer_within_the_operation(
    dc1: Cluster, dc2: Cluster, network: Network
) -> None:
    dc1.catalog.register_service("web", service_id="web-2", status="passing")

    due = network.next_due()  # no zero-delay push is left waiting
    assert due is None or due > network.clock.now()
    assert len(dc2.catalog.health_service("web", peer="dc1-peer")) == 2


@pytest.mark.usefixtures("exporting")
def test_reset_empties_catalog_and_config_but_keeps_the_server(dc1: Cluster) -> None:
    dc1.reset()

    entry = dc1.config.read_config_entry("exported-services", "default")
    assert (dc1.catalog.catalog_services(), entry) == ({"consul": []}, None)


def test_invalid_entry_raises_consul_error(dc1: Cluster) -> None:
    with pytest.raises(ConsulError) as refused:
        dc1.config.write_config_entry({"Kind": "exported-services", "Name": "x"})

    assert (refused.value.status, refused.value.message) == (
        500, 'exported-services Name must be "default"'
    )


def test_export_written_before_peering_flows_on_connect(
    dc1: Cluster, dc2: Cluster, clock: ManualClock, network: Network
) -> None:
    network.timing.connect_delay = 5
    dc1.catalog.register_service("web", status="passing")
    dc1.config.write_config_entry(EXPORT_WEB)
    dc2.establish("dc1-peer", dc1.generate_token("dc2-peer"))
    before = dc2.catalog.health_service("web", peer="dc1-peer")

    clock.advance(5)

    assert (before, len(dc2.catalog.health_service("web", peer="dc1-peer"))) == ([], 1)


@pytest.mark.parametrize(
    ("nanoseconds", "text"),
    [(0, "0s"), (999, "999ns"), (1_500, "1.5\u00b5s"), (1_500_000, "1.5ms"),
     (10_000_000_000, "10s"), (90_000_000_000, "1m30s"), (3_661_500_000_000, "1h1m1.5s")],
)
def test_go_duration_strings(nanoseconds: int, text: str) -> None:
    assert go_duration(nanoseconds) == text
