"""What ``fakeconsul serve`` adds around a network: the state file and the control-API switch.

The CLI stays thin: it parses flags, asks this for the network and its clusters, serves them,
and hands every answer to ``answer_hook`` so that a change is on disk before it is
acknowledged.
"""

from __future__ import annotations

import time

from werkzeug.wrappers import Request, Response

from ..acl import ACLConfig
from ..http import render
from ..link import install as install_link
from ..model.cluster import Cluster
from ..model.network import Network
from ..model.timing import Timing
from ..persist.statefile import StateFile, StateFileError
from .logs import get as get_logger
from .wsgi import CONTROL_AREAS, wsgi_app

log = get_logger("state")


class Standalone:
    def __init__(
        self, timing: Timing, state_path: str | None = None, *, control_api: bool = True,
        acl: ACLConfig | None = None,
    ) -> None:
        # ACL settings apply to every cluster; the state file keeps their ACL tables.
        self.network = Network(timing=timing, acl=acl)
        # Tokens naming another fakeconsul process's address peer with it (docs/
        # peering-between-processes.md); installed first, so a loaded dialer redials there.
        self.link = install_link(self.network)
        self.state = StateFile(state_path) if state_path else None
        self.control_api = control_api
        self.loaded = False

    def open(self) -> None:
        """Take and load the state file, if any; raises StateFileError (file untouched)."""
        if self.state is None:
            return
        self.state.acquire()
        try:
            self.loaded = self.state.load_into(self.network)
        except StateFileError:
            self.state.release()
            raise
        if self.loaded:
            peerings = sum(len(c.store) for c in self.network.clusters)
            log.info("loaded %d clusters and %d peerings from %s",
                     len(self.network.clusters), peerings, self.state.path)
        for cluster in self.network.clusters:
            self._configure(cluster)

    def cluster(self, name: str) -> Cluster:
        """The cluster ``name``: as the state file kept it, or a new one."""
        if name in self.network:
            return self.network[name]
        return self._configure(self.network.add_cluster(name))

    def unserved(self, served: list[str]) -> list[str]:
        """Clusters the state file holds that no flag serves: kept, reachable by address."""
        return [c.name for c in self.network.clusters if c.name not in served]

    def _configure(self, cluster: Cluster) -> Cluster:
        app = wsgi_app(cluster)
        # Left running, the server logs and counts internal errors but keeps none: any caller
        # could otherwise grow its memory, one traceback (and its frames) per request.
        app.keep_errors = False
        if not self.control_api:
            app.drop_areas(CONTROL_AREAS)
        return cluster

    # --- persistence -----------------------------------------------------------------------

    def save(self) -> None:
        """Write the state now if it changed; raises StateFileError."""
        if self.state is None:
            return
        started = time.perf_counter()
        if self.state.save(self.network):
            elapsed = (time.perf_counter() - started) * 1000
            log.debug("saved %s in %.1fms", self.state.path, elapsed)

    def answer_hook(self, request: Request, response: Response) -> Response:
        """Save before the answer leaves; an answer whose change could not be saved is a 500,
        so the client never takes an unsaved write for done."""
        try:
            self.save()
        except StateFileError as err:
            log.error("%s", err)
            return render.text(500, str(err))
        return response

    def close(self) -> None:
        """Last save (what timers changed since the last request) as a fresh base with an empty
        journal, so the next start replays nothing, then let the file go."""
        self.link.close()
        if self.state is None:
            return
        try:
            self.state.compact(self.network)
        except StateFileError as err:
            log.error("%s", err)
        finally:
            self.state.release()
