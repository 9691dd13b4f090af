"""The acceptor holds one stream per peering, as Consul's does: a second dialer process with
the same peering and secrets (started from a copy of the first one's state file) is refused
while the first dialer's stream is live, and takes over once the first is gone."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from processes import Process, ok, peer, serve, state, until

FAST = ("--heartbeat-interval", "0.2", "--heartbeat-timeout", "1")


@pytest.fixture
def started() -> Iterator[list[Process]]:
    processes: list[Process] = []
    yield processes
    for process in processes:
        process.stop()


def _twin_dialers(started: list[Process], tmp_path: Path) -> tuple[Process, Process, Process]:
    """The acceptor dc1, its dialer dc2 (ACTIVE), and dc2's twin from a copy of dc2's state."""
    dc1 = serve("dc1", *FAST)
    started.append(dc1)
    dc2 = serve("dc2", *FAST, "--state-file", str(tmp_path / "dc2.json"))
    started.append(dc2)
    peer(dc1, dc2, "p-twin")
    until(lambda: state(dc1.url, "p-twin") == state(dc2.url, "p-twin") == "ACTIVE")
    shutil.copy(tmp_path / "dc2.json", tmp_path / "twin.json")
    twin = serve("dc2", *FAST, "--state-file", str(tmp_path / "twin.json"),
                 log=tmp_path / "twin.log")
    started.append(twin)
    return dc1, dc2, twin


def test_a_second_stream_for_the_peering_is_refused_while_the_first_lives(
        started: list[Process], tmp_path: Path) -> None:
    dc1, _, twin = _twin_dialers(started, tmp_path)
    peer_id = ok(dc1.url, "GET", "/v1/peering/p-twin")["ID"]
    expected = ('error managing peering stream: peer_name=p-twin error="failed to register '
                "stream: there is an active stream for the "
                f'given PeerID \\"{peer_id}\\""')
    log = tmp_path / "twin.log"
    assert until(lambda: expected in log.read_text())


def test_the_second_stream_takes_over_once_the_first_dialer_is_gone(
        started: list[Process], tmp_path: Path) -> None:
    dc1, dc2, twin = _twin_dialers(started, tmp_path)
    dc2.stop(kill=True)
    assert until(lambda: state(twin.url, "p-twin") == state(dc1.url, "p-twin") == "ACTIVE")
