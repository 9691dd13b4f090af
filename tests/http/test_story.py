"""Peering stories told through the HTTP API, the way Consul's api/peering_test.go tells them.

Every call goes through ``goclient.Peerings``, so each answer is also checked against what the
official Go client can decode (spec §13). Where Consul's test retries until a state shows, the
fake's clock is advanced instead.
"""

from __future__ import annotations

import base64

import goclient
import pytest
from werkzeug.test import Client

from fakeconsul import ManualClock, Network


@pytest.fixture
def peerings1(client1: Client) -> goclient.Peerings:
    return goclient.Peerings(client1)  # "dc1", the acceptor in these stories


@pytest.fixture
def peerings2(client2: Client) -> goclient.Peerings:
    return goclient.Peerings(client2)  # "dc2", the dialer


@pytest.fixture
def slow_connect(network: Network) -> float:
    """Streams open one second after establish, so ESTABLISHING can be read first."""
    network.timing.connect_delay = 1.0
    return network.timing.connect_delay


def test_generate_read_establish_delete(
    peerings1: goclient.Peerings,
    peerings2: goclient.Peerings,
    clock: ManualClock,
    slow_connect: float,
) -> None:
    # generate token
    token = peerings1.generate_token("peer1", meta={"foo": "bar"})
    assert token

    # verify token
    peering = peerings1.read("peer1")
    assert peering is not None
    assert (peering["Name"], peering["State"], peering["Meta"]) == (
        "peer1",
        "PENDING",
        {"foo": "bar"},
    )

    # establish peering
    peerings2.establish("peer1", token, meta={"foo": "bar"})
    peering = peerings2.read("peer1")
    assert peering is not None
    assert (peering["State"], peering["Meta"]) == ("ESTABLISHING", {"foo": "bar"})

    # look for active state of peering in dc2, then in dc1
    clock.advance(slow_connect)
    for peerings in (peerings2, peerings1):
        peering = peerings.read("peer1")
        assert peering is not None and peering["State"] == "ACTIVE"
        assert [p["State"] for p in peerings.list()] == ["ACTIVE"]

    # delete peering at source
    peerings1.delete("peer1")
    assert peerings1.read("peer1") is None


def test_peer_is_terminated_then_removed_when_deleted_there(
    peerings1: goclient.Peerings, peerings2: goclient.Peerings
) -> None:
    peerings2.establish("dc1", peerings1.generate_token("dc2"))

    peerings1.delete("dc2")
    peering = peerings2.read("dc1")
    assert peering is not None and peering["State"] == "TERMINATED"

    peerings2.delete("dc1")
    assert peerings2.read("dc1") is None
    assert peerings2.list() == []


def test_acceptor_is_terminated_when_the_dialer_deletes(
    peerings1: goclient.Peerings, peerings2: goclient.Peerings
) -> None:
    peerings2.establish("dc1", peerings1.generate_token("dc2"))

    peerings2.delete("dc1")
    assert peerings2.read("dc1") is None
    peering = peerings1.read("dc2")
    assert peering is not None and peering["State"] == "TERMINATED"

    peerings1.delete("dc2")
    assert peerings1.read("dc2") is None


def test_deleted_peering_shows_deleting_until_the_clean_up(
    peerings1: goclient.Peerings, clock: ManualClock, network: Network
) -> None:
    network.timing.deletion_delay = 10
    peerings1.generate_token("peer1")

    peerings1.delete("peer1")
    peering = peerings1.read("peer1")
    assert peering is not None
    assert (peering["State"], peering["DeletedAt"]) == ("DELETING", "2024-05-01T10:20:30Z")

    clock.advance(10)
    assert peerings1.read("peer1") is None


def test_list_shows_what_read_shows(peerings1: goclient.Peerings) -> None:
    # list with no peers
    assert peerings1.list() == []

    # list with some peers
    peerings1.generate_token("peer1")
    peerings1.generate_token("peer2")
    peering1, peering2 = peerings1.read("peer1"), peerings1.read("peer2")

    assert peerings1.list() == [peering1, peering2]


def test_generate_token_carries_external_addresses(peerings1: goclient.Peerings) -> None:
    token = peerings1.generate_token("peer1", server_external_addresses=["32.1.2.3:8502"])

    assert "32.1.2.3:8502" in base64.b64decode(token).decode()


def test_token_cannot_be_reused_after_the_secret_exchange(
    peerings1: goclient.Peerings, peerings2: goclient.Peerings
) -> None:
    token = peerings1.generate_token("dc2")
    peerings2.establish("dc1", token)

    with pytest.raises(goclient.GoClientError) as refused:
        peerings2.establish("dc1-again", token)

    assert str(refused.value) == (
        "Unexpected response code: 403 (a new peering "
        "token must be generated: invalid peering establishment secret)"
    )


def test_terminated_dialer_comes_back_with_a_new_token(
    peerings1: goclient.Peerings, peerings2: goclient.Peerings
) -> None:
    peerings2.establish("dc1", peerings1.generate_token("dc2"))
    first = peerings2.read("dc1")
    peerings1.delete("dc2")

    peerings2.establish("dc1", peerings1.generate_token("dc2"))

    again = peerings2.read("dc1")
    assert first is not None and again is not None
    assert (again["ID"], again["State"]) == (first["ID"], "ACTIVE")
    acceptor = peerings1.read("dc2")
    assert acceptor is not None and acceptor["State"] == "ACTIVE"


def test_new_token_for_an_active_acceptor_changes_only_its_modify_index(
    peerings1: goclient.Peerings, peerings2: goclient.Peerings
) -> None:
    peerings2.establish("dc1", peerings1.generate_token("dc2", meta={"env": "prod"}))
    before = peerings1.read("dc2")
    assert before is not None and before["State"] == "ACTIVE"

    assert peerings1.generate_token("dc2", meta={"env": "test"})

    after = peerings1.read("dc2")
    assert after is not None and after["ModifyIndex"] > before["ModifyIndex"]
    assert {**after, "ModifyIndex": before["ModifyIndex"]} == before
