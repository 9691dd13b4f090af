"""The peering token: its encoding (spec §4.1), lifetime and scenario matrix (spec §4.2, §4.4)."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from dataclasses import replace
from typing import Any

import pytest

from fakeconsul import Cluster, ConsulError, ManualClock, Network, Peering, PeeringState

Peer = Callable[..., None]

REUSED = (
    "a new peering token must be generated: invalid peering establishment secret"
)
MARKED_FOR_DELETION = (
    "failed to write peering: cannot write to peering that is marked for deletion"
)


def _fields(token: str) -> dict[str, Any]:
    decoded: dict[str, Any] = json.loads(base64.b64decode(token, validate=True))
    return decoded


def _error(call: Callable[[], object]) -> ConsulError:
    with pytest.raises(ConsulError) as caught:
        call()
    return caught.value


@pytest.fixture
def dc3(network: Network) -> Cluster:
    return network.add_cluster("dc3")


# --- encoding ----------------------------------------------------------------------------------


def test_token_starts_like_every_real_token(dc1: Cluster) -> None:
    assert dc1.generate_token("dc2-peer").startswith("eyJDQSI6")


def test_token_is_padded_standard_base64(dc1: Cluster) -> None:
    token = dc1.generate_token("dc2-peer")
    assert base64.b64encode(base64.b64decode(token, validate=True)).decode() == token


def test_token_is_compact_json(dc1: Cluster) -> None:
    raw = base64.b64decode(dc1.generate_token("dc2-peer"))
    assert raw == json.dumps(json.loads(raw), separators=(",", ":")).encode()


def test_token_keys_are_in_go_field_order(dc1: Cluster) -> None:
    assert list(_fields(dc1.generate_token("dc2-peer"))) == [
        "CA",
        "ManualServerAddresses",
        "ServerAddresses",
        "ServerName",
        "PeerID",
        "EstablishmentSecret",
        "Remote",
    ]


def test_token_remote_names_the_acceptor_in_the_default_partition(dc1: Cluster) -> None:
    assert _fields(dc1.generate_token("dc2-peer"))["Remote"] == {
        "Partition": "default",
        "Datacenter": "dc1",
        "Locality": None,
    }


def test_token_carries_the_acceptors_ca_root(dc1: Cluster) -> None:
    assert _fields(dc1.generate_token("dc2-peer"))["CA"] == [dc1.ca_pem]


def test_token_names_the_acceptors_servers(dc1: Cluster) -> None:
    fields = _fields(dc1.generate_token("dc2-peer"))
    assert (fields["ServerName"], fields["ServerAddresses"]) == (
        f"server.dc1.peering.{dc1.id}.consul", dc1.server_addresses()
    )


def test_token_peer_id_is_the_acceptor_peering_id(dc1: Cluster) -> None:
    fields = _fields(dc1.generate_token("dc2-peer"))
    peering = dc1.read("dc2-peer")
    assert peering is not None
    assert fields["PeerID"] == peering.id


def test_token_without_external_addresses_has_null_manual_addresses(dc1: Cluster) -> None:
    assert _fields(dc1.generate_token("dc2-peer"))["ManualServerAddresses"] is None


def test_token_carries_the_external_addresses(dc1: Cluster) -> None:
    token = dc1.generate_token("dc2-peer", server_external_addresses=["10.0.0.1:8503"])
    assert _fields(token)["ManualServerAddresses"] == ["10.0.0.1:8503"]


def test_every_token_has_a_new_establishment_secret(dc1: Cluster) -> None:
    first = _fields(dc1.generate_token("dc2-peer"))["EstablishmentSecret"]
    second = _fields(dc1.generate_token("dc2-peer"))["EstablishmentSecret"]
    assert first != second


# --- scenario matrix (spec §4.4) ----------------------------------------------------------------


def test_token_cannot_be_reused_on_the_same_name(dc1: Cluster, dc2: Cluster) -> None:
    token = dc1.generate_token("dc2-peer")
    dc2.establish("dc1-peer", token)
    err = _error(lambda: dc2.establish("dc1-peer", token))
    assert (err.status, err.message) == (403, REUSED)


def test_token_cannot_be_reused_by_another_cluster(dc1: Cluster, dc2: Cluster,
                                                   dc3: Cluster) -> None:
    token = dc1.generate_token("dc2-peer")
    dc2.establish("dc1-peer", token)
    err = _error(lambda: dc3.establish("dc1-peer", token))
    assert (err.status, err.message) == (403, REUSED)


def test_superseded_token_is_refused(dc1: Cluster, dc2: Cluster) -> None:
    first = dc1.generate_token("dc2-peer")
    dc1.generate_token("dc2-peer")
    err = _error(lambda: dc2.establish("dc1-peer", first))
    assert (err.status, err.message) == (403, REUSED)


def test_newest_token_is_accepted(dc1: Cluster, dc2: Cluster) -> None:
    dc1.generate_token("dc2-peer")
    dc2.establish("dc1-peer", dc1.generate_token("dc2-peer"))
    peering = dc2.read("dc1-peer")
    assert peering is not None
    assert peering.state is PeeringState.ACTIVE


def test_refused_exchange_leaves_a_pending_dialer(dc1: Cluster, dc2: Cluster,
                                                  dc3: Cluster) -> None:
    token = dc1.generate_token("dc2-peer")
    dc2.establish("dc1-peer", token)
    _error(lambda: dc3.establish("dc1-peer", token))
    peering = dc3.read("dc1-peer")
    assert peering is not None
    assert (peering.state, peering.peer_server_addresses) == (
        PeeringState.PENDING, tuple(dc1.server_addresses())
    )


def test_regenerate_keeps_id_and_meta(dc1: Cluster) -> None:
    dc1.generate_token("dc2-peer", meta={"env": "prod"})
    before = dc1.read("dc2-peer")
    dc1.generate_token("dc2-peer", meta={"env": "test"})
    after = dc1.read("dc2-peer")
    assert before is not None and after is not None
    assert (after.id, after.meta) == (before.id, {"env": "prod"})


def test_regenerate_bumps_modify_index_only(dc1: Cluster) -> None:
    dc1.generate_token("dc2-peer")
    before = dc1.read("dc2-peer")
    dc1.generate_token("dc2-peer")
    after = dc1.read("dc2-peer")
    assert before is not None and after is not None
    assert (after.create_index, after.modify_index > before.modify_index) == (
        before.create_index, True
    )


def test_regenerate_on_an_active_acceptor_changes_only_modify_index(dc1: Cluster,
                                                                    peered: Peer) -> None:
    # Consul's test: the read before and after are equal except for ModifyIndex.
    peered()
    before = dc1.read("dc2-peer")
    dc1.generate_token("dc2-peer")
    after = dc1.read("dc2-peer")
    assert before is not None and after is not None
    assert after.modify_index > before.modify_index
    assert replace(after, modify_index=before.modify_index) == before


def test_regenerate_does_not_disturb_the_dialer(dc1: Cluster, dc2: Cluster,
                                                peered: Peer) -> None:
    peered()
    dc1.generate_token("dc2-peer")
    peering = dc2.read("dc1-peer")
    assert peering is not None
    assert peering.state is PeeringState.ACTIVE


def test_generate_on_a_dialer_name_fails(dc2: Cluster, peered: Peer) -> None:
    peered()
    err = _error(lambda: dc2.generate_token("dc1-peer"))
    assert (err.status, err.message) == (
        500,
        'cannot create peering with name: "dc1-peer"; '
        "there is already an established peering",
    )


def test_generate_on_a_deleting_acceptor_fails(network: Network, dc1: Cluster) -> None:
    network.timing.deletion_delay = 10
    dc1.generate_token("dc2-peer")
    dc1.delete("dc2-peer")
    err = _error(lambda: dc1.generate_token("dc2-peer"))
    assert (err.status, err.message) == (500, MARKED_FOR_DELETION)


def test_generate_on_a_terminated_acceptor_keeps_it_terminated(dc1: Cluster, dc2: Cluster,
                                                               peered: Peer) -> None:
    peered()
    dc2.delete("dc1-peer")
    dc1.generate_token("dc2-peer")
    peering = dc1.read("dc2-peer")
    assert peering is not None
    assert peering.state is PeeringState.TERMINATED


def _refused_dialer(dc1: Cluster, dc2: Cluster, peered: Peer) -> Peering:
    """dc2's side after establishing with a token of dc1's TERMINATED acceptor: the exchange
    succeeds, the stream is refused ("peering is marked as deleted")."""
    peered()
    dc2.delete("dc1-peer")
    dc2.establish("dc1-peer", dc1.generate_token("dc2-peer"))
    peering = dc2.read("dc1-peer")
    assert peering is not None
    return peering


def test_token_of_a_terminated_acceptor_leaves_its_dialer_failing(
        clock: ManualClock, dc1: Cluster, dc2: Cluster, peered: Peer) -> None:
    # The dialer's HandleStream registered the stream before the refusal came, so the refusal
    # disconnects it with an error (peerstream stream_resources.go): it never becomes ACTIVE.
    _refused_dialer(dc1, dc2, peered)
    clock.advance(600)
    peering = dc2.read("dc1-peer")
    assert peering is not None and peering.state is PeeringState.FAILING


def test_a_refused_dialer_shows_the_refusal_as_received_and_sent(
        dc1: Cluster, dc2: Cluster, peered: Peer, clock: ManualClock) -> None:
    # TrackRecvError moves LastReceive, the retry loop's TrackSendError moves LastSend.
    status = _refused_dialer(dc1, dc2, peered).stream_status
    assert (status.last_receive, status.last_send) == (clock.now(), clock.now())


def test_establish_on_an_acceptor_name_fails(dc1: Cluster, dc2: Cluster) -> None:
    dc2.generate_token("dc1-peer")
    err = _error(lambda: dc2.establish("dc1-peer", dc1.generate_token("dc2-peer")))
    assert (err.status, err.message) == (
        500,
        'cannot create peering with name: "dc1-peer"; '
        "there is an existing peering expecting to be dialed",
    )


def test_establish_on_a_deleting_dialer_fails(network: Network, dc1: Cluster, dc2: Cluster,
                                              peered: Peer) -> None:
    network.timing.deletion_delay = 10
    peered()
    dc2.delete("dc1-peer")
    err = _error(lambda: dc2.establish("dc1-peer", dc1.generate_token("dc2-peer")))
    assert (err.status, err.message) == (500, MARKED_FOR_DELETION)


def test_establish_again_on_an_active_dialer_keeps_its_id(dc1: Cluster, dc2: Cluster,
                                                          peered: Peer) -> None:
    peered()
    before = dc2.read("dc1-peer")
    dc2.establish("dc1-peer", dc1.generate_token("dc2-peer"))
    after = dc2.read("dc1-peer")
    assert before is not None and after is not None
    assert (after.id, after.state) == (before.id, PeeringState.ACTIVE)


def test_establish_with_a_token_of_the_same_cluster_fails(dc1: Cluster) -> None:
    # Checked before the name conflict: the name here is dc1's own acceptor.
    token = dc1.generate_token("self")
    err = _error(lambda: dc1.establish("self", token))
    assert (err.status, err.message) == (
        500,
        f'cannot create a peering within the same cluster '
        f'"server.dc1.peering.{dc1.id}.consul". Refer to the `exported-services` documentation '
        "if you want to export between partitions without peering",
    )


@pytest.mark.parametrize("deletion_delay", [0, 10], ids=["removed", "deleting"])
def test_token_of_a_deleted_acceptor_is_refused(network: Network, dc1: Cluster, dc2: Cluster,
                                                deletion_delay: float) -> None:
    network.timing.deletion_delay = deletion_delay
    token = dc1.generate_token("dc2-peer")
    dc1.delete("dc2-peer")
    err = _error(lambda: dc2.establish("dc1-peer", token))
    assert (err.status, err.message) == (403, REUSED)


# --- server-side refusals before the token is read -----------------------------------------------


def test_generate_refuses_a_partition_in_ce(dc1: Cluster) -> None:
    err = _error(lambda: dc1.generate_token("dc2-peer", partition="other"))
    assert (err.status, err.message) == (
        500, "Partitions are a Consul Enterprise feature"
    )


def test_generate_accepts_the_default_partition_in_any_case(dc1: Cluster) -> None:
    assert dc1.generate_token("dc2-peer", partition="DEFAULT").startswith("eyJDQSI6")


def test_peering_disabled_refuses_generate(network: Network) -> None:
    off = network.add_cluster("off", peering_enabled=False)
    err = _error(lambda: off.generate_token("dc2-peer"))
    assert (err.status, err.message) == (
        500,
        "peering must be enabled to use this endpoint",
    )


# --- decoding and validation (spec §4.3) ---------------------------------------------------------

NOT_A_CERTIFICATE = (
    "-----BEGIN PRIVATE KEY-----\nTUlJQg==\n-----END PRIVATE KEY-----\n"
)


def _unknown(desc: str) -> tuple[int, str]:
    return 500, desc


def _encode(fields: dict[str, Any]) -> str:
    return base64.b64encode(json.dumps(fields, separators=(",", ":")).encode()).decode()


@pytest.fixture
def fields(dc1: Cluster) -> dict[str, Any]:
    """The decoded fields of a good token from dc1, for a test to spoil one of them."""
    return _fields(dc1.generate_token("dc2-peer"))


def _refusal(dialer: Cluster, fields: dict[str, Any], **changes: Any) -> tuple[int, str]:
    err = _error(lambda: dialer.establish("dc1-peer", _encode({**fields, **changes})))
    return err.status, err.message


@pytest.mark.parametrize(
    ("token", "desc"),
    [
        ("+++/+++", "failed to decode token: illegal base64 data at input byte 4"),
        ("Cg==", "unexpected end of JSON input"),
        ("e30K", "peering token server addresses value is empty"),
        (base64.b64encode(b"x").decode(), "invalid character 'x' looking for beginning of value"),
    ],
    ids=["bad-base64", "newline", "empty-object", "not-json"],
)
def test_undecodable_token_is_refused(dc2: Cluster, token: str, desc: str) -> None:
    err = _error(lambda: dc2.establish("dc1-peer", token))
    assert (err.status, err.message) == _unknown(desc)


def test_token_ca_without_pem_is_refused(dc2: Cluster, fields: dict[str, Any]) -> None:
    assert _refusal(dc2, fields, CA=["not a pem"]) == _unknown(
        "peering token invalid CA: no PEM-encoded data found"
    )


def test_token_ca_that_is_not_a_certificate_is_refused(dc2: Cluster,
                                                       fields: dict[str, Any]) -> None:
    assert _refusal(dc2, fields, CA=[NOT_A_CERTIFICATE]) == _unknown(
        "peering token invalid CA: first PEM-block should be CERTIFICATE type"
    )


def test_token_without_any_address_is_refused(dc2: Cluster, fields: dict[str, Any]) -> None:
    assert _refusal(dc2, fields, ServerAddresses=[], ManualServerAddresses=None) == _unknown(
        "peering token server addresses value is empty"
    )


@pytest.mark.parametrize("address", ["10.0.0.1", "10.0.0.1:0", "10.0.0.1:65536", "10.0.0.1:grpc"])
def test_token_with_a_bad_server_address_is_refused(dc2: Cluster, fields: dict[str, Any],
                                                    address: str) -> None:
    assert _refusal(dc2, fields, ServerAddresses=[address]) == _unknown(
        f"{address} is not a valid peering server address"
    )


def test_manual_addresses_are_checked_before_server_addresses(dc2: Cluster,
                                                              fields: dict[str, Any]) -> None:
    assert _refusal(dc2, fields, ManualServerAddresses=["manual"], ServerAddresses=["server"]) == (
        _unknown("manual is not a valid peering server address")
    )


def test_token_with_ca_but_no_server_name_is_refused(dc2: Cluster,
                                                     fields: dict[str, Any]) -> None:
    assert _refusal(dc2, fields, ServerName="") == _unknown(
        "peering token server name value is empty"
    )


def test_token_without_ca_may_lack_a_server_name(dc2: Cluster, fields: dict[str, Any]) -> None:
    # The next check (peer ID) speaks, so the missing server name passed.
    assert _refusal(dc2, fields, CA=None, ServerName="", PeerID="") == _unknown(
        "peering token peer ID value is empty"
    )


def test_token_without_peer_id_is_refused(dc2: Cluster, fields: dict[str, Any]) -> None:
    assert _refusal(dc2, fields, PeerID="") == _unknown("peering token peer ID value is empty")


def test_bad_token_does_not_write(dc2: Cluster) -> None:
    before = dc2.index
    _error(lambda: dc2.establish("dc1-peer", "e30K"))
    assert (dc2.index, dc2.read("dc1-peer")) == (before, None)


# --- peer names (spec §3.1) ----------------------------------------------------------------------

NAME_RULE = (
    "is not a valid peer name: a valid peering name must consist of lower case alphanumeric "
    "characters or '-', and must start and end with an alphanumeric character"
)


@pytest.mark.parametrize("name", ["--AA--", "Upper", "a_b", "a.b", "-a", "a-", "a" * 64])
def test_generate_refuses_an_invalid_name(dc1: Cluster, name: str) -> None:
    err = _error(lambda: dc1.generate_token(name))
    assert (err.status, err.message) == _unknown(f"{name} {NAME_RULE}")


@pytest.mark.parametrize("name", ["peer1-usw1", "my-peer-s1", "peering-a", "a", "a" * 63])
def test_generate_accepts_a_valid_name(dc1: Cluster, name: str) -> None:
    dc1.generate_token(name)
    assert dc1.read(name) is not None


def test_establish_checks_the_name_before_the_token(dc2: Cluster) -> None:
    err = _error(lambda: dc2.establish("--AA--", "+++/+++"))
    assert (err.status, err.message) == _unknown(f"--AA-- {NAME_RULE}")


# --- meta (spec §3.2) ----------------------------------------------------------------------------


def _meta_failed(detail: str) -> tuple[int, str]:
    return _unknown(f"meta tags failed validation: {detail}")


@pytest.mark.parametrize(
    ("meta", "detail"),
    [
        ({str(i): "v" for i in range(65)},
         "Node metadata cannot contain more than 64 key/value pairs"),
        ({"": "v"}, "Couldn't load metadata pair ('', 'v'): Key cannot be blank"),
        ({"a.b": "v"}, "Couldn't load metadata pair ('a.b', 'v'): Key contains invalid characters"),
        ({"k" * 129: "v"},
         f"Couldn't load metadata pair ('{'k' * 129}', 'v'): Key is too long (limit: 128 "
         "characters)"),
        ({"consul-x": "v"},
         "Couldn't load metadata pair ('consul-x', 'v'): Key prefix 'consul-' is reserved for "
         "internal use"),
        ({"k": "v" * 513},
         f"Couldn't load metadata pair ('k', '{'v' * 513}'): Value is too long (limit: 512 "
         "characters)"),
    ],
    ids=["too-many", "blank-key", "bad-key", "long-key", "reserved-key", "long-value"],
)
def test_generate_refuses_invalid_meta(dc1: Cluster, meta: dict[str, str], detail: str) -> None:
    err = _error(lambda: dc1.generate_token("dc2-peer", meta=meta))
    assert (err.status, err.message) == _meta_failed(detail)


def test_generate_accepts_meta_at_the_limits(dc1: Cluster) -> None:
    meta = {f"k{i}": "v" for i in range(63)} | {"K_-" + "k" * 125: "v" * 512}
    dc1.generate_token("dc2-peer", meta=meta)
    peering = dc1.read("dc2-peer")
    assert peering is not None
    assert peering.meta == meta


def test_establish_refuses_invalid_meta(dc1: Cluster, dc2: Cluster) -> None:
    token = dc1.generate_token("dc2-peer")
    err = _error(lambda: dc2.establish("dc1-peer", token, meta={"consul-x": "v"}))
    assert (err.status, err.message) == _meta_failed(
        "Couldn't load metadata pair ('consul-x', 'v'): Key prefix 'consul-' is reserved for "
        "internal use"
    )


def test_establish_with_invalid_meta_leaves_the_token_usable(dc1: Cluster, dc2: Cluster) -> None:
    token = dc1.generate_token("dc2-peer")
    _error(lambda: dc2.establish("dc1-peer", token, meta={"": "v"}))
    dc2.establish("dc1-peer", token)
    peering = dc2.read("dc1-peer")
    assert peering is not None
    assert peering.state is PeeringState.ACTIVE
