"""Faults real Consul makes hard to provoke, on a clock the test moves."""

from __future__ import annotations

import urllib.error
import urllib.request

import pytest

from fakeconsul import PeeringState
from fakeconsul.testing import ServedCluster, ServedPair


def state(cluster: ServedCluster, name: str) -> PeeringState:
    peering = cluster.read(name)
    assert peering is not None
    return peering.state


def test_a_cut_link_fails_and_heals(fake_consul_pair: ServedPair) -> None:
    dc1, dc2 = fake_consul_pair
    fake_consul_pair.peer()
    network = fake_consul_pair.network

    network.disconnect(dc1, dc2)
    network.clock.advance(40)  # the dialer's gRPC keepalive: a 30 s ping, 10 s without an ACK
    assert state(dc2, "dc1") is PeeringState.FAILING
    network.clock.advance(80)  # the acceptor's heartbeat timeout, 120 s after the cut
    assert state(dc1, "dc2") is PeeringState.FAILING

    network.reconnect(dc1, dc2)
    # The dialer redials 2, 4, 8, 16, 32, then 64 s after each failure: 166 s after the cut.
    network.clock.advance(46)
    assert state(dc1, "dc2") is PeeringState.ACTIVE


def test_a_cluster_goes_down(fake_consul_pair: ServedPair) -> None:
    dc1, dc2 = fake_consul_pair
    fake_consul_pair.peer()

    dc1.take_down()
    with pytest.raises(urllib.error.URLError):  # connection refused
        urllib.request.urlopen(f"{dc1.url}/v1/peerings", timeout=5)
    assert state(dc2, "dc1") is PeeringState.FAILING

    dc1.bring_up()
    fake_consul_pair.network.clock.advance(2)
    assert state(dc2, "dc1") is PeeringState.ACTIVE
