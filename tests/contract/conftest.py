"""The targets every contract story runs against.

* ``fake-wsgi``: two fake clusters called through werkzeug's test client, on a manual clock with
  Consul-like delays (the stream opens 1 s after establish, a deleted peering lingers 2 s), so
  the stories wait the way they must wait for real Consul;
* ``fake-socket``: two fake clusters served on real sockets by the plugin, default (zero) delays;
* ``real-consul``: ``FAKECONSUL_REAL_ADDRS="http://host-a:8500,http://host-b:8500"`` names two
  Consul clusters that can peer (``FAKECONSUL_REAL_TOKEN`` optional). Unset: skipped.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import datetime, timezone

import pytest
from contract_api import Agent, Target, http_transport, wsgi_transport

from fakeconsul import ManualClock, Network, Timing, wsgi_app
from fakeconsul.testing import ServedNetwork

REAL_ADDRS = "FAKECONSUL_REAL_ADDRS"
REAL_TOKEN = "FAKECONSUL_REAL_TOKEN"
TARGETS = ("fake-wsgi", "fake-socket", "real-consul")


def _fake_wsgi() -> Target:
    clock = ManualClock(datetime(2030, 1, 1, tzinfo=timezone.utc))
    network = Network(clock=clock, timing=Timing(connect_delay=1.0, deletion_delay=2.0))
    dc1, dc2 = network.add_cluster("dc1"), network.add_cluster("dc2")
    target = Target("fake-wsgi", Agent(wsgi_transport(wsgi_app(dc1))),
                    Agent(wsgi_transport(wsgi_app(dc2))), advance=clock.advance)

    def no_fake_errors() -> None:
        errors = [err for cluster in network for err in wsgi_app(cluster).errors]
        if errors:
            raise AssertionError(f"the fake raised unexpectedly: {errors!r}") from errors[0]

    target.finalizers.append(no_fake_errors)
    return target


def _fake_socket(network: ServedNetwork) -> Target:
    dc1, dc2 = network.add_cluster("dc1"), network.add_cluster("dc2")
    return Target("fake-socket", Agent(http_transport(dc1.url)), Agent(http_transport(dc2.url)),
                  advance=network.clock.advance)


def _real() -> Target:
    raw = os.environ.get(REAL_ADDRS, "").strip()
    if not raw:
        pytest.skip(f"{REAL_ADDRS} is not set: no real Consul to check the fake against")
    addresses = [part.strip() for part in raw.split(",") if part.strip()]
    if len(addresses) != 2:
        pytest.fail(f"{REAL_ADDRS} must name two clusters, as http://a:8500,http://b:8500")
    token = os.environ.get(REAL_TOKEN, "")
    return Target("real-consul", Agent(http_transport(addresses[0]), token),
                  Agent(http_transport(addresses[1]), token))


@pytest.fixture(params=TARGETS)
def target(request: pytest.FixtureRequest) -> Iterator[Target]:
    """Two agents that can peer: ``target.a`` mints tokens, ``target.b`` dials."""
    if request.param == "fake-wsgi":
        made = _fake_wsgi()
    elif request.param == "fake-socket":
        made = _fake_socket(request.getfixturevalue("fake_consul_network"))
    else:
        made = _real()
    yield made
    made.close()
