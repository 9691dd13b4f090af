"""Peering stories, told the way Consul's api/peering_test.go tells them, for every target.

``a`` is the acceptor (it generates tokens), ``b`` the dialer (it establishes). Names are unique
per story and only a story's own peerings are looked at, so a shared real cluster does not
disturb them. Where Consul is eventually consistent the story waits with ``target.eventually``.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from typing import Any

import pytest
from contract_api import Agent, ApiError, Target

REUSED_TOKEN = (
    "a new peering token must be generated: "
    "invalid peering establishment secret"
)


def becomes(agent: Agent, name: str, state: str) -> Callable[[], dict[str, Any]]:
    def check() -> dict[str, Any]:
        peering = agent.read(name)
        assert peering is not None, f"{name} is gone, {state} expected"
        assert peering["State"] == state, f"{name} is {peering['State']}, {state} expected"
        return peering

    return check


def gone(agent: Agent, name: str) -> Callable[[], None]:
    def check() -> None:
        peering = agent.read(name)
        assert peering is None, f"{name} is still there: {peering and peering['State']}"

    return check


def peer(target: Target) -> tuple[str, str]:
    """a accepts, b dials; both ACTIVE. Returns (a's name for b, b's name for a)."""
    accepted, dialed = target.unique("to-b"), target.unique("to-a")
    target.b.establish(dialed, target.a.generate_token(accepted))
    target.eventually(becomes(target.b, dialed, "ACTIVE"))
    target.eventually(becomes(target.a, accepted, "ACTIVE"))
    return accepted, dialed


def token_field(token: str, key: str) -> Any:
    return json.loads(base64.b64decode(token))[key]


# --- the lifecycle ----------------------------------------------------------------------------


def test_generate_read_establish_delete(target: Target) -> None:
    accepted, dialed = target.unique("to-b"), target.unique("to-a")

    # generate token
    token = target.a.generate_token(accepted, meta={"foo": "bar"})
    peering = target.a.read(accepted)
    assert peering is not None
    assert (peering["Name"], peering["State"], peering["Meta"]) == (
        accepted, "PENDING", {"foo": "bar"})

    # establish peering
    target.b.establish(dialed, token, meta={"foo": "bar"})
    peering = target.b.read(dialed)
    assert peering is not None
    assert (peering["State"] in ("ESTABLISHING", "ACTIVE"), peering["Meta"]) == (
        True, {"foo": "bar"})

    # wait for the active state on both sides
    target.eventually(becomes(target.b, dialed, "ACTIVE"))
    target.eventually(becomes(target.a, accepted, "ACTIVE"))

    # delete at the acceptor, wait for it to be gone
    target.a.delete(accepted)
    target.eventually(gone(target.a, accepted))


def test_dialer_points_at_the_acceptor(target: Target) -> None:
    accepted, dialed = peer(target)

    acceptor, dialer = target.a.read(accepted), target.b.read(dialed)

    assert acceptor is not None and dialer is not None
    assert dialer["PeerID"] == acceptor["ID"]
    assert dialer["PeerServerName"].startswith(f"server.{target.a.datacenter}.peering.")
    assert dialer["Remote"]["Datacenter"] == target.a.datacenter


def test_acceptor_learns_the_dialers_datacenter(target: Target) -> None:
    accepted, _ = peer(target)

    def remote() -> None:
        acceptor = target.a.read(accepted)
        assert acceptor is not None
        assert acceptor["Remote"] == {"Partition": "", "Datacenter": target.b.datacenter}

    target.eventually(remote)


def test_acceptor_delete_terminates_the_dialer(target: Target) -> None:
    accepted, dialed = peer(target)

    target.a.delete(accepted)

    target.eventually(gone(target.a, accepted))
    terminated = target.eventually(becomes(target.b, dialed, "TERMINATED"))
    assert "DeletedAt" not in terminated  # told by its peer, not deleted itself


def test_dialer_delete_terminates_the_acceptor(target: Target) -> None:
    accepted, dialed = peer(target)

    target.b.delete(dialed)

    target.eventually(gone(target.b, dialed))
    target.eventually(becomes(target.a, accepted, "TERMINATED"))


def test_terminated_peering_is_removed_by_its_own_delete(target: Target) -> None:
    accepted, dialed = peer(target)
    target.b.delete(dialed)
    target.eventually(becomes(target.a, accepted, "TERMINATED"))

    target.a.delete(accepted)

    target.eventually(gone(target.a, accepted))


def test_deleted_name_is_free_for_a_new_peering(target: Target) -> None:
    accepted = target.unique("to-b")
    target.a.generate_token(accepted)
    first = target.a.read(accepted)
    target.a.delete(accepted)
    target.eventually(gone(target.a, accepted))

    target.a.generate_token(accepted)

    second = target.a.read(accepted)
    assert first is not None and second is not None
    assert (second["State"], second["ID"] != first["ID"]) == ("PENDING", True)
    assert second["CreateIndex"] > first["CreateIndex"]


def test_terminated_dialer_is_revived_by_a_new_token(target: Target) -> None:
    accepted, dialed = peer(target)
    before = target.b.read(dialed)
    target.a.delete(accepted)
    target.eventually(becomes(target.b, dialed, "TERMINATED"))
    target.eventually(gone(target.a, accepted))

    target.b.establish(dialed, target.a.generate_token(accepted))

    after = target.eventually(becomes(target.b, dialed, "ACTIVE"))
    assert before is not None and after["ID"] == before["ID"]
    target.eventually(becomes(target.a, accepted, "ACTIVE"))


# --- tokens -----------------------------------------------------------------------------------


def test_token_cannot_be_reused(target: Target) -> None:
    accepted = target.unique("to-b")
    token = target.a.generate_token(accepted)
    target.b.establish(target.unique("to-a"), token)

    with pytest.raises(ApiError) as refused:
        target.b.establish(target.unique("again"), token)

    assert (refused.value.status, refused.value.text) == (403, REUSED_TOKEN)


def test_refused_exchange_leaves_a_pending_dialer(target: Target) -> None:
    token = target.a.generate_token(target.unique("to-b"))
    target.b.establish(target.unique("to-a"), token)
    leftover = target.unique("again")

    with pytest.raises(ApiError):
        target.b.establish(leftover, token)

    peering = target.b.read(leftover)
    assert peering is not None and peering["State"] == "PENDING"


def test_superseded_token_is_refused(target: Target) -> None:
    accepted = target.unique("to-b")
    first = target.a.generate_token(accepted)
    target.a.generate_token(accepted)

    with pytest.raises(ApiError) as refused:
        target.b.establish(target.unique("to-a"), first)

    assert (refused.value.status, refused.value.text) == (403, REUSED_TOKEN)


def test_newest_token_is_accepted(target: Target) -> None:
    accepted, dialed = target.unique("to-b"), target.unique("to-a")
    target.a.generate_token(accepted)
    newest = target.a.generate_token(accepted)

    target.b.establish(dialed, newest)

    target.eventually(becomes(target.a, accepted, "ACTIVE"))


def test_generate_again_keeps_the_peering_and_ignores_new_meta(target: Target) -> None:
    accepted = target.unique("to-b")
    target.a.generate_token(accepted, meta={"env": "prod"})
    before = target.a.read(accepted)

    target.a.generate_token(accepted, meta={"env": "dev"})

    after = target.a.read(accepted)
    assert before is not None and after is not None
    assert (after["ID"], after["State"], after["Meta"]) == (before["ID"], "PENDING",
                                                           {"env": "prod"})
    assert after["ModifyIndex"] > before["ModifyIndex"]


def test_generate_again_does_not_disturb_an_active_peering(target: Target) -> None:
    accepted, _ = peer(target)
    before = target.a.read(accepted)

    token = target.a.generate_token(accepted)

    after = target.a.read(accepted)
    assert before is not None and after is not None
    assert (after["ID"], after["State"]) == (before["ID"], "ACTIVE")
    assert token_field(token, "PeerID") == before["ID"]


def test_token_names_the_acceptor(target: Target) -> None:
    accepted = target.unique("to-b")

    token = target.a.generate_token(accepted)

    acceptor = target.a.read(accepted)
    assert acceptor is not None and token_field(token, "PeerID") == acceptor["ID"]
    assert token_field(token, "Remote")["Datacenter"] == target.a.datacenter


# --- names --------------------------------------------------------------------------------------


def test_generate_on_a_dialers_name_is_refused(target: Target) -> None:
    _, dialed = peer(target)

    with pytest.raises(ApiError) as refused:
        target.b.generate_token(dialed)

    assert (refused.value.status, refused.value.text) == (
        500,
        f'cannot create peering with name: "{dialed}"; '
        "there is already an established peering",
    )


def test_establish_on_an_acceptors_name_is_refused(target: Target) -> None:
    taken = target.unique("taken")
    target.b.generate_token(taken)
    token = target.a.generate_token(target.unique("to-b"))

    with pytest.raises(ApiError) as refused:
        target.b.establish(taken, token)

    assert (refused.value.status, refused.value.text) == (
        500,
        f'cannot create peering with name: "{taken}"; '
        "there is an existing peering expecting to be dialed",
    )


def test_establish_with_a_token_of_the_same_cluster_is_refused(target: Target) -> None:
    token = target.a.generate_token(target.unique("to-self"))

    with pytest.raises(ApiError) as refused:
        target.a.establish(target.unique("self"), token)

    server_name = token_field(token, "ServerName")
    assert (refused.value.status, refused.value.text) == (
        500,
        f'cannot create a peering within the same cluster '
        f'"{server_name}". Refer to the `exported-services` documentation if you want to export '
        "between partitions without peering",
    )


def test_read_finds_a_peering_in_any_case(target: Target) -> None:
    accepted = target.unique("to-b")
    target.a.generate_token(accepted)

    peering = target.a.read(accepted.upper())

    assert peering is not None and peering["Name"] == accepted


def test_list_holds_every_peering_by_lower_cased_name(target: Target) -> None:
    suffix = target.unique("")
    names = [f"zz{suffix}", f"aa{suffix}", f"mm{suffix}"]
    for name in names:
        target.a.generate_token(name)

    listed = [p["Name"] for p in target.a.list() if p["Name"] in names]

    assert listed == sorted(names)


def test_read_of_a_missing_peering_is_404(target: Target) -> None:
    missing = target.unique("missing")

    answer = target.a.call("GET", f"/v1/peering/{missing}")

    assert (answer.status, answer.text) == (404, f'Peering not found for "{missing}"')


def test_delete_of_a_missing_peering_succeeds_empty(target: Target) -> None:
    answer = target.a.call("DELETE", f"/v1/peering/{target.unique('missing')}")

    assert (answer.status, answer.body) == (200, b"")
