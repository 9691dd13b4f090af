"""The fake's UUIDs: the same strings ``uuid`` makes, in less than half the time.

A new network and one lifecycle make eight of them (two cluster IDs, a server node ID each,
peering IDs and secrets); ``str(uuid.uuid4())`` builds a ``UUID`` object only to format it,
which costs more than the random bytes (benchmarks/README.md). These format the bytes directly,
version and variant bits set as RFC 4122 says; tests/model/test_ids.py compares with ``uuid``.
"""

from __future__ import annotations

import hashlib
import os
import uuid

_URL_NAMESPACE = uuid.NAMESPACE_URL.bytes


def _formatted(raw: bytes, version: int) -> str:
    octets = bytearray(raw[:16])
    octets[6] = (octets[6] & 0x0F) | (version << 4)
    octets[8] = (octets[8] & 0x3F) | 0x80  # the RFC 4122 variant
    x = octets.hex()
    return f"{x[:8]}-{x[8:12]}-{x[12:16]}-{x[16:20]}-{x[20:]}"


def random_id() -> str:
    """``str(uuid.uuid4())``."""
    return _formatted(os.urandom(16), 4)


def url_name_id(name: str) -> str:
    """``str(uuid.uuid5(uuid.NAMESPACE_URL, name))``."""
    return _formatted(hashlib.sha1(_URL_NAMESPACE + name.encode("utf-8")).digest(), 5)
