"""Timing helpers, the run's sizes, and the machine's description."""

from __future__ import annotations

import gc
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent  # the project: benchmarks/ must be importable


@dataclass(frozen=True)
class Sizes:
    """How much work each benchmark does. ``FULL`` is ``make bench``; ``TINY`` keeps them alive
    in the test suite (tests/test_benchmarks_smoke.py) without measuring anything useful."""

    repeats: int = 5  # batches per timing; the best batch counts (as timeit recommends)
    lifecycles: int = 200  # lifecycles per batch
    http_requests: int = 1000  # GETs per throughput round, shared by the clients
    http_clients: int = 8
    fanout_clients: int = 200
    fanout_rounds: int = 3
    scale_small: int = 100
    scale_large: int = 10_000
    scale_http_reads: int = 10  # list GETs over HTTP per size
    pair_tests: int = 200  # generated tests per pytest run
    state_writes: int = 200
    state_peerings: int = 50_000  # peering records in the network (half on each cluster)
    state_ops: int = 30  # reads, then token writes, measured on it

    def as_json(self) -> dict[str, Any]:
        return asdict(self)


FULL = Sizes()
TINY = Sizes(
    repeats=1, lifecycles=3, http_requests=40, http_clients=2, fanout_clients=4, fanout_rounds=1,
    scale_small=5, scale_large=20, scale_http_reads=2, pair_tests=2, state_writes=3,
    state_peerings=4, state_ops=2,
)


def best_per_op(fn: Callable[[], object], number: int, repeats: int) -> float:
    """Seconds per call of ``fn``: the fastest of ``repeats`` batches of ``number`` calls.

    CPU time of this process, not wall time: other processes on a busy machine do not count.
    The minimum is the least disturbed batch, so ratios of two minimums measured side by side are
    stable from run to run. For in-process work only (no sleeping, no other busy thread).
    """
    best = float("inf")
    gc.collect()
    for _ in range(repeats):
        started = time.process_time()
        for _ in range(number):
            fn()
        best = min(best, time.process_time() - started)
    return best / number


def median(values: list[float]) -> float:
    return statistics.median(values)


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def nproc() -> int:
    """What `nproc` prints: the CPUs this process may run on."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def machine() -> dict[str, Any]:
    return {
        "nproc": nproc(),
        "cpu": cpu_model(),
        "python": sys.version.split()[0],
        "implementation": platform.python_implementation(),
        "platform": platform.platform(),
    }
