"""Blocking fan-out: 200 clients blocked on ``/v1/peerings?index=N``, one write, and the latency
from the write until each client has its whole answer (median and maximum).

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
from typing import Any

from werkzeug.wrappers import Request, Response

from fakeconsul import Cluster
from fakeconsul.testing import make_network

from .figures import Figure, Goal
from .measure import ROOT, Sizes, median
from .serving import Canned, canned_server, child_env, fetch, load_command, served

NAME = "fanout"
BLOCK_TIMEOUT = 30.0


def _latencies(port: int, path: str, clients: int, blocked: Callable[[], int],
               write: Callable[[], object]) -> tuple[list[float], dict[str, Any]]:
    """Block ``clients`` requests, wait until the server holds them all, write, and return each
    answer's latency in seconds with what the clients saw."""
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
    return [t - written_at for t in seen["finished"]], seen


def _fake_round(cluster: Cluster, port: int, clients: int, round_no: int) -> list[float]:
    index = cluster.list_with_index()[1]
    waiting: set[int] = set()
    original = cluster.store.wait_for_change

    def spy(seen_index: int, timeout: float) -> None:
        waiting.add(threading.get_ident())  # set.add is atomic under the GIL
        original(seen_index, timeout)

    cluster.store.wait_for_change = spy  # type: ignore[method-assign]
    try:
        latencies, seen = _latencies(
            port, f"/v1/peerings?index={index}&wait=30s", clients, lambda: len(waiting),
            lambda: cluster.generate_token(f"newcomer-{round_no}"),
        )
    finally:
        del cluster.store.wait_for_change
    if set(seen["statuses"]) != {200} or min(seen["indexes"]) <= index:
        raise RuntimeError(f"fan-out answers not woken by the write: {seen}")
    return latencies


def _baseline_round(canned: Canned, clients: int) -> list[float]:
    release = threading.Event()
    lock = threading.Lock()
    blocked = [0]

    def handler(request: Request) -> Response:
        with lock:
            blocked[0] += 1
        release.wait(BLOCK_TIMEOUT)
        return canned.response()

    with canned_server("/v1/peerings", handler=handler, threaded=True) as server:
        latencies, seen = _latencies(server.port, "/v1/peerings?index=1&wait=30s", clients,
                                     lambda: blocked[0], release.set)
    if set(seen["statuses"]) != {200}:
        raise RuntimeError(f"baseline fan-out failed: {seen['statuses']}")
    return latencies


def run(sizes: Sizes) -> list[Figure]:
    network = make_network()
    dc1, dc2 = network.add_cluster("dc1"), network.add_cluster("dc2")
    dc2.establish("dc1", dc1.generate_token("dc2"))
    fake_medians, fake_maxima, base_medians, base_maxima = [], [], [], []
    with served(dc1) as server:
        for round_no in range(sizes.fanout_rounds):
            fake = _fake_round(dc1, server.port, sizes.fanout_clients, round_no)
            canned = fetch("127.0.0.1", server.port, "/v1/peerings")
            base = _baseline_round(canned, sizes.fanout_clients)
            fake_medians.append(median(fake) * 1000)
            fake_maxima.append(max(fake) * 1000)
            base_medians.append(median(base) * 1000)
            base_maxima.append(max(base) * 1000)
    what = f"{sizes.fanout_clients} blocked clients, one write"
    baseline = "pytest-httpserver: handlers parked on an Event"
    rounds = f"median of {sizes.fanout_rounds} rounds"
    return [
        Figure(NAME, f"{what}: median latency", "ms", median(fake_medians), median(base_medians),
               baseline, note=rounds),
        Figure(NAME, f"{what}: max latency", "ms", median(fake_maxima), median(base_maxima),
               baseline, Goal("value", "<=", 50), note=rounds),
    ]
