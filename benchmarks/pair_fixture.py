"""Per-test cost of ``fake_consul_pair`` against a test that uses two bare pytest-httpserver
servers (pytest-httpserver's own ``httpserver`` and ``httpserver_ipv4`` fixtures).

One generated file holds N tests of each kind, alternating (fake, baseline, fake, ...), and runs
in a fresh ``pytest`` subprocess: whatever else the machine does falls on both kinds alike. Each
test makes one GET on each of its two servers (the baseline first tells its servers what to
answer, as a test with bare servers must). A small plugin times every test's whole protocol
(setup, call, teardown) in CPU time of the pytest process (the servers are threads in it, so
their work counts, and other processes do not) and in wall time; the median of each kind is its
per-test cost, which leaves out interpreter start-up and the session's one-off server start.
"""

from __future__ import annotations

import statistics
import tempfile
import textwrap
from dataclasses import dataclass
from pathlib import Path

from .figures import Figure, Goal
from .measure import Sizes
from .serving import run_generated_suite

NAME = "pair_fixture"
TEST_FILE = "test_pair_vs_two_servers.py"
FAKE, BASELINE = "fake", "base"  # the suffix of each generated test's name
ROUNDS = 2

CONFTEST = '''
import json
import os
import time

import pytest

DURATIONS = {"fake": {"wall": [], "cpu": []}, "base": {"wall": [], "cpu": []}}


@pytest.hookimpl(wrapper=True)
def pytest_runtest_protocol(item, nextitem):
    wall, cpu = time.perf_counter(), time.process_time()
    try:
        return (yield)
    finally:
        kind = DURATIONS[item.name.rsplit("_", 1)[1]]
        kind["cpu"].append(time.process_time() - cpu)
        kind["wall"].append(time.perf_counter() - wall)


def pytest_sessionfinish(session, exitstatus):
    with open(os.environ["BENCH_DURATIONS"], "w") as out:
        json.dump(DURATIONS, out)
'''

HEADER = '''
import http.client
from urllib.parse import urlsplit


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

TESTS = '''

def test_{i:05d}_fake(fake_consul_pair):
    dc1, dc2 = fake_consul_pair
    assert get(dc1.url + "/v1/status/leader") == 200
    assert get(dc2.url + "/v1/status/leader") == 200


def test_{i:05d}_base(httpserver, httpserver_ipv4):
    for server in (httpserver, httpserver_ipv4):
        server.expect_request("/v1/status/leader").respond_with_json("127.0.0.1:8300")
        assert get(server.url_for("/v1/status/leader")) == 200
'''


@dataclass
class Timed:
    cpu_ms: float  # median per test: CPU of the pytest process (its servers are threads in it)
    wall_ms: float  # median per test: wall clock


def write_files(directory: Path, n: int) -> str:
    """The generated suite in ``directory`` (its conftest and one test file, returned)."""
    (directory / "pytest.ini").write_text("[pytest]\n")
    (directory / "conftest.py").write_text(textwrap.dedent(CONFTEST))
    (directory / TEST_FILE).write_text(HEADER + "".join(TESTS.format(i=i) for i in range(n)))
    return TEST_FILE


def _run(directory: Path) -> dict[str, Timed]:
    measured = run_generated_suite(directory, TEST_FILE, "BENCH_DURATIONS", "durations.json")
    return {kind: Timed(statistics.median(values["cpu"]) * 1000,
                        statistics.median(values["wall"]) * 1000)
            for kind, values in measured.items()}


def _best(a: Timed | None, b: Timed) -> Timed:
    return b if a is None else Timed(min(a.cpu_ms, b.cpu_ms), min(a.wall_ms, b.wall_ms))


def run(sizes: Sizes) -> list[Figure]:
    n = sizes.pair_tests
    rounds = ROUNDS if sizes.repeats > 1 else 1
    fake: Timed | None = None
    base: Timed | None = None
    with tempfile.TemporaryDirectory(prefix="fakeconsul-bench-") as tmp:
        directory = Path(tmp)
        write_files(directory, n)
        for _ in range(rounds):  # each kind keeps its best run
            timed = _run(directory)
            fake, base = _best(fake, timed[FAKE]), _best(base, timed[BASELINE])
    assert fake is not None and base is not None
    baseline = "two bare pytest-httpserver servers"
    runs = f"{n} tests of each kind, interleaved; best of {rounds} run(s)"
    return [
        Figure(NAME, "per-test cost, CPU (median)", "ms", fake.cpu_ms, base.cpu_ms, baseline,
               Goal("ratio", "<=", 1.2), note=runs),
        Figure(NAME, "per-test cost, wall clock (median)", "ms", fake.wall_ms, base.wall_ms,
               baseline, note=runs),
    ]
