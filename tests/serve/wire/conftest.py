"""A served cluster with short timeouts, and raw sockets that read answers byte for byte."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from wire_raw import CONNECTION_LIMIT, IDLE_TIMEOUT, READ_TIMEOUT, Raw

from fakeconsul import Cluster, Network
from fakeconsul.serve.server import ClusterServer


@pytest.fixture
def cluster() -> Cluster:
    return Network().add_cluster("dc1")


@pytest.fixture
def server(cluster: Cluster) -> Iterator[ClusterServer]:
    served = ClusterServer(cluster, idle_timeout=IDLE_TIMEOUT, read_timeout=READ_TIMEOUT,
                           max_conns_per_client=CONNECTION_LIMIT)
    served.start()
    yield served
    served.stop()
    served.check()


@pytest.fixture
def raw(server: ClusterServer) -> Iterator[Raw]:
    connection = Raw(server.host, server.port)
    yield connection
    connection.close()
