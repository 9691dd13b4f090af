"""Each cluster's Connect CA root: a real, well-formed X.509 certificate in PEM.

Peering tokens carry it and establish checks that it parses, as Consul does. Nothing is signed
with it: the fake has no TLS. Each root is still a valid self-signed certificate naming its
cluster's ``spiffe://<trust domain>``, so a test may parse or verify what Consul would show.

One certificate is built with cryptography's builder when this module is imported, from real
time, and every cluster's root is that template with its trust domain and serial patched into
the signed bytes and re-signed with the one process-wide key: about a fifth of a builder run.
Import time matters for a second reason: cryptography looks ``datetime.datetime`` up on its first
certificate and keeps it. Built under freezegun, it would keep ``FakeDatetime`` and refuse every
real datetime afterwards (``TypeError: 'datetime' object is not an instance of 'FakeDatetime'``);
built here, before any test runs, it keeps the real class, and no later root reads the clock.
"""

from __future__ import annotations

import base64
import binascii
import os
import re
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from .. import messages

_COMMON_NAME = "Consul CA 7"
# A cluster's trust domain is "<uuid>.consul": 43 characters. Other lengths (a state file may
# hold any ID) take the builder, which costs more but gives the same kind of certificate.
_TRUST_DOMAIN_LENGTH = 43
_SERIAL_LENGTH = 16  # bytes; the first is kept in 0x40-0x7f so DER needs no leading zero


def _serial_bytes() -> bytes:
    raw = os.urandom(_SERIAL_LENGTH)
    return bytes([0x40 | (raw[0] & 0x3F)]) + raw[1:]


def _build(
    key: ec.EllipticCurvePrivateKey, trust_domain: str, serial: int, now: datetime
) -> x509.Certificate:
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, _COMMON_NAME)])
    return (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(serial)
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


def _tlv(der: bytes, at: int) -> tuple[int, int]:
    """(start of the value, end of the element) of the DER element that starts at ``at``."""
    length = der[at + 1]
    start = at + 2
    if length & 0x80:
        size = length & 0x7F
        length = int.from_bytes(der[start:start + size], "big")
        start += size
    return start, start + length


def _header(tag: int, length: int) -> bytes:
    if length < 0x80:
        return bytes([tag, length])
    size = (length.bit_length() + 7) // 8
    return bytes([tag, 0x80 | size]) + length.to_bytes(size, "big")


@dataclass(frozen=True)
class _Template:
    """The signed part of one certificate, cut where a root's own bytes go."""

    key: ec.EllipticCurvePrivateKey
    now: datetime
    before_serial: bytes
    between: bytes  # from after the serial to the trust domain
    after_domain: bytes
    signature_algorithm: bytes

    @classmethod
    def make(cls) -> _Template:
        key = ec.generate_private_key(ec.SECP256R1())
        now = datetime.now(timezone.utc)
        serial = _serial_bytes()
        domain = os.urandom(_TRUST_DOMAIN_LENGTH // 2).hex().ljust(_TRUST_DOMAIN_LENGTH, "x")
        der = _build(key, domain, int.from_bytes(serial, "big"), now).public_bytes(
            serialization.Encoding.DER
        )
        tbs_at, _ = _tlv(der, 0)
        _, tbs_end = _tlv(der, tbs_at)
        tbs = der[tbs_at:tbs_end]
        _, algorithm_end = _tlv(der, tbs_end)
        serial_at = tbs.index(serial)
        domain_at = tbs.index(domain.encode("ascii"))
        return cls(
            key=key,
            now=now,
            before_serial=tbs[:serial_at],
            between=tbs[serial_at + _SERIAL_LENGTH:domain_at],
            after_domain=tbs[domain_at + _TRUST_DOMAIN_LENGTH:],
            signature_algorithm=der[tbs_end:algorithm_end],
        )

    def der(self, trust_domain: str) -> bytes:
        tbs = b"".join((self.before_serial, _serial_bytes(), self.between,
                        trust_domain.encode("ascii"), self.after_domain))
        signature = b"\x00" + self.key.sign(tbs, ec.ECDSA(hashes.SHA256()))
        body = b"".join((tbs, self.signature_algorithm, _header(0x03, len(signature)), signature))
        return _header(0x30, len(body)) + body


_TEMPLATE = _Template.make()


def _pem(der: bytes) -> str:
    text = base64.b64encode(der).decode("ascii")
    lines = "\n".join(text[i:i + 64] for i in range(0, len(text), 64))
    return f"-----BEGIN CERTIFICATE-----\n{lines}\n-----END CERTIFICATE-----\n"


# Roots this process made are known to parse: establish skips parsing them again. Bounded, so a
# long run that makes many networks keeps only the newest.
_MINTED_LIMIT = 1024
_minted: dict[str, None] = {}
_minted_lock = threading.Lock()


def _remember(pem: str) -> str:
    with _minted_lock:
        _minted[pem] = None
        if len(_minted) > _MINTED_LIMIT:
            del _minted[next(iter(_minted))]
    return pem


def make_root_pem(trust_domain: str) -> str:
    """A self-signed CA certificate for ``spiffe://<trust_domain>``, PEM with a trailing newline.

    Its validity starts a minute before this module was imported and lasts ten years, whatever
    the caller's clock or time patcher says. About 25 µs for a usual trust domain.
    """
    if len(trust_domain) == _TRUST_DOMAIN_LENGTH and trust_domain.isascii():
        return _remember(_pem(_TEMPLATE.der(trust_domain)))
    serial = int.from_bytes(_serial_bytes(), "big")
    cert = _build(_TEMPLATE.key, trust_domain, serial, _TEMPLATE.now)
    return _remember(cert.public_bytes(serialization.Encoding.PEM).decode("ascii"))


class CARoot:
    """One cluster's CA root, signed the first time its PEM is read.

    A cluster that never shows its CA (no token minted, no CA-roots read, no peer shown with
    it) signs nothing: the signature is most of what a new cluster costs (benchmarks/README.md).
    Once made, the PEM never changes, so whoever holds this object sees the PEM the cluster
    had, even after the cluster's CA is replaced (a state file assigns its saved one).
    """

    __slots__ = ("trust_domain", "_pem")

    _lock = threading.Lock()  # two threads reading a new root at once still get one PEM

    def __init__(self, trust_domain: str, pem: str | None = None) -> None:
        self.trust_domain = trust_domain
        self._pem = pem

    @property
    def pem(self) -> str:
        pem = self._pem
        if pem is None:
            made = make_root_pem(self.trust_domain)
            with self._lock:
                if self._pem is None:
                    self._pem = made
                pem = self._pem
        return pem


_PEM_BLOCK = re.compile(
    rb"-----BEGIN ([^-\r\n]*)-----\r?\n(.*?)-----END \1-----", re.DOTALL
)


def parse_cert_error(pem: str) -> str | None:
    """None when ``pem`` holds a certificate, else the text of Consul's connect.ParseCert."""
    if pem in _minted:
        return None
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
