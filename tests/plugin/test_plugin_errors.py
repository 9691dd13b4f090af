"""An unexpected exception inside a served cluster fails the test at teardown, with its own
traceback, instead of hiding behind a 500 (as pytest-httpserver does)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

Run = Callable[..., pytest.RunResult]

BROKEN = """
import urllib.error
import urllib.request


def broken_list(*args, **kwargs):
    raise RuntimeError("a bug inside the fake")


def test_hits_a_bug(fake_consul, monkeypatch):
    monkeypatch.setattr(fake_consul.cluster, "list_with_index", broken_list)
    try:
        urllib.request.urlopen(fake_consul.url + "/v1/peerings", timeout=5)
    except urllib.error.HTTPError as err:
        assert err.code == 500


def test_next_is_unaffected(fake_consul):
    assert fake_consul.list() == []
"""


def test_the_test_fails_at_teardown(pytester: pytest.Pytester, run: Run) -> None:
    pytester.makepyfile(BROKEN)
    result = run()
    result.assert_outcomes(passed=2, errors=1)
    result.stdout.fnmatch_lines(["*ERROR at teardown of test_hits_a_bug*"])


def test_the_original_traceback_is_shown(pytester: pytest.Pytester, run: Run) -> None:
    pytester.makepyfile(BROKEN)
    result = run()
    result.stdout.fnmatch_lines([
        "*ERROR at teardown of test_hits_a_bug*",
        "*def broken_list(*args, **kwargs):",
        '>       raise RuntimeError("a bug inside the fake")',
        "E       RuntimeError: a bug inside the fake",
    ])
