"""Re-establishing a connected dialer with a token for another acceptor peering.

leader_peering.go syncPeeringsAndBlock leaves a peering whose stream is connected alone
("Updated data will only be used if the stream becomes disconnected"): the open stream carries
on to the acceptor peering it was opened to, and the new one stays PENDING until that stream
ends and the dialer redials from the stored record.
"""

from __future__ import annotations

from datetime import datetime, timezone

from fakeconsul import ManualClock, Network, PeeringState


def _pair() -> Network:
    net = Network(clock=ManualClock(datetime(2030, 1, 1, tzinfo=timezone.utc)))
    net.add_cluster("dc1")
    net.add_cluster("dc2")
    return net


def test_the_open_stream_carries_on_and_the_new_acceptor_stays_pending() -> None:
    net = _pair()
    dc1, dc2 = net["dc1"], net["dc2"]
    dc2.establish("dc1", dc1.generate_token("dc2"))

    dc2.establish("dc1", dc1.generate_token("other"))

    states = [p.state for p in (dc1.read("dc2"), dc1.read("other"), dc2.read("dc1")) if p]
    assert states == [PeeringState.ACTIVE, PeeringState.PENDING, PeeringState.ACTIVE]


def test_after_the_stream_fails_the_redial_reaches_the_new_acceptor() -> None:
    net = _pair()
    dc1, dc2 = net["dc1"], net["dc2"]
    dc2.establish("dc1", dc1.generate_token("dc2"))
    dc2.establish("dc1", dc1.generate_token("other"))
    net.disconnect(dc1, dc2)
    net.clock.advance(net.timing.heartbeat_timeout)
    net.reconnect(dc1, dc2)

    net.clock.advance(64)  # past the longest reconnect backoff

    other = dc1.read("other")
    assert other is not None and other.state is PeeringState.ACTIVE
