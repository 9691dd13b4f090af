"""fakeconsul's pytest plugin: served fake Consul clusters that peer, as fixtures.

Registered under the ``pytest11`` entry point ``fakeconsul`` (``-p no:fakeconsul`` turns it off).
Thin on purpose: everything but fixture wiring lives in ``fakeconsul.testing``.

Fixtures: ``fake_consul`` (dc1), ``fake_consul_pair`` (dc1, dc2), ``fake_consul_network``.
Override ``fakeconsul_listen_host`` or ``fakeconsul_timing`` by defining a fixture of the same
name; set per-test values with ``@pytest.mark.fakeconsul(connect_delay=5, clock_start=...)``.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import fields
from datetime import datetime

import pytest

from fakeconsul.testing import (
    ServedCluster,
    ServedNetwork,
    ServedPair,
    ServerPool,
    make_network,
)
from fakeconsul.timing import Timing

_TIMING_FIELDS = {f.name for f in fields(Timing)}


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "fakeconsul(clock_start=None, **timing): per-test settings of the fakeconsul fixtures: "
        "Timing fields (connect_delay, deletion_delay, heartbeat_interval, heartbeat_timeout) "
        "and clock_start, an aware datetime the network's clock starts at.",
    )


@pytest.fixture(scope="session")
def fakeconsul_listen_host() -> str:
    """The address the fake clusters listen on; override to serve elsewhere."""
    return "127.0.0.1"


@pytest.fixture
def fakeconsul_timing() -> Timing:
    """The Timing of each test's network; override for a suite-wide default."""
    return Timing()


@pytest.fixture(scope="session")
def fakeconsul_server_pool(fakeconsul_listen_host: str) -> Iterator[ServerPool]:
    """Servers started once per session and moved from test to test."""
    pool = ServerPool(fakeconsul_listen_host)
    yield pool
    pool.close()


def _settings(request: pytest.FixtureRequest, timing: Timing) -> tuple[Timing, datetime | None]:
    marker = request.node.get_closest_marker("fakeconsul")
    if marker is None:
        return timing, None
    if marker.args:
        raise pytest.UsageError("@pytest.mark.fakeconsul takes keyword arguments only")
    options = dict(marker.kwargs)
    clock_start = options.pop("clock_start", None)
    unknown = set(options) - _TIMING_FIELDS
    if unknown:
        raise pytest.UsageError(f"@pytest.mark.fakeconsul: unknown settings {sorted(unknown)}")
    return Timing(**{**timing.__dict__, **options}), clock_start


@pytest.fixture
def fake_consul_network(
    request: pytest.FixtureRequest,
    fakeconsul_server_pool: ServerPool,
    fakeconsul_timing: Timing,
) -> Iterator[ServedNetwork]:
    """A fresh served network; ``add_cluster(name)`` returns a served cluster."""
    timing, clock_start = _settings(request, fakeconsul_timing)
    served = ServedNetwork(fakeconsul_server_pool, make_network(timing, clock_start))
    yield served
    served.finish()


@pytest.fixture
def fake_consul(fake_consul_network: ServedNetwork) -> ServedCluster:
    """One served cluster, dc1, clean at the start of the test."""
    return fake_consul_network.add_cluster("dc1")


@pytest.fixture
def fake_consul_pair(fake_consul_network: ServedNetwork) -> ServedPair:
    """dc1 and dc2 on one network: ``dc1, dc2 = fake_consul_pair``; ``.peer()``."""
    return ServedPair(fake_consul_network)
