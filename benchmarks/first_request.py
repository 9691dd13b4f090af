"""The first served request of a pytest process against a later one of the same kind.

A generated test file runs in a fresh ``pytest`` process, as a downstream suite's first test
does: its first test asks for ``fake_consul_pair`` and times the first request it makes (a token
on dc1, then establishing it on dc2), then the same two requests again on new names. Wall time
of the test's own client, median of the later rounds; several fresh processes, best kept.
"""

from __future__ import annotations

import statistics
import tempfile
from pathlib import Path

from .figures import Figure, Goal
from .measure import Sizes
from .serving import run_generated_suite

NAME = "first_request"
TEST_FILE = "test_first_request.py"
LATER_ROUNDS = 20

TESTS = '''
import http.client
import json
import os
import time
from urllib.parse import urlsplit


def call(url, path, body):
    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    try:
        conn.request("POST", path, body=json.dumps(body))
        answer = conn.getresponse()
        data = answer.read()
        assert answer.status == 200, data
        return json.loads(data)
    finally:
        conn.close()


def token_and_establish(dc1, dc2, name):
    started = time.perf_counter()
    token = call(dc1.url, "/v1/peering/token", {{"PeerName": name}})["PeeringToken"]
    call(dc2.url, "/v1/peering/establish", {{"PeerName": name, "PeeringToken": token}})
    return time.perf_counter() - started


def test_first_requests(fake_consul_pair):
    dc1, dc2 = fake_consul_pair
    first = token_and_establish(dc1, dc2, "first")
    later = [token_and_establish(dc1, dc2, f"later-{{i}}") for i in range({rounds})]
    with open(os.environ["BENCH_FIRST"], "w") as out:
        json.dump({{"first": first, "later": later}}, out)
'''


def write_files(directory: Path, rounds: int) -> str:
    (directory / "pytest.ini").write_text("[pytest]\n")
    (directory / TEST_FILE).write_text(TESTS.format(rounds=rounds))
    return TEST_FILE


def _run(directory: Path) -> tuple[float, float]:
    measured = run_generated_suite(directory, TEST_FILE, "BENCH_FIRST", "first.json")
    return measured["first"], statistics.median(measured["later"])


def run(sizes: Sizes) -> list[Figure]:
    processes = 3 if sizes.repeats > 1 else 1
    rounds = LATER_ROUNDS if sizes.repeats > 1 else 2
    with tempfile.TemporaryDirectory(prefix="fakeconsul-bench-") as tmp:
        directory = Path(tmp)
        write_files(directory, rounds)
        runs = [_run(directory) for _ in range(processes)]
    first, later = min(runs)  # the least disturbed process
    return [
        Figure(NAME, "first request of a process (token + establish)", "ms", first * 1000,
               later * 1000, f"the same requests later (median of {rounds})",
               Goal("ratio", "<=", 5), note=f"best of {processes} fresh pytest processes"),
    ]
