"""How long ``fakeconsul serve`` takes to exit after SIGTERM, with blocking queries waiting.

Two clusters on port 0, a peering between them (so timers are pending), and clients blocked on
``/v1/peerings?index=N&wait=60s``; the time is from ``kill`` to the process's exit, wall clock,
median of a few runs. The baseline is a Python process that imports the same CLI, waits in
``sigwait`` and exits: what any Python server pays to stop.
"""

from __future__ import annotations

import json
import signal
import statistics
import subprocess
import sys
import threading
import time
import urllib.request

from .figures import Figure, Goal
from .measure import Sizes
from .serving import child_env

NAME = "stop"
WATCHERS = 5
BASELINE_CHILD = (
    "import signal, sys, fakeconsul.serve.cli\n"
    "signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGTERM})\n"
    "print('fakeconsul ready {}', flush=True)\n"
    "signal.sigwait({signal.SIGTERM})\n"
)


def _post(url: str, body: dict[str, str]) -> dict[str, str]:
    request = urllib.request.Request(url, data=json.dumps(body).encode(), method="POST")
    with urllib.request.urlopen(request, timeout=10) as answer:
        result: dict[str, str] = json.loads(answer.read())
        return result


def _block(url: str, index: str) -> None:
    try:
        with urllib.request.urlopen(f"{url}/v1/peerings?index={index}&wait=60s", timeout=70):
            pass
    except OSError:
        pass  # the server went away under it: what this measures


def _ready(proc: subprocess.Popen[str]) -> dict[str, str]:
    assert proc.stdout is not None
    for line in proc.stdout:
        if line.startswith("fakeconsul ready "):
            clusters: dict[str, str] = json.loads(line.split(" ", 2)[2]).get("clusters", {})
            return clusters
    raise RuntimeError("the child exited before its ready line")


def _stop_time(command: list[str], load: bool) -> float:
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                            text=True, env=child_env())
    try:
        urls = _ready(proc)
        if load:
            dc1, dc2 = urls["dc1"], urls["dc2"]
            token = _post(dc1 + "/v1/peering/token", {"PeerName": "dc2"})["PeeringToken"]
            _post(dc2 + "/v1/peering/establish", {"PeerName": "dc1", "PeeringToken": token})
            with urllib.request.urlopen(dc1 + "/v1/peerings", timeout=10) as answer:
                index = answer.headers["X-Consul-Index"]
            for _ in range(WATCHERS):
                threading.Thread(target=_block, args=(dc1, index), daemon=True).start()
            time.sleep(0.3)  # real time: the watchers are in another process's sockets
        started = time.perf_counter()
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=30)
        return time.perf_counter() - started
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.communicate()


def run(sizes: Sizes) -> list[Figure]:
    runs = 5 if sizes.repeats > 1 else 1
    serve = [sys.executable, "-m", "fakeconsul", "serve", "--quiet",
             "--cluster", "dc1=127.0.0.1:0", "--cluster", "dc2=127.0.0.1:0"]
    fake = statistics.median(_stop_time(serve, load=True) for _ in range(runs))
    base = statistics.median(
        _stop_time([sys.executable, "-c", BASELINE_CHILD], load=False) for _ in range(runs))
    return [
        Figure(NAME, f"exit after SIGTERM, {WATCHERS} blocked watchers", "ms", fake * 1000,
               base * 1000, "a Python process that only waits for SIGTERM",
               Goal("value", "<=", 1000), note=f"median of {runs} runs"),
    ]
