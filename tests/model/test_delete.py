"""Deleting a peering on either side (spec §2.4, §5, §6)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from fakeconsul import Cluster, ManualClock, Network, PeeringState, RemoteInfo

Peer = Callable[..., None]

DELETION_DELAY = 10.0
CONNECT_DELAY = 5.0


@pytest.fixture
def lingering(network: Network) -> Network:
    """Deleted peerings stay DELETING for DELETION_DELAY seconds before they are removed."""
    network.timing.deletion_delay = DELETION_DELAY
    return network


# --- the side that deletes -----------------------------------------------------------------------


@pytest.mark.parametrize(("side", "name"), [("dc1", "dc2-peer"), ("dc2", "dc1-peer")])
def test_deleted_peering_reads_deleting(lingering: Network, peered: Peer, side: str,
                                        name: str) -> None:
    peered()
    lingering[side].delete(name)
    peering = lingering[side].read(name)
    assert peering is not None
    assert peering.state is PeeringState.DELETING


def test_deleted_at_is_the_model_time_of_the_delete(lingering: Network, clock: ManualClock,
                                                    dc1: Cluster, peered: Peer) -> None:
    peered()
    clock.advance(42)
    dc1.delete("dc2-peer")
    peering = dc1.read("dc2-peer")
    assert peering is not None
    assert peering.deleted_at == clock.now()


def test_deleted_at_is_go_rfc3339_text(lingering: Network, clock: ManualClock, dc1: Cluster,
                                       peered: Peer) -> None:
    peered()
    clock.advance(42)
    dc1.delete("dc2-peer")
    peering = dc1.read("dc2-peer")
    assert peering is not None
    assert peering.to_api()["DeletedAt"] == "2024-05-01T10:21:12Z"


def test_deleting_acceptor_drops_meta_and_peer_fields(lingering: Network, dc1: Cluster,
                                                      dc2: Cluster) -> None:
    dc2.establish("dc1-peer", dc1.generate_token("dc2-peer", meta={"env": "prod"}))
    dc1.delete("dc2-peer")
    peering = dc1.read("dc2-peer")
    assert peering is not None
    assert (peering.meta, peering.peer_id, peering.peer_ca_pems, peering.peer_server_name) == (
        None, "", (), ""
    )


def test_deleting_dialer_drops_meta_and_peer_fields(lingering: Network, dc2: Cluster,
                                                    peered: Peer) -> None:
    peered(meta={"env": "prod"})
    dc2.delete("dc1-peer")
    peering = dc2.read("dc1-peer")
    assert peering is not None
    assert (peering.meta, peering.peer_id, peering.peer_ca_pems, peering.peer_server_name) == (
        None, "", (), ""
    )


def test_deleting_dialer_keeps_its_server_addresses(lingering: Network, dc1: Cluster,
                                                    dc2: Cluster, peered: Peer) -> None:
    peered()
    dc2.delete("dc1-peer")
    peering = dc2.read("dc1-peer")
    assert peering is not None
    assert peering.peer_server_addresses == tuple(dc1.server_addresses())


@pytest.mark.parametrize(
    ("side", "name", "remote"),
    [("dc1", "dc2-peer", RemoteInfo("", "dc2")), ("dc2", "dc1-peer", RemoteInfo("default", "dc1"))],
)
def test_deleting_peering_keeps_remote(lingering: Network, peered: Peer, side: str, name: str,
                                       remote: RemoteInfo) -> None:
    peered()
    lingering[side].delete(name)
    peering = lingering[side].read(name)
    assert peering is not None
    assert peering.remote == remote


def test_deleting_peering_has_no_stream_status(lingering: Network, dc1: Cluster,
                                               peered: Peer) -> None:
    peered()
    dc1.delete("dc2-peer")
    peering = dc1.read("dc2-peer")
    assert peering is not None
    assert peering.stream_status.to_api() == {
        "ImportedServices": None,
        "ExportedServices": None,
        "LastHeartbeat": None,
        "LastReceive": None,
        "LastSend": None,
    }


def test_delete_bumps_modify_index_and_keeps_create_index(lingering: Network, dc1: Cluster,
                                                          peered: Peer) -> None:
    peered()
    before = dc1.read("dc2-peer")
    dc1.delete("dc2-peer")
    after = dc1.read("dc2-peer")
    assert before is not None and after is not None
    assert (after.create_index, after.modify_index > before.modify_index) == (
        before.create_index, True
    )


def test_delete_keeps_the_id(lingering: Network, dc1: Cluster, peered: Peer) -> None:
    peered()
    before = dc1.read("dc2-peer")
    dc1.delete("dc2-peer")
    after = dc1.read("dc2-peer")
    assert before is not None and after is not None
    assert after.id == before.id


def test_delete_renames_to_the_name_as_given(lingering: Network, dc1: Cluster) -> None:
    # Consul rewrites the record with the name from the URL, so its case can change.
    dc1.generate_token("dc2-peer")
    dc1.delete("DC2-Peer")
    peering = dc1.read("dc2-peer")
    assert peering is not None
    assert peering.name == "DC2-Peer"


def test_deleting_peering_is_still_listed(lingering: Network, dc1: Cluster) -> None:
    dc1.generate_token("dc2-peer")
    dc1.delete("dc2-peer")
    assert [(p.name, p.state) for p in dc1.list()] == [("dc2-peer", PeeringState.DELETING)]


def test_deleted_peering_stays_until_the_deletion_delay(lingering: Network, clock: ManualClock,
                                                       dc1: Cluster) -> None:
    dc1.generate_token("dc2-peer")
    dc1.delete("dc2-peer")
    clock.advance(DELETION_DELAY - 0.001)
    assert dc1.read("dc2-peer") is not None


def test_deleted_peering_is_removed_after_the_deletion_delay(lingering: Network,
                                                             clock: ManualClock,
                                                             dc1: Cluster) -> None:
    dc1.generate_token("dc2-peer")
    dc1.delete("dc2-peer")
    clock.advance(DELETION_DELAY)
    assert dc1.read("dc2-peer") is None


def test_deleted_peering_is_removed_at_once_by_default(dc1: Cluster, peered: Peer) -> None:
    peered()
    dc1.delete("dc2-peer")
    assert dc1.read("dc2-peer") is None


def test_removal_raises_the_list_index(lingering: Network, clock: ManualClock,
                                       dc1: Cluster) -> None:
    dc1.generate_token("dc2-peer")
    dc1.delete("dc2-peer")
    _, marked = dc1.list_with_index()
    clock.advance(DELETION_DELAY)
    peerings, removed = dc1.list_with_index()
    assert (peerings, removed > marked) == ([], True)


# --- the peer that is told -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("deleter", "deleted", "told", "kept"),
    [("dc1", "dc2-peer", "dc2", "dc1-peer"), ("dc2", "dc1-peer", "dc1", "dc2-peer")],
    ids=["acceptor-deletes", "dialer-deletes"],
)
def test_connected_peer_is_terminated(network: Network, peered: Peer, deleter: str, deleted: str,
                                      told: str, kept: str) -> None:
    peered()
    network[deleter].delete(deleted)
    peering = network[told].read(kept)
    assert peering is not None
    assert (peering.state, peering.stored_state) == (
        PeeringState.TERMINATED, PeeringState.TERMINATED
    )


def test_terminated_peer_is_kept_long_after_removal(lingering: Network, clock: ManualClock,
                                                    dc2: Cluster, peered: Peer) -> None:
    peered()
    lingering["dc1"].delete("dc2-peer")
    clock.advance(DELETION_DELAY * 100)
    peering = dc2.read("dc1-peer")
    assert peering is not None
    assert peering.state is PeeringState.TERMINATED


def test_terminated_peer_has_no_deleted_at(dc1: Cluster, dc2: Cluster, peered: Peer) -> None:
    peered()
    dc1.delete("dc2-peer")
    peering = dc2.read("dc1-peer")
    assert peering is not None
    assert peering.deleted_at is None


def test_terminated_peer_keeps_its_meta(dc1: Cluster, dc2: Cluster, peered: Peer) -> None:
    peered(meta={"env": "prod"})
    dc1.delete("dc2-peer")
    peering = dc2.read("dc1-peer")
    assert peering is not None
    assert peering.meta == {"env": "prod"}


def test_terminated_peer_keeps_its_last_stream_status(clock: ManualClock, dc1: Cluster,
                                                      dc2: Cluster, peered: Peer) -> None:
    peered()
    connected = clock.now()
    clock.advance(15)
    dc1.delete("dc2-peer")
    peering = dc2.read("dc1-peer")
    assert peering is not None
    status = peering.stream_status
    assert (status.last_heartbeat, status.last_send) == (clock.now(), connected)


def test_termination_bumps_the_peers_modify_index(dc1: Cluster, dc2: Cluster,
                                                  peered: Peer) -> None:
    peered()
    before = dc2.read("dc1-peer")
    dc1.delete("dc2-peer")
    after = dc2.read("dc1-peer")
    assert before is not None and after is not None
    assert after.modify_index > before.modify_index


def test_terminated_peering_can_be_deleted(dc1: Cluster, dc2: Cluster, peered: Peer) -> None:
    peered()
    dc1.delete("dc2-peer")
    dc2.delete("dc1-peer")
    assert dc2.read("dc1-peer") is None


# --- reuse after delete --------------------------------------------------------------------------


def test_name_is_reusable_with_a_new_id(dc1: Cluster) -> None:
    dc1.generate_token("dc2-peer")
    old = dc1.read("dc2-peer")
    dc1.delete("dc2-peer")
    dc1.generate_token("dc2-peer")
    new = dc1.read("dc2-peer")
    assert old is not None and new is not None
    assert new.id != old.id


def test_name_is_reusable_with_a_new_create_index(dc1: Cluster) -> None:
    dc1.generate_token("dc2-peer")
    old = dc1.read("dc2-peer")
    dc1.delete("dc2-peer")
    dc1.generate_token("dc2-peer")
    new = dc1.read("dc2-peer")
    assert old is not None and new is not None
    assert new.create_index > old.modify_index


def test_terminated_dialer_reestablishes_with_a_new_token(network: Network, clock: ManualClock,
                                                          dc1: Cluster, dc2: Cluster,
                                                          peered: Peer) -> None:
    peered()
    dc1.delete("dc2-peer")
    network.timing.connect_delay = CONNECT_DELAY
    dc2.establish("dc1-peer", dc1.generate_token("dc2-peer"))
    establishing = dc2.read("dc1-peer")
    clock.advance(CONNECT_DELAY)
    active = dc2.read("dc1-peer")
    assert establishing is not None and active is not None
    assert (establishing.state, active.state) == (PeeringState.ESTABLISHING, PeeringState.ACTIVE)


def test_reestablished_dialer_keeps_its_id_and_dials_the_new_acceptor(dc1: Cluster, dc2: Cluster,
                                                                      peered: Peer) -> None:
    peered()
    old = dc2.read("dc1-peer")
    dc1.delete("dc2-peer")
    dc2.establish("dc1-peer", dc1.generate_token("dc2-peer"))
    new, acceptor = dc2.read("dc1-peer"), dc1.read("dc2-peer")
    assert old is not None and new is not None and acceptor is not None
    assert (new.id, new.peer_id, acceptor.state) == (old.id, acceptor.id, PeeringState.ACTIVE)


# --- no-ops --------------------------------------------------------------------------------------


def test_delete_of_a_missing_name_writes_nothing(dc1: Cluster) -> None:
    before = dc1.index
    dc1.delete("nobody")
    assert dc1.index == before


def test_second_delete_writes_nothing(lingering: Network, clock: ManualClock,
                                      dc1: Cluster) -> None:
    dc1.generate_token("dc2-peer")
    dc1.delete("dc2-peer")
    first = dc1.read("dc2-peer")
    clock.advance(1)
    dc1.delete("dc2-peer")
    second = dc1.read("dc2-peer")
    assert first is not None and second is not None
    assert (second.modify_index, second.deleted_at) == (first.modify_index, first.deleted_at)


def test_second_delete_does_not_postpone_removal(lingering: Network, clock: ManualClock,
                                                 dc1: Cluster) -> None:
    dc1.generate_token("dc2-peer")
    dc1.delete("dc2-peer")
    clock.advance(DELETION_DELAY / 2)
    dc1.delete("dc2-peer")
    clock.advance(DELETION_DELAY / 2)
    assert dc1.read("dc2-peer") is None


# --- delete while the stream is down: the peer is never told -------------------------------------


@pytest.fixture
def unconnected(network: Network, dc1: Cluster, dc2: Cluster) -> Network:
    """dc2 has established with dc1, but its stream has not opened yet."""
    network.timing.connect_delay = CONNECT_DELAY
    dc2.establish("dc1-peer", dc1.generate_token("dc2-peer"))
    return network


def test_unconnected_dialer_is_not_told_of_acceptor_delete(unconnected: Network,
                                                           dc1: Cluster, dc2: Cluster) -> None:
    dc1.delete("dc2-peer")
    peering = dc2.read("dc1-peer")
    assert peering is not None
    assert peering.state is PeeringState.ESTABLISHING


def test_unconnected_dialer_is_terminated_at_its_first_dial(unconnected: Network,
                                                            clock: ManualClock,
                                                            dc1: Cluster, dc2: Cluster) -> None:
    # peerstream StreamResources answers a dialer of a DELETING peering with Terminated; the
    # first dial comes before Consul's deferred deletion ends (spec §14 #14).
    dc1.delete("dc2-peer")
    clock.advance(CONNECT_DELAY)
    peering = dc2.read("dc1-peer")
    assert peering is not None
    assert (peering.state, peering.stored_state) == (PeeringState.TERMINATED,
                                                     PeeringState.TERMINATED)


def test_unconnected_acceptor_is_not_told_of_dialer_delete(unconnected: Network,
                                                           clock: ManualClock,
                                                           dc1: Cluster, dc2: Cluster) -> None:
    dc2.delete("dc1-peer")
    clock.advance(600)
    peering = dc1.read("dc2-peer")
    assert peering is not None
    assert (peering.state, peering.stored_state) == (PeeringState.PENDING, PeeringState.PENDING)
