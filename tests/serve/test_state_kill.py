"""Randomized kill -9: every write a ``fakeconsul serve --state-file`` acknowledged is there after
a restart, whenever the process died (mid-append, mid-compaction, between requests).

Each round starts the server on the same file, writes from a client thread (tokens on dc1,
establishes on dc2, service registrations on dc1) and kills the process after a random real
delay; the next round first checks that every acknowledged write came back. A few rounds run
in ``make test``, twenty times more under the long profile (tests/sizes.py).
"""

from __future__ import annotations

import http.client
import json
import os
import random
import subprocess
import sys
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sizes import scaled

START_TIMEOUT = 30.0
REQUEST_TIMEOUT = 10.0
MAX_LIFETIME = 0.6  # real seconds a round's server lives at most before its kill -9


@dataclass
class Acknowledged:
    peerings: dict[str, set[str]] = field(default_factory=lambda: {"dc1": set(), "dc2": set()})
    services: set[str] = field(default_factory=set)


class Server:
    def __init__(self, state: Path) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "fakeconsul", "serve", "--cluster", "dc1=127.0.0.1:0",
             "--cluster", "dc2=127.0.0.1:0", "--state-file", str(state), "--quiet",
             "--no-control-api"],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
        self.ports: dict[str, int] = {}
        timer = threading.Timer(START_TIMEOUT, self.proc.kill)
        timer.start()
        try:
            assert self.proc.stdout is not None
            for line in self.proc.stdout:
                name, sep, url = line.strip().partition(": ")
                if sep and url.startswith("http://"):
                    self.ports[name] = int(url.rsplit(":", 1)[1])
                if "ready" in line:
                    return
        finally:
            timer.cancel()
        raise AssertionError(f"server exited early: {self.proc.communicate()[1]}")

    def call(self, cluster: str, method: str, path: str, body: Any = None) -> Any:
        conn = http.client.HTTPConnection("127.0.0.1", self.ports[cluster],
                                          timeout=REQUEST_TIMEOUT)
        try:
            conn.request(method, path, body=None if body is None else json.dumps(body))
            answer = conn.getresponse()
            data = answer.read()
        finally:
            conn.close()
        if answer.status != 200:
            raise AssertionError(f"{method} {path} answered {answer.status}: {data!r}")
        return json.loads(data) if data else None

    def kill(self) -> None:
        self.proc.kill()
        self.proc.communicate()


def _write(server: Server, number: int, done: Acknowledged, stop: threading.Event) -> None:
    """Writes until the server dies; only answered ones count as acknowledged."""
    try:
        while not stop.is_set():
            name = f"r{number}-{len(done.services) + len(done.peerings['dc1'])}"
            token = server.call("dc1", "POST", "/v1/peering/token",
                                {"PeerName": name})["PeeringToken"]
            done.peerings["dc1"].add(name)
            server.call("dc2", "POST", "/v1/peering/establish",
                        {"PeerName": name, "PeeringToken": token})
            done.peerings["dc2"].add(name)
            server.call("dc1", "PUT", "/v1/agent/service/register", {"Name": name, "Port": 80})
            done.services.add(name)
    except (OSError, http.client.HTTPException):
        pass  # killed: the request in flight was never acknowledged


def _missing(server: Server, done: Acknowledged) -> list[str]:
    missing = []
    for cluster, names in done.peerings.items():
        present = {p["Name"] for p in server.call(cluster, "GET", "/v1/peerings")}
        missing += [f"{cluster} peering {n}" for n in sorted(names - present)]
    services = set(server.call("dc1", "GET", "/v1/catalog/services"))
    missing += [f"dc1 service {n}" for n in sorted(done.services - services)]
    return missing


def test_every_acknowledged_write_survives_kill_9_at_random_moments(tmp_path: Path) -> None:
    seed = random.randrange(2**32)
    chooser = random.Random(seed)
    state = tmp_path / "state.json"
    done = Acknowledged()
    missing: list[str] = []
    rounds = scaled(3)
    for number in range(rounds + 1):  # the last round only checks
        server = Server(state)
        stop = threading.Event()
        writer = threading.Thread(target=_write, args=(server, number, done, stop))
        try:
            missing = _missing(server, done)
            if missing or number == rounds:
                break
            writer.start()
            writer.join(chooser.uniform(0.0, MAX_LIFETIME))  # a random moment to die at
        finally:
            server.kill()
            stop.set()
            if writer.is_alive():
                writer.join(REQUEST_TIMEOUT)
    written = len(done.services)
    assert (missing, written > 0) == ([], True), f"seed {seed}, {rounds} rounds"
