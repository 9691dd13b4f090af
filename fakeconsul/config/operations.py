"""A cluster's config-entry operations and the export/import listings (spec §9.1, §9.5).

A ``Cluster`` owns one as ``cluster.config``, beside its CatalogOperations and with the same
conventions (each runs inside the cluster's ``operation``, raises ConsulError, and calls
``on_local_change`` after a write that may change what the cluster exports).
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING, Any

from .. import messages
from ..catalog.store import LOCAL
from ..model.errors import ConsulError
from . import exports
from .entries import KINDS, ConfigEntries, decode_entry

if TYPE_CHECKING:
    from ..acl import ACLSystem
    from ..catalog.store import Catalog
    from ..model.store import Store


class ConfigOperations:
    """Config entries (``entries``) and what the exports make of them."""

    def __init__(
        self, *, datacenter: str, store: Store, catalog: Catalog, acl: ACLSystem,
        operation: Callable[[], AbstractContextManager[None]],
        on_local_change: Callable[[], None],
    ) -> None:
        self.datacenter = datacenter
        self.store = store
        self.catalog = catalog
        self.acl = acl
        self._operation = operation
        self._exports_may_change = on_local_change
        self.entries = ConfigEntries(store)

    # --- /v1/config ----------------------------------------------------------------------------

    def write_config_entry(self, entry: Any, *, cas: int | None = None,
                           token: str | None = None) -> bool:
        """``PUT /v1/config[?cas=N]`` with the entry as its JSON object; False when a CAS
        fails. Only ``exported-services`` is validated (§9.1 texts, HTTP 500)."""
        with self._operation():
            try:
                decoded = decode_entry(entry)
            except ValueError as err:
                raise ConsulError(400, messages.CONFIG_DECODING_FAILED.format(err)) from None
            self.acl.require(token, *_rule(decoded.kind, decoded.name, "write"))
            written = self.entries.upsert(decoded, cas)
            self._exports_may_change()
            return written

    def read_config_entry_with_index(self, kind: str, name: str, *, token: str | None = None
                                     ) -> tuple[dict[str, Any] | None, int]:
        with self._operation():
            self.acl.resolve_first(token)
            if kind not in KINDS:
                raise ConsulError(500, messages.invalid_config_kind(kind))
            self.acl.require(token, *_rule(kind, name, "read"))
            entry, index = self.entries.get(kind, name)
            return (entry.to_api() if entry is not None else None), index

    def read_config_entry(self, kind: str, name: str, *, token: str | None = None
                          ) -> dict[str, Any] | None:
        """``GET /v1/config/:kind/:name``; None where Consul answers 404."""
        return self.read_config_entry_with_index(kind, name, token=token)[0]

    def list_config_entries_with_index(self, kind: str, *, token: str | None = None
                                       ) -> tuple[list[dict[str, Any]], int]:
        """Entries the token cannot read are left out, as Consul filters them."""
        with self._operation():
            self.acl.resolve_first(token)
            if kind and kind not in KINDS:
                raise ConsulError(500, messages.invalid_config_kind(kind))
            if kind:
                entries, index = self.entries.list(kind)
            else:  # Consul lists every kind when the kind is empty
                entries = [e for k in sorted(KINDS) for e in self.entries.list(k)[0]]
                index = self.entries.table_index
            readable = [e for e in entries if self.acl.can(token, *_rule(e.kind, e.name, "read"))]
            return [e.to_api() for e in readable], index

    def list_config_entries(self, kind: str, *, token: str | None = None
                            ) -> list[dict[str, Any]]:
        """``GET /v1/config/:kind``: ``[]`` when none."""
        return self.list_config_entries_with_index(kind, token=token)[0]

    def delete_config_entry(self, kind: str, name: str, *, cas: int | None = None,
                            token: str | None = None) -> bool:
        """``DELETE /v1/config/:kind/:name[?cas=N]``; deleting a missing entry succeeds."""
        with self._operation():
            if kind not in KINDS:
                raise ConsulError(400, messages.invalid_config_kind(kind))
            self.acl.require(token, *_rule(kind, name, "write"))
            deleted = self.entries.delete(kind, name, cas)
            self._exports_may_change()
            return deleted

    # --- §9.5 listings ---------------------------------------------------------------------

    def _exports_index(self) -> int:
        return max(self.entries.table_index, self.catalog.table_index(LOCAL, "services"))

    def exported_services_list_with_index(self, *, token: str | None = None
                                          ) -> tuple[list[dict[str, Any]], int]:
        """``GET /v1/exported-services``: each exported service with its consumers
        (mesh:read, which operator:read grants where no mesh rule speaks)."""
        with self._operation():
            self.acl.require(token, "mesh", "read")
            rows = []
            for export in exports.resolved_exports(self.entries, self.catalog):
                consumers: dict[str, list[str]] = {}
                if export.peers:
                    consumers["Peers"] = list(export.peers)
                if export.partitions:
                    consumers["Partitions"] = list(export.partitions)
                rows.append({"Service": export.service, "Consumers": consumers})
            return rows, self._exports_index()

    def exported_services_list(self, *, token: str | None = None) -> list[dict[str, Any]]:
        return self.exported_services_list_with_index(token=token)[0]

    def imported_services_list_with_index(self, *, token: str | None = None
                                          ) -> tuple[list[dict[str, Any]], int]:
        """``GET /v1/imported-services`` (CE: a bare array). [uncertain] The handler was not
        read: the fake lists the services its catalog holds per source peer, for mesh:read."""
        with self._operation():
            self.acl.require(token, "mesh", "read")
            rows = sorted({(s.peer_name, s.service) for peer in self.catalog.peers()
                           for s in self.catalog.services(peer)})
            index = max([self.catalog.table_index(p, "services") for p in self.catalog.peers()]
                        + [self.catalog.imported_index()])
            return [{"Service": service, "SourcePeer": peer} for peer, service in rows], index

    def imported_services_list(self, *, token: str | None = None) -> list[dict[str, Any]]:
        return self.imported_services_list_with_index(token=token)[0]

    def ui_exported_services_with_index(self, peer: str, *, token: str | None = None
                                        ) -> tuple[list[dict[str, Any]], int]:
        """``GET /v1/internal/ui/exported-services?peer=``: minimal UI summaries."""
        with self._operation():
            if not peer:
                raise ConsulError(500, messages.MUST_PROVIDE_PEER_NAME)
            self.acl.require(token, "mesh", "read")
            index = max(self._exports_index(), self.store.peering_table_index)
            record = self.store.peering_by_name(peer)
            if record is None:
                return [], index
            names = exports.exported_names(self.entries, self.catalog, record.name)
            return [_ui_summary(name, self.datacenter) for name in names], index

    def ui_exported_services(self, peer: str, *, token: str | None = None
                             ) -> list[dict[str, Any]]:
        return self.ui_exported_services_with_index(peer, token=token)[0]


# The kinds whose CanRead/CanWrite ask for a service rule on the entry's name; the others (mesh,
# proxy-defaults, gateways, exported-services, ...) ask for mesh. [uncertain] service-intentions
# asks for the intentions level of a service rule in Consul, which the fake's rules do not
# model: it asks for the service rule instead.
_SERVICE_KINDS = frozenset({
    "service-defaults", "service-router", "service-splitter", "service-resolver",
    "service-intentions",
})


def _rule(kind: str, name: str, level: str) -> tuple[str, str, str | None]:
    if kind in _SERVICE_KINDS:
        return "service", level, name
    return "mesh", level, None


def _ui_summary(name: str, datacenter: str) -> dict[str, Any]:
    """agent.ServiceListingSummary with only Name and Datacenter filled in."""
    return {
        "Name": name,
        "Datacenter": datacenter,
        "Tags": None,
        "Nodes": None,
        "ExternalSources": None,
        "InstanceCount": 0,
        "ChecksPassing": 0,
        "ChecksWarning": 0,
        "ChecksCritical": 0,
        "GatewayConfig": {},
        "TransparentProxy": False,
        "ConnectNative": False,
        "ConnectedWithProxy": False,
        "ConnectedWithGateway": False,
    }
