"""Two ``fakeconsul serve`` processes peer with each other at the addresses tokens name."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from processes import Process, call, ok, peer, running_pair, serve, state, until

FAST = ("--heartbeat-interval", "0.2", "--heartbeat-timeout", "1")


@pytest.fixture(scope="module")
def pair() -> Iterator[tuple[Process, Process]]:
    yield from running_pair(lambda name: serve(name, *FAST))


def test_both_sides_become_active(pair: tuple[Process, Process]) -> None:
    dc1, dc2 = pair
    peer(dc1, dc2, "p-active")
    both = until(lambda: state(dc1.url, "p-active") == state(dc2.url, "p-active") == "ACTIVE")
    assert both


def test_the_dialer_learns_the_acceptors_server_addresses(pair: tuple[Process, Process]) -> None:
    dc1, dc2 = pair
    peer(dc1, dc2, "p-addresses")
    until(lambda: state(dc2.url, "p-addresses") == "ACTIVE")
    assert ok(dc2.url, "GET", "/v1/peering/p-addresses")["PeerServerAddresses"] == [dc1.address]


def test_a_dialer_read_again_and_again_shows_each_new_heartbeat(
        pair: tuple[Process, Process]) -> None:
    # The same request each time: the server may send a kept answer again only while nothing
    # changed, and a heartbeat from the other process is a change.
    dc1, dc2 = pair
    peer(dc1, dc2, "p-heartbeats")
    until(lambda: state(dc2.url, "p-heartbeats") == "ACTIVE")

    def heartbeat() -> str:
        return str(ok(dc2.url, "GET", "/v1/peering/p-heartbeats")["StreamStatus"]["LastHeartbeat"])

    first = heartbeat()
    assert until(lambda: heartbeat() != first)


def test_exports_are_discovered_with_peer_across_processes(
        pair: tuple[Process, Process]) -> None:
    dc1, dc2 = pair
    peer(dc1, dc2, "p-exports")
    ok(dc1.url, "PUT", "/v1/agent/service/register", {"Name": "api", "Port": 9090})
    ok(dc1.url, "PUT", "/v1/config", {"Kind": "exported-services", "Name": "default",
                                      "Services": [{"Name": "api",
                                                    "Consumers": [{"Peer": "p-exports"}]}]})
    found = until(lambda: ok(dc2.url, "GET", "/v1/health/service/api?peer=p-exports"))
    assert [(e["Service"]["Port"], e["Service"]["PeerName"]) for e in found] == [
        (9090, "p-exports")]


def test_deleting_the_acceptor_terminates_the_dialer(pair: tuple[Process, Process]) -> None:
    dc1, dc2 = pair
    peer(dc1, dc2, "p-del-acceptor")
    until(lambda: state(dc2.url, "p-del-acceptor") == "ACTIVE")
    ok(dc1.url, "DELETE", "/v1/peering/p-del-acceptor")
    assert until(lambda: state(dc2.url, "p-del-acceptor") == "TERMINATED")


def test_deleting_the_dialer_terminates_the_acceptor(pair: tuple[Process, Process]) -> None:
    dc1, dc2 = pair
    peer(dc1, dc2, "p-del-dialer")
    until(lambda: state(dc1.url, "p-del-dialer") == "ACTIVE")
    ok(dc2.url, "DELETE", "/v1/peering/p-del-dialer")
    assert until(lambda: state(dc1.url, "p-del-dialer") == "TERMINATED")


def test_a_used_token_is_refused_by_the_other_process(pair: tuple[Process, Process]) -> None:
    dc1, dc2 = pair
    token = ok(dc1.url, "POST", "/v1/peering/token", {"PeerName": "p-reuse"})["PeeringToken"]
    ok(dc2.url, "POST", "/v1/peering/establish", {"PeerName": "p-reuse", "PeeringToken": token})
    again = call(dc2.url, "POST", "/v1/peering/establish",
                 {"PeerName": "p-reuse-2", "PeeringToken": token})
    assert again == (403, "a new peering token must be generated: invalid peering "
                          "establishment secret")


def test_a_killed_acceptor_makes_the_dialer_failing_and_its_restart_active(
        tmp_path: object) -> None:
    state_file = f"{tmp_path}/dc1.json"
    dc1 = serve("dc1", *FAST, "--state-file", state_file)
    dc2 = serve("dc2", *FAST)
    try:
        peer(dc1, dc2, "p-kill")
        until(lambda: state(dc2.url, "p-kill") == "ACTIVE")
        port = int(dc1.address.rsplit(":", 1)[1])
        dc1.stop(kill=True)
        assert until(lambda: state(dc2.url, "p-kill") == "FAILING")
        dc1 = serve("dc1", *FAST, "--state-file", state_file, port=port)
        assert until(lambda: state(dc2.url, "p-kill") == state(dc1.url, "p-kill") == "ACTIVE")
    finally:
        dc1.stop()
        dc2.stop()
