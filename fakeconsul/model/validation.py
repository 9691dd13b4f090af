"""Consul's input rules for peerings: the peer name (spec §3.1) and metadata (spec §3.2)."""

from __future__ import annotations

import re

from .. import messages

# Current Consul rejects upper case (1.13 did not); an RFC 1123 DNS label otherwise.
_PEER_NAME = re.compile(r"[a-z0-9]([a-z0-9\-]{0,61}[a-z0-9])?")
_META_KEY = re.compile(r"[A-Za-z0-9_-]+")

META_MAX_PAIRS = 64
META_KEY_MAX_BYTES = 128
META_VALUE_MAX_BYTES = 512


def is_valid_peer_name(name: str) -> bool:
    return _PEER_NAME.fullmatch(name) is not None


def meta_error(meta: dict[str, str] | None) -> str | None:
    """The text Consul's ValidateMetadata returns, or None when ``meta`` is acceptable.

    Go walks the map in random order; the fake reports the first bad pair in key order so the
    same input always gives the same answer.
    """
    if not meta:
        return None
    if len(meta) > META_MAX_PAIRS:
        return messages.META_TOO_MANY
    for key in sorted(meta):
        reason = _pair_error(key, meta[key])
        if reason is not None:
            return messages.META_PAIR.format(key, meta[key], reason)
    return None


def _pair_error(key: str, value: str) -> str | None:
    if key == "":
        return messages.META_KEY_BLANK
    if _META_KEY.fullmatch(key) is None:
        return messages.META_KEY_INVALID
    if len(key.encode()) > META_KEY_MAX_BYTES:  # Go's len() counts bytes
        return messages.META_KEY_TOO_LONG
    if key.startswith("consul-"):
        return messages.META_KEY_RESERVED
    if len(value.encode("utf-8", "surrogatepass")) > META_VALUE_MAX_BYTES:
        return messages.META_VALUE_TOO_LONG
    return None
