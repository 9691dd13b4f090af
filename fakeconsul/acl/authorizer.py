"""Decisions from rules, as Consul's policyAuthorizer, policy merger and chained authorizer do.

A token's policies are merged into one rule set (for each resource and each name the strongest
level wins: deny, then write, then list, then read). The merged set answers allow, deny or
"no opinion"; no opinion falls through to the default policy (``allowAll`` or ``denyAll``).
Neither default grants ``acl``: only an explicit rule does, as Consul's static authorizers
allow management to the management authorizer alone.
"""

from __future__ import annotations

from collections.abc import Iterable

from .rules import DENY, LIST, READ, SCALARS, WRITE, PolicyRules

ALLOW, DEFAULT = "allow", "default"

_PRECEDENCE = {DENY: 4, WRITE: 3, LIST: 2, READ: 1}

# Resources whose rule, when absent, defers to operator's (PeeringRead/MeshRead in Consul).
_FALLBACK = {"peering": "operator", "mesh": "operator"}


def _stronger(a: str, b: str | None) -> bool:
    return b is None or _PRECEDENCE.get(a, 0) > _PRECEDENCE.get(b, 0)


def enforce(rule: str | None, required: str) -> str:
    """Consul's enforce(): what a rule's level says about a required level."""
    if rule == WRITE:
        return ALLOW
    if rule == LIST:
        return ALLOW if required in (LIST, READ) else DENY
    if rule == READ:
        return ALLOW if required == READ else DENY
    if rule == DENY:
        return DENY
    return DEFAULT


class Authorizer:
    """The merged rules of a set of policies."""

    def __init__(self, policies: Iterable[PolicyRules]) -> None:
        self.scalars: dict[str, str] = {}
        # kind ("service", "node", ...) -> name -> [exact level, prefix level]
        self.named: dict[str, dict[str, list[str | None]]] = {}
        for policy in policies:
            for resource, level in policy.scalars.items():
                if _stronger(level, self.scalars.get(resource)):
                    self.scalars[resource] = level
            for kind, rules in policy.blocks.items():
                base = kind.removesuffix("_prefix")
                slot = 1 if kind.endswith("_prefix") else 0
                names = self.named.setdefault(base, {})
                for rule in rules:
                    levels = names.setdefault(rule.name, [None, None])
                    if _stronger(rule.policy, levels[slot]):
                        levels[slot] = rule.policy

    def decide(self, resource: str, required: str, name: str | None = None) -> str:
        """``allow``, ``deny`` or ``default`` (no rule speaks to it)."""
        if resource in SCALARS:
            level = self.scalars.get(resource)
            if level is None and resource in _FALLBACK:
                return self.decide(_FALLBACK[resource], required)
            return enforce(level, required)
        return enforce(self._named_level(resource, name or ""), required)

    def _named_level(self, kind: str, name: str) -> str | None:
        """getPolicy(): an exact rule for the name, else the longest matching prefix rule."""
        names = self.named.get(kind, {})
        exact = names.get(name, [None, None])[0]
        if exact is not None:
            return exact
        best: tuple[int, str] | None = None
        for prefix, (_, level) in names.items():
            if level is not None and name.startswith(prefix):
                if best is None or len(prefix) > best[0]:
                    best = (len(prefix), level)
        return best[1] if best is not None else None


def allowed(authorizer: Authorizer, default_policy: str, resource: str, required: str,
            name: str | None = None) -> bool:
    """The chain Consul resolves a token to: its policies, then the default policy."""
    decision = authorizer.decide(resource, required, name)
    if decision == DEFAULT:
        # allowAll and denyAll never grant acl (management belongs to manageAll alone).
        return default_policy == "allow" and resource != "acl"
    return decision == ALLOW
