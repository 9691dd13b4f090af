"""Fixtures of the standalone server's tests: a network on a manual clock, werkzeug clients, and
a check that the fake hit no unexpected exception while answering."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from serve_helpers import START
from werkzeug.test import Client

from fakeconsul import Cluster, ManualClock, Network, wsgi_app


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(START)


@pytest.fixture
def network(clock: ManualClock) -> Iterator[Network]:
    net = Network(clock=clock)
    yield net
    errors = [err for cluster in net for err in wsgi_app(cluster).errors]
    if errors:
        raise errors[0]


@pytest.fixture
def dc1(network: Network) -> Cluster:
    return network.add_cluster("dc1")


@pytest.fixture
def dc2(network: Network) -> Cluster:
    return network.add_cluster("dc2")


@pytest.fixture
def client(dc1: Cluster, dc2: Cluster) -> Client:
    """dc1's port (dc2 exists beside it)."""
    return Client(wsgi_app(dc1))
