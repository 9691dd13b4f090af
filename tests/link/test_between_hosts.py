"""Two ``fakeconsul serve`` processes on two hosts (network namespaces joined by a veth pair):
the dialer reaches the acceptor at the veth address its token names, as another machine would.
Skipped where namespaces cannot be made (not root, no iproute2)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from netns import Host, NetnsError, Wire, unavailable
from processes import Process, ok, serve, state, until

FAST = ("--heartbeat-interval", "0.2", "--heartbeat-timeout", "1")


@dataclass
class Side:
    host: Host
    process: Process

    def ok(self, method: str, path: str, body: object = None) -> object:
        return self.host.run(ok, self.process.url, method, path, body)

    def state(self, name: str) -> str:
        return self.host.run(state, self.process.url, name)


@pytest.fixture(scope="module")
def hosts() -> Iterator[tuple[Side, Side]]:
    reason = unavailable()
    if reason is not None:
        pytest.skip(reason)
    try:
        wire = Wire()
    except NetnsError as err:
        pytest.skip(f"network namespaces cannot be made here: {err}")
    processes: list[Process] = []
    try:
        for name, host in zip(("dc1", "dc2"), wire.hosts, strict=True):
            processes.append(serve(name, *FAST, host=host.address, wrap=host.exec_argv))
        yield Side(wire.hosts[0], processes[0]), Side(wire.hosts[1], processes[1])
    finally:
        for process in processes:
            process.stop()
        wire.close()


def _peer(acceptor: Side, dialer: Side, name: str) -> None:
    token = acceptor.ok("POST", "/v1/peering/token", {"PeerName": name})
    assert isinstance(token, dict)
    dialer.ok("POST", "/v1/peering/establish",
              {"PeerName": name, "PeeringToken": token["PeeringToken"]})


def test_the_token_names_the_acceptors_veth_address(hosts: tuple[Side, Side]) -> None:
    dc1, _ = hosts
    assert dc1.process.address.startswith(f"{dc1.host.address}:")


def test_both_hosts_become_active(hosts: tuple[Side, Side]) -> None:
    dc1, dc2 = hosts
    _peer(dc1, dc2, "h-active")
    assert until(lambda: dc1.state("h-active") == dc2.state("h-active") == "ACTIVE")


def test_the_dialer_learns_the_acceptor_at_its_veth_address(
        hosts: tuple[Side, Side]) -> None:
    dc1, dc2 = hosts
    _peer(dc1, dc2, "h-addresses")
    until(lambda: dc2.state("h-addresses") == "ACTIVE")
    read = dc2.ok("GET", "/v1/peering/h-addresses")
    assert isinstance(read, dict) and read["PeerServerAddresses"] == [dc1.process.address]


def test_exports_are_discovered_with_peer_across_hosts(hosts: tuple[Side, Side]) -> None:
    dc1, dc2 = hosts
    _peer(dc1, dc2, "h-exports")
    dc1.ok("PUT", "/v1/agent/service/register", {"Name": "web", "Port": 8080})
    dc1.ok("PUT", "/v1/config", {"Kind": "exported-services", "Name": "default",
                                 "Services": [{"Name": "web",
                                               "Consumers": [{"Peer": "h-exports"}]}]})
    found = until(lambda: dc2.ok("GET", "/v1/health/service/web?peer=h-exports"))
    assert [(e["Service"]["Port"], e["Service"]["PeerName"]) for e in found] == [
        (8080, "h-exports")]


def test_deleting_on_one_host_terminates_the_other(hosts: tuple[Side, Side]) -> None:
    dc1, dc2 = hosts
    _peer(dc1, dc2, "h-delete")
    until(lambda: dc2.state("h-delete") == "ACTIVE")
    dc1.ok("DELETE", "/v1/peering/h-delete")
    assert until(lambda: dc2.state("h-delete") == "TERMINATED")
