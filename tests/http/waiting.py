"""Run an action from another thread once a request really blocks (no sleeping).

``when_blocked`` spies on the cluster's ``store.wait_for_change``, the one place a blocking query
sleeps, and starts the action after its first call.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

import pytest

from fakeconsul import Cluster

ACTION_TIMEOUT = 5.0  # how long the helper thread waits for the request to block

Arm = Callable[[Cluster, Callable[[], Any]], "Future[Any]"]


@pytest.fixture
def when_blocked(monkeypatch: pytest.MonkeyPatch) -> Iterator[Arm]:
    """``arm(cluster, action)``: run ``action`` in another thread once a request on ``cluster``
    waits for its index to change. ``future.result()`` re-raises what the thread raised."""
    executor = ThreadPoolExecutor(max_workers=1)

    def arm(cluster: Cluster, action: Callable[[], Any]) -> Future[Any]:
        blocked = threading.Event()
        wait_for_change = cluster.store.wait_for_change

        def spy(seen_index: int, timeout: float) -> None:
            blocked.set()
            wait_for_change(seen_index, timeout)

        monkeypatch.setattr(cluster.store, "wait_for_change", spy)

        def run() -> Any:
            if not blocked.wait(ACTION_TIMEOUT):
                raise AssertionError("the request never blocked")
            return action()

        return executor.submit(run)

    yield arm
    executor.shutdown(wait=True)
