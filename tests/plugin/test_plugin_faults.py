"""Faults on the fixtures' network: cut links and clusters that go down, on the model clock.

After a stream fails, Consul's dialer redials with backoff: 2, 4, 8, 16, 32, then 64 s capped.
Mending a link does not hurry it: the stream comes back at the dialer's next redial.
"""

from __future__ import annotations

import pytest
from plugin_http import call

from fakeconsul import PeeringState
from fakeconsul.testing import ServedCluster, ServedPair

TIMEOUT = 120  # Consul's incoming heartbeat timeout, the default Timing
KEEPALIVE = 40  # the dialer's gRPC keepalive (30 s ping, 10 s timeout), the default Timing


def _states(dc1: ServedCluster, dc2: ServedCluster) -> tuple[PeeringState, PeeringState]:
    accepted, dialed = dc1.read("dc2"), dc2.read("dc1")
    assert accepted is not None and dialed is not None
    return accepted.state, dialed.state


FAILING = (PeeringState.FAILING, PeeringState.FAILING)
ACTIVE = (PeeringState.ACTIVE, PeeringState.ACTIVE)


@pytest.fixture
def peered(fake_consul_pair: ServedPair) -> ServedPair:
    fake_consul_pair.peer()
    return fake_consul_pair


def test_a_cut_link_stays_active_until_the_dialers_keepalive(peered: ServedPair) -> None:
    dc1, dc2 = peered
    peered.network.disconnect(dc1, dc2)
    peered.network.clock.advance(KEEPALIVE - 1)
    assert _states(dc1, dc2) == ACTIVE


def test_a_cut_link_fails_the_dialer_at_its_keepalive(peered: ServedPair) -> None:
    dc1, dc2 = peered
    peered.network.disconnect(dc1, dc2)
    peered.network.clock.advance(KEEPALIVE)
    assert _states(dc1, dc2) == (PeeringState.ACTIVE, PeeringState.FAILING)


def test_a_cut_link_fails_both_sides_after_the_heartbeat_timeout(peered: ServedPair) -> None:
    dc1, dc2 = peered
    peered.network.disconnect(dc1, dc2)
    peered.network.clock.advance(TIMEOUT)
    assert _states(dc1, dc2) == FAILING


def test_a_cut_link_stops_heartbeats(peered: ServedPair) -> None:
    dc1, dc2 = peered
    peered.network.clock.advance(15)  # Consul's heartbeat interval: one heartbeat each way

    def last_heartbeats() -> list[object]:
        return [p.stream_status.last_heartbeat for p in dc1.list() + dc2.list()]

    before = last_heartbeats()
    peered.network.disconnect(dc1, dc2)
    peered.network.clock.advance(60)
    assert (None not in before, last_heartbeats()) == (True, before)


def test_a_failing_side_shows_failing_over_http(peered: ServedPair) -> None:
    dc1, dc2 = peered
    peered.network.disconnect("dc1", "dc2")  # names work as well as clusters
    peered.network.clock.advance(TIMEOUT)
    assert call("GET", dc1.url + "/v1/peering/dc2").json()["State"] == "FAILING"


def test_a_link_mended_before_the_timeout_never_fails(peered: ServedPair) -> None:
    dc1, dc2 = peered
    peered.network.disconnect(dc1, dc2)
    peered.network.clock.advance(TIMEOUT - 1)
    peered.network.reconnect(dc1, dc2)
    peered.network.clock.advance(TIMEOUT)
    assert _states(dc1, dc2) == ACTIVE


# (seconds of outage after the stream failed, seconds from reconnect to the next redial):
# redials fall at +2, +6, +14, +30, +62, then every 64 s (+126, +190, ...).
BACKOFF = [(0, 2), (3, 3), (20, 10), (61, 1), (130, 60)]


# A keepalive as long as the heartbeat timeout: both sides fail together, the backoff counts
# from there.
@pytest.mark.fakeconsul(keepalive_timeout=TIMEOUT)
@pytest.mark.parametrize(("outage", "until_back"), BACKOFF)
def test_a_mended_link_comes_back_at_the_next_backoff_redial(
    peered: ServedPair, outage: float, until_back: float
) -> None:
    dc1, dc2 = peered
    peered.network.disconnect(dc1, dc2)
    peered.network.clock.advance(TIMEOUT + outage)
    peered.network.reconnect(dc1, dc2)
    peered.network.clock.advance(until_back - 0.5)
    assert _states(dc1, dc2) == FAILING
    peered.network.clock.advance(0.5)
    assert _states(dc1, dc2) == ACTIVE


def test_a_cluster_taken_down_refuses_connections(peered: ServedPair) -> None:
    dc1, _ = peered
    dc1.take_down()
    with pytest.raises(ConnectionRefusedError):
        call("GET", dc1.url + "/v1/peerings")


def test_a_cluster_taken_down_fails_its_peer_s_side(peered: ServedPair) -> None:
    dc1, dc2 = peered
    peered.network.take_down(dc1)
    peering = dc2.read("dc1")
    assert peering is not None and peering.state is PeeringState.FAILING


def test_a_cluster_brought_up_answers_on_its_port_again(peered: ServedPair) -> None:
    dc1, _ = peered
    dc1.take_down()
    dc1.bring_up()
    assert call("GET", dc1.url + "/v1/peering/dc2").status == 200


def test_a_dialer_brought_up_redials_at_once(peered: ServedPair) -> None:
    dc1, dc2 = peered
    dc2.take_down()
    dc2.bring_up()
    assert _states(dc1, dc2) == ACTIVE


def test_an_acceptor_brought_up_is_redialed_at_the_dialer_s_next_backoff(
    peered: ServedPair,
) -> None:
    dc1, dc2 = peered
    dc1.take_down()
    dc1.bring_up()
    # The acceptor's stream tracker died with it: it shows its stored state until redialed.
    assert _states(dc1, dc2) == (PeeringState.PENDING, PeeringState.FAILING)
    peered.network.clock.advance(2)
    assert _states(dc1, dc2) == ACTIVE
