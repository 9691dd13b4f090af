"""An agent killed with SIGKILL and started again on its data_dir: its peer in another process
shows FAILING while it is gone and ACTIVE once it is back, whichever side the agent is.

The peer is a ``fakeconsul serve`` with a short heartbeat timeout, so FAILING comes within a
second of real time; the agent keeps Consul's own timing.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from processes import Process, agent, free_port, peer, serve, state, until

FAST = ("--heartbeat-interval", "0.2", "--heartbeat-timeout", "1")


class Agent:
    """One agent's datacenter, ports and data_dir, started again as often as asked."""

    def __init__(self, datacenter: str, data_dir: Path) -> None:
        self.datacenter, self.data_dir = datacenter, str(data_dir)
        self.http_port, self.grpc_tls_port = free_port(), free_port()
        self.process: Process | None = None

    def start(self) -> Process:
        self.process = agent(self.datacenter, self.data_dir, self.http_port,
                             self.grpc_tls_port)
        return self.process

    def kill(self) -> None:
        if self.process is not None:
            self.process.stop(kill=True)

    def stop(self) -> None:
        if self.process is not None:
            self.process.stop()


@pytest.fixture
def started() -> Iterator[list[Process | Agent]]:
    """What a test starts; all of it stopped afterwards, whatever happened."""
    things: list[Process | Agent] = []
    yield things
    for thing in things:
        thing.stop()


def test_a_killed_acceptor_agent_fails_its_dialer_then_comes_back_active(
        started: list[Process | Agent], tmp_path: Path) -> None:
    dc1 = Agent("dc1", tmp_path / "dc1")
    started.append(dc1)
    dc2 = serve("dc2", *FAST)
    started.append(dc2)
    peer(dc1.start(), dc2, "p-agent-acceptor")
    until(lambda: state(dc2.url, "p-agent-acceptor") == "ACTIVE")
    dc1.kill()
    failing = until(lambda: state(dc2.url, "p-agent-acceptor") == "FAILING")
    url = dc1.start().url
    active = until(lambda: state(dc2.url, "p-agent-acceptor")
                   == state(url, "p-agent-acceptor") == "ACTIVE")
    assert (failing, active) == (True, True)


def test_a_killed_dialer_agent_fails_its_acceptor_then_redials_from_its_data_dir(
        started: list[Process | Agent], tmp_path: Path) -> None:
    dc1 = serve("dc1", *FAST)
    started.append(dc1)
    dc2 = Agent("dc2", tmp_path / "dc2")
    started.append(dc2)
    peer(dc1, dc2.start(), "p-agent-redial")
    until(lambda: state(dc1.url, "p-agent-redial") == "ACTIVE")
    dc2.kill()
    failing = until(lambda: state(dc1.url, "p-agent-redial") == "FAILING")
    url = dc2.start().url
    active = until(lambda: state(dc1.url, "p-agent-redial")
                   == state(url, "p-agent-redial") == "ACTIVE")
    assert (failing, active) == (True, True)
