"""What a part of the state document is, the registry of parts, and how parts read fields.

A store that wants to survive a restart registers a part (``register_cluster_part`` for
per-cluster tables such as ACLs or config entries, ``register_network_part`` for network-wide
state); ``snapshot.py`` dumps and loads the document from the registered parts. Each reading
helper names where a failure is, so a corrupt file is refused with a useful line.

A save writes only the parts that changed since the last one (``changes.py``). A part tells
cheaply whether it changed through ``version``: a small value that moves whenever ``dump``
would give something else (without one, the part is dumped and compared at every save, which
is right but costs its size). A big table also offers ``rows``: how to say which rows changed
and how to replay that over the saved value, so a write costs its rows, not the table.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from .. import messages
from ..model.cluster import Cluster
from ..model.network import Network

RESERVED = ("Format", "Version", "Clusters")


class SnapshotError(ValueError):
    """A state document that cannot be loaded; ``str(err)`` names the field and the problem."""


@dataclass(frozen=True)
class Rows:
    """How a part is saved by rows: what changed, and how a change is replayed at load."""

    # The rows changed since the last call, as JSON (the first call starts the recording).
    changes: Callable[[Cluster], Any]
    # The saved value -> a working form that changes are replayed onto (where-for-errors).
    start: Callable[[Any, str], Any]
    replay: Callable[[Any, Any, str], None]  # (working form, changes, where-for-errors)
    finish: Callable[[Any], Any]  # the working form -> the part's value, as dump makes it


@dataclass(frozen=True)
class NetworkPart:
    key: str
    dump: Callable[[Network], Any]
    load: Callable[[Network, Any, str], None]  # (network, value, where-for-errors)
    resume: Callable[[Network], None] | None = None
    version: Callable[[Network], object] | None = None


@dataclass(frozen=True)
class ClusterPart:
    key: str
    dump: Callable[[Cluster], Any]
    load: Callable[[Cluster, Any, str], None]
    resume: Callable[[Cluster], None] | None = None
    version: Callable[[Cluster], object] | None = None
    rows: Rows | None = None  # saved by rows when its version moves (needs a version)


NETWORK_PARTS: list[NetworkPart] = []
CLUSTER_PARTS: list[ClusterPart] = []


def register_network_part(part: NetworkPart) -> None:
    """Add (or replace, by key) a network-wide part; parts load in registration order."""
    if part.key in RESERVED:
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
    return check(value, kind, expected, f"{where}.{key}" if where else key)


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
