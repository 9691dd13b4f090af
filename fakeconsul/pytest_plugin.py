"""fakeconsul's pytest plugin: served fake Consul clusters that peer, as fixtures.

Registered under the ``pytest11`` entry point ``fakeconsul`` (``-p no:fakeconsul`` turns it off).
Thin on purpose: everything but fixture wiring lives in ``fakeconsul.testing``.

Fixtures: ``fake_consul`` (dc1), ``fake_consul_pair`` (dc1, dc2), ``fake_consul_network``.
Override ``fakeconsul_listen_host``, ``fakeconsul_timing`` or ``fakeconsul_acl`` by defining a
fixture of the same name; set per-test values with
``@pytest.mark.fakeconsul(connect_delay=5, clock_start=..., acl=ACLConfig(...))``.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import fields, replace
from datetime import datetime
from typing import Any

import pytest

from fakeconsul import messages
from fakeconsul.acl import ACLConfig
from fakeconsul.model.timing import Timing
from fakeconsul.testing import ServedCluster, ServedNetwork, ServedPair, ServerPool, make_network

_TIMING_FIELDS = {f.name for f in fields(Timing)}


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "fakeconsul(clock_start=None, **timing): per-test settings of the fakeconsul fixtures: "
        "Timing fields (connect_delay, deletion_delay, heartbeat_interval, heartbeat_timeout, "
        "keepalive_timeout, establish_retry_window) "
        "and clock_start, an aware datetime the network's clock starts at; acl, an "
        "fakeconsul.acl.ACLConfig that turns ACLs on (None turns them off).",
    )


@pytest.fixture(scope="session")
def fakeconsul_listen_host() -> str:
    """The address the fake clusters listen on; override to serve elsewhere."""
    return "127.0.0.1"


# Session-scoped defaults: each function-scoped fixture costs pytest about 0.2 ms per test (see
# benchmarks/README.md), and each network gets its own copy of the Timing anyway. An override
# may use any scope.
@pytest.fixture(scope="session")
def fakeconsul_timing() -> Timing:
    """The Timing of each test's network; override for a suite-wide default."""
    return Timing()


@pytest.fixture(scope="session")
def fakeconsul_acl() -> ACLConfig | None:
    """The ACL settings of each test's clusters: None (ACLs off) unless overridden, e.g. with
    ``ACLConfig(default_policy="deny", initial_management_token="root")``."""
    return None


@pytest.fixture(scope="session")
def fakeconsul_server_pool(fakeconsul_listen_host: str) -> Iterator[ServerPool]:
    """Servers started once per session and moved from test to test, warmed up first."""
    pool = ServerPool(fakeconsul_listen_host)
    pool.warm_up()
    yield pool
    pool.close()


def _settings(request: pytest.FixtureRequest, timing: Timing) -> tuple[Timing, datetime | None]:
    """The test's Timing (always a copy: tests may change it) and clock start.

    Markers on the module, the class and the function are merged, the closest one winning.
    """
    options: dict[str, Any] = {}
    for marker in request.node.iter_markers("fakeconsul"):  # closest first
        if marker.args:
            raise pytest.UsageError(messages.MARKER_KEYWORDS_ONLY)
        options = {**marker.kwargs, **options}
    clock_start = options.pop("clock_start", None)
    options.pop("acl", None)  # read by _acl_setting
    unknown = set(options) - _TIMING_FIELDS
    if unknown:
        raise pytest.UsageError(messages.MARKER_UNKNOWN_SETTINGS.format(sorted(unknown)))
    if clock_start is not None and (
        not isinstance(clock_start, datetime) or clock_start.utcoffset() is None
    ):
        raise pytest.UsageError(messages.MARKER_CLOCK_START.format(clock_start))
    try:
        return replace(timing, **options), clock_start
    except ValueError as err:
        raise pytest.UsageError(messages.MARKER_BAD_VALUE.format(err)) from None


def _acl_setting(request: pytest.FixtureRequest, default: ACLConfig | None) -> ACLConfig | None:
    """The closest marker's ``acl``, else the ``fakeconsul_acl`` fixture's."""
    for marker in request.node.iter_markers("fakeconsul"):  # closest first
        if "acl" in marker.kwargs:
            acl = marker.kwargs["acl"]
            if acl is not None and not isinstance(acl, ACLConfig):
                raise pytest.UsageError(messages.MARKER_ACL.format(acl))
            return acl
    return default


@pytest.fixture
def fake_consul_network(
    request: pytest.FixtureRequest,
    fakeconsul_server_pool: ServerPool,
    fakeconsul_timing: Timing,
    fakeconsul_acl: ACLConfig | None,
) -> Iterator[ServedNetwork]:
    """A fresh served network; ``add_cluster(name)`` returns a served cluster."""
    timing, clock_start = _settings(request, fakeconsul_timing)
    acl = _acl_setting(request, fakeconsul_acl)
    served = ServedNetwork(fakeconsul_server_pool, make_network(timing, clock_start, acl))
    yield served
    served.finish()


@pytest.fixture
def fake_consul(fake_consul_network: ServedNetwork) -> ServedCluster:
    """One served cluster, dc1, clean at the start of the test (``fake_consul_pair``'s dc1 when
    the test asks for both)."""
    if "dc1" in fake_consul_network:
        return fake_consul_network["dc1"]
    return fake_consul_network.add_cluster("dc1")


@pytest.fixture
def fake_consul_pair(fake_consul_network: ServedNetwork) -> ServedPair:
    """dc1 and dc2 on one network: ``dc1, dc2 = fake_consul_pair``; ``.peer()``."""
    return ServedPair(fake_consul_network)
