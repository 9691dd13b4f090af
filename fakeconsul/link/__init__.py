"""Peering between processes: the fake-to-fake protocol a dialer speaks to an acceptor at the
address its token names (docs/peering-between-processes.md)."""

from __future__ import annotations

from ..model.network import Network
from .dialer import Link


def install(network: Network) -> Link:
    """Let ``network``'s clusters peer with clusters of other fakeconsul processes."""
    link = Link(network)
    network.remote = link
    return link


__all__ = ["Link", "install"]
