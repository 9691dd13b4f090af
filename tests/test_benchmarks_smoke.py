"""The benchmarks (``make bench``) at their smallest sizes, so they keep running as the code moves.

Nothing here measures anything: each benchmark runs on a handful of peerings and requests, and the
test checks only that it produced its figures. The numbers are in benchmarks/README.md.
"""

from __future__ import annotations

import importlib
import json
import sys
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parent.parent
# pair_fixture runs two fresh pytest processes; its generated suite is run in-process below.
NAMES = ["lifecycle", "http_read", "fanout", "scale", "state_file", "stop"]


def _benchmarks(name: str) -> ModuleType:
    # benchmarks/ sits beside the package, not in it: reachable from the project root.
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    return importlib.import_module(f"benchmarks.{name}")


@pytest.mark.parametrize("name", NAMES)
def test_each_benchmark_runs_at_its_smallest_size(name: str) -> None:
    tiny = _benchmarks("measure").TINY
    figures = _benchmarks(name).run(tiny)
    assert figures and all(f.benchmark == name for f in figures)
    assert all(f.measured is not None or f.note.startswith("pending") for f in figures)


def test_the_runner_prints_a_table_and_writes_json(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    output = tmp_path / "results.json"

    code = _benchmarks("__main__").main(["lifecycle", "--tiny", "--output", str(output)])

    report = json.loads(output.read_text())
    table = capsys.readouterr().out
    assert (code, [f["name"] for f in report["figures"]]) == (
        0, ["in-process lifecycle", "in-process lifecycle, new network"]
    )
    assert "in-process lifecycle" in table and set(report["machine"]) >= {"nproc", "cpu", "python"}


def test_the_pair_fixture_benchmark_s_generated_suite_passes_and_is_timed(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    test_file = _benchmarks("pair_fixture").write_files(pytester.path, 2)
    durations = pytester.path / "durations.json"
    monkeypatch.setenv("BENCH_DURATIONS", str(durations))

    result = pytester.runpytest_inprocess("-p", "no:cacheprovider", test_file)

    result.assert_outcomes(passed=4)
    timed = json.loads(durations.read_text())
    assert {kind: len(values["cpu"]) for kind, values in timed.items()} == {"fake": 2, "base": 2}


def test_the_first_request_benchmark_s_generated_suite_passes_and_is_timed(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    test_file = _benchmarks("first_request").write_files(pytester.path, 2)
    timed = pytester.path / "first.json"
    monkeypatch.setenv("BENCH_FIRST", str(timed))

    result = pytester.runpytest_inprocess("-p", "no:cacheprovider", test_file)

    result.assert_outcomes(passed=1)
    assert len(json.loads(timed.read_text())["later"]) == 2
