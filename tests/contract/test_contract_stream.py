"""StreamStatus stories (spec §14 #8-#11, #14) for every target: what a dialer shows before its
stream opens, when its acceptor goes away first, and what establish answers when the acceptor
cannot be reached. ``a`` accepts, ``b`` dials."""

from __future__ import annotations

import base64
import json

import pytest
from contract_api import ApiError, Target
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


NOWHERE = "127.0.0.1:1"  # nothing listens on port 1 of the server's own loopback


def test_establish_against_an_unreachable_acceptor_lists_each_attempt(target: Target) -> None:
    # rpc/peering/service.go retryExchange: every attempt within establishmentTimeout (3 s,
    # 150 ms apart with jitter, so real Consul's count varies) is one line of a go-multierror.
    token = json.loads(base64.b64decode(target.a.generate_token(target.unique("to-b"))))
    token["ServerAddresses"] = [NOWHERE]
    forged = base64.b64encode(json.dumps(token).encode()).decode()

    with pytest.raises(ApiError) as refused:
        target.b.establish(target.unique("to-a"), forged)

    head, _, rest = refused.value.text.partition("\n\t")
    lines = rest.removesuffix("\n\n").split("\n\t")
    count = len(lines)
    assert (refused.value.status, head) == (
        500, "1 error occurred:" if count == 1 else f"{count} errors occurred:")
    assert set(lines) == {
        f'* failed to exchange peering secret through address "{NOWHERE}": rpc error: code = '
        'Unavailable desc = connection error: desc = "transport: Error while dialing: dial tcp '
        f'{NOWHERE}: connect: connection refused"'}
