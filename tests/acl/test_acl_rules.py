"""Policy rules in HCL and JSON: what they grant, and Consul's texts for the ones it refuses."""

from __future__ import annotations

import pytest

from fakeconsul import ConsulError
from fakeconsul.acl.rules import NamedRule, parse


def test_hcl_scalars_and_named_blocks_are_read() -> None:
    rules = parse('peering = "read"\nservice "web" { policy = "write" }\nnode_prefix "" {\n'
                  '  policy = "read"\n}\n')

    assert rules.scalars == {"peering": "read"}
    assert rules.blocks == {
        "service": (NamedRule("web", "write"),),
        "node_prefix": (NamedRule("", "read"),),
    }


def test_json_rules_read_like_the_same_hcl() -> None:
    hcl = parse('operator = "write"\nservice_prefix "api" { policy = "read" }')
    json_rules = parse('{"operator": "write", "service_prefix": {"api": {"policy": "read"}}}')

    assert json_rules == hcl


def test_levels_are_read_case_insensitively_as_consul_does() -> None:
    assert parse('mesh = "WRITE"').scalars == {"mesh": "write"}


@pytest.mark.parametrize("blank", ["", "  \n\t", "# only a comment\n"])
def test_blank_rules_grant_nothing(blank: str) -> None:
    rules = parse(blank)

    assert (dict(rules.scalars), dict(rules.blocks)) == ({}, {})


def test_keys_consul_does_not_know_are_ignored() -> None:
    assert parse('peering = "read"\nunknown_thing = "write"').scalars == {"peering": "read"}


@pytest.mark.parametrize(
    ("rules", "text"),
    [
        ('peering = "nope"', 'Invalid peering policy: "nope"'),
        ('operator = "list"', 'Invalid operator policy: "list"'),
        ('acl = "all"', 'Invalid acl policy: "all"'),
        ('mesh = "x"', 'Invalid mesh policy: "x"'),
        (
            'service "web" { policy = "x" }',
            'Invalid service policy: &acl.ServiceRule{Name:"web", Policy:"x", Intentions:"", '
            "EnterpriseRule:acl.EnterpriseRule{}}",
        ),
        (
            'service_prefix "" { policy = "read"\n intentions = "all" }',
            'Invalid service_prefix intentions policy: &acl.ServiceRule{Name:"", Policy:"read", '
            'Intentions:"all", EnterpriseRule:acl.EnterpriseRule{}}',
        ),
        (
            'node_prefix "db" { }',
            'Invalid node_prefix policy: &acl.NodeRule{Name:"db", Policy:"", '
            "EnterpriseRule:acl.EnterpriseRule{}}",
        ),
        ('agent "n1" { policy = "list" }', 'Invalid agent policy: &acl.AgentRule{Node:"n1", '
                                            'Policy:"list"}'),
        ('{"peering": "sometimes"}', 'Invalid peering policy: "sometimes"'),
    ],
)
def test_an_invalid_level_is_refused_with_go_s_rendering_of_the_rule(rules: str, text: str) -> None:
    with pytest.raises(ConsulError) as caught:
        parse(rules)

    assert (caught.value.status, caught.value.message) == (500, text)


def test_list_is_a_valid_level_for_keys_only() -> None:
    assert parse('key_prefix "app/" { policy = "list" }').blocks["key_prefix"][0].policy == "list"


def test_the_acl_rule_is_validated_before_the_others() -> None:
    # Consul's Validate checks acl first and peering last.
    with pytest.raises(ConsulError) as caught:
        parse('peering = "bad"\nacl = "worse"')

    assert caught.value.message == 'Invalid acl policy: "worse"'


@pytest.mark.parametrize(
    ("rules", "text"),
    [
        (
            "peering = ",
            "Failed to parse ACL rules: Unexpected end of file; expected BOOL, STRING, "
            "IDENTIFIER, LEFTBRACE, LEFTBRACKET, LEFTPAREN, MINUS, NUMBER, FLOAT",
        ),
        (
            'service "web" { policy = "read"',
            "Failed to parse ACL rules: Unexpected end of file; expected RIGHTBRACE, COMMA, "
            "IDENTIFIER, STRING, COMMENT, MULTICOMMENT, MINUS, NUMBER, FLOAT",
        ),
        ('peering = ["read"]', "Failed to parse ACL rules: peering: unknown type for string "
                               "*ast.ListType"),
        ("{\"peering\": }", "Failed to parse ACL rules: Expecting value: line 1 column 13 "
                            "(char 12)"),
    ],
)
def test_a_syntax_error_is_refused_with_the_parse_failure_prefix(rules: str, text: str) -> None:
    with pytest.raises(ConsulError) as caught:
        parse(rules)

    assert (caught.value.status, caught.value.message) == (500, text)


def test_a_number_is_read_as_its_text_as_hcl_does_for_string_fields() -> None:
    with pytest.raises(ConsulError) as caught:
        parse("peering = 5")

    assert caught.value.message == 'Invalid peering policy: "5"'
