"""One cluster's config entries (``/v1/config``): decode, validate, store with indexes, CAS.

Only ``exported-services`` is understood (spec §9.1). Every other kind Consul knows is stored and
returned as given (its fields in the order sent, after Kind and Name, then the indexes), so a
client that writes, say, ``service-intentions`` with ``Sources[].Peer`` reads it back; the fake
does not validate those kinds.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .. import messages
from ..model.errors import ConsulError
from ..model.store import Store
from . import exported_services as exports_entry
from .exported_services import ExportedServicesEntry

# structs.MakeConfigEntry's kinds (CE 1.20).
KINDS = frozenset({
    "service-defaults", "proxy-defaults", "service-router", "service-splitter",
    "service-resolver", "ingress-gateway", "terminating-gateway", "service-intentions", "mesh",
    "exported-services", "sameness-group", "api-gateway", "bound-api-gateway",
    "inline-certificate", "file-system-certificate", "http-route", "tcp-route", "jwt-provider",
})


@dataclass
class ConfigEntry:
    kind: str
    name: str
    body: dict[str, Any]  # every field but Kind, Name and the indexes, in the order shown
    create_index: int = 0
    modify_index: int = 0
    exported: ExportedServicesEntry | None = None  # the parsed form, for exported-services

    def to_api(self) -> dict[str, Any]:
        return {
            "Kind": self.kind,
            "Name": self.name,
            **self.body,
            "CreateIndex": self.create_index,
            "ModifyIndex": self.modify_index,
        }


def decode_entry(raw: Any) -> ConfigEntry:
    """structs.DecodeConfigEntry, then Normalize and Validate for exported-services.

    Decoding problems raise ValueError (Consul answers 400 "Request decoding failed: ...");
    validation problems raise ConsulError 500 with the plain text, as the RPC error does.
    """
    if not isinstance(raw, dict):
        raise ValueError(messages.config_body_not_object(raw))
    kind = raw["Kind"] if "Kind" in raw else raw.get("kind", _MISSING)
    if kind is _MISSING:
        raise ValueError(messages.CONFIG_NO_KIND)
    if not isinstance(kind, str):
        raise ValueError(messages.CONFIG_KIND_NOT_STRING)
    if kind not in KINDS:
        raise ValueError(messages.invalid_config_kind(kind))
    if kind == exports_entry.KIND:
        parsed = exports_entry.decode(raw).normalized()
        problem = exports_entry.validate(parsed)
        if problem is not None:
            raise ConsulError(500, problem)
        return ConfigEntry(kind, parsed.name, parsed.body_api(), exported=parsed)
    name = next((v for k, v in raw.items() if k.lower() == "name"), "")
    body = {
        k: v for k, v in raw.items()
        if k.lower() not in ("kind", "name", "createindex", "modifyindex")
    }
    return ConfigEntry(kind, name if isinstance(name, str) else str(name), body)


_MISSING = object()


class ConfigEntries:
    """The config-entries table; writes take the cluster's next raft index."""

    def __init__(self, store: Store) -> None:
        self._store = store
        self._entries: dict[tuple[str, str], ConfigEntry] = {}
        self.table_index = 0

    def get(self, kind: str, name: str) -> tuple[ConfigEntry | None, int]:
        return self._entries.get((kind, name.lower())), self.table_index

    def list(self, kind: str) -> tuple[list[ConfigEntry], int]:
        found = [e for (k, _), e in sorted(self._entries.items()) if k == kind]
        return found, self.table_index

    def exported_services(self) -> ExportedServicesEntry | None:
        entry = self._entries.get((exports_entry.KIND, exports_entry.CE_NAME))
        return entry.exported if entry is not None else None

    def upsert(self, entry: ConfigEntry, cas: int | None = None) -> bool:
        """ConfigEntry.Apply: an entry equal to the stored one is a no-op that succeeds (even
        with a stale ``cas``); ``cas=0`` creates only, any other ``cas`` must match."""
        key = (entry.kind, entry.name.lower())
        old = self._entries.get(key)
        if old is not None and (old.kind, old.name) == (entry.kind, entry.name) and _same(
            old.body, entry.body
        ):
            return True
        if cas is not None and (
            (cas == 0 and old is not None)
            or (cas != 0 and (old is None or old.modify_index != cas))
        ):
            return False
        index = self._store.next_index()
        entry.create_index = old.create_index if old is not None else index
        entry.modify_index = index
        self._entries[key] = entry
        self.table_index = index
        self._store.notify()
        return True

    def delete(self, kind: str, name: str, cas: int | None = None) -> bool:
        key = (kind, name.lower())
        old = self._entries.get(key)
        if old is None:
            return True  # Consul skips the raft write and reports success
        if cas is not None and old.modify_index != cas:
            return False
        del self._entries[key]
        self.table_index = self._store.next_index()
        self._store.notify()
        return True

    def clear(self) -> None:
        if self._entries:
            self._entries.clear()
            self.table_index = self._store.next_index()


def _same(a: object, b: object) -> bool:
    """``a == b`` for decoded JSON, walked with a stack of its own: an entry may be nested as
    deep as Go's decoder allows (10,000 levels), where ``==`` runs out of recursion."""
    work = [(a, b)]
    while work:
        x, y = work.pop()
        if isinstance(x, dict) and isinstance(y, dict):
            if x.keys() != y.keys():
                return False
            work.extend((x[k], y[k]) for k in x)
        elif isinstance(x, list) and isinstance(y, list):
            if len(x) != len(y):
                return False
            work.extend(zip(x, y, strict=True))
        elif isinstance(x, dict | list) or isinstance(y, dict | list) or x != y:
            return False
    return True
