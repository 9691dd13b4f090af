"""Each cluster's Connect CA root: a real, well-formed X.509 certificate in PEM.

Peering tokens carry it and establish checks that it parses, as Consul does. Nothing is signed
with it: the fake has no TLS. An EC P-256 key keeps generation to about a millisecond.
"""

from __future__ import annotations

import base64
import binascii
import re
from datetime import datetime, timedelta, timezone

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from .. import messages


def make_root_pem(trust_domain: str, now: datetime | None = None) -> str:
    """A self-signed CA certificate for ``spiffe://<trust_domain>``, PEM with a trailing newline."""
    now = now or datetime.now(timezone.utc)
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Consul CA 7")])
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=1))
        .not_valid_after(now + timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.UniformResourceIdentifier(f"spiffe://{trust_domain}")]
            ),
            critical=False,
        )
        .sign(key, hashes.SHA256())
    )
    return cert.public_bytes(serialization.Encoding.PEM).decode("ascii")


_PEM_BLOCK = re.compile(
    rb"-----BEGIN ([^-\r\n]*)-----\r?\n(.*?)-----END \1-----", re.DOTALL
)


def parse_cert_error(pem: str) -> str | None:
    """None when ``pem`` holds a certificate, else the text of Consul's connect.ParseCert."""
    match = _PEM_BLOCK.search(pem.encode("utf-8", "surrogateescape"))
    if match is None:
        return messages.CA_NO_PEM
    try:
        der = base64.b64decode(re.sub(rb"\s+", b"", match.group(2)), validate=True)
    except (binascii.Error, ValueError):
        return messages.CA_NO_PEM  # Go's pem.Decode finds no block when the body is not base64
    if match.group(1) != b"CERTIFICATE":
        return messages.CA_NOT_CERTIFICATE
    try:
        x509.load_der_x509_certificate(der)
    except ValueError:
        return messages.CA_MALFORMED
    return None
