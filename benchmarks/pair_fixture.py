"""Per-test cost of ``fake_consul_pair`` against a test that uses two bare pytest-httpserver
servers (its own ``httpserver`` and ``httpserver_ipv4`` fixtures).

Two generated files of N tests each run in a fresh ``pytest`` subprocess. Each test makes one
GET on each of its two servers (the baseline first tells its servers what to answer, as a test
with bare servers must). A small plugin times every test's whole protocol (setup, call,
teardown), in CPU time of the pytest process (the servers are threads in it, so their work
counts, and other processes on a busy machine do not) and in wall time. The median is the
per-test cost: it leaves out interpreter start-up and the one-off start of the session's servers
(the whole run's wall time is reported beside it).
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from dataclasses import dataclass
from pathlib import Path

from .figures import Figure, Goal
from .measure import Sizes
from .serving import child_env

NAME = "pair_fixture"
FAKE_FILE = "test_fake_pair.py"
BASELINE_FILE = "test_two_httpservers.py"
ROUNDS = 2

CONFTEST = '''
import json
import os
import time

import pytest

DURATIONS = {"wall": [], "cpu": []}


@pytest.hookimpl(wrapper=True)
def pytest_runtest_protocol(item, nextitem):
    wall, cpu = time.perf_counter(), time.process_time()
    try:
        return (yield)
    finally:
        DURATIONS["cpu"].append(time.process_time() - cpu)
        DURATIONS["wall"].append(time.perf_counter() - wall)


def pytest_sessionfinish(session, exitstatus):
    with open(os.environ["BENCH_DURATIONS"], "w") as out:
        json.dump(DURATIONS, out)
'''

COMMON = '''
import http.client
from urllib.parse import urlsplit

import pytest


def get(url):
    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    try:
        conn.request("GET", parts.path)
        answer = conn.getresponse()
        answer.read()
        return answer.status
    finally:
        conn.close()
'''

FAKE = COMMON + '''

@pytest.mark.parametrize("n", range({n}))
def test_pair(fake_consul_pair, n):
    dc1, dc2 = fake_consul_pair
    assert get(dc1.url + "/v1/status/leader") == 200
    assert get(dc2.url + "/v1/status/leader") == 200
'''

BASELINE = COMMON + '''

@pytest.mark.parametrize("n", range({n}))
def test_two_servers(httpserver, httpserver_ipv4, n):
    for server in (httpserver, httpserver_ipv4):
        server.expect_request("/v1/status/leader").respond_with_json("127.0.0.1:8300")
        assert get(server.url_for("/v1/status/leader")) == 200
'''


@dataclass
class Timed:
    cpu_ms: float  # median per test: CPU of the pytest process (its servers are threads in it)
    wall_ms: float  # median per test: wall clock
    run_s: float  # the whole pytest run


def _run(directory: Path, test_file: str) -> Timed:
    durations = directory / f"{test_file}.durations.json"
    env = child_env()
    env["BENCH_DURATIONS"] = str(durations)
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:xdist",
               "-p", "no:randomly", "--rootdir", str(directory), test_file]
    started = time.perf_counter()
    done = subprocess.run(command, cwd=directory, env=env, capture_output=True, text=True,
                          timeout=600, check=False)
    run_s = time.perf_counter() - started
    if done.returncode != 0:
        raise RuntimeError(f"generated tests failed ({test_file}):\n{done.stdout[-2000:]}")
    measured = json.loads(durations.read_text())
    return Timed(statistics.median(measured["cpu"]) * 1000,
                 statistics.median(measured["wall"]) * 1000, run_s)


def _best(a: Timed | None, b: Timed) -> Timed:
    if a is None:
        return b
    return Timed(min(a.cpu_ms, b.cpu_ms), min(a.wall_ms, b.wall_ms), min(a.run_s, b.run_s))


def write_files(directory: Path, n: int) -> tuple[str, str]:
    """The generated suite in ``directory``: its conftest and the two test files' names."""
    (directory / "pytest.ini").write_text("[pytest]\n")
    (directory / "conftest.py").write_text(textwrap.dedent(CONFTEST))
    (directory / FAKE_FILE).write_text(FAKE.format(n=n))
    (directory / BASELINE_FILE).write_text(BASELINE.format(n=n))
    return FAKE_FILE, BASELINE_FILE


def run(sizes: Sizes) -> list[Figure]:
    n = sizes.pair_tests
    rounds = ROUNDS if sizes.repeats > 1 else 1
    fake: Timed | None = None
    base: Timed | None = None
    with tempfile.TemporaryDirectory(prefix="fakeconsul-bench-") as tmp:
        directory = Path(tmp)
        fake_file, baseline_file = write_files(directory, n)
        for _ in range(rounds):  # alternating runs; each side keeps its best
            fake = _best(fake, _run(directory, fake_file))
            base = _best(base, _run(directory, baseline_file))
    assert fake is not None and base is not None
    baseline = "two bare pytest-httpserver servers"
    runs = f"{n} tests per run, best of {rounds} run(s)"
    return [
        Figure(NAME, "per-test cost, CPU (median)", "ms", fake.cpu_ms, base.cpu_ms, baseline,
               Goal("ratio", "<=", 1.2), note=runs),
        Figure(NAME, "per-test cost, wall clock (median)", "ms", fake.wall_ms, base.wall_ms,
               baseline, note=runs),
        Figure(NAME, f"whole pytest run of {n} tests", "s", fake.run_s, base.run_s, baseline,
               note="includes interpreter start, plugin load, server start and stop"),
    ]
