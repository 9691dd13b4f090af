"""What an API area declares: its paths, their methods and handlers."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from werkzeug.wrappers import Request, Response

from ..model.cluster import Cluster

Handler = Callable[[Cluster, Request, str], Response]


@dataclass(frozen=True)
class Endpoint:
    """One registered route. ``subtree`` routes match every path under ``path`` (Go's
    ServeMux "/prefix/" patterns); the rest of the path is passed to the handler as its name.
    ``may_wait``: the handler may sleep or wait for another thread (a long poll, stopping a
    server), so a server must not answer it on a thread that other requests wait for.
    ``reusable``: a ``GET`` answer is a function of the request's head and of the network's
    state alone (nothing in it reads the clock or the client's address, nothing changes but by
    ``Network.catch_up``), so a server may send the same bytes again while
    ``Network.generation`` stays (serve/reuse.py)."""

    path: str
    methods: tuple[str, ...]
    handler: Handler
    subtree: bool = False
    may_wait: bool = False
    reusable: bool = False
