"""ACL policies and tokens as Consul stores them, and the JSON objects it serves for them."""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from ..golang.gocompat import format_time

GLOBAL_MANAGEMENT_ID = "00000000-0000-0000-0000-000000000001"
GLOBAL_MANAGEMENT_NAME = "global-management"
GLOBAL_MANAGEMENT_DESCRIPTION = "Builtin Policy that grants unlimited access"
GLOBAL_MANAGEMENT_RULES = """
acl = "write"
agent_prefix "" {
\tpolicy = "write"
}
event_prefix "" {
\tpolicy = "write"
}
key_prefix "" {
\tpolicy = "write"
}
keyring = "write"
node_prefix "" {
\tpolicy = "write"
}
operator = "write"
mesh = "write"
peering = "write"
query_prefix "" {
\tpolicy = "write"
}
service_prefix "" {
\tpolicy = "write"
\tintentions = "write"
}
session_prefix "" {
\tpolicy = "write"
}"""

ANONYMOUS_ACCESSOR_ID = "00000000-0000-0000-0000-000000000002"
ANONYMOUS_SECRET_ID = "anonymous"
ANONYMOUS_DESCRIPTION = "Anonymous Token"
INITIAL_MANAGEMENT_DESCRIPTION = "Initial Management Token"
BOOTSTRAP_DESCRIPTION = "Bootstrap Token (Global Management)"
RESERVED_ID_PREFIX = "00000000-0000-0000-0000-0000000000"  # structs.ACLReservedIDPrefix
# What a token's SecretID reads as to a reader with acl:read but not acl:write.
REDACTED = "<hidden>"


def _blake2b(parts: list[str]) -> str:
    # SetHash: a 256-bit BLAKE2b over the user-set fields, written one after another; []byte
    # marshals as standard base64.
    digest = hashlib.blake2b(digest_size=32)
    for part in parts:
        digest.update(part.encode("utf-8"))
    return base64.b64encode(digest.digest()).decode("ascii")


@dataclass
class Policy:
    id: str
    name: str
    description: str = ""
    rules: str = ""
    datacenters: list[str] | None = None
    create_index: int = 0
    modify_index: int = 0

    @property
    def hash(self) -> str:
        return _blake2b([self.name, self.description, self.rules, *(self.datacenters or [])])

    def to_api(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "ID": self.id, "Name": self.name, "Description": self.description,
            "Rules": self.rules,
        }
        if self.datacenters:
            body["Datacenters"] = list(self.datacenters)
        body.update(Hash=self.hash, CreateIndex=self.create_index, ModifyIndex=self.modify_index)
        return body

    def to_stub(self) -> dict[str, Any]:
        """ACLPolicyListStub: no Rules, and Datacenters without omitempty (null when unset)."""
        return {
            "ID": self.id, "Name": self.name, "Description": self.description,
            "Datacenters": self.datacenters or None, "Hash": self.hash,
            "CreateIndex": self.create_index, "ModifyIndex": self.modify_index,
        }


@dataclass
class Token:
    accessor_id: str
    secret_id: str
    description: str = ""
    policy_ids: list[str] = field(default_factory=list)
    local: bool = False
    create_time: datetime | None = None
    create_index: int = 0
    modify_index: int = 0

    @property
    def hash(self) -> str:
        return _blake2b([self.description, "local" if self.local else "global", *self.policy_ids])

    def to_api(self, policies: dict[str, Policy], *, redact: bool = False) -> dict[str, Any]:
        """ACLToken as served: policy links carry the policy's current name, and links to
        deleted policies are left out (the state store fixes links up on every read)."""
        body: dict[str, Any] = {
            "AccessorID": self.accessor_id,
            "SecretID": REDACTED if redact else self.secret_id,
            "Description": self.description,
        }
        links = [
            {"ID": pid, "Name": policies[pid].name} for pid in self.policy_ids if pid in policies
        ]
        if links:
            body["Policies"] = links
        body["Local"] = self.local
        if self.create_time is not None:
            body["CreateTime"] = format_time(self.create_time)
        body.update(Hash=self.hash, CreateIndex=self.create_index, ModifyIndex=self.modify_index)
        return body
