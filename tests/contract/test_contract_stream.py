"""StreamStatus stories (spec §14 #8-#11, #14) for every target: what a dialer shows before its
stream opens, when its acceptor goes away first, and what establish answers when the acceptor
cannot be reached. ``a`` accepts, ``b`` dials."""

from __future__ import annotations

from contract_api import Target
from test_contract_peering import becomes

ZERO = "0001-01-01T00:00:00Z"


def test_an_establishing_dialer_shows_zero_times(target: Target) -> None:
    # leader_peering.go establishStream registers the tracker entry before the first dial, and
    # reconcilePeering's "latest of" gives zero times for an entry where nothing happened.
    # Real Consul usually connects before the read; then there is nothing to compare.
    dialed = target.unique("to-a")
    target.b.establish(dialed, target.a.generate_token(target.unique("to-b")))

    peering = target.b.read(dialed)

    assert peering is not None
    if peering["State"] == "ESTABLISHING":
        status = peering["StreamStatus"]
        assert (status["LastReceive"], status["LastSend"], status["LastHeartbeat"]) == (
            ZERO, ZERO, None)
    else:
        assert peering["State"] == "ACTIVE"
    target.eventually(becomes(target.b, dialed, "ACTIVE"))


def test_an_acceptor_deleted_right_after_establish_terminates_the_dialer(target: Target) -> None:
    # Whether the dialer's stream opened before the delete or opens while the acceptor's
    # peering is DELETING, the acceptor tells it Terminated (peerstream StreamResources).
    accepted, dialed = target.unique("to-b"), target.unique("to-a")
    target.b.establish(dialed, target.a.generate_token(accepted))

    target.a.delete(accepted)

    terminated = target.eventually(becomes(target.b, dialed, "TERMINATED"))
    assert "DeletedAt" not in terminated
