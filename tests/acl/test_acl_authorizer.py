"""How rules decide: precedence between policies, exact and prefix names, fallbacks, defaults."""

from __future__ import annotations

import pytest

from fakeconsul.acl.authorizer import Authorizer, allowed
from fakeconsul.acl.rules import parse


def _allowed(rules: list[str], resource: str, level: str, name: str | None = None,
             default: str = "deny") -> bool:
    return allowed(Authorizer(parse(r) for r in rules), default, resource, level, name)


@pytest.mark.parametrize(
    ("rules", "level", "expected"),
    [
        ('peering = "read"', "read", True),
        ('peering = "read"', "write", False),
        ('peering = "write"', "read", True),
        ('peering = "write"', "write", True),
        ('peering = "deny"', "read", False),
    ],
)
def test_a_peering_rule_grants_its_level_and_below(rules: str, level: str, expected: bool) -> None:
    assert _allowed([rules], "peering", level) is expected


@pytest.mark.parametrize(("level", "expected"), [("read", True), ("write", True)])
def test_without_a_peering_rule_operator_decides(level: str, expected: bool) -> None:
    assert _allowed(['operator = "write"'], "peering", level) is expected


def test_operator_read_grants_peering_read_but_not_write() -> None:
    rules = ['operator = "read"']

    assert (_allowed(rules, "peering", "read"), _allowed(rules, "peering", "write")) == (
        True, False)


def test_a_peering_rule_wins_over_operator() -> None:
    assert _allowed(['peering = "deny"\noperator = "write"'], "peering", "read") is False


def test_mesh_falls_back_to_operator_too() -> None:
    assert _allowed(['operator = "write"'], "mesh", "write") is True


def test_among_policies_deny_beats_write() -> None:
    assert _allowed(['peering = "write"', 'peering = "deny"'], "peering", "read") is False


def test_among_policies_write_beats_read() -> None:
    assert _allowed(['peering = "read"', 'peering = "write"'], "peering", "write") is True


def test_an_exact_service_rule_beats_a_longer_prefix() -> None:
    rules = ['service "web" { policy = "deny" }\nservice_prefix "we" { policy = "write" }']

    assert _allowed(rules, "service", "read", "web") is False


def test_the_longest_prefix_decides() -> None:
    rules = ['service_prefix "" { policy = "deny" }\nservice_prefix "api-" { policy = "read" }']

    assert (_allowed(rules, "service", "read", "api-1"), _allowed(rules, "service", "read", "db"))\
        == (True, False)


def test_node_prefix_applies_to_node_names() -> None:
    assert _allowed(['node_prefix "dc1-" { policy = "read" }'], "node", "read", "dc1-server-1")


@pytest.mark.parametrize(("default", "expected"), [("allow", True), ("deny", False)])
def test_no_rule_falls_through_to_the_default_policy(default: str, expected: bool) -> None:
    assert _allowed(['service "web" { policy = "read" }'], "peering", "write",
                    default=default) is expected


def test_the_allow_default_never_grants_acl_management() -> None:
    assert _allowed([], "acl", "read", default="allow") is False


def test_an_explicit_rule_denies_even_under_the_allow_default() -> None:
    assert _allowed(['peering = "read"'], "peering", "write", default="allow") is False
