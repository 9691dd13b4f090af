"""Each cluster's CA root: a valid self-signed certificate naming its trust domain."""

from __future__ import annotations

from datetime import datetime, timezone

from cryptography import x509
from freezegun import freeze_time

from fakeconsul import Cluster
from fakeconsul.model.ca import make_root_pem, parse_cert_error


def _cert(pem: str) -> x509.Certificate:
    return x509.load_pem_x509_certificate(pem.encode("ascii"))


def _spiffe(cert: x509.Certificate) -> list[str]:
    san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    return san.get_values_for_type(x509.UniformResourceIdentifier)


def test_a_root_names_its_cluster_s_trust_domain(dc1: Cluster) -> None:
    assert _spiffe(_cert(dc1.ca_pem)) == [f"spiffe://{dc1.trust_domain}"]


def test_a_root_verifies_as_self_signed(dc1: Cluster) -> None:
    cert = _cert(dc1.ca_pem)

    cert.verify_directly_issued_by(cert)  # raises InvalidSignature otherwise


def test_two_clusters_have_different_serials(dc1: Cluster, dc2: Cluster) -> None:
    assert _cert(dc1.ca_pem).serial_number != _cert(dc2.ca_pem).serial_number


def test_a_trust_domain_of_another_length_gets_a_valid_root() -> None:
    cert = _cert(make_root_pem("dc9.consul"))

    cert.verify_directly_issued_by(cert)
    assert _spiffe(cert) == ["spiffe://dc9.consul"]


def test_a_root_made_under_freezegun_is_valid_now() -> None:
    with freeze_time("2001-01-01"):
        pem = make_root_pem("0" * 36 + ".consul")

    assert _cert(pem).not_valid_before_utc < datetime.now(timezone.utc) < _cert(
        pem).not_valid_after_utc


def test_a_root_this_process_made_parses() -> None:
    assert parse_cert_error(make_root_pem("1" * 36 + ".consul")) is None
