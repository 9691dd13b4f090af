"""Re-establishing a connected dialer with a token for another acceptor peering.

leader_peering.go syncPeeringsAndBlock leaves a peering whose stream is connected alone
("Updated data will only be used if the stream becomes disconnected"): the open stream carries
on to the acceptor peering it was opened to, and the new one stays PENDING until that stream
ends and the dialer redials from the stored record.
"""

from __future__ import annotations

import contextlib
from datetime import datetime, timezone

from fakeconsul import ConsulError, ManualClock, Network, PeeringState, Timing


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


def test_a_failed_re_establish_before_the_first_dial_still_hears_the_acceptor_deleted() -> None:
    # The stream was opened for dc1's peering; Consul's first dial is under way milliseconds
    # after establish (connect_delay only stretches them), so when that acceptor is deleted the
    # stream is told Terminated, although a re-establish whose exchange failed has stored
    # another PeerID meanwhile.
    net = Network(clock=ManualClock(datetime(2030, 1, 1, tzinfo=timezone.utc)),
                  timing=Timing(connect_delay=2))
    dc1, dc2, dc3 = net.add_cluster("dc1"), net.add_cluster("dc2"), net.add_cluster("dc3")
    dc2.establish("dc1", dc1.generate_token("dc2"))
    gone = dc3.generate_token("gone")
    dc3.delete("gone")
    with contextlib.suppress(ConsulError):
        dc2.establish("dc1", gone)
    dc1.delete("dc2")

    net.clock.advance(2)

    peering = dc2.read("dc1")
    assert peering is not None and peering.stored_state is PeeringState.TERMINATED
