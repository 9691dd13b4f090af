"""A network's whole state as one JSON document, built from parts that each store registers.

The document is ``{"Format": "fakeconsul-state", "Version": 1, <network parts>, "Clusters":
[{"Name": ..., <cluster parts>}, ...]}``. Each part owns one key and its own ``dump`` and
``load``; ``resume`` runs once everything is loaded, to restart what lived only in memory (a
restarted Consul leader re-dials its peerings and re-runs its deferred deletions).

A store that wants to survive a restart registers a part (``register_cluster_part`` for
per-cluster tables such as ACLs or config entries, ``register_network_part`` for network-wide
state). A document holding a part this process does not know is refused rather than loaded
without it: saving after such a load would silently drop the user's data.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from .. import messages
from ..model.cluster import Cluster
from ..model.network import Network

FORMAT = "fakeconsul-state"
VERSION = 1
_RESERVED = ("Format", "Version", "Clusters")


class SnapshotError(ValueError):
    """A state document that cannot be loaded; ``str(err)`` names the field and the problem."""


@dataclass(frozen=True)
class NetworkPart:
    key: str
    dump: Callable[[Network], Any]
    load: Callable[[Network, Any, str], None]  # (network, value, where-for-errors)
    resume: Callable[[Network], None] | None = None


@dataclass(frozen=True)
class ClusterPart:
    key: str
    dump: Callable[[Cluster], Any]
    load: Callable[[Cluster, Any, str], None]
    resume: Callable[[Cluster], None] | None = None


NETWORK_PARTS: list[NetworkPart] = []
CLUSTER_PARTS: list[ClusterPart] = []


def register_network_part(part: NetworkPart) -> None:
    """Add (or replace, by key) a network-wide part; parts load in registration order."""
    if part.key in _RESERVED:
        raise ValueError(f"{part.key!r} is reserved in the state document")
    _register(NETWORK_PARTS, part)


def register_cluster_part(part: ClusterPart) -> None:
    """Add (or replace, by key) a per-cluster part; parts load in registration order."""
    if part.key == "Name":
        raise ValueError("'Name' is reserved in a cluster's state")
    _register(CLUSTER_PARTS, part)


def _register(parts: list[Any], part: Any) -> None:
    for number, existing in enumerate(parts):
        if existing.key == part.key:
            parts[number] = part
            return
    parts.append(part)


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
    root = expect_dict(document, "the document")
    if root.get("Format") != FORMAT:
        raise SnapshotError(messages.STATE_NOT_FAKECONSUL)
    if root.get("Version") != VERSION:
        raise SnapshotError(messages.state_newer_version(root.get("Version"), VERSION))
    known = {part.key for part in NETWORK_PARTS}
    for key in root:
        if key not in known and key not in _RESERVED:
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


# --- reading helpers for parts: each failure names where it is --------------------------------


def expect_dict(value: object, where: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise SnapshotError(messages.state_wrong_type(where, "an object"))
    return value


def require(
    fields: dict[str, Any], key: str, kind: type | tuple[type, ...], expected: str,
    where: str = "",
) -> Any:
    """``fields[key]``, which must be present and of ``kind`` (bools are not numbers)."""
    path = f"{where}.{key}" if where else key
    if key not in fields:
        raise SnapshotError(messages.state_missing(path))
    return check(fields[key], kind, expected, path)


def optional(
    fields: dict[str, Any], key: str, kind: type | tuple[type, ...], expected: str,
    where: str, default: Any = None,
) -> Any:
    """``fields[key]`` when present and not null, else ``default``."""
    value = fields.get(key)
    if value is None:
        return default
    return check(value, kind, expected, f"{where}.{key}")


def check(value: Any, kind: type | tuple[type, ...], expected: str, path: str) -> Any:
    kinds = kind if isinstance(kind, tuple) else (kind,)
    if isinstance(value, bool) and bool not in kinds:
        raise SnapshotError(messages.state_wrong_type(path, expected))
    if not isinstance(value, kinds):
        raise SnapshotError(messages.state_wrong_type(path, expected))
    return value


def string_list(fields: dict[str, Any], key: str, where: str) -> list[str]:
    values = optional(fields, key, list, "a list of strings", where, [])
    for value in values:
        check(value, str, "a list of strings", f"{where}.{key}")
    return list(values)


def string_map(fields: dict[str, Any], key: str, where: str) -> dict[str, str] | None:
    values = optional(fields, key, dict, "an object of strings", where)
    if values is None:
        return None
    for value in values.values():
        check(value, str, "an object of strings", f"{where}.{key}")
    return dict(values)


def index(fields: dict[str, Any], key: str, where: str) -> int:
    value: int = require(fields, key, int, "a whole number >= 0", where)
    if value < 0:
        raise SnapshotError(messages.state_wrong_type(f"{where}.{key}", "a whole number >= 0"))
    return value


def moment(fields: dict[str, Any], key: str, where: str) -> datetime | None:
    text = optional(fields, key, str, "an RFC 3339 time with a zone", where)
    if text is None:
        return None
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        value = None
    if value is None or value.tzinfo is None:
        raise SnapshotError(
            messages.state_wrong_type(f"{where}.{key}", "an RFC 3339 time with a zone")
        )
    return value


def write_moment(value: datetime | None) -> str | None:
    """Times keep their microseconds in the file (isoformat), unlike Consul's JSON."""
    return None if value is None else value.isoformat()


# The built-in parts (clock, timing, links, identity, peerings; ACL tables, config entries;
# the catalog) register themselves on import; importing them here makes every user of this
# module see the whole list. Parts load and resume in import order: the catalog comes last.
from . import parts as snapshot_parts, stores as snapshot_stores  # noqa: E402,F401,I001
from . import catalog_part as snapshot_catalog  # noqa: E402,F401
