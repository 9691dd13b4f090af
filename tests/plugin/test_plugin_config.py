"""Configuration fixtures a suite overrides, and the ``fakeconsul`` marker for one test."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime, timedelta, timezone

import pytest

from fakeconsul import Timing
from fakeconsul.testing import ServedCluster

Run = Callable[..., pytest.RunResult]

START = datetime(2030, 1, 1, tzinfo=timezone.utc)


def test_an_overridden_timing_fixture_is_every_test_s_timing(
    pytester: pytest.Pytester, run: Run
) -> None:
    pytester.makeconftest("""
        import pytest
        from fakeconsul import Timing

        @pytest.fixture
        def fakeconsul_timing():
            return Timing(connect_delay=7)
    """)
    pytester.makepyfile("""
        def test_timing(fake_consul):
            assert fake_consul.network.timing.connect_delay == 7
    """)
    run().assert_outcomes(passed=1)


def test_an_overridden_listen_host_serves_there(pytester: pytest.Pytester, run: Run) -> None:
    pytester.makeconftest("""
        import pytest

        @pytest.fixture(scope="session")
        def fakeconsul_listen_host():
            return "localhost"
    """)
    pytester.makepyfile("""
        import urllib.request

        def test_host(fake_consul):
            assert fake_consul.url.startswith("http://localhost:")
            with urllib.request.urlopen(fake_consul.url + "/v1/peerings", timeout=5) as answer:
                assert answer.read() == b"[]"
    """)
    run().assert_outcomes(passed=1)


def test_a_change_to_a_shared_timing_does_not_leak_into_the_next_test(
    pytester: pytest.Pytester, run: Run
) -> None:
    pytester.makeconftest("""
        import pytest
        from fakeconsul import Timing

        @pytest.fixture(scope="session")
        def fakeconsul_timing():
            return Timing(connect_delay=7)
    """)
    pytester.makepyfile("""
        def test_changes(fake_consul):
            fake_consul.network.timing.update(connect_delay=1)

        def test_sees_the_suite_s_value(fake_consul):
            assert fake_consul.network.timing.connect_delay == 7
    """)
    run().assert_outcomes(passed=2)


@pytest.mark.fakeconsul(connect_delay=5, heartbeat_interval=30)
def test_the_marker_sets_timing_fields(fake_consul: ServedCluster) -> None:
    assert fake_consul.network.timing == Timing(connect_delay=5, heartbeat_interval=30)


@pytest.mark.fakeconsul(clock_start=START)
def test_the_marker_starts_the_clock(fake_consul: ServedCluster) -> None:
    elapsed = fake_consul.network.clock.now() - START
    assert timedelta(0) <= elapsed < timedelta(seconds=5)


@pytest.mark.fakeconsul(connect_delay=5, deletion_delay=9)
class TestMarkersMerge:
    @pytest.mark.fakeconsul(deletion_delay=3)
    def test_the_closest_marker_wins_per_setting(self, fake_consul: ServedCluster) -> None:
        timing = fake_consul.network.timing
        assert (timing.connect_delay, timing.deletion_delay) == (5, 3)


def test_the_marker_applies_on_top_of_an_overridden_timing(
    pytester: pytest.Pytester, run: Run
) -> None:
    pytester.makeconftest("""
        import pytest
        from fakeconsul import Timing

        @pytest.fixture
        def fakeconsul_timing():
            return Timing(connect_delay=7, deletion_delay=7)
    """)
    pytester.makepyfile("""
        import pytest

        @pytest.mark.fakeconsul(deletion_delay=2)
        def test_timing(fake_consul):
            timing = fake_consul.network.timing
            assert (timing.connect_delay, timing.deletion_delay) == (7, 2)
    """)
    run().assert_outcomes(passed=1)


@pytest.mark.parametrize(
    ("marker", "error"),
    [
        ("fakeconsul(conect_delay=5)",
         "@pytest.mark.fakeconsul: unknown settings ['conect_delay']"),
        ("fakeconsul(5)",
         "@pytest.mark.fakeconsul takes keyword arguments only"),
        ("fakeconsul(clock_start=datetime.datetime(2030, 1, 1))",
         "@pytest.mark.fakeconsul: clock_start must be an aware datetime, "
         "not datetime.datetime(2030, 1, 1, 0, 0)"),
        ("fakeconsul(clock_start='2030-01-01')",
         "@pytest.mark.fakeconsul: clock_start must be an aware datetime, "
         "not '2030-01-01'"),
        ("fakeconsul(connect_delay=-1)",
         "@pytest.mark.fakeconsul: "
         "Timing.connect_delay must be a number of seconds >= 0, not -1"),
    ],
)
def test_a_wrong_marker_is_a_usage_error_of_that_test(
    pytester: pytest.Pytester, run: Run, marker: str, error: str
) -> None:
    pytester.makepyfile(f"""
        import datetime
        import pytest

        @pytest.mark.{marker}
        def test_marked(fake_consul):
            pass
    """)
    result = run()
    result.assert_outcomes(errors=1)
    result.stdout.re_match_lines([r"E +pytest\.UsageError: " + re.escape(error) + "$"])
