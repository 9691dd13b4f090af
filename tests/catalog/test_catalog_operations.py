"""The catalog service stands alone: it needs a store, an ACL system and an operation to run
in, never a Cluster (the cluster wires these; a test can wire them by hand)."""

from __future__ import annotations

from standalone_services import acls_off, no_lock

from fakeconsul.catalog.operations import CatalogOperations
from fakeconsul.model.store import Store


def _catalog(changes: list[str]) -> CatalogOperations:
    store = Store()
    return CatalogOperations(
        datacenter="dc9", node_id="id-9", store=store, acl=acls_off(store), operation=no_lock,
        on_local_change=lambda: changes.append("changed"),
    )


def test_a_new_catalog_holds_the_server_registered_as_consul_does() -> None:
    catalog = _catalog([])

    assert catalog.catalog_services() == {"consul": []}


def test_the_server_node_is_named_after_the_datacenter() -> None:
    catalog = _catalog([])

    assert [node["Node"] for node in catalog.catalog_nodes()] == ["dc9-server-1"]


def test_a_registration_tells_the_owner_through_its_callback() -> None:
    changes: list[str] = []

    _catalog(changes).register_service("web", port=8080)

    assert changes == ["changed"]
