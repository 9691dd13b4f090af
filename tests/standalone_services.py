"""A cluster's services built by hand, without a Cluster: a store, ACLs off and an operation
that takes no lock, as a test of each service alone needs them."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timezone
from threading import RLock

from fakeconsul.acl import ACLSystem
from fakeconsul.model.store import Store

MOMENT = datetime(2024, 5, 1, tzinfo=timezone.utc)


@contextmanager
def no_lock() -> Iterator[None]:
    yield


def acls_off(store: Store) -> ACLSystem:
    return ACLSystem(None, store, RLock(), lambda: MOMENT)
