"""The fixtures every test shares: one network per test on a clock that only moves when told,
its two clusters, and a check that the fake met no unexpected exception while answering."""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Callable, Iterator

import pytest
from fake_errors import raise_unexpected, unexpected_errors
from hypothesis import settings
from moments import START

from fakeconsul import Cluster, ManualClock, Network

pytest_plugins = ["pytester"]  # tests/plugin runs downstream test files through the plugin

# Hypothesis profiles: "fast" for `make test`, "long" (`make test-long`) for thousands of
# examples. No deadline: a slow CI worker must not turn a correct example into a failure.
settings.register_profile("fast", deadline=None)
settings.register_profile("long", deadline=None, max_examples=2000)
settings.load_profile(os.environ.get("FAKECONSUL_HYPOTHESIS_PROFILE", "fast"))

def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """One line per reason tests were skipped (no real Consul, no browser), not one per test."""
    reasons: Counter[str] = Counter()
    for report in terminalreporter.stats.get("skipped", []):
        longrepr = report.longrepr
        reason = longrepr[2] if isinstance(longrepr, tuple) else str(longrepr)
        reasons[reason.removeprefix("Skipped: ")] += 1
    for reason, count in sorted(reasons.items()):
        terminalreporter.write_line(f"skipped {count}: {reason}")

Peer = Callable[..., None]


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(START)


@pytest.fixture
def network(clock: ManualClock) -> Iterator[Network]:
    net = Network(clock=clock)
    yield net
    raise_unexpected(unexpected_errors(net))


@pytest.fixture
def dc1(network: Network) -> Cluster:
    return network.add_cluster("dc1")


@pytest.fixture
def dc2(network: Network) -> Cluster:
    return network.add_cluster("dc2")


@pytest.fixture
def peered(dc1: Cluster, dc2: Cluster) -> Peer:
    """Peer two clusters: the acceptor calls the dialer "<dialer>-peer" and the dialer calls the
    acceptor "<acceptor>-peer" (by default dc1 holds "dc2-peer" and dc2 holds "dc1-peer")."""

    def peer(
        acceptor: Cluster = dc1, dialer: Cluster = dc2, *, meta: dict[str, str] | None = None
    ) -> None:
        token = acceptor.generate_token(f"{dialer.name}-peer")
        dialer.establish(f"{acceptor.name}-peer", token, meta=meta)

    return peer
