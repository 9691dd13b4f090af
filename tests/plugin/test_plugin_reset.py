"""Every fault and injection is gone at the start of the next test."""

from __future__ import annotations

from collections.abc import Callable

import pytest

Run = Callable[..., pytest.RunResult]


def test_the_next_test_starts_without_faults_or_injections(
    pytester: pytest.Pytester, run: Run
) -> None:
    pytester.makepyfile("""
        import urllib.request

        def test_breaks_everything(fake_consul_pair):
            dc1, dc2 = fake_consul_pair
            fake_consul_pair.peer()
            dc1.inject_response("*", "/v1/peerings", 503, times=10)
            dc2.inject_response("*", "/v1/peerings", 503, times=10)
            fake_consul_pair.network.disconnect(dc1, dc2)
            dc1.take_down()

        def test_finds_nothing_broken(fake_consul_pair):
            dc1, dc2 = fake_consul_pair
            for cluster in (dc1, dc2):
                with urllib.request.urlopen(cluster.url + "/v1/peerings", timeout=5) as answer:
                    assert (answer.status, answer.read()) == (200, b"[]")
            fake_consul_pair.peer()  # raises unless both sides become ACTIVE
            fake_consul_pair.network.clock.advance(600)  # a cut link would fail by now
            assert {p.state.name for p in dc1.list() + dc2.list()} == {"ACTIVE"}
    """)
    run("-W", "error").assert_outcomes(passed=2)
