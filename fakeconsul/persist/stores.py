"""State-file parts of the other per-cluster stores: the ACL tables and the config entries.

Each is saved as Consul's raft keeps it (every row with its indexes, plus the table indexes)
and put back without moving the cluster's index. The catalog has its own part
(snapshot_catalog.py).
"""

from __future__ import annotations

from typing import Any

from .. import messages
from ..acl import Policy, Token
from ..acl.records import INITIAL_MANAGEMENT_DESCRIPTION
from ..acl.tables import new_id
from ..config.entries import KINDS, decode_entry
from ..model.cluster import Cluster
from .part import (
    ClusterPart,
    SnapshotError,
    expect_dict,
    index,
    moment,
    optional,
    require,
    string_list,
    write_moment,
)

# --- ACL policies and tokens -----------------------------------------------------------------


def _dump_acl(cluster: Cluster) -> dict[str, Any]:
    acl = cluster.acl
    return {
        "Policies": [
            {
                "ID": p.id, "Name": p.name, "Description": p.description, "Rules": p.rules,
                "Datacenters": p.datacenters, "CreateIndex": p.create_index,
                "ModifyIndex": p.modify_index,
            }
            for p in sorted(acl.policies.values(), key=lambda p: p.id)
        ],
        "Tokens": [
            {
                "AccessorID": t.accessor_id, "SecretID": t.secret_id,
                "Description": t.description, "PolicyIDs": t.policy_ids, "Local": t.local,
                "CreateTime": write_moment(t.create_time), "CreateIndex": t.create_index,
                "ModifyIndex": t.modify_index,
            }
            for t in sorted(acl.tokens.values(), key=lambda t: t.accessor_id)
        ],
        "PoliciesIndex": acl.policies_index,
        "TokensIndex": acl.tokens_index,
        "BootstrapIndex": acl.bootstrap_index,
    }


def _acl_version(cluster: Cluster) -> object:
    # Each write of a policy or token sets its table's index to a new raft index.
    acl = cluster.acl
    return (acl.policies_index, acl.tokens_index, acl.bootstrap_index, len(acl.policies),
            len(acl.tokens))


def _load_policy(value: Any, where: str) -> Policy:
    fields = expect_dict(value, where)
    datacenters = optional(fields, "Datacenters", list, "a list of strings", where)
    return Policy(
        id=require(fields, "ID", str, "a string", where),
        name=require(fields, "Name", str, "a string", where),
        description=optional(fields, "Description", str, "a string", where, ""),
        rules=optional(fields, "Rules", str, "a string", where, ""),
        datacenters=None if datacenters is None else string_list(fields, "Datacenters", where),
        create_index=index(fields, "CreateIndex", where),
        modify_index=index(fields, "ModifyIndex", where),
    )


def _load_token(value: Any, where: str) -> Token:
    fields = expect_dict(value, where)
    return Token(
        accessor_id=require(fields, "AccessorID", str, "a string", where),
        secret_id=require(fields, "SecretID", str, "a string", where),
        description=optional(fields, "Description", str, "a string", where, ""),
        policy_ids=string_list(fields, "PolicyIDs", where),
        local=optional(fields, "Local", bool, "true or false", where, False),
        create_time=moment(fields, "CreateTime", where),
        create_index=index(fields, "CreateIndex", where),
        modify_index=index(fields, "ModifyIndex", where),
    )


def _load_acl(cluster: Cluster, value: Any, where: str) -> None:
    fields = expect_dict(value, where)
    policies = [_load_policy(v, f"{where}.Policies[{n}]")
                for n, v in enumerate(require(fields, "Policies", list, "a list", where))]
    tokens = [_load_token(v, f"{where}.Tokens[{n}]")
              for n, v in enumerate(require(fields, "Tokens", list, "a list", where))]
    if not tokens:
        # Saved while ACLs were off: keep what this start wrote (anonymous token and all).
        return
    acl = cluster.acl
    acl.policies = {p.id: p for p in policies}
    acl.tokens = {t.accessor_id: t for t in tokens}
    acl.policies_index = index(fields, "PoliciesIndex", where)
    acl.tokens_index = index(fields, "TokensIndex", where)
    acl.bootstrap_index = index(fields, "BootstrapIndex", where)
    secret = acl.config.initial_management_token if acl.config is not None else None
    if secret is not None and acl.token_by_secret(secret) is None:
        # A leader writes the configured initial management token at start when it is missing.
        management = [p.id for p in policies if p.name == "global-management"]
        acl.write_token(Token(new_id(), secret, INITIAL_MANAGEMENT_DESCRIPTION, management,
                              create_time=cluster.network.now()))


# --- config entries --------------------------------------------------------------------------


def _dump_config_entries(cluster: Cluster) -> dict[str, Any]:
    entries = cluster.config.entries
    return {
        "Entries": [entry.to_api() for kind in sorted(KINDS) for entry in entries.list(kind)[0]],
        "TableIndex": entries.table_index,
    }


def _config_entries_version(cluster: Cluster) -> object:
    return cluster.config.entries.table_index  # a new raft index at each write, delete, clear


def _load_config_entries(cluster: Cluster, value: Any, where: str) -> None:
    fields = expect_dict(value, where)
    entries = cluster.config.entries
    store = cluster.store
    raft_index = store.index
    for number, raw in enumerate(require(fields, "Entries", list, "a list", where)):
        path = f"{where}.Entries[{number}]"
        body = dict(expect_dict(raw, path))
        create, modify = index(body, "CreateIndex", path), index(body, "ModifyIndex", path)
        del body["CreateIndex"], body["ModifyIndex"]
        try:
            entry = decode_entry(body)
        except Exception as err:  # noqa: BLE001 - any refusal of Consul's decoder
            message = getattr(err, "message", None) or str(err)
            raise SnapshotError(messages.state_bad_entry(path, message)) from None
        entries.upsert(entry)
        entry.create_index, entry.modify_index = create, modify
    entries.table_index = index(fields, "TableIndex", where)
    store.index = raft_index  # upsert took indexes; the saved ones stand


CLUSTER = (
    ClusterPart("Acl", _dump_acl, _load_acl, version=_acl_version),
    ClusterPart("ConfigEntries", _dump_config_entries, _load_config_entries,
                version=_config_entries_version),
)
