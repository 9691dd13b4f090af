"""One cluster's ACL system: its tables with the Python API of the ACL endpoints."""

from __future__ import annotations

from typing import Any

from .policies import set_policy
from .records import Policy, Token
from .tables import ACLDenied, ACLTables
from .tokens import set_token

__all__ = ["ACLDenied", "ACLSystem"]


class ACLSystem(ACLTables):
    """What ``cluster.acl`` is: the tables, enforcement, and the endpoints' operations."""

    # --- the Python API of the ACL endpoints (policies.py and tokens.py hold the rules) -------

    def create_policy(self, name: str, rules: str = "", description: str = "", *,
                      datacenters: list[str] | None = None, token: str | None = None) -> Policy:
        """``PUT /v1/acl/policy``: needs ``acl:write``."""
        return set_policy(self, token, "", name, description, rules, datacenters)

    def update_policy(self, policy_id: str, name: str, rules: str = "", description: str = "",
                      *, datacenters: list[str] | None = None,
                      token: str | None = None) -> Policy:
        """``PUT /v1/acl/policy/:id``: replaces the policy's fields; needs ``acl:write``."""
        return set_policy(self, token, policy_id, name, description, rules, datacenters)

    def create_token(self, policies: list[str] | None = None, description: str = "", *,
                     accessor_id: str = "", secret_id: str = "", local: bool = False,
                     token: str | None = None) -> Token:
        """``PUT /v1/acl/token``; ``policies`` are names (or IDs of existing policies)."""
        links = [(p, "") if p in self.policies else ("", p) for p in policies or []]
        return set_token(self, token, create=True, accessor_id=accessor_id, secret_id=secret_id,
                         description=description, policies=links, roles=[], local=local)

    def to_api(self, token: Token, *, redact: bool = False) -> dict[str, Any]:
        return token.to_api(self.policies, redact=redact)
