"""fakeconsul: an in-memory fake of HashiCorp Consul's cluster-peering HTTP API.

Clusters on one ``Network`` really peer with each other, move through Consul's states together
on one clock, and answer with Consul's exact bytes.
"""

from __future__ import annotations

from .acl import ACLConfig
from .model.clock import Clock, ManualClock, SystemClock
from .model.cluster import Cluster
from .model.errors import ConsulError
from .model.network import Network
from .model.peering import Peering, PeeringState, RemoteInfo, StreamStatus
from .model.timing import Timing

__all__ = [
    "ACLConfig",
    "Clock",
    "Cluster",
    "ConsulError",
    "ManualClock",
    "Network",
    "Peering",
    "PeeringState",
    "RemoteInfo",
    "StreamStatus",
    "SystemClock",
    "Timing",
]

CONSUL_VERSION = "1.21.0"  # the Consul release whose peering API this fake imitates
