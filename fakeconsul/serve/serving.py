"""``fakeconsul.serving(cluster)``: a cluster on a real socket for the length of a block."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from ..model.cluster import Cluster
from .server import ClusterServer


@contextmanager
def serving(cluster: Cluster, host: str = "127.0.0.1", port: int = 0) -> Iterator[str]:
    """Serve ``cluster`` for the block; yields ``http://host:port`` (port 0: a free one)."""
    server = ClusterServer(cluster, host=host, port=port)
    server.start()
    try:
        yield server.url
    finally:
        server.stop()
