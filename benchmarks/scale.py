"""Scale: a cluster with 100 and with 10,000 established peerings. List in-process and over
HTTP, read one, memory per peering, and how each cost grows (a list should grow linearly, a
read not at all).

Each size builds a fresh network (manual clock, so no heartbeat fires while it is built) in which
dc2 has dialed dc1 ``n`` times; the figures are read on dc2, the dialer, whose peerings carry
every field (PeerID, PeerCAPems, PeerServerName, PeerServerAddresses).
"""

from __future__ import annotations

import gc
import json
import time
import tracemalloc
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from werkzeug.test import EnvironBuilder
from werkzeug.wrappers import Request

from fakeconsul import Cluster, ManualClock, Network, wsgi_app

from .figures import Figure, Goal
from .measure import Sizes, best_per_op
from .serving import canned_server, fetch, served

NAME = "scale"
KIB = 1024


@dataclass
class Size:
    n: int
    list_s: float  # cluster.list()
    copy_s: float  # the floor: a plain-dict copy of the same rows
    read_s: float  # cluster.read(one name)
    http_list_s: float  # GET /v1/peerings, every peering unchanged since the last list
    cold_http_list_s: float  # the first GET after every peering changed (a heartbeat round)
    canned_list_s: float
    body_bytes: int
    bytes_per_peering: float  # both sides of each pair, plus what a list keeps on the listed one
    dict_bytes_per_peering: float


def build(n: int) -> tuple[Network, Cluster, Cluster, int]:
    """dc2 dials dc1 ``n`` times; returns the network and how many bytes the build allocated."""
    network = Network(clock=ManualClock(datetime(2030, 1, 1, tzinfo=timezone.utc)))
    dc1, dc2 = network.add_cluster("dc1"), network.add_cluster("dc2")

    def establish_all() -> None:
        for i in range(n):
            name = f"peer-{i:05d}"
            dc2.establish(name, dc1.generate_token(name))

    return network, dc1, dc2, _allocated(establish_all)


def _allocated(make: Any) -> int:
    """Bytes still held, once garbage is collected, by what ``make()`` created or kept."""
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        kept = make()
        gc.collect()
        return tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
        del kept


def _http_seconds(port: int, path: str, times: int) -> float:
    best = float("inf")
    for _ in range(times):
        started = time.perf_counter()
        answer = fetch("127.0.0.1", port, path)
        best = min(best, time.perf_counter() - started)
        assert answer.status == 200, answer.status
    return best


def _list_once(cluster: Cluster) -> None:
    """``GET /v1/peerings`` through the cluster's app, keeping only what the app keeps."""
    wsgi_app(cluster).handle(Request(EnvironBuilder(path="/v1/peerings").get_environ()))


def measure(n: int, sizes: Sizes) -> Size:
    network, _dc1, dc2, grown = build(n)
    wsgi_app(dc2).handle(Request(EnvironBuilder(path="/v1/status/leader").get_environ()))
    # Both sides hold a peering per pair, so the build is shared by 2n peerings; the listed side
    # also keeps each peering's snapshot and its JSON.
    kept = _allocated(lambda: _list_once(dc2))
    per_peering = grown / (2 * n) + kept / n
    # A heartbeat round changes every peering's StreamStatus: the next list re-encodes them all.
    network.clock.advance(network.timing.heartbeat_interval)
    with served(dc2) as server:
        cold_s = _http_seconds(server.port, "/v1/peerings", 1)
        canned = fetch("127.0.0.1", server.port, "/v1/peerings")
        http_s = _http_seconds(server.port, "/v1/peerings", sizes.scale_http_reads)
        with canned_server("/v1/peerings", canned) as baseline:
            canned_s = _http_seconds(baseline.port, "/v1/peerings", sizes.scale_http_reads)
    dict_bytes = _allocated(lambda: json.loads(canned.body)) / n
    rows = [p.to_api() for p in dc2.list()]
    number = max(1, 1000 // n)
    list_s = best_per_op(dc2.list, number, sizes.repeats)
    copy_s = best_per_op(lambda: [dict(row) for row in rows], number, sizes.repeats)
    middle = f"peer-{n // 2:05d}"
    read_s = best_per_op(lambda: dc2.read(middle), 200, sizes.repeats)
    return Size(n, list_s, copy_s, read_s, http_s, cold_s, canned_s, len(canned.body),
                per_peering, dict_bytes)


def run(sizes: Sizes) -> list[Figure]:
    small = measure(sizes.scale_small, sizes)
    large = measure(sizes.scale_large, sizes)
    factor = large.n / small.n
    n = f"{large.n:,}"
    grow = f"{small.n:,} -> {large.n:,}"
    return [
        Figure(NAME, f"list in-process, {n}", "ms", large.list_s * 1e3, large.copy_s * 1e3,
               "plain-dict copy of the same rows"),
        Figure(NAME, f"list over HTTP, {n}", "ms", large.http_list_s * 1e3,
               large.canned_list_s * 1e3, "pytest-httpserver, same bytes canned",
               Goal("value", "<=", 100),
               note=f"{large.body_bytes / 1e6:.1f} MB; peerings unchanged since the last list"),
        Figure(NAME, f"list over HTTP, {n}, all changed", "ms", large.cold_http_list_s * 1e3,
               large.canned_list_s * 1e3, "pytest-httpserver, same bytes canned",
               note="first list after a heartbeat round: every peering re-encoded"),
        Figure(NAME, f"read one in-process, {n}", "µs", large.read_s * 1e6, small.read_s * 1e6,
               f"read one at {small.n:,} (flat: 1x)"),
        Figure(NAME, f"memory per peering, {n}", "B", large.bytes_per_peering,
               large.dict_bytes_per_peering, "the same peering as JSON-decoded dicts",
               Goal("value", "<=", 4 * KIB),
               note="tracemalloc: both ends of each pair / 2n, plus a listed side's caches"),
        Figure(NAME, f"list in-process growth {grow}", "x", large.list_s / small.list_s, factor,
               f"linear ({factor:g}x)",
               note=f"the dict-copy floor grew {large.copy_s / small.copy_s:.0f}x"),
        Figure(NAME, f"list over HTTP growth {grow}", "x", large.http_list_s / small.http_list_s,
               factor, f"linear ({factor:g}x)",
               note=f"the canned server grew {large.canned_list_s / small.canned_list_s:.1f}x"),
        Figure(NAME, f"memory per peering growth {grow}", "x",
               large.bytes_per_peering / small.bytes_per_peering, 1.0, "flat (1x)"),
    ]
