"""Acceptor and dialer lifecycles (spec §5.2, §5.3) and the StreamStatus rules (spec §3)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from fakeconsul import Cluster, ManualClock, Network, PeeringState, RemoteInfo
from fakeconsul.model.tracker import ZERO_TIME, StreamEntry

CONNECT_DELAY = 5.0


@pytest.fixture
def slow(network: Network) -> Network:
    """A network whose streams open CONNECT_DELAY seconds after establish, so ESTABLISHING shows."""
    network.timing.connect_delay = CONNECT_DELAY
    return network


def _establish(dc1: Cluster, dc2: Cluster) -> None:
    dc2.establish("dc1-peer", dc1.generate_token("dc2-peer"))


# --- acceptor ----------------------------------------------------------------------------------


def test_generated_acceptor_is_pending(dc1: Cluster) -> None:
    dc1.generate_token("dc2-peer")
    peering = dc1.read("dc2-peer")
    assert peering is not None
    assert peering.state is PeeringState.PENDING


def test_generated_acceptor_has_no_stream_status(dc1: Cluster) -> None:
    dc1.generate_token("dc2-peer")
    peering = dc1.read("dc2-peer")
    assert peering is not None
    assert peering.stream_status.to_api() == {
        "ImportedServices": None,
        "ExportedServices": None,
        "LastHeartbeat": None,
        "LastReceive": None,
        "LastSend": None,
    }


def test_generated_acceptor_has_an_empty_remote(dc1: Cluster) -> None:
    dc1.generate_token("dc2-peer")
    peering = dc1.read("dc2-peer")
    assert peering is not None
    assert peering.remote.to_api() == {"Partition": "", "Datacenter": ""}


def test_acceptor_stays_pending_until_the_stream_opens(slow: Network, dc1: Cluster,
                                                       dc2: Cluster) -> None:
    _establish(dc1, dc2)
    peering = dc1.read("dc2-peer")
    assert peering is not None
    assert peering.state is PeeringState.PENDING
    assert peering.remote == RemoteInfo()


def test_acceptor_reads_active_once_the_stream_opens(slow: Network, clock: ManualClock,
                                                     dc1: Cluster, dc2: Cluster) -> None:
    _establish(dc1, dc2)
    clock.advance(CONNECT_DELAY)
    peering = dc1.read("dc2-peer")
    assert peering is not None
    assert peering.state is PeeringState.ACTIVE


def test_active_acceptor_is_stored_pending(dc1: Cluster, dc2: Cluster) -> None:
    _establish(dc1, dc2)
    peering = dc1.read("dc2-peer")
    assert peering is not None
    assert (peering.state, peering.stored_state) == (PeeringState.ACTIVE, PeeringState.PENDING)


def test_acceptor_learns_the_dialers_datacenter(dc1: Cluster, dc2: Cluster) -> None:
    _establish(dc1, dc2)
    peering = dc1.read("dc2-peer")
    assert peering is not None
    # The dialer sends its stored partition, empty in CE.
    assert peering.remote.to_api() == {"Partition": "", "Datacenter": "dc2"}


def test_acceptor_receives_the_dialers_ca(dc1: Cluster, dc2: Cluster) -> None:
    _establish(dc1, dc2)
    peering = dc1.read("dc2-peer")
    assert peering is not None
    assert peering.peer_ca_pems == (dc2.ca_pem,)


def test_acceptor_never_gets_dialer_fields(dc1: Cluster, dc2: Cluster) -> None:
    _establish(dc1, dc2)
    peering = dc1.read("dc2-peer")
    assert peering is not None
    assert (peering.peer_id, peering.peer_server_name, peering.peer_server_addresses) == (
        "", "", ()
    )


def test_stream_open_is_a_stored_write_on_the_acceptor(slow: Network, clock: ManualClock,
                                                       dc1: Cluster, dc2: Cluster) -> None:
    _establish(dc1, dc2)
    before = dc1.read("dc2-peer")
    clock.advance(CONNECT_DELAY)
    after = dc1.read("dc2-peer")
    assert before is not None and after is not None
    assert after.modify_index > before.modify_index


# --- dialer ------------------------------------------------------------------------------------


def test_dialer_reads_establishing_right_after_establish(slow: Network, dc1: Cluster,
                                                         dc2: Cluster) -> None:
    _establish(dc1, dc2)
    peering = dc2.read("dc1-peer")
    assert peering is not None
    assert peering.state is PeeringState.ESTABLISHING


def test_dialer_reads_active_after_the_connect_delay(slow: Network, clock: ManualClock,
                                                     dc1: Cluster, dc2: Cluster) -> None:
    _establish(dc1, dc2)
    clock.advance(CONNECT_DELAY)
    peering = dc2.read("dc1-peer")
    assert peering is not None
    assert peering.state is PeeringState.ACTIVE


def test_dialer_is_not_active_before_the_connect_delay(slow: Network, clock: ManualClock,
                                                       dc1: Cluster, dc2: Cluster) -> None:
    _establish(dc1, dc2)
    clock.advance(CONNECT_DELAY - 0.001)
    peering = dc2.read("dc1-peer")
    assert peering is not None
    assert peering.state is PeeringState.ESTABLISHING


def test_both_sides_active_at_once_with_default_timing(dc1: Cluster, dc2: Cluster) -> None:
    _establish(dc1, dc2)
    acceptor, dialer = dc1.read("dc2-peer"), dc2.read("dc1-peer")
    assert acceptor is not None and dialer is not None
    assert (acceptor.state, dialer.state) == (PeeringState.ACTIVE, PeeringState.ACTIVE)


def test_active_dialer_is_stored_establishing(dc1: Cluster, dc2: Cluster) -> None:
    _establish(dc1, dc2)
    peering = dc2.read("dc1-peer")
    assert peering is not None
    assert peering.stored_state is PeeringState.ESTABLISHING


def test_dialer_remote_comes_from_the_token(slow: Network, dc1: Cluster, dc2: Cluster) -> None:
    _establish(dc1, dc2)
    peering = dc2.read("dc1-peer")
    assert peering is not None
    assert peering.remote.to_api() == {"Partition": "default", "Datacenter": "dc1"}


def test_dialer_records_the_acceptors_identity(dc1: Cluster, dc2: Cluster) -> None:
    _establish(dc1, dc2)
    acceptor, dialer = dc1.read("dc2-peer"), dc2.read("dc1-peer")
    assert acceptor is not None and dialer is not None
    assert (dialer.peer_id, dialer.peer_server_name, dialer.peer_server_addresses) == (
        acceptor.id, dc1.server_name, tuple(dc1.server_addresses())
    )


def test_dialer_has_its_own_id(dc1: Cluster, dc2: Cluster) -> None:
    _establish(dc1, dc2)
    acceptor, dialer = dc1.read("dc2-peer"), dc2.read("dc1-peer")
    assert acceptor is not None and dialer is not None
    assert dialer.id != acceptor.id


def test_dialer_holds_the_acceptors_ca(dc1: Cluster, dc2: Cluster) -> None:
    _establish(dc1, dc2)
    peering = dc2.read("dc1-peer")
    assert peering is not None
    assert peering.peer_ca_pems == (dc1.ca_pem,)


def test_dialer_keeps_the_establish_meta(dc1: Cluster, dc2: Cluster) -> None:
    dc2.establish("dc1-peer", dc1.generate_token("dc2-peer"), meta={"env": "prod"})
    peering = dc2.read("dc1-peer")
    assert peering is not None
    assert peering.meta == {"env": "prod"}


def test_ca_pems_end_with_a_newline(dc1: Cluster, dc2: Cluster) -> None:
    _establish(dc1, dc2)
    acceptor, dialer = dc1.read("dc2-peer"), dc2.read("dc1-peer")
    assert acceptor is not None and dialer is not None
    assert all(pem.endswith("-----END CERTIFICATE-----\n")
               for pem in acceptor.peer_ca_pems + dialer.peer_ca_pems)


# --- the overlay and the index -------------------------------------------------------------------


def test_reading_an_active_peering_does_not_write(dc1: Cluster, dc2: Cluster) -> None:
    _establish(dc1, dc2)
    before = dc1.index, dc2.index
    dc1.read("dc2-peer")
    dc2.read("dc1-peer")
    assert (dc1.index, dc2.index) == before


def test_heartbeats_do_not_move_modify_index(clock: ManualClock, dc1: Cluster,
                                             dc2: Cluster) -> None:
    _establish(dc1, dc2)
    before = dc2.read("dc1-peer")
    clock.advance(60)
    after = dc2.read("dc1-peer")
    assert before is not None and after is not None
    assert (after.state, after.modify_index) == (PeeringState.ACTIVE, before.modify_index)


def test_active_overlay_shows_the_stored_modify_index(dc1: Cluster, dc2: Cluster) -> None:
    _establish(dc1, dc2)
    peering = dc1.read("dc2-peer")
    stored = dc1.store.peering_by_name("dc2-peer")
    assert peering is not None and stored is not None
    assert peering.modify_index == stored.modify_index


# --- StreamStatus times --------------------------------------------------------------------------


def test_dialer_shows_zero_times_before_connect(slow: Network, dc1: Cluster,
                                               dc2: Cluster) -> None:
    # leader_peering.go establishStream registers the tracker entry before the first dial.
    _establish(dc1, dc2)
    peering = dc2.read("dc1-peer")
    assert peering is not None
    status = peering.stream_status
    assert (status.last_heartbeat, status.last_receive, status.last_send) == (
        None, ZERO_TIME, ZERO_TIME)


def test_last_heartbeat_is_null_before_the_first_interval(clock: ManualClock, dc1: Cluster,
                                                          dc2: Cluster) -> None:
    _establish(dc1, dc2)
    clock.advance(14.999)
    peering = dc2.read("dc1-peer")
    assert peering is not None
    assert peering.stream_status.last_heartbeat is None


@pytest.mark.parametrize("side", ["acceptor", "dialer"])
def test_last_heartbeat_is_set_after_the_first_interval(clock: ManualClock, dc1: Cluster,
                                                        dc2: Cluster, side: str) -> None:
    _establish(dc1, dc2)
    connected = clock.now()
    clock.advance(15)
    peering = dc1.read("dc2-peer") if side == "acceptor" else dc2.read("dc1-peer")
    assert peering is not None
    assert peering.stream_status.last_heartbeat == connected + timedelta(seconds=15)


def test_last_heartbeat_is_the_latest_tick_after_a_long_jump(clock: ManualClock, dc1: Cluster,
                                                             dc2: Cluster) -> None:
    _establish(dc1, dc2)
    connected = clock.now()
    clock.advance(100)
    peering = dc2.read("dc1-peer")
    assert peering is not None
    assert peering.stream_status.last_heartbeat == connected + timedelta(seconds=90)


def test_last_heartbeat_follows_the_configured_interval(network: Network, clock: ManualClock,
                                                        dc1: Cluster, dc2: Cluster) -> None:
    network.timing.heartbeat_interval = 2
    _establish(dc1, dc2)
    connected = clock.now()
    clock.advance(2)
    peering = dc2.read("dc1-peer")
    assert peering is not None
    assert peering.stream_status.last_heartbeat == connected + timedelta(seconds=2)


@pytest.mark.parametrize("side", ["acceptor", "dialer"])
def test_last_send_and_receive_are_the_connect_time(slow: Network, clock: ManualClock,
                                                    dc1: Cluster, dc2: Cluster,
                                                    side: str) -> None:
    _establish(dc1, dc2)
    clock.advance(CONNECT_DELAY)
    connected = clock.now()
    clock.advance(1)
    peering = dc1.read("dc2-peer") if side == "acceptor" else dc2.read("dc1-peer")
    assert peering is not None
    status = peering.stream_status
    assert (status.last_receive, status.last_send) == (connected, connected)


def test_a_heartbeat_moves_last_receive(clock: ManualClock, dc1: Cluster, dc2: Cluster) -> None:
    _establish(dc1, dc2)
    clock.advance(15)
    peering = dc2.read("dc1-peer")
    assert peering is not None
    assert peering.stream_status.last_receive == clock.now()


def test_a_heartbeat_does_not_move_last_send(clock: ManualClock, dc1: Cluster,
                                             dc2: Cluster) -> None:
    # Consul tracks send successes only for responses (resources), not heartbeats.
    _establish(dc1, dc2)
    connected = clock.now()
    clock.advance(15)
    peering = dc2.read("dc1-peer")
    assert peering is not None
    assert peering.stream_status.last_send == connected


def test_empty_service_lists_are_null_once_connected(dc1: Cluster, dc2: Cluster) -> None:
    # agent/rpc/peering/service.go reconcilePeering copies the tracker's lists into a
    # protobuf; after the agent-to-server gRPC hop an empty one is nil, so JSON null.
    _establish(dc1, dc2)
    peering = dc2.read("dc1-peer")
    assert peering is not None
    api = peering.stream_status.to_api()
    assert (api["ImportedServices"], api["ExportedServices"]) == (None, None)


def test_stream_times_are_go_rfc3339_text(clock: ManualClock, dc1: Cluster,
                                          dc2: Cluster) -> None:
    clock.advance(0.25)
    _establish(dc1, dc2)
    peering = dc2.read("dc1-peer")
    assert peering is not None
    assert peering.stream_status.to_api()["LastSend"] == "2024-05-01T10:20:30.25Z"


def test_tracker_entry_with_nothing_sent_shows_go_zero_time() -> None:
    # Not reachable through a cluster (connecting always exchanges resources at once), so the
    # rule is checked on the tracker entry that StreamStatus is read from.
    api = StreamEntry(connected=True).status().to_api()
    assert (api["LastReceive"], api["LastSend"], api["LastHeartbeat"]) == (
        "0001-01-01T00:00:00Z", "0001-01-01T00:00:00Z", None
    )
