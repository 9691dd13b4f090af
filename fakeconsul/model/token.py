"""The peering token: encode, decode and validate, with Consul's texts.

A token is standard base64 (with padding) of the compact JSON of Consul's ``structs.PeeringToken``,
keys in Go's field order, so every real token starts with ``eyJDQSI6`` (``{"CA":``).
"""

from __future__ import annotations

import base64
import binascii
import threading
from dataclasses import dataclass, field

from .. import messages, schemas
from ..golang.gocompat import go_marshal
from ..golang.gojson import GoJSONError, unmarshal
from .ca import parse_cert_error

# structs.PeeringToken, derived from the token's schema (fakeconsul/schemas/peering-token.json).
_TOKEN = schemas.go_struct("peering-token")


class TokenError(Exception):
    """A token establish refuses; ``message`` is Consul's text (without the gRPC prefix)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass
class PeeringToken:
    ca: list[str] | None = None
    manual_server_addresses: list[str] | None = None
    server_addresses: list[str] | None = None
    server_name: str = ""
    peer_id: str = ""
    establishment_secret: str = ""
    remote_partition: str = ""
    remote_datacenter: str = ""
    remote_locality: dict[str, str] | None = field(default=None)

    def encode(self) -> str:
        remote: dict[str, object] = {
            "Partition": self.remote_partition,
            "Datacenter": self.remote_datacenter,
            "Locality": self.remote_locality,
        }
        body = {
            "CA": self.ca,
            "ManualServerAddresses": self.manual_server_addresses,
            "ServerAddresses": self.server_addresses,
            "ServerName": self.server_name,
            "PeerID": self.peer_id,
            "EstablishmentSecret": self.establishment_secret,
            "Remote": remote,
        }
        token = base64.standard_b64encode(go_marshal(body)).decode("ascii")
        if self._round_trips():
            _remember(token, self)
        return token

    def _round_trips(self) -> bool:
        """Whether Go's JSON gives back exactly these fields: every text ASCII (no escaping
        or replacement can change it) and no Locality (an object Go may reshape)."""
        texts = [*(self.ca or ()), *(self.manual_server_addresses or ()),
                 *(self.server_addresses or ()), self.server_name, self.peer_id,
                 self.establishment_secret, self.remote_partition, self.remote_datacenter]
        return self.remote_locality is None and all(
            type(text) is str and text.isascii() for text in texts)

    def copy(self) -> PeeringToken:
        return PeeringToken(
            ca=_copied(self.ca),
            manual_server_addresses=_copied(self.manual_server_addresses),
            server_addresses=_copied(self.server_addresses),
            server_name=self.server_name,
            peer_id=self.peer_id,
            establishment_secret=self.establishment_secret,
            remote_partition=self.remote_partition,
            remote_datacenter=self.remote_datacenter,
            remote_locality=None if self.remote_locality is None else dict(self.remote_locality),
        )

    @property
    def dial_addresses(self) -> list[str]:
        # Consul dials the manual (external) addresses instead of the servers' own when given.
        return list(self.manual_server_addresses or self.server_addresses or [])


def _copied(texts: list[str] | None) -> list[str] | None:
    return None if texts is None else list(texts)


# Tokens this process encoded, with the fields they were made from. Decoding one of them with
# Go's rules costs about 20 µs, the largest step of a lifecycle (benchmarks/README.md); a copy
# of the fields is what that decoding returns, since only tokens that round-trip exactly are
# kept (tests/model/test_token_record.py checks it). Bounded: a long run keeps the newest.
_ENCODED_LIMIT = 1024
_encoded: dict[str, PeeringToken] = {}
_encoded_lock = threading.Lock()


def _remember(token: str, fields: PeeringToken) -> None:
    kept = fields.copy()
    with _encoded_lock:
        _encoded[token] = kept
        if len(_encoded) > _ENCODED_LIMIT:
            del _encoded[next(iter(_encoded))]


def decode(token: str) -> PeeringToken:
    """Consul's DecodeToken: base64, then json.Unmarshal; raises TokenError with Go's texts."""
    known = _encoded.get(token)
    if known is not None:
        return known.copy()
    return decode_with_go(token)


def decode_with_go(token: str) -> PeeringToken:
    """``decode`` without the record of tokens this process encoded."""
    raw = _go_b64decode(token.encode("utf-8", "surrogateescape"))
    try:
        fields = unmarshal(raw, _TOKEN)
    except GoJSONError as err:
        raise TokenError(err.message) from None
    remote = fields["Remote"]
    assert isinstance(remote, dict)
    return PeeringToken(
        ca=fields["CA"],  # type: ignore[arg-type]
        manual_server_addresses=fields["ManualServerAddresses"],  # type: ignore[arg-type]
        server_addresses=fields["ServerAddresses"],  # type: ignore[arg-type]
        server_name=str(fields["ServerName"]),
        peer_id=str(fields["PeerID"]),
        establishment_secret=str(fields["EstablishmentSecret"]),
        remote_partition=str(remote["Partition"]),
        remote_datacenter=str(remote["Datacenter"]),
        remote_locality=remote["Locality"],
    )


def validation_error(tok: PeeringToken) -> str | None:
    """Consul's validatePeeringToken, checks in its order; None when the token is acceptable."""
    for pem in tok.ca or []:
        problem = parse_cert_error(pem)
        if problem is not None:
            return messages.TOKEN_INVALID_CA.format(problem)
    if not tok.server_addresses and not tok.manual_server_addresses:
        return messages.TOKEN_NO_ADDRESSES
    for address in (tok.manual_server_addresses or []) + (tok.server_addresses or []):
        if not is_valid_server_address(address):
            return messages.invalid_server_address(address)
    if tok.ca and not tok.server_name:
        return messages.TOKEN_NO_SERVER_NAME
    if not tok.peer_id:
        return messages.TOKEN_NO_PEER_ID
    return None


def is_valid_server_address(address: str) -> bool:
    """net.SplitHostPort succeeds and strconv.Atoi(port) is within 1..65535."""
    if address.startswith("["):
        end = address.find("]")
        if end < 0 or address[end + 1 : end + 2] != ":":
            return False
        host, port = address[1:end], address[end + 2 :]
        if "[" in host or "]" in port:
            return False
    else:
        host, sep, port = address.rpartition(":")
        if not sep or ":" in host or "[" in host or "]" in host:
            return False
    digits = port[1:] if port[:1] in ("+", "-") else port
    if not digits or not digits.isascii() or not digits.isdigit():
        return False
    return 1 <= int(port) <= 65535


_ALPHABET = {
    c: i for i, c in enumerate(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")
}


def _corrupt(offset: int) -> TokenError:
    return TokenError(messages.TOKEN_DECODE_FAILED.format(messages.illegal_base64(offset)))


def _go_b64decode(src: bytes) -> bytes:
    """base64.StdEncoding.DecodeString, including the offset Go reports and its newline skipping."""
    if b"\n" not in src and b"\r" not in src:
        try:
            return binascii.a2b_base64(src, strict_mode=True)
        except binascii.Error:
            pass  # walk the input below to find the offset Go reports
    out = bytearray()
    si, n = 0, len(src)
    while True:
        quantum: list[int] = []
        while len(quantum) < 4:
            if si == n:
                if not quantum:
                    return bytes(out)
                raise _corrupt(si - len(quantum))
            c = src[si]
            si += 1
            if c in _ALPHABET:
                quantum.append(_ALPHABET[c])
                continue
            if c in (0x0A, 0x0D):
                continue
            if c != ord("="):
                raise _corrupt(si - 1)
            j = len(quantum)
            if j < 2:
                raise _corrupt(si - 1)
            if j == 2:
                while si < n and src[si] in (0x0A, 0x0D):
                    si += 1
                if si == n:
                    raise _corrupt(n)
                if src[si] != ord("="):
                    raise _corrupt(si - 1)
                si += 1
            while si < n and src[si] in (0x0A, 0x0D):
                si += 1
            if si < n:
                raise _corrupt(si)
            value = 0
            for k in range(4):
                value = (value << 6) | (quantum[k] if k < j else 0)
            out += value.to_bytes(3, "big")[: j - 1]
            return bytes(out)
        value = 0
        for digit in quantum:
            value = (value << 6) | digit
        out += value.to_bytes(3, "big")
