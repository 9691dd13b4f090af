"""Policy rules, in HCL or JSON, parsed and validated as acl.NewPolicyFromSource does.

Consul decodes rules with hashicorp/hcl v1 into its PolicyRules struct, then validates every rule
(Validate in acl/policy.go), in a fixed order: ``acl``, the named kinds (agent, key, node,
service, session, event, query, each exact then ``_prefix``), then ``keyring``, ``operator``,
``mesh`` and ``peering``. The first invalid rule is reported with Go's ``%#v`` of it. Keys the
struct does not know are ignored, as HCL's decoder ignores them.
"""

from __future__ import annotations

import functools
import json
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .. import messages
from ..golang.gocompat import go_quote
from ..model.errors import ConsulError

# Access levels, as AccessLevelFromString reads them (case-insensitively).
DENY, READ, LIST, WRITE = "deny", "read", "list", "write"
LEVELS = (DENY, READ, LIST, WRITE)

# The single-valued resources, each one string.
SCALARS = ("acl", "keyring", "operator", "mesh", "peering")

# The named kinds: Go's rule struct (for %#v), the field that holds the block's label, and
# whether "list" is a valid level (only for keys).
_STRUCTS: dict[str, tuple[str, str, bool]] = {
    "agent": ("AgentRule", "Node", False),
    "key": ("KeyRule", "Prefix", True),
    "node": ("NodeRule", "Name", False),
    "service": ("ServiceRule", "Name", False),
    "session": ("SessionRule", "Node", False),
    "event": ("EventRule", "Event", False),
    "query": ("PreparedQueryRule", "Prefix", False),
}
_ENTERPRISE_RULE = ("key", "node", "service")  # structs that embed acl.EnterpriseRule
BLOCKS = tuple(kind for base in _STRUCTS for kind in (base, base + "_prefix"))


@dataclass(frozen=True)
class NamedRule:
    name: str
    policy: str
    intentions: str = ""


@dataclass(frozen=True)
class PolicyRules:
    """One policy's rules: ``scalars`` maps a resource to its level, ``blocks`` maps a named kind
    (``service``, ``service_prefix``, ...) to its rules in the order written."""

    scalars: Mapping[str, str]
    blocks: Mapping[str, tuple[NamedRule, ...]]


EMPTY = PolicyRules({}, {})


def parse(rules: str) -> PolicyRules:
    """The rules of a policy, or ``ConsulError(500, ...)`` with Consul's text.

    Parsing HCL costs about a millisecond; results are cached by text, as Consul caches parsed
    policies by hash.
    """
    return _parse_cached(rules)


@functools.lru_cache(maxsize=1024)
def _parse_cached(rules: str) -> PolicyRules:
    if not rules.strip():
        return EMPTY  # Consul's hot path for empty rules (and HCL accepts a blank document)
    tree = _decode(rules)
    scalars: dict[str, str] = {}
    blocks: dict[str, tuple[NamedRule, ...]] = {}
    for raw_key, value in tree.items():
        key = str(raw_key).lower()  # HCL matches struct fields case-insensitively
        if key in SCALARS:
            scalars[key] = _scalar(key, value)
        elif key in BLOCKS:
            blocks[key] = _named_rules(key, value)
    _validate(scalars, blocks)
    return PolicyRules(
        {k: v.lower() for k, v in scalars.items() if v},
        {
            kind: tuple(NamedRule(r.name, r.policy.lower(), r.intentions.lower()) for r in rs)
            for kind, rs in blocks.items()
        },
    )


_lock = threading.Lock()
_parser: Any = None


def _decode(rules: str) -> dict[str, Any]:
    """HCL (or JSON, which HCL accepts) into a dict, with pyhcl. pyhcl builds its LALR tables
    when a parser is made (~70 ms), so one parser is kept; it is not re-entrant, hence the lock."""
    global _parser
    try:
        if rules.lstrip().startswith("{"):
            tree = json.loads(rules)
        else:
            with _lock:
                if _parser is None:
                    from hcl.parser import HclParser  # type: ignore[import-untyped]

                    _parser = HclParser()
                tree = _parser.parse(rules)
    except ValueError as err:  # json.JSONDecodeError is a ValueError too
        raise ConsulError(500, messages.RULES_PARSE_FAILED.format(err)) from None
    if not isinstance(tree, dict):
        raise _shape_error("", tree)
    return tree


def _shape_error(key: str, value: object) -> ConsulError:
    """A value of the wrong shape (a list or block where a level goes); hcl's message names the
    AST node it found."""
    node = "ObjectType" if isinstance(value, dict) else "ListType" if isinstance(
        value, list) else "LiteralType"
    detail = messages.hcl_unknown_type(key, node)
    return ConsulError(500, messages.RULES_PARSE_FAILED.format(detail))


def _scalar(key: str, value: object) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)  # hcl v1 decodes a number into a string field as its text
    raise _shape_error(key, value)


def _named_rules(kind: str, value: object) -> tuple[NamedRule, ...]:
    """``service "web" { policy = "read" }`` (HCL) or ``{"service": {"web": {...}}}`` (JSON, where
    lists of such objects are allowed too), in the order written."""
    rules: list[NamedRule] = []
    for labels in value if isinstance(value, list) else [value]:
        if not isinstance(labels, dict):
            raise _shape_error(kind, labels)
        for name, body in labels.items():
            for part in body if isinstance(body, list) else [body]:
                if not isinstance(part, dict):
                    raise _shape_error(kind, part)
                fields = {str(k).lower(): v for k, v in part.items()}
                rules.append(NamedRule(
                    str(name),
                    _scalar("policy", fields.get("policy", "")),
                    _scalar("intentions", fields.get("intentions", "")),
                ))
    return tuple(rules)


def _valid(level: str, allow_list: bool) -> bool:
    lowered = level.lower()
    return lowered in LEVELS and (allow_list or lowered != LIST)


def _validate(scalars: dict[str, str], blocks: dict[str, tuple[NamedRule, ...]]) -> None:
    acl = scalars.get("acl", "")
    if acl and not _valid(acl, False):
        raise ConsulError(500, messages.invalid_rule("acl", go_quote(acl)))
    for kind in BLOCKS:
        base = kind.removesuffix("_prefix")
        allow_list = _STRUCTS[base][2]
        for rule in blocks.get(kind, ()):
            if not _valid(rule.policy, allow_list):
                raise ConsulError(500, messages.invalid_rule(kind, _go_struct(base, rule)))
            if base == "service" and rule.intentions and not _valid(rule.intentions, False):
                raise ConsulError(500, messages.invalid_intentions(kind, _go_struct(base, rule)))
    for key in ("keyring", "operator", "mesh", "peering"):
        level = scalars.get(key, "")
        if level and not _valid(level, False):
            raise ConsulError(500, messages.invalid_rule(key, go_quote(level)))


def _go_struct(base: str, rule: NamedRule) -> str:
    """Go's ``%#v`` of a pointer to the rule struct, e.g. ``&acl.NodeRule{Name:"n",
    Policy:"nope", EnterpriseRule:acl.EnterpriseRule{}}``."""
    struct, label, _ = _STRUCTS[base]
    fields = [f"{label}:{go_quote(rule.name)}", f"Policy:{go_quote(rule.policy)}"]
    if base == "service":
        fields.append(f"Intentions:{go_quote(rule.intentions)}")
    if base in _ENTERPRISE_RULE:
        fields.append("EnterpriseRule:acl.EnterpriseRule{}")
    return f"&acl.{struct}{{{', '.join(fields)}}}"
