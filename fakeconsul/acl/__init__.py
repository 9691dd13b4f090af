"""Consul's ACL system for a fake cluster: policies (HCL or JSON rules), tokens, enforcement."""

from __future__ import annotations

from .config import ACLConfig
from .records import ANONYMOUS_ACCESSOR_ID, GLOBAL_MANAGEMENT_ID, Policy, Token
from .system import ACLDenied, ACLSystem

__all__ = [
    "ANONYMOUS_ACCESSOR_ID",
    "GLOBAL_MANAGEMENT_ID",
    "ACLConfig",
    "ACLDenied",
    "ACLSystem",
    "Policy",
    "Token",
]
