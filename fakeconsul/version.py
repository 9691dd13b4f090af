"""fakeconsul's own version and the Consul release whose HTTP API it imitates."""

from __future__ import annotations

__version__ = "0.1.0"
CONSUL_VERSION = "1.20.1"  # the Consul release whose peering API this fake imitates
