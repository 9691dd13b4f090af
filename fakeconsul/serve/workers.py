"""The threads that run the application when a request may wait (an injected delay, the
control API: see ``ClusterServer._answers_here``), kept for the next one when they are done.

A request goes to an idle worker when there is one and to a new thread otherwise, so a slow
answer (an injected delay, an establish retrying an unreachable acceptor for ~3 s) never makes
another request wait. Blocked queries do not hold a worker: they are parked (``watchers.py``).
At most MAX_IDLE workers wait for work.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable

Job = Callable[[], None]
_here = threading.local()


def in_worker() -> bool:
    """Whether the calling thread is a worker (a request is being answered on it)."""
    return getattr(_here, "worker", False)


class Workers:
    MAX_IDLE = 16

    def __init__(self, name: str = "fakeconsul-worker") -> None:
        self._name = name
        self._lock = threading.Lock()
        self._idle = 0
        self._closed = False
        self._work: queue.SimpleQueue[Job | None] = queue.SimpleQueue()
        self.started = 0  # threads started so far

    def submit(self, job: Job) -> None:
        with self._lock:
            spawn = self._idle == 0
            if not spawn:
                self._idle -= 1  # that worker's next item is this one
        if spawn:
            self.started += 1
            threading.Thread(target=self._run, name=self._name, daemon=True).start()
        self._work.put(job)

    def _run(self) -> None:
        _here.worker = True
        while (job := self._work.get()) is not None:
            job()  # jobs catch and report their own errors (server.py)
            with self._lock:
                if self._closed or self._idle >= self.MAX_IDLE:
                    return
                self._idle += 1

    def close(self) -> None:
        """Let the idle workers go; busy ones finish their job first."""
        with self._lock:
            self._closed, idle, self._idle = True, self._idle, 0
        for _ in range(idle):
            self._work.put(None)
