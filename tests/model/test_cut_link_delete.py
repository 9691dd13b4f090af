"""Deleting across a cut link, and cutting a link again after it healed (found by the state
machine in tests/properties): the peer only learns what can reach it (spec §5.3)."""

from __future__ import annotations

from collections.abc import Callable

from fakeconsul import Cluster, ManualClock, Network, PeeringState

Peer = Callable[..., None]  # tests/conftest.py's ``peered``


def cut_after(network: Network, clock: ManualClock, peered: Peer, seconds: float) -> None:
    peered()
    clock.advance(seconds)
    network.disconnect("dc1", "dc2")


def test_acceptor_deleted_over_a_cut_link_leaves_the_dialer_active(
    network: Network, clock: ManualClock, dc1: Cluster, dc2: Cluster, peered: Peer
) -> None:
    cut_after(network, clock, peered, 20)

    dc1.delete("dc2-peer")

    shown = dc2.read("dc1-peer")
    assert shown is not None and shown.state is PeeringState.ACTIVE


def test_dialer_deleted_over_a_cut_link_fails_the_acceptor_at_the_timeout(
    network: Network, clock: ManualClock, dc1: Cluster, dc2: Cluster, peered: Peer
) -> None:
    cut_after(network, clock, peered, 20)  # last heartbeat at 15 s: the timeout runs out at 135 s
    dc2.delete("dc1-peer")

    clock.advance(115)

    shown = dc1.read("dc2-peer")
    assert shown is not None
    assert (shown.state, shown.stored_state) == (PeeringState.FAILING, PeeringState.PENDING)


def test_termination_held_up_by_a_cut_arrives_when_it_heals(
    network: Network, clock: ManualClock, dc1: Cluster, dc2: Cluster, peered: Peer
) -> None:
    cut_after(network, clock, peered, 20)
    dc1.delete("dc2-peer")
    clock.advance(30)

    network.reconnect("dc1", "dc2")

    shown = dc2.read("dc1-peer")
    assert shown is not None and shown.state is PeeringState.TERMINATED


def test_a_healed_stream_gets_a_full_heartbeat_timeout_after_a_new_cut(
    network: Network, clock: ManualClock, dc1: Cluster, peered: Peer
) -> None:
    cut_after(network, clock, peered, 20)
    clock.advance(200)  # FAILING
    network.reconnect("dc1", "dc2")
    clock.advance(64)  # the redial backoff has run: ACTIVE on a new connection

    network.disconnect("dc1", "dc2")
    clock.advance(100)

    # The acceptor's end (the dialer's keepalive gives up sooner, at 40 s).
    shown = dc1.read("dc2-peer")
    assert shown is not None and shown.state is PeeringState.ACTIVE
