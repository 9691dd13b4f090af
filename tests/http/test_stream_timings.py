"""StreamStatus and state over time, read through HTTP as Consul answers them (spec §14 #8-#11,
#14): the dialer's tracker entry, its send errors, the keepalive of a cut link, a deleted
acceptor, and establish's retries against an acceptor that cannot be reached."""

from __future__ import annotations

import json
from typing import Any

import pytest
from werkzeug.test import Client

from fakeconsul import ManualClock, Network

ZERO = "0001-01-01T00:00:00Z"


def status_of(client: Client, name: str) -> tuple[str, dict[str, Any]]:
    body = json.loads(client.get(f"/v1/peering/{name}").get_data())
    return body["State"], body["StreamStatus"]


def establish(client1: Client, client2: Client) -> None:
    token = json.loads(client1.post("/v1/peering/token",
                                    data=json.dumps({"PeerName": "dc2"})).get_data())
    answer = client2.post("/v1/peering/establish",
                          data=json.dumps({"PeerName": "dc1",
                                           "PeeringToken": token["PeeringToken"]}))
    assert answer.status_code == 200, answer.get_data()


@pytest.fixture
def slow_connect(network: Network) -> None:
    network.timing.connect_delay = 1.0


# --- ESTABLISHING: the stream is registered, nothing exchanged yet (§14 #8) -------------------


def test_establishing_dialer_shows_zero_times(client1: Client, client2: Client,
                                              slow_connect: None) -> None:
    establish(client1, client2)

    assert status_of(client2, "dc1") == ("ESTABLISHING", {
        "ImportedServices": None, "ExportedServices": None, "LastHeartbeat": None,
        "LastReceive": ZERO, "LastSend": ZERO,
    })


def test_pending_acceptor_of_an_establishing_dialer_shows_nulls(
    client1: Client, client2: Client, slow_connect: None
) -> None:
    establish(client1, client2)

    assert status_of(client1, "dc2") == ("PENDING", {
        "ImportedServices": None, "ExportedServices": None, "LastHeartbeat": None,
        "LastReceive": None, "LastSend": None,
    })


# --- FAILING: the dialer's retry loop tracks each error as a send error (§14 #9) -------------


def test_failing_dialer_last_send_is_the_failure(client1: Client, client2: Client,
                                                 clock: ManualClock, network: Network) -> None:
    establish(client1, client2)
    clock.advance(5)

    network.take_down("dc1")

    state, status = status_of(client2, "dc1")
    assert (state, status["LastSend"]) == ("FAILING", "2024-05-01T10:20:35Z")


def test_failing_dialer_last_send_moves_to_each_failed_redial(
    client1: Client, client2: Client, clock: ManualClock, network: Network
) -> None:
    establish(client1, client2)
    clock.advance(5)
    network.take_down("dc1")

    clock.advance(2)  # Consul's backoff after the first failure: 2 s, then 4 s
    first = status_of(client2, "dc1")[1]["LastSend"]
    clock.advance(4)
    second = status_of(client2, "dc1")[1]["LastSend"]

    assert (first, second) == ("2024-05-01T10:20:37Z", "2024-05-01T10:20:41Z")


# --- a cut link: the dialer's gRPC keepalive ends its stream first (§14 #10) -----------------


def test_cut_link_fails_the_dialer_at_its_keepalive(client1: Client, client2: Client,
                                                    clock: ManualClock,
                                                    network: Network) -> None:
    establish(client1, client2)
    network.disconnect("dc1", "dc2")

    clock.advance(40)  # 30 s to the keepalive ping, 10 s without its ACK

    state, status = status_of(client2, "dc1")
    assert (state, status["LastSend"]) == ("FAILING", "2024-05-01T10:21:10Z")


def test_cut_link_dialer_is_active_until_its_keepalive(client1: Client, client2: Client,
                                                       clock: ManualClock,
                                                       network: Network) -> None:
    establish(client1, client2)
    network.disconnect("dc1", "dc2")

    clock.advance(39.9)

    assert status_of(client2, "dc1")[0] == "ACTIVE"


def test_cut_link_acceptor_waits_for_its_heartbeat_timeout(client1: Client, client2: Client,
                                                           clock: ManualClock,
                                                           network: Network) -> None:
    establish(client1, client2)
    network.disconnect("dc1", "dc2")

    clock.advance(119)
    before = status_of(client1, "dc2")[0]
    clock.advance(1)

    assert (before, status_of(client1, "dc2")[0]) == ("ACTIVE", "FAILING")


# --- the acceptor deleted before the dialer's first stream opens (§14 #14) -------------------


def test_acceptor_deleted_before_the_stream_opens_terminates_the_dialer(
    client1: Client, client2: Client, clock: ManualClock, slow_connect: None
) -> None:
    establish(client1, client2)
    client1.delete("/v1/peering/dc2")

    clock.advance(1)

    assert status_of(client2, "dc1") == ("TERMINATED", {
        "ImportedServices": None, "ExportedServices": None, "LastHeartbeat": None,
        "LastReceive": ZERO, "LastSend": ZERO,
    })


def test_acceptor_deleting_when_the_stream_opens_terminates_the_dialer(
    client1: Client, client2: Client, clock: ManualClock, network: Network,
    slow_connect: None
) -> None:
    network.timing.deletion_delay = 5.0  # still DELETING at the dial
    establish(client1, client2)
    client1.delete("/v1/peering/dc2")

    clock.advance(1)

    assert status_of(client2, "dc1")[0] == "TERMINATED"


# --- establish against an unreachable acceptor retries (§14 #11) -----------------------------

REFUSED = ('failed to exchange peering secret through address "{0}": rpc error: code = '
           'Unavailable desc = connection error: desc = "transport: Error while dialing: dial '
           'tcp {0}: connect: connection refused"')


def unreachable_establish(client1: Client, client2: Client, network: Network) -> tuple[int, str]:
    token = json.loads(client1.post("/v1/peering/token",
                                    data=json.dumps({"PeerName": "dc2"})).get_data())
    network.disconnect("dc1", "dc2")
    answer = client2.post("/v1/peering/establish",
                          data=json.dumps({"PeerName": "dc1",
                                           "PeeringToken": token["PeeringToken"]}))
    return answer.status_code, answer.get_data(as_text=True)


@pytest.fixture
def waits(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """The real-time waits the HTTP layer makes before answering (recorded, not slept)."""
    waited: list[float] = []
    monkeypatch.setattr("fakeconsul.http.peering.sleep", waited.append)
    return waited


def test_unreachable_acceptor_is_tried_every_150_ms_over_the_window(
    client1: Client, client2: Client, network: Network, dc1: Any, waits: list[float]
) -> None:
    network.timing.establish_retry_window = 3.0  # Consul's establishmentTimeout
    line = "* " + REFUSED.format(dc1.server_addresses()[0])

    status, text = unreachable_establish(client1, client2, network)

    assert (status, text) == (500, "20 errors occurred:\n\t" + "\n\t".join([line] * 20) + "\n\n")


def test_the_answer_comes_once_the_retry_window_is_over(
    client1: Client, client2: Client, network: Network, waits: list[float]
) -> None:
    network.timing.establish_retry_window = 3.0

    unreachable_establish(client1, client2, network)

    assert len(waits) == 1 and 2.5 < waits[0] <= 3.0


def test_unreachable_acceptor_without_a_window_is_tried_once(
    client1: Client, client2: Client, network: Network, dc1: Any
) -> None:
    status, text = unreachable_establish(client1, client2, network)

    assert (status, text) == (
        500, "1 error occurred:\n\t* " + REFUSED.format(dc1.server_addresses()[0]) + "\n\n")
