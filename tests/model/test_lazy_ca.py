"""A cluster signs its CA root only when something shows it: a token, a peer's peering, a dump."""

from __future__ import annotations

import json

import pytest

from fakeconsul import Cluster, Network
from fakeconsul.model import ca
from fakeconsul.persist.snapshot import dump


@pytest.fixture
def signed(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The trust domains of every root made from now on."""
    made: list[str] = []
    real = ca.make_root_pem

    def spy(trust_domain: str) -> str:
        made.append(trust_domain)
        return real(trust_domain)

    monkeypatch.setattr(ca, "make_root_pem", spy)
    return made


def _lifecycle(dc1: Cluster, dc2: Cluster) -> None:
    dc2.establish("dc1", dc1.generate_token("dc2"))
    assert dc1.read("dc2") is not None and dc2.read("dc1") is not None
    dc2.delete("dc1")
    dc1.delete("dc2")


def test_a_cluster_that_shows_nothing_signs_nothing(signed: list[str], network: Network) -> None:
    cluster = network.add_cluster("dc9")
    cluster.catalog.register_service("web", port=80)

    assert signed == []


def test_minting_a_token_signs_the_acceptor_s_root(signed: list[str], dc1: Cluster) -> None:
    dc1.generate_token("dc2")

    assert signed == [dc1.trust_domain]


def test_a_lifecycle_that_never_reads_the_dialer_s_ca_signs_only_the_acceptor_s(
    signed: list[str], dc1: Cluster, dc2: Cluster
) -> None:
    _lifecycle(dc1, dc2)

    assert signed == [dc1.trust_domain]


def test_reading_the_acceptor_s_peer_ca_signs_the_dialer_s_root(
    signed: list[str], dc1: Cluster, dc2: Cluster
) -> None:
    dc2.establish("dc1", dc1.generate_token("dc2"))
    accepted = dc1.read("dc2")
    assert accepted is not None

    assert accepted.peer_ca_pems == (dc2.ca_pem,)
    assert signed == [dc1.trust_domain, dc2.trust_domain]


def test_a_snapshot_taken_before_the_root_is_made_shows_the_root_made_later(
    dc1: Cluster, dc2: Cluster
) -> None:
    dc2.establish("dc1", dc1.generate_token("dc2"))
    accepted = dc1.read("dc2")
    assert accepted is not None

    pem = dc2.ca_pem

    assert json.loads(accepted.api_json)["PeerCAPems"] == [pem]


def test_a_dump_writes_the_dialer_s_pem(network: Network, dc1: Cluster, dc2: Cluster) -> None:
    dc2.establish("dc1", dc1.generate_token("dc2"))

    document = json.dumps(dump(network))

    assert json.dumps(dc2.ca_pem)[1:-1] in document


def test_a_root_replaced_by_a_state_file_is_what_new_peerings_carry(
    dc1: Cluster, dc2: Cluster
) -> None:
    dc2.ca_pem = ca.make_root_pem(dc2.trust_domain)
    dc2.establish("dc1", dc1.generate_token("dc2"))
    accepted = dc1.read("dc2")
    assert accepted is not None

    assert accepted.peer_ca_pems == (dc2.ca_pem,)
