"""What a save must write: the parts, and the rows of big parts, changed since the last save.

``baseline`` takes the whole document and remembers each part's version; ``since_last`` then
gives a journal entry holding only what moved since, or None when nothing did, which is what a
read finds: it dumps no table and encodes nothing. Both run under the network's lock, so an
entry is consistent and no write falls between two saves unseen.

An entry is ``{"Network": {part: value}, "Clusters": [{"Name": ..., "Parts": {part: value},
"Rows": {part: changes}}]}``, each key present only when it holds something. A cluster added
since the last save comes whole in ``Parts``; ``journal.py`` replays entries over the document.
"""

from __future__ import annotations

import json
from typing import Any

from ..model.cluster import Cluster
from ..model.network import Network
from . import snapshot
from .part import CLUSTER_PARTS, NETWORK_PARTS

_MISSING = object()


class Changes:
    """The versions of every part as last saved; one per state file of a network."""

    def __init__(self) -> None:
        self._saved: dict[tuple[str, str], object] = {}  # (cluster name or "", key) -> version
        self._clusters: set[str] = set()

    def baseline(self, network: Network) -> dict[str, Any]:
        """The whole document, from which later entries count their changes."""
        with network.lock:
            self._saved.clear()
            self._clusters.clear()
            for part in NETWORK_PARTS:
                self._saved[("", part.key)] = _version(part.version, part.dump, network)
            for cluster in network.clusters:
                self._take_cluster(cluster)
            return snapshot.dump(network)

    def since_last(self, network: Network) -> dict[str, Any] | None:
        """A journal entry of what changed since the last save; None when nothing did."""
        with network.lock:
            entry: dict[str, Any] = {}
            for part in NETWORK_PARTS:
                version = _version(part.version, part.dump, network)
                if self._saved.get(("", part.key), _MISSING) != version:
                    self._saved[("", part.key)] = version
                    entry.setdefault("Network", {})[part.key] = part.dump(network)
            clusters = []
            for cluster in network.clusters:
                if cluster.name not in self._clusters:
                    self._take_cluster(cluster)
                    clusters.append({"Name": cluster.name, "Parts": {
                        part.key: part.dump(cluster) for part in CLUSTER_PARTS
                    }})
                    continue
                changed = self._cluster_changes(cluster)
                if changed:
                    clusters.append({"Name": cluster.name, **changed})
            if clusters:
                entry["Clusters"] = clusters
            return entry or None

    def _take_cluster(self, cluster: Cluster) -> None:
        """Remember a cluster saved whole: its versions, and its rows start from here."""
        self._clusters.add(cluster.name)
        for part in CLUSTER_PARTS:
            self._saved[(cluster.name, part.key)] = _version(part.version, part.dump, cluster)
            if part.rows is not None:
                part.rows.changes(cluster)

    def _cluster_changes(self, cluster: Cluster) -> dict[str, Any]:
        changed: dict[str, dict[str, Any]] = {}
        for part in CLUSTER_PARTS:
            version = _version(part.version, part.dump, cluster)
            if self._saved.get((cluster.name, part.key), _MISSING) == version:
                continue
            self._saved[(cluster.name, part.key)] = version
            if part.rows is not None and part.version is not None:
                changed.setdefault("Rows", {})[part.key] = part.rows.changes(cluster)
            else:
                changed.setdefault("Parts", {})[part.key] = part.dump(cluster)
        return changed


def _version(version: Any, dump: Any, owner: Any) -> object:
    # Without a version of its own, a part's encoded value is its version: encoded, because a
    # dump may hand out the model's own lists, which change in place.
    if version is None:
        return json.dumps(dump(owner), separators=(",", ":"))
    return version(owner)
