"""Per-test cost of ``fake_consul_pair`` against a test that uses two bare pytest-httpserver
servers (its own ``httpserver`` and ``httpserver_ipv4`` fixtures).

Two generated files of N tests each run in a fresh ``pytest`` subprocess. Each test makes one
GET on each of its two servers (the baseline first tells its servers what to answer, as a test
with bare servers must). A small plugin times every test's whole protocol (setup, call,
teardown); the median is the per-test cost, which leaves out interpreter start-up and the
one-off start of the session's servers (the whole run's wall time is reported beside it).
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
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

DURATIONS = []


@pytest.hookimpl(wrapper=True)
def pytest_runtest_protocol(item, nextitem):
    started = time.perf_counter()
    try:
        return (yield)
    finally:
        DURATIONS.append(time.perf_counter() - started)


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


def _run(directory: Path, test_file: str) -> tuple[list[float], float]:
    durations = directory / f"{test_file}.durations.json"
    env = child_env()
    env["BENCH_DURATIONS"] = str(durations)
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:xdist",
               "-p", "no:randomly", "--rootdir", str(directory), test_file]
    started = time.perf_counter()
    done = subprocess.run(command, cwd=directory, env=env, capture_output=True, text=True,
                          timeout=600, check=False)
    wall = time.perf_counter() - started
    if done.returncode != 0:
        raise RuntimeError(f"generated tests failed ({test_file}):\n{done.stdout[-2000:]}")
    measured: list[float] = json.loads(durations.read_text())
    return measured, wall


def write_files(directory: Path, n: int) -> tuple[str, str]:
    """The generated suite in ``directory``: its conftest and the two test files' names."""
    (directory / "pytest.ini").write_text("[pytest]\n")
    (directory / "conftest.py").write_text(textwrap.dedent(CONFTEST))
    (directory / FAKE_FILE).write_text(FAKE.format(n=n))
    (directory / BASELINE_FILE).write_text(BASELINE.format(n=n))
    return FAKE_FILE, BASELINE_FILE


def run(sizes: Sizes) -> list[Figure]:
    n = sizes.pair_tests
    with tempfile.TemporaryDirectory(prefix="fakeconsul-bench-") as tmp:
        directory = Path(tmp)
        fake_file, baseline_file = write_files(directory, n)
        fake_ms = base_ms = fake_wall = base_wall = float("inf")
        for _ in range(ROUNDS if sizes.repeats > 1 else 1):  # alternating; each keeps its best
            fake, wall = _run(directory, fake_file)
            fake_ms, fake_wall = min(fake_ms, statistics.median(fake) * 1000), min(fake_wall, wall)
            base, wall = _run(directory, baseline_file)
            base_ms, base_wall = min(base_ms, statistics.median(base) * 1000), min(base_wall, wall)
    return [
        Figure(NAME, "per-test cost (median setup+call+teardown)", "ms", fake_ms, base_ms,
               "two bare pytest-httpserver servers", Goal("ratio", "<=", 1.2),
               note=f"{n} tests per run, best of {ROUNDS} runs each"),
        Figure(NAME, f"whole pytest run of {n} tests", "s", fake_wall, base_wall,
               "two bare pytest-httpserver servers",
               note="includes interpreter start, plugin load, server start and stop"),
    ]
