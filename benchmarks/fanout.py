"""Blocking fan-out: 200 clients blocked on ``/v1/peerings?index=N``, one write, and the latency
from the write until each client has its whole answer (median and maximum); and how much CPU
the serving process burns while all 200 wait.

Baseline: pytest-httpserver with a handler that blocks the same 200 requests on a
``threading.Event`` and answers the same bytes canned once the event is set; the floor of waking
200 parked werkzeug threads. The fake runs as the plugin serves it (wall clock, one established
peering, so heartbeat timers are pending). Clients run in a child process; both processes read
``time.perf_counter`` (CLOCK_MONOTONIC, one clock for the whole machine).
"""

from __future__ import annotations

import json
import subprocess
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from werkzeug.wrappers import Request, Response

from fakeconsul import Cluster
from fakeconsul.serve.server import ClusterServer
from fakeconsul.testing import make_network

from .figures import Figure, Goal
from .measure import ROOT, Sizes, median
from .serving import Canned, canned_server, child_env, fetch, load_command, served

NAME = "fanout"
BLOCK_TIMEOUT = 30.0
IDLE_WINDOW = 1.0  # seconds the blocked clients are watched before the write


@dataclass
class Round:
    latencies: list[float]  # seconds from the write to each complete answer
    idle_cpu: float  # share of a CPU this process burnt while every client was blocked
    seen: dict[str, Any]  # what the clients saw: statuses, X-Consul-Index values


def _round(port: int, path: str, clients: int, blocked: Callable[[], int],
           write: Callable[[], object], idle_window: float) -> Round:
    """Block ``clients`` requests, wait until the server holds them all, watch the process's
    CPU for ``idle_window`` seconds, write, and time every answer."""
    child = subprocess.Popen(load_command("fanout", "127.0.0.1", port, path, clients), cwd=ROOT,
                             env=child_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             text=True)
    try:
        assert child.stdout is not None
        if child.stdout.readline().strip() != "ready":
            raise RuntimeError(f"fan-out clients failed: {child.communicate()[1]}")
        deadline = time.monotonic() + BLOCK_TIMEOUT
        while blocked() < clients:
            if time.monotonic() > deadline:
                raise RuntimeError(f"only {blocked()} of {clients} requests blocked")
            time.sleep(0.01)
        cpu, wall = time.process_time(), time.perf_counter()
        time.sleep(idle_window)
        idle_cpu = (time.process_time() - cpu) / (time.perf_counter() - wall)
        written_at = time.perf_counter()
        write()
        out, err = child.communicate(timeout=BLOCK_TIMEOUT * 2)
    finally:
        if child.poll() is None:
            child.kill()
            child.communicate()  # also closes the pipes
    if child.returncode != 0:
        raise RuntimeError(f"fan-out clients failed: {err.strip()}")
    seen: dict[str, Any] = json.loads(out.strip().splitlines()[-1])
    return Round([t - written_at for t in seen["finished"]], idle_cpu, seen)


def _fake_round(cluster: Cluster, server: ClusterServer, clients: int, round_no: int,
                idle_window: float) -> Round:
    index = cluster.list_with_index()[1]
    # Blocked requests are watches held by the server (no thread each): count those.
    result = _round(
        server.port, f"/v1/peerings?index={index}&wait=30s", clients, lambda: server.watching,
        lambda: cluster.generate_token(f"newcomer-{round_no}"), idle_window,
    )
    seen = result.seen
    if set(seen["statuses"]) != {200} or min(seen["indexes"]) <= index:
        raise RuntimeError(f"fan-out answers not woken by the write: {seen}")
    return result


def _baseline_round(canned: Canned, clients: int, idle_window: float) -> Round:
    release = threading.Event()
    lock = threading.Lock()
    blocked = [0]

    def handler(request: Request) -> Response:
        with lock:
            blocked[0] += 1
        release.wait(BLOCK_TIMEOUT)
        return canned.response()

    with canned_server("/v1/peerings", handler=handler, threaded=True) as server:
        result = _round(server.port, "/v1/peerings?index=1&wait=30s", clients,
                        lambda: blocked[0], release.set, idle_window)
    if set(result.seen["statuses"]) != {200}:
        raise RuntimeError(f"baseline fan-out failed: {result.seen['statuses']}")
    return result


def run(sizes: Sizes) -> list[Figure]:
    network = make_network()
    dc1, dc2 = network.add_cluster("dc1"), network.add_cluster("dc2")
    dc2.establish("dc1", dc1.generate_token("dc2"))
    idle_window = IDLE_WINDOW if sizes.repeats > 1 else 0.05
    fake: list[Round] = []
    base: list[Round] = []
    with served(dc1) as server:
        for round_no in range(sizes.fanout_rounds):
            fake.append(_fake_round(dc1, server, sizes.fanout_clients, round_no,
                                    idle_window))
            canned = fetch("127.0.0.1", server.port, "/v1/peerings")
            base.append(_baseline_round(canned, sizes.fanout_clients, idle_window))

    def typical(rounds: list[Round], stat: Callable[[list[float]], float]) -> float:
        return median([stat(r.latencies) * 1000 for r in rounds])

    what = f"{sizes.fanout_clients} blocked clients"
    baseline = "pytest-httpserver: handlers parked on an Event"
    rounds = f"median of {sizes.fanout_rounds} rounds"
    return [
        Figure(NAME, f"{what}, one write: median latency", "ms", typical(fake, median),
               typical(base, median), baseline, note=rounds),
        Figure(NAME, f"{what}, one write: max latency", "ms", typical(fake, max),
               typical(base, max), baseline, Goal("value", "<=", 50), note=rounds),
        Figure(NAME, f"{what}: CPU used while they wait", "%",
               median([r.idle_cpu * 100 for r in fake]), median([r.idle_cpu * 100 for r in base]),
               baseline, note=f"share of one CPU over {idle_window:g} s, {rounds}"),
    ]
