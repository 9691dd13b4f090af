"""`fakeconsul serve` as a user runs it: a real process, real ports, signals."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import urllib.request
from collections.abc import Iterator

import pytest

START_TIMEOUT = 30


def _serve(*args: str) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    return subprocess.Popen(
        [sys.executable, "-m", "fakeconsul", "serve", *args],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
    )


def _read_addresses(proc: subprocess.Popen[str], count: int) -> dict[str, str]:
    """The "NAME: URL" lines the server prints once each cluster answers."""
    found: dict[str, str] = {}
    timer = threading.Timer(START_TIMEOUT, proc.kill)
    timer.start()
    try:
        assert proc.stdout is not None
        while len(found) < count:
            line = proc.stdout.readline()
            if not line:
                stderr = proc.stderr.read() if proc.stderr else ""
                raise AssertionError(f"server exited early: {stderr}")
            name, sep, url = line.strip().partition(": ")
            if sep and url.startswith("http://"):
                found[name] = url
    finally:
        timer.cancel()
    return found


@pytest.fixture
def running() -> Iterator[tuple[subprocess.Popen[str], dict[str, str]]]:
    proc = _serve("--cluster", "east=127.0.0.1:0", "--cluster", "west=127.0.0.1:0")
    try:
        yield proc, _read_addresses(proc, 2)
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.communicate()


def _post(url: str, body: dict[str, str]) -> dict[str, str]:
    request = urllib.request.Request(url, data=json.dumps(body).encode(), method="POST")
    with urllib.request.urlopen(request, timeout=5) as answer:
        result: dict[str, str] = json.loads(answer.read())
        return result


def _get(url: str) -> dict[str, object]:
    with urllib.request.urlopen(url, timeout=5) as answer:
        result: dict[str, object] = json.loads(answer.read())
        return result


def test_serve_peers_two_clusters(running: tuple[subprocess.Popen[str], dict[str, str]]) -> None:
    _, urls = running
    token = _post(urls["east"] + "/v1/peering/token", {"PeerName": "west"})["PeeringToken"]
    _post(urls["west"] + "/v1/peering/establish", {"PeerName": "east", "PeeringToken": token})
    assert _get(urls["east"] + "/v1/peering/west")["State"] == "ACTIVE"


def test_sigint_stops_cleanly(running: tuple[subprocess.Popen[str], dict[str, str]]) -> None:
    proc, _ = running
    proc.send_signal(signal.SIGINT)
    assert proc.wait(timeout=5) == 0


def test_sigterm_stops_cleanly(running: tuple[subprocess.Popen[str], dict[str, str]]) -> None:
    proc, _ = running
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=5) == 0


def test_each_request_is_logged(running: tuple[subprocess.Popen[str], dict[str, str]]) -> None:
    proc, urls = running
    _get(urls["east"] + "/v1/agent/self")
    proc.send_signal(signal.SIGTERM)
    _, stderr = proc.communicate(timeout=5)
    assert "east GET /v1/agent/self 200" in stderr


def test_busy_port_is_a_one_line_error() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        proc = _serve("--cluster", f"dc1=127.0.0.1:{port}")
        _, stderr = proc.communicate(timeout=START_TIMEOUT)
    assert proc.returncode == 1
    assert stderr.strip().splitlines() == [
        f"fakeconsul: error: cannot listen on 127.0.0.1:{port}: Address already in use"
    ]


@pytest.mark.parametrize("flag", [
    ["--cluster", "dc1"],
    ["--cluster", "dc1=127.0.0.1:notaport"],
    ["--connect-delay", "soon"],
    ["--bogus"],
])
def test_malformed_flag_is_a_one_line_error(flag: list[str]) -> None:
    proc = _serve(*flag)
    _, stderr = proc.communicate(timeout=START_TIMEOUT)
    assert proc.returncode == 2
    assert len(stderr.strip().splitlines()) == 1
    assert stderr.startswith("fakeconsul") and ": error: " in stderr
