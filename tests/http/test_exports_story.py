"""The end-to-end story of spec §9.6, over HTTP: A exports ``web`` to B, B discovers it, A
deletes the peering and B's copy goes away. Each step is its own test on the same setup."""

from __future__ import annotations

import json

import pytest
from answers import json_of
from exports_helpers import EXPORTER_PEER, IMPORTER_PEER, export, imported, ok, stream_status
from werkzeug.test import Client


@pytest.fixture
def story(client1: Client, client2: Client) -> None:
    """Steps 1-4: A mints a token, B establishes, A registers web and exports it to B."""
    token = json_of(ok(client1.post(
        "/v1/peering/token", data=json.dumps({"PeerName": EXPORTER_PEER})
    )))["PeeringToken"]
    assert json_of(ok(client2.post("/v1/peering/establish", data=json.dumps(
        {"PeerName": IMPORTER_PEER, "PeeringToken": token}
    )))) == {}
    ok(client1.put("/v1/agent/service/register", data=json.dumps({
        "Name": "web", "Port": 8080, "Tags": ["v1"],
        "Check": {"TTL": "30s", "Status": "passing"},
    })))
    assert export(client1, "web").text == "true"


@pytest.mark.usefixtures("story")
def test_both_sides_are_active(client1: Client, client2: Client) -> None:
    states = [json_of(ok(client1.get(f"/v1/peering/{EXPORTER_PEER}")))["State"],
              json_of(ok(client2.get(f"/v1/peering/{IMPORTER_PEER}")))["State"]]

    assert states == ["ACTIVE", "ACTIVE"]


@pytest.mark.usefixtures("story")
def test_exporter_lists_web_as_exported(client1: Client) -> None:
    assert stream_status(client1, EXPORTER_PEER)["ExportedServices"] == ["web"]


@pytest.mark.usefixtures("story")
def test_importer_lists_web_as_imported(client2: Client) -> None:
    assert stream_status(client2, IMPORTER_PEER)["ImportedServices"] == ["web"]


@pytest.mark.usefixtures("story")
def test_importer_discovers_the_instance_with_its_peer_name(client2: Client) -> None:
    [entry] = imported(client2, "web")

    assert (entry["Node"]["Node"], entry["Node"]["PeerName"]) == ("dc1-server-1", IMPORTER_PEER)
    service = entry["Service"]
    assert (service["ID"], service["Port"], service["Tags"], service["PeerName"]) == (
        "web", 8080, ["v1"], IMPORTER_PEER
    )


@pytest.mark.usefixtures("story")
def test_importer_sees_one_synthetic_overall_check(client2: Client) -> None:
    [entry] = imported(client2, "web")

    [check] = entry["Checks"]
    assert {k: check[k] for k in ("CheckID", "Name", "Status", "ServiceID", "PeerName")} == {
        "CheckID": "web:overall-check",
        "Name": "overall-check",
        "Status": "passing",
        "ServiceID": "web",
        "PeerName": IMPORTER_PEER,
    }


@pytest.mark.usefixtures("story")
def test_delete_terminates_the_importer_side(client1: Client, client2: Client) -> None:
    ok(client1.delete(f"/v1/peering/{EXPORTER_PEER}"))

    assert json_of(ok(client2.get(f"/v1/peering/{IMPORTER_PEER}")))["State"] == "TERMINATED"


@pytest.mark.usefixtures("story")
def test_delete_removes_the_imported_instances(client1: Client, client2: Client) -> None:
    ok(client1.delete(f"/v1/peering/{EXPORTER_PEER}"))

    assert imported(client2, "web") == []
