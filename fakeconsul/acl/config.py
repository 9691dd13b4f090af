"""What a cluster's ``acl { ... }`` stanza says: enabled, the default policy, the initial token."""

from __future__ import annotations

from dataclasses import dataclass

POLICIES = ("allow", "deny")


@dataclass(frozen=True)
class ACLConfig:
    """ACLs on for a cluster, as ``acl { enabled = true ... }`` turns them on in Consul.

    ``default_policy`` decides what no rule decides (``"allow"`` is Consul's default; ``"deny"``
    is what production uses). ``initial_management_token`` is a secret that holds the
    global-management policy from the start, as ``acl.tokens.initial_management`` does; without
    one, ``PUT /v1/acl/bootstrap`` (``ACLSystem.bootstrap``) mints the first management token.
    """

    default_policy: str = "allow"
    initial_management_token: str | None = None

    def __post_init__(self) -> None:
        if self.default_policy not in POLICIES:
            raise ValueError(
                f"default_policy must be 'allow' or 'deny', got {self.default_policy!r}"
            )
        if self.initial_management_token == "":
            raise ValueError("initial_management_token must be a non-empty secret or None")
