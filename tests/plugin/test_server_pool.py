"""The fixtures' server pool warms up on a throwaway pair that no test sees."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from fakeconsul import Network
from fakeconsul.testing import ServerPool


@pytest.fixture
def pool() -> Iterator[ServerPool]:
    pool = ServerPool()
    yield pool
    pool.close()


def test_warming_up_starts_two_servers(pool: ServerPool) -> None:
    pool.warm_up()

    assert len(pool) == 2


def test_a_cluster_served_after_the_warm_up_gets_a_warmed_server(pool: ServerPool) -> None:
    pool.warm_up()

    pool.acquire(Network().add_cluster("dc1"))

    assert len(pool) == 2
