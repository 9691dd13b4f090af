"""A network's whole state as one JSON document, built from parts that each store registers.

The document is ``{"Format": "fakeconsul-state", "Version": 2, <network parts>, "Clusters":
[{"Name": ..., <cluster parts>}, ...]}``. Version 2 is the base of a file that may carry a
journal after it (``journal.py``); version 1 files held the document alone, and load the same.
Each part owns one key and its own ``dump`` and ``load``; ``resume`` runs once everything is
loaded, to restart what lived only in memory (a restarted Consul leader re-dials its peerings
and re-runs its deferred deletions).

A store that wants to survive a restart registers a part (see ``part.py``). A document holding
a part this process does not know is refused rather than loaded without it: saving after such a
load would silently drop the user's data.
"""

from __future__ import annotations

from typing import Any

from .. import messages
from ..model.cluster import Cluster
from ..model.network import Network
from . import catalog_part, parts, stores
from .part import (
    CLUSTER_PARTS,
    NETWORK_PARTS,
    RESERVED,
    SnapshotError,
    expect_dict,
    register_cluster_part,
    register_network_part,
    require,
)

FORMAT = "fakeconsul-state"
VERSION = 2
READS = (1, 2)

# The built-in parts: clock, timing, links, identity, peerings; ACL tables, config entries; the
# catalog. Parts load and resume in this order: the catalog comes last, once peerings are back.
for _network_part in parts.NETWORK:
    register_network_part(_network_part)
for _cluster_part in parts.CLUSTER + stores.CLUSTER + catalog_part.CLUSTER:
    register_cluster_part(_cluster_part)


# --- the document ----------------------------------------------------------------------------


def dump(network: Network) -> dict[str, Any]:
    """The whole state, consistent: taken under the network's lock."""
    with network.lock:
        document: dict[str, Any] = {"Format": FORMAT, "Version": VERSION}
        for part in NETWORK_PARTS:
            document[part.key] = part.dump(network)
        document["Clusters"] = [
            {"Name": cluster.name, **{part.key: part.dump(cluster) for part in CLUSTER_PARTS}}
            for cluster in network.clusters
        ]
        return document


def load(network: Network, document: object) -> None:
    """Fill a network that has no cluster yet from ``document``; raises SnapshotError.

    Validation and loading go together, so a document that fails leaves a half-filled network:
    the caller loads into a fresh network and throws it away on error.
    """
    if network.clusters:
        raise ValueError("load a state document into a network without clusters")
    root = header(document)
    known = {part.key for part in NETWORK_PARTS}
    for key in root:
        if key not in known and key not in RESERVED:
            raise SnapshotError(messages.state_unknown_part(key))
    with network.lock:
        clusters = _load_clusters(network, require(root, "Clusters", list, "a list"))
        for part in NETWORK_PARTS:
            if part.key in root:
                part.load(network, root[part.key], part.key)
        for cluster in clusters:
            for cluster_part in CLUSTER_PARTS:
                if cluster_part.resume is not None:
                    cluster_part.resume(cluster)
        for part in NETWORK_PARTS:
            if part.resume is not None:
                part.resume(network)
        network.catch_up()


def header(document: object) -> dict[str, Any]:
    """The document as an object, once its format and version are ones this process reads."""
    root = expect_dict(document, "the document")
    if root.get("Format") != FORMAT:
        raise SnapshotError(messages.STATE_NOT_FAKECONSUL)
    version = root.get("Version")
    if type(version) is not int or version not in READS:
        raise SnapshotError(messages.state_newer_version(version, VERSION))
    return root


def _load_clusters(network: Network, entries: list[Any]) -> list[Cluster]:
    known = {part.key for part in CLUSTER_PARTS}
    clusters = []
    for number, entry in enumerate(entries):
        where = f"Clusters[{number}]"
        fields = expect_dict(entry, where)
        name = require(fields, "Name", str, "a string", where)
        if not name:
            raise SnapshotError(messages.state_wrong_type(f"{where}.Name", "a non-empty string"))
        if name in network:
            raise SnapshotError(messages.state_duplicate("Clusters", name))
        for key in fields:
            if key != "Name" and key not in known:
                raise SnapshotError(messages.state_unknown_part(f"{where}.{key}"))
        cluster = network.add_cluster(name)
        for part in CLUSTER_PARTS:
            if part.key in fields:
                part.load(cluster, fields[part.key], f"{where}.{part.key}")
        clusters.append(cluster)
    return clusters
