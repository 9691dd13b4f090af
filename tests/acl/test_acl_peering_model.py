"""The Python API of the five peering operations with ACLs: tokens, order of checks, index."""

from __future__ import annotations

import pytest

from fakeconsul import Cluster, ConsulError, ManualClock, Network
from fakeconsul.acl import ACLConfig

ANONYMOUS = "00000000-0000-0000-0000-000000000002"
DENY = ACLConfig(default_policy="deny", initial_management_token="root")


def denied(accessor: str, level: str) -> str:
    if accessor == ANONYMOUS:  # acl/errors.go names the anonymous token in words
        return (
            f"Permission denied: anonymous token lacks permission 'peering:{level}'. The "
            "anonymous token is used implicitly when a request does not specify a token."
        )
    return (
        "Permission denied: token with AccessorID "
        f"'{accessor}' lacks permission 'peering:{level}'"
    )


@pytest.fixture
def network(clock: ManualClock) -> Network:
    return Network(clock=clock, acl=DENY)


def test_without_acls_operations_need_no_token(clock: ManualClock) -> None:
    net = Network(clock=clock)
    dc1, dc2 = net.add_cluster("dc1"), net.add_cluster("dc2")

    dc2.establish("dc1", dc1.generate_token("dc2"))

    assert [p.name for p in dc1.list()] == ["dc2"]


def test_without_acls_any_token_is_accepted(clock: ManualClock) -> None:
    dc1 = Network(clock=clock).add_cluster("dc1")

    dc1.generate_token("dc2", token="not-a-known-secret")

    assert dc1.read("dc2", token="whatever") is not None


def test_with_acls_a_call_without_token_is_the_anonymous_token(dc1: Cluster) -> None:
    with pytest.raises(ConsulError) as caught:
        dc1.generate_token("dc2")

    assert (caught.value.status, caught.value.message) == (403, denied(ANONYMOUS, "write"))


def test_the_management_token_may_do_everything(dc1: Cluster, dc2: Cluster) -> None:
    token = dc1.generate_token("dc2", token="root")
    dc2.establish("dc1", token, token="root")
    dc2.delete("dc1", token="root")

    assert [p.name for p in dc1.list(token="root")] == ["dc2"]


def test_establish_needs_no_token_at_the_acceptor(clock: ManualClock) -> None:
    # The acceptor denies everything to anonymous; the secret exchange goes through anyway.
    net = Network(clock=clock)
    acceptor = net.add_cluster("dc1", acl=DENY)
    dialer = net.add_cluster("dc2")

    dialer.establish("dc1", acceptor.generate_token("dc2", token="root"))

    assert dialer.read("dc1") is not None


def test_name_validation_comes_before_the_acl_check(dc1: Cluster) -> None:
    with pytest.raises(ConsulError) as caught:
        dc1.generate_token("Not_Valid")

    assert (caught.value.status, caught.value.message) == (
        500,
        "Not_Valid is not a valid peer name: a valid peering "
        "name must consist of lower case alphanumeric characters or '-', and must start and end "
        "with an alphanumeric character",
    )


def test_a_bad_peering_token_is_reported_before_the_acl_check(dc1: Cluster) -> None:
    with pytest.raises(ConsulError) as caught:
        dc1.establish("dc2", "e30K")

    assert (caught.value.status, caught.value.message) == (
        500, "peering token server addresses value is empty")


def test_the_same_cluster_check_comes_after_the_acl_check(dc1: Cluster) -> None:
    own = dc1.generate_token("loop", token="root")

    with pytest.raises(ConsulError) as caught:
        dc1.establish("self", own)

    assert (caught.value.status, caught.value.message) == (403, denied(ANONYMOUS, "write"))


def test_delete_of_a_missing_name_is_still_checked(dc1: Cluster) -> None:
    with pytest.raises(ConsulError) as caught:
        dc1.delete("never-there")

    assert caught.value.message == denied(ANONYMOUS, "write")


def test_a_denied_call_writes_nothing(dc1: Cluster) -> None:
    before = dc1.index

    with pytest.raises(ConsulError):
        dc1.generate_token("dc2", token="unknown-secret")

    assert dc1.index == before


def test_acl_writes_take_the_next_raft_index(dc1: Cluster) -> None:
    before = dc1.index

    policy = dc1.acl.create_policy("peers", 'peering = "read"', token="root")

    assert (dc1.index, policy.create_index) == (before + 1, before + 1)


def test_a_cluster_may_turn_acls_off_on_a_network_that_has_them(clock: ManualClock) -> None:
    net = Network(clock=clock, acl=DENY)

    open_cluster = net.add_cluster("dc3", acl=False)

    assert open_cluster.list() == []


def test_reset_drops_created_tokens_but_keeps_the_configured_one(dc1: Cluster) -> None:
    made = dc1.acl.create_token(["global-management"], token="root")

    dc1.reset()

    assert (dc1.acl.token_by_secret(made.secret_id), dc1.list(token="root")) == (None, [])


def test_an_invalid_default_policy_is_refused() -> None:
    with pytest.raises(ValueError, match="default_policy must be 'allow' or 'deny'"):
        ACLConfig(default_policy="block")
