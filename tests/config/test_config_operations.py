"""Config entries stand alone: a store, catalog tables, an ACL system and an operation to run
in are all they need of the cluster that owns them."""

from __future__ import annotations

from standalone_services import acls_off, no_lock

from fakeconsul.catalog.store import Catalog
from fakeconsul.config.operations import ConfigOperations
from fakeconsul.model.store import Store

EXPORT_WEB = {
    "Kind": "exported-services",
    "Name": "default",
    "Services": [{"Name": "web", "Consumers": [{"Peer": "dc2"}]}],
}


def _config(changes: list[str]) -> ConfigOperations:
    store = Store()
    return ConfigOperations(
        datacenter="dc9", store=store, catalog=Catalog(store), acl=acls_off(store),
        operation=no_lock,
        on_local_change=lambda: changes.append("changed"),
    )


def test_an_exported_service_is_listed_with_its_consumers() -> None:
    config = _config([])
    config.write_config_entry(EXPORT_WEB)

    assert config.exported_services_list() == [
        {"Service": "web", "Consumers": {"Peers": ["dc2"]}}
    ]


def test_a_write_tells_the_owner_through_its_callback() -> None:
    changes: list[str] = []

    _config(changes).write_config_entry(EXPORT_WEB)

    assert changes == ["changed"]
