"""A peering's repr: short enough for an assertion message, without the CA certificates."""

from __future__ import annotations

from collections.abc import Callable

from fakeconsul import Cluster, Network

Peer = Callable[..., None]


def test_an_active_acceptor_s_repr(dc1: Cluster, peered: Peer) -> None:
    peered()
    accepted = dc1.read("dc2-peer")
    assert accepted is not None

    assert repr(accepted) == (
        f"<Peering 'dc2-peer' ACTIVE (stored PENDING) acceptor remote=dc2 id={accepted.id[:8]} "
        f"index={accepted.create_index}/{accepted.modify_index} ca_pems=1>"
    )


def test_a_shown_state_that_is_not_stored_names_the_stored_one(
    network: Network, dc1: Cluster, dc2: Cluster, peered: Peer
) -> None:
    peered()
    network.timing.update(heartbeat_timeout=1)
    network.disconnect(dc1, dc2)
    network.clock.advance(60)
    dialed = dc2.read("dc1-peer")
    assert dialed is not None

    assert repr(dialed) == (
        f"<Peering 'dc1-peer' FAILING (stored ESTABLISHING) dialer remote=dc1 id={dialed.id[:8]} "
        f"index={dialed.create_index}/{dialed.modify_index} ca_pems=1>"
    )
