"""What the model needs of a peer that lives in another process.

A token may name addresses where no cluster of this network answers: another ``fakeconsul``
process (another container, another host) serves them. The model does not talk to sockets;
the layer that serves the network installs a ``RemoteLink`` (``fakeconsul.link``) on it, and the
dialer's operations hand the remote parts of establish, the stream and delete to it.
"""

from __future__ import annotations

from typing import Any, Protocol

# The model's Cluster (not imported: cluster.py imports this module, and the layers forbid a
# circle even for types).
Cluster = Any


class RemoteLink(Protocol):
    def exchange(self, addresses: list[str], peer_id: str, secret: str) -> str:
        """Trade an establishment secret for a stream secret at a remote acceptor; raises
        ConsulError with Consul's text when refused or unreachable. Called under the lock."""
        ...

    def open(self, dialer: Cluster, peering_id: str, delay: float) -> None:
        """Start (or restart) the dialer's stream to its remote acceptor after ``delay``."""
        ...

    def deleted(self, cluster: Cluster, peering_id: str) -> None:
        """``cluster`` deleted a peering that has no local stream: tell a remote peer."""
        ...

    def push(self, cluster: Cluster, peering_id: str) -> None:
        """``cluster``'s exports may have changed: send them over the remote stream soon."""
        ...
