"""The cost of ``fakeconsul serve --state-file`` per acknowledged write.

Two ``fakeconsul serve`` processes (one cluster, port 0, ``--quiet``), one with a state file in
a temporary directory and one without, each take the same sequence of writes over HTTP
(``POST /v1/peering/token`` for a new peering name, one at a time, each waited for). The state
file is saved (written, fsynced, renamed) before each write is answered, so the difference is
what durability costs a client. The file holds the whole network, so a save grows with the
number of peerings: the table shows the median write, JSON also keeps the last ones.
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

from .figures import Figure, pending
from .measure import ROOT, Sizes
from .serving import child_env

NAME = "state_file"
FLAG = "--state-file"
READY_TIMEOUT = 30.0


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


def _writes(port: int, count: int) -> list[float]:
    seconds = []
    for i in range(count):
        body = json.dumps({"PeerName": f"peer-{i:05d}"})
        started = time.perf_counter()
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        try:
            conn.request("POST", "/v1/peering/token", body=body)
            answer = conn.getresponse()
            answer.read()
        finally:
            conn.close()
        seconds.append(time.perf_counter() - started)
        if answer.status != 200:
            raise RuntimeError(f"write {i} answered {answer.status}")
    return seconds


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
    ]
