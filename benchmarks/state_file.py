"""The cost of ``fakeconsul serve --state-file`` per acknowledged write.

Two ``fakeconsul serve`` processes (one cluster, port 0, ``--quiet``), one with a state file in
a temporary directory and one without, each take the same sequence of writes over HTTP
(``POST /v1/peering/token`` for a new peering name, one at a time, each waited for). The state
file is saved (written, fsynced, renamed) before each write is answered, so the difference is
what durability costs a client. The file holds the whole network, so a save grows with the
number of peerings: the table shows the median write, JSON also keeps the last ones.

At scale (``Sizes.state_peerings`` peering records, 50,000 in ``make bench``), a child built
with the Python API (``state_server.py``) serves dc1 with and without a state file: the median
of ``state_ops`` reads (``GET /v1/peering/:name``) and of as many token writes, each against the
same operation on the same network without a state file. The goals are the issue's: a read
under 5 ms and a token write under 50 ms with the state file.
"""

from __future__ import annotations

import contextlib
import http.client
import io
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from .figures import Figure, Goal, pending
from .measure import ROOT, Sizes
from .serving import child_env

NAME = "state_file"
FLAG = "--state-file"
READY_TIMEOUT = 30.0
BUILD_TIMEOUT = 600.0  # building 50,000 peerings and writing them once


def available() -> bool:
    """Whether ``fakeconsul serve`` has the flag (it was being built beside these benchmarks)."""
    from fakeconsul.serve.cli import build_parser

    shown = io.StringIO()
    with contextlib.redirect_stdout(shown), contextlib.suppress(SystemExit):
        build_parser().parse_args(["serve", "--help"])
    return FLAG in shown.getvalue()


def _env() -> dict[str, str]:
    # Settings of a developer's shell must not leak in: only the flags below apply.
    return {k: v for k, v in child_env().items() if not k.startswith("FAKECONSUL_")}


def _serve(extra: list[str]) -> tuple[subprocess.Popen[str], int]:
    command = [sys.executable, "-m", "fakeconsul", "serve", "--cluster", "dc1=127.0.0.1:0",
               "--quiet", "--no-control-api", *extra]
    server = subprocess.Popen(command, cwd=ROOT, env=_env(), stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True)
    assert server.stdout is not None
    deadline = time.monotonic() + READY_TIMEOUT
    while time.monotonic() < deadline:
        line = server.stdout.readline()
        if not line:
            break
        if line.startswith("dc1: http://"):
            return server, int(line.strip().rsplit(":", 1)[1])
    server.kill()
    raise RuntimeError(f"fakeconsul serve did not start: {server.communicate()[1][-2000:]}")


def _stop(server: subprocess.Popen[str]) -> None:
    server.terminate()
    server.communicate(timeout=30)  # also closes the pipes


def _timed(port: int, method: str, path: str, body: str | None = None) -> float:
    started = time.perf_counter()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        conn.request(method, path, body=body)
        answer = conn.getresponse()
        answer.read()
    finally:
        conn.close()
    if answer.status != 200:
        raise RuntimeError(f"{method} {path} answered {answer.status}")
    return time.perf_counter() - started


def _writes(port: int, count: int, prefix: str = "peer") -> list[float]:
    return [_timed(port, "POST", "/v1/peering/token",
                   json.dumps({"PeerName": f"{prefix}-{i:05d}"})) for i in range(count)]


def _at_scale(pairs: int, ops: int, state: str | None) -> tuple[list[float], list[float]]:
    """(reads, token writes) on a child holding ``pairs`` established pairs."""
    command = [sys.executable, "-m", "benchmarks.state_server", str(pairs)]
    child = subprocess.Popen(command + ([state] if state else []), cwd=ROOT, env=_env(),
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True)
    try:
        assert child.stdout is not None
        port = None
        deadline = time.monotonic() + BUILD_TIMEOUT
        while time.monotonic() < deadline:
            line = child.stdout.readline()
            if not line or line.startswith("ready"):
                break
            if line.startswith("dc1: http://"):
                port = int(line.strip().rsplit(":", 1)[1])
        if port is None:
            raise RuntimeError(f"state_server did not start: {child.communicate()[1][-2000:]}")
        names = [f"pair-{(i * 7919) % pairs:06d}" for i in range(ops)]
        for name in names[:3]:
            _timed(port, "GET", f"/v1/peering/{name}")  # warm up: routes, caches, first save
        reads = [_timed(port, "GET", f"/v1/peering/{name}") for name in names]
        return reads, _writes(port, ops, "scale")
    finally:
        child.kill()  # a clean stop would write the whole network once more: not measured
        child.communicate()


def _scale_figures(sizes: Sizes) -> list[Figure]:
    pairs, ops = max(1, sizes.state_peerings // 2), sizes.state_ops
    with tempfile.TemporaryDirectory(prefix="fakeconsul-bench-") as tmp:
        reads, writes = _at_scale(pairs, ops, str(Path(tmp) / "state.json"))
    memory_reads, memory_writes = _at_scale(pairs, ops, None)
    size = f"{2 * pairs:,} peerings"
    return [
        Figure(NAME, f"read at {size} with {FLAG} (median of {ops})", "ms",
               statistics.median(reads) * 1000, statistics.median(memory_reads) * 1000,
               "the same read without a state file", goal=Goal("value", "<=", 5.0),
               extra={"durable_ms": [round(s * 1000, 3) for s in reads],
                      "memory_ms": [round(s * 1000, 3) for s in memory_reads]}),
        Figure(NAME, f"token write at {size} with {FLAG} (median of {ops})", "ms",
               statistics.median(writes) * 1000, statistics.median(memory_writes) * 1000,
               "the same write without a state file", goal=Goal("value", "<=", 50.0),
               extra={"durable_ms": [round(s * 1000, 3) for s in writes],
                      "memory_ms": [round(s * 1000, 3) for s in memory_writes]}),
    ]


def _measure(extra: list[str], count: int) -> list[float]:
    server, port = _serve(extra)
    try:
        return _writes(port, count)
    finally:
        _stop(server)


def run(sizes: Sizes) -> list[Figure]:
    if not available():
        return [pending(NAME, "cost per acknowledged write", f"`fakeconsul serve {FLAG}` "
                        "does not exist yet")]
    with tempfile.TemporaryDirectory(prefix="fakeconsul-bench-") as tmp:
        durable = _measure([FLAG, str(Path(tmp) / "state.json")], sizes.state_writes)
    memory = _measure([], sizes.state_writes)
    tail = max(1, sizes.state_writes // 10)
    return [
        Figure(NAME, f"write with {FLAG} (median of {sizes.state_writes})", "ms",
               statistics.median(durable) * 1000, statistics.median(memory) * 1000,
               "the same write without a state file",
               note=f"last {tail}: {statistics.median(durable[-tail:]) * 1000:.1f} ms vs "
                    f"{statistics.median(memory[-tail:]) * 1000:.1f} ms",
               extra={"durable_ms": [round(s * 1000, 3) for s in durable],
                      "memory_ms": [round(s * 1000, 3) for s in memory]}),
        *_scale_figures(sizes),
    ]
