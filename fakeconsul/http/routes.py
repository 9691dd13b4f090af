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
    ServeMux "/prefix/" patterns); the rest of the path is passed to the handler as its name."""

    path: str
    methods: tuple[str, ...]
    handler: Handler
    subtree: bool = False
