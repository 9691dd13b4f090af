"""The state file keeps the ACL tables and the config entries, indexes and all."""

from __future__ import annotations

import json

from fakeconsul import Network
from fakeconsul.acl import ANONYMOUS_ACCESSOR_ID, ACLConfig
from fakeconsul.config.entries import decode_entry
from fakeconsul.persist.snapshot import dump, load

ACL = ACLConfig(default_policy="deny", initial_management_token="root")
EXPORTS = {"Kind": "exported-services", "Name": "default",
           "Services": [{"Name": "web", "Consumers": [{"Peer": "dc2"}]}]}


def _reload(network: Network, acl: ACLConfig | None = ACL) -> Network:
    fresh = Network(acl=acl)
    load(fresh, json.loads(json.dumps(dump(network))))
    return fresh


def test_an_acl_token_keeps_its_secret_and_rights() -> None:
    network = Network(acl=ACL)
    dc1 = network.add_cluster("dc1")
    dc1.acl.create_policy("read-all", 'service_prefix "" { policy = "read" }', token="root")
    token = dc1.acl.create_token(["read-all"], "reader", token="root")
    acl = _reload(network)["dc1"].acl
    assert (acl.can(token.secret_id, "service", "read", "web"),
            acl.can(token.secret_id, "acl", "write")) == (True, False)


def test_acl_tables_keep_their_indexes() -> None:
    network = Network(acl=ACL)
    dc1 = network.add_cluster("dc1")
    dc1.acl.create_token([], "spare", token="root")
    acl = _reload(network)["dc1"].acl
    before = {t.accessor_id: (t.create_index, t.modify_index) for t in dc1.acl.tokens.values()}
    after = {t.accessor_id: (t.create_index, t.modify_index) for t in acl.tokens.values()}
    assert (after, acl.tokens_index, acl.bootstrap_index) == (
        before, dc1.acl.tokens_index, dc1.acl.bootstrap_index,
    )


def test_a_file_saved_without_acls_keeps_the_anonymous_token_of_this_start() -> None:
    network = Network()
    network.add_cluster("dc1")
    assert ANONYMOUS_ACCESSOR_ID in _reload(network)["dc1"].acl.tokens


def test_a_config_entry_survives_with_its_indexes() -> None:
    network = Network()
    dc1 = network.add_cluster("dc1")
    dc1.config.entries.upsert(decode_entry(EXPORTS))
    saved, saved_index = dc1.config.entries.get("exported-services", "default")
    again = _reload(network, None)["dc1"]
    entry, index = again.config.entries.get("exported-services", "default")
    assert entry is not None and saved is not None
    assert (entry.to_api(), index, again.store.index) == (
        saved.to_api(), saved_index, dc1.store.index,
    )
