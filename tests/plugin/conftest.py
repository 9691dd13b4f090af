"""Fixtures of the plugin tests: inner pytest runs of downstream files made with ``pytester``.

The fixtures under test (``fake_consul``, ``fake_consul_pair``, ...) come from the installed
plugin itself (entry point ``fakeconsul``), exactly as in a downstream suite.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

# Options of every inner run: no cache files in the test's directory, and no hypothesis plugin,
# whose terminal summary imports all of hypothesis afresh in each inner run (about 2 s).
INNER = ("-p", "no:cacheprovider", "-p", "no:hypothesispytest")


@pytest.fixture
def run(pytester: pytest.Pytester) -> Callable[..., pytest.RunResult]:
    """Run the files made in ``pytester``'s directory in-process with ``args``."""

    def inner(*args: str) -> pytest.RunResult:
        return pytester.runpytest(*INNER, *args)

    return inner


@pytest.fixture
def run_subprocess(pytester: pytest.Pytester) -> Callable[..., pytest.RunResult]:
    """Run them in a fresh interpreter (what ``-n`` needs)."""

    def inner(*args: str) -> pytest.RunResult:
        return pytester.runpytest_subprocess(*INNER, *args)

    return inner
