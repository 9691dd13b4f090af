"""ACL policy operations with the checks of Consul's ACL.PolicySet/Read/Delete/List RPCs, in order.

Every operation resolves the request's token first (``ACL not found``), then checks ``acl:read``
or ``acl:write``. Errors that are neither a denial nor a handler's own HTTP error reach clients
as a 500 with the RPC's text.
"""

from __future__ import annotations

import re

from .. import messages
from ..model.errors import ConsulError
from .records import GLOBAL_MANAGEMENT_ID, Policy
from .rules import parse
from .tables import ACLTables, is_uuid, new_id

_VALID_NAME = re.compile(r"^[A-Za-z0-9\-_]{1,128}$")  # acl.IsValidPolicyName


def set_policy(
    acl: ACLTables, secret: str | None, policy_id: str, name: str, description: str,
    rules: str, datacenters: list[str] | None,
) -> Policy:
    """Create (``policy_id`` empty) or replace a policy."""
    with acl.lock:
        acl.require_enabled()
        acl.require(secret, "acl", "write")
        if not name:
            raise ConsulError(500, messages.POLICY_NO_NAME)
        if not _VALID_NAME.match(name):
            raise ConsulError(500, messages.POLICY_INVALID_NAME)
        id_match = None
        if policy_id:
            if not is_uuid(policy_id):
                raise ConsulError(500, messages.POLICY_ID_INVALID_UUID)
            id_match = acl.policies.get(policy_id)
        name_match = acl.policy_by_name(name)
        if not policy_id:
            policy_id = new_id()
            if name_match is not None:
                raise ConsulError(500, messages.policy_name_taken(name))
        else:
            if id_match is None:
                raise ConsulError(500, messages.cannot_find_policy(policy_id))
            if id_match.name != name and name_match is not None:
                raise ConsulError(500, messages.policy_rename_taken(name))
            if policy_id == GLOBAL_MANAGEMENT_ID:
                if datacenters is not None:
                    raise ConsulError(500, messages.MANAGEMENT_DATACENTERS_FIXED)
                if rules != id_match.rules:
                    raise ConsulError(500, messages.MANAGEMENT_RULES_FIXED)
        parse(rules)  # a malformed rule: 500 with "Failed to parse ACL rules: ..." or "Invalid ..."
        policy = Policy(policy_id, name, description, rules, datacenters)
        if id_match is not None:
            policy.create_index = id_match.create_index
        return acl.write_policy(policy)


def read_policy(
    acl: ACLTables, secret: str | None, *, policy_id: str = "", name: str = ""
) -> Policy | None:
    """By ID or by name (case-insensitive); None where Consul answers 404."""
    with acl.lock:
        acl.require_enabled()
        acl.require(secret, "acl", "read")
        if policy_id:
            return acl.policies.get(policy_id)
        return acl.policy_by_name(name)


def delete_policy(acl: ACLTables, secret: str | None, policy_id: str) -> None:
    with acl.lock:
        acl.require_enabled()
        acl.require(secret, "acl", "write")
        policy = acl.policies.get(policy_id)
        if policy is None:
            raise ConsulError(404, messages.CANNOT_FIND_POLICY_TO_DELETE)
        if policy.id == GLOBAL_MANAGEMENT_ID:
            raise ConsulError(500, messages.MANAGEMENT_POLICY_UNDELETABLE)
        acl.delete_policy_record(policy_id)


def list_policies(acl: ACLTables, secret: str | None) -> tuple[list[Policy], int]:
    """Every policy, by ID (memdb's id index), and the policies table's index."""
    with acl.lock:
        acl.require_enabled()
        acl.require(secret, "acl", "read")
        return [acl.policies[k] for k in sorted(acl.policies)], acl.policies_index
