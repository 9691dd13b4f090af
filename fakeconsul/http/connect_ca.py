"""The cluster's Connect CA roots (agent/connect_ca_endpoint.go, AgentConnectCARoots).

sdk/testutil waits for ``/v1/agent/connect/ca/roots`` before it hands a server to a test. The
answer is structs.IndexedCARoots with the cluster's one root, the PEM its peering tokens carry,
its fields filled as the leader's newCARoot fills them (agent/consul/leader_connect_ca.go).
"""

from __future__ import annotations

import functools
import hashlib
from datetime import timezone
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from werkzeug.wrappers import Request, Response

from .. import messages
from ..golang.gocompat import format_time
from ..model.cluster import Cluster
from .catalog_common import answer, blocking_read
from .render import HTTPError
from .routes import Endpoint

# The raft index the dev agent's CA bootstrap wrote its root at: below the first client write.
CA_INDEX = 13
PEM_CHAIN = "application/pem-certificate-chain"  # RFC 8555, what ?pem=true answers with


def _hex(data: bytes) -> str:
    """connect.HexString: colon-separated lower-case hex."""
    return ":".join(f"{b:02x}" for b in data)


@functools.lru_cache(maxsize=64)
def _root(pem: str, cluster_id: str) -> tuple[tuple[str, Any], ...]:
    cert = x509.load_pem_x509_certificate(pem.encode("ascii"))
    key = cert.public_key()
    try:
        key_id = cert.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value.digest
    except x509.ExtensionNotFound:
        # The fake's root has no SubjectKeyId extension; connect.KeyId hashes the public key.
        der = key.public_bytes(serialization.Encoding.DER,
                               serialization.PublicFormat.SubjectPublicKeyInfo)
        key_id = hashlib.sha256(der).digest()
    if isinstance(key, ec.EllipticCurvePublicKey):
        key_type, key_bits = "ec", key.curve.key_size
    elif isinstance(key, rsa.RSAPublicKey):
        key_type, key_bits = "rsa", key.key_size
    else:  # pragma: no cover - make_root_pem only makes EC keys
        key_type, key_bits = "", 0
    return (
        ("ID", _hex(hashlib.sha1(cert.public_bytes(serialization.Encoding.DER)).digest())),
        ("Name", "Consul CA Primary Cert"),
        ("SerialNumber", cert.serial_number & 0xFFFFFFFFFFFFFFFF),  # big.Int.Uint64
        ("SigningKeyID", _hex(key_id)),
        ("ExternalTrustDomain", cluster_id),
        ("NotBefore", format_time(cert.not_valid_before_utc.astimezone(timezone.utc))),
        ("NotAfter", format_time(cert.not_valid_after_utc.astimezone(timezone.utc))),
        ("RootCert", pem if pem.endswith("\n") else pem + "\n"),
        ("IntermediateCerts", None),
        ("Active", True),
        ("PrivateKeyType", key_type),
        ("PrivateKeyBits", key_bits),
        ("CreateIndex", CA_INDEX),
        ("ModifyIndex", CA_INDEX),
    )


def indexed_roots(cluster: Cluster) -> dict[str, Any]:
    """structs.IndexedCARoots: ActiveRootID, TrustDomain, Roots."""
    root = dict(_root(cluster.ca_pem, cluster.id))
    return {"ActiveRootID": root["ID"], "TrustDomain": cluster.trust_domain, "Roots": [root]}


def _roots(cluster: Cluster, request: Request) -> tuple[dict[str, Any], int]:
    return blocking_read(cluster, request, lambda: (indexed_roots(cluster), CA_INDEX))


def connect_ca_roots(cluster: Cluster, request: Request, name: str) -> Response:
    pem = False
    raw = request.args.get("pem", "")
    if raw:
        if raw not in messages.GO_BOOLS:
            raise HTTPError(400, messages.PEM_NOT_BOOLEAN)
        pem = raw in messages.GO_TRUE
    body, index = _roots(cluster, request)
    response = answer(body, request, index)
    if pem:
        response.set_data("".join(r["RootCert"] for r in body["Roots"]).encode("ascii"))
        response.headers["Content-Type"] = PEM_CHAIN
    return response


def agent_connect_ca_roots(cluster: Cluster, request: Request, name: str) -> Response:
    body, index = _roots(cluster, request)
    response = answer(body, request, index)
    # setCacheMeta: the agent's cache answered (the fake has no cache: always a miss).
    response.headers["X-Cache"] = "MISS"
    return response


ENDPOINTS = (
    Endpoint("/v1/connect/ca/roots", ("GET",), connect_ca_roots),
    Endpoint("/v1/agent/connect/ca/roots", ("GET",), agent_connect_ca_roots),
)
