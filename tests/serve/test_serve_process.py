"""``fakeconsul serve`` as a real process: kill -9 with a state file, bad files, env, signals."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

START_TIMEOUT = 30
TWO_CLUSTERS = ("--cluster", "dc1=127.0.0.1:0", "--cluster", "dc2=127.0.0.1:0")


class Server:
    """A ``fakeconsul serve`` process and the URLs it printed."""

    def __init__(self, *args: str, env: dict[str, str] | None = None) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "fakeconsul", "serve", *args],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            env={**os.environ, "PYTHONUNBUFFERED": "1", **(env or {})},
        )
        self.urls: dict[str, str] = {}

    def wait_ready(self) -> Server:
        """Read the "NAME: URL" lines up to the ready line."""
        timer = threading.Timer(START_TIMEOUT, self.proc.kill)
        timer.start()
        try:
            assert self.proc.stdout is not None
            for line in self.proc.stdout:
                name, sep, url = line.strip().partition(": ")
                if sep and url.startswith("http://"):
                    self.urls[name] = url
                if "ready" in line:
                    return self
        finally:
            timer.cancel()
        _, stderr = self.proc.communicate()
        raise AssertionError(f"server exited early: {stderr}")

    def kill(self) -> None:
        self.proc.kill()  # SIGKILL: no clean-up of any kind
        self.proc.communicate()

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.communicate()


@pytest.fixture
def servers() -> Iterator[list[Server]]:
    started: list[Server] = []
    yield started
    for server in started:
        server.stop()


def _serve(servers: list[Server], *args: str, env: dict[str, str] | None = None) -> Server:
    server = Server(*args, env=env)
    servers.append(server)
    return server.wait_ready()


def _call(url: str, method: str = "GET", body: dict[str, Any] | None = None) -> Any:
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, method=method)
    with urllib.request.urlopen(request, timeout=10) as answer:
        text = answer.read()
    return json.loads(text) if text else None


def test_a_token_acknowledged_before_kill_9_still_works(servers: list[Server],
                                                        tmp_path: Path) -> None:
    state = str(tmp_path / "state.json")
    first = _serve(servers, *TWO_CLUSTERS, "--state-file", state, "--quiet")
    token = _call(first.urls["dc1"] + "/v1/peering/token", "POST",
                  {"PeerName": "dc2"})["PeeringToken"]
    first.kill()  # right after the acknowledgement
    second = _serve(servers, *TWO_CLUSTERS, "--state-file", state, "--quiet")
    _call(second.urls["dc2"] + "/v1/peering/establish", "POST",
          {"PeerName": "dc1", "PeeringToken": token})
    assert _call(second.urls["dc1"] + "/v1/peering/dc2")["State"] == "ACTIVE"


def test_an_established_peering_is_active_again_after_kill_9(servers: list[Server],
                                                             tmp_path: Path) -> None:
    state = str(tmp_path / "state.json")
    first = _serve(servers, *TWO_CLUSTERS, "--state-file", state, "--quiet")
    token = _call(first.urls["dc1"] + "/v1/peering/token", "POST",
                  {"PeerName": "dc2"})["PeeringToken"]
    _call(first.urls["dc2"] + "/v1/peering/establish", "POST",
          {"PeerName": "dc1", "PeeringToken": token})
    first.kill()
    second = _serve(servers, *TWO_CLUSTERS, "--state-file", state, "--quiet")
    states = [_call(second.urls[a] + f"/v1/peering/{b}")["State"]
              for a, b in (("dc1", "dc2"), ("dc2", "dc1"))]
    assert states == ["ACTIVE", "ACTIVE"]


def test_a_registered_service_is_still_exported_after_kill_9(servers: list[Server],
                                                             tmp_path: Path) -> None:
    state = str(tmp_path / "state.json")
    first = _serve(servers, *TWO_CLUSTERS, "--state-file", state, "--quiet")
    dc1, dc2 = first.urls["dc1"], first.urls["dc2"]
    token = _call(dc1 + "/v1/peering/token", "POST", {"PeerName": "dc2"})["PeeringToken"]
    _call(dc2 + "/v1/peering/establish", "POST", {"PeerName": "dc1", "PeeringToken": token})
    _call(dc1 + "/v1/config", "PUT", {"Kind": "exported-services", "Name": "default", "Services":
                                      [{"Name": "web", "Consumers": [{"Peer": "dc2"}]}]})
    _call(dc1 + "/v1/agent/service/register", "PUT", {"Name": "web", "Port": 8080})
    first.kill()  # right after the acknowledgement
    second = _serve(servers, *TWO_CLUSTERS, "--state-file", state, "--quiet")
    dc1, dc2 = second.urls["dc1"], second.urls["dc2"]
    local = [e["ServicePort"] for e in _call(dc1 + "/v1/catalog/service/web")]
    imported = [e["Service"]["Port"] for e in _call(dc2 + "/v1/health/service/web?peer=dc1")]
    stream = _call(dc2 + "/v1/peering/dc1")["StreamStatus"]  # the restarted stream's view
    assert (local, imported, stream["ImportedServices"]) == ([8080], [8080], ["web"])


def test_a_corrupt_state_file_stops_the_server_and_is_kept(tmp_path: Path) -> None:
    path = tmp_path / "state.json"
    path.write_text('{"Format": "fakeconsul-state", "Version": 1, "Clusters": 7}')
    proc = subprocess.run(
        [sys.executable, "-m", "fakeconsul", "serve", *TWO_CLUSTERS, "--state-file", str(path)],
        capture_output=True, text=True, timeout=START_TIMEOUT,
    )
    assert (proc.returncode, proc.stderr.splitlines(), path.read_text()) == (
        1,
        [f"fakeconsul: error: state file {path} is corrupt (Clusters must be a list); "
         "it was left untouched"],
        '{"Format": "fakeconsul-state", "Version": 1, "Clusters": 7}',
    )


def test_sigterm_stops_within_a_second_while_a_query_blocks(servers: list[Server]) -> None:
    server = _serve(servers, *TWO_CLUSTERS, "--quiet")
    version = _call(server.urls["dc1"] + "/_fakeconsul/state")["Version"]
    blocked = threading.Thread(target=_ignore_errors, daemon=True, args=(
        server.urls["dc1"] + f"/_fakeconsul/state?version={version}&wait=30s",))
    blocked.start()
    started = time.monotonic()
    server.proc.send_signal(signal.SIGTERM)
    code = server.proc.wait(timeout=5)
    assert (code, time.monotonic() - started < 1.0) == (0, True)


def _ignore_errors(url: str) -> None:
    try:
        _call(url)
    except (OSError, urllib.error.URLError):
        pass
