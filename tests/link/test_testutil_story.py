"""sdk/testutil emulated in Python: the shim's ``consul`` started as testutil starts it, polled
as testutil polls, then the story of Consul's api/peering_test.go between two such agents."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from processes import Process, call, free_port, ok, running_pair, state, until

from fakeconsul.serve.shim import write_shim


def _testutil_agent(shim: Path, tmp_path: Path, datacenter: str) -> Process:
    """What NewTestServerConfigT writes and runs."""
    ports = {"dns": -1, "http": free_port(), "https": -1, "serf_lan": free_port(),
             "serf_wan": free_port(), "server": free_port(), "grpc": free_port(),
             "grpc_tls": free_port()}
    config = {"node_name": f"node-{datacenter}", "node_id": "", "datacenter": datacenter,
              "bootstrap": True, "server": True, "data_dir": str(tmp_path / datacenter),
              "log_level": "debug", "ports": ports, "bind_addr": "127.0.0.1",
              "connect": {"enabled": True, "ca_config": {"cluster_id": "x"}},
              "peering": {"enabled": True}, "performance": {"raft_multiplier": 1},
              "enable_debug": True}
    path = tmp_path / f"{datacenter}.json"
    path.write_text(json.dumps(config))
    agent = Process([str(shim), "agent", "-config-file", str(path)], r"Client Addr: .*")
    agent.url = f"http://127.0.0.1:{ports['http']}"
    return agent


def _wait_like_testutil(agent: Process, node: str) -> bool:
    return bool(until(lambda: call(agent.url, "GET", "/v1/status/leader")[0] == 200)
                and until(lambda: "ActiveRootID" in (
                    call(agent.url, "GET", "/v1/agent/connect/ca/roots")[1] or {}))
                and until(lambda: any(n["Node"] == node for n in ok(
                    agent.url, "GET", "/v1/catalog/nodes?index=0")))
                and until(lambda: any(c["CheckID"] == "serfHealth" and c["Status"] == "passing"
                                      for c in ok(agent.url, "GET", f"/v1/health/node/{node}"))))


@pytest.fixture
def shim(tmp_path: Path) -> Path:
    return write_shim(tmp_path / "bin")


@pytest.fixture
def agents(shim: Path, tmp_path: Path) -> Iterator[tuple[Process, Process]]:
    yield from running_pair(lambda name: _testutil_agent(shim, tmp_path, name))


def test_testutil_waits_are_answered(agents: tuple[Process, Process]) -> None:
    assert _wait_like_testutil(agents[0], "node-dc1")


def test_api_peering_story_between_two_agents(agents: tuple[Process, Process]) -> None:
    c, c2 = agents
    token = ok(c.url, "POST", "/v1/peering/token",
               {"PeerName": "peer1", "Meta": {"foo": "bar"}})["PeeringToken"]
    assert ok(c.url, "GET", "/v1/peering/peer1")["State"] == "PENDING"
    ok(c2.url, "POST", "/v1/peering/establish",
       {"PeerName": "peer1", "PeeringToken": token, "Meta": {"foo": "bar"}})
    seen = [state(c2.url, "peer1")]

    def active() -> bool:
        seen.append(state(c2.url, "peer1"))
        return seen[-1] == "ACTIVE"

    until(active)
    until(lambda: state(c.url, "peer1") == "ACTIVE")
    ok(c.url, "DELETE", "/v1/peering/peer1")
    gone = until(lambda: state(c.url, "peer1") == "404")
    assert (seen[0], seen[-1], gone) == ("ESTABLISHING", "ACTIVE", True)


def test_tokens_name_the_grpc_tls_port(agents: tuple[Process, Process]) -> None:
    c, _ = agents
    token = ok(c.url, "POST", "/v1/peering/token", {"PeerName": "p"})["PeeringToken"]
    import base64

    addresses = json.loads(base64.b64decode(token))["ServerAddresses"]
    config = json.loads(Path(str(list(c.proc.args)[-1])).read_text())  # type: ignore[arg-type]
    assert addresses == [f"127.0.0.1:{config['ports']['grpc_tls']}"]
