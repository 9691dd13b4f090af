"""Go ``encoding/json`` decoding into Go types, with Go's exact error texts (Go 1.21+).

Consul decodes HTTP bodies with ``json.NewDecoder`` + ``Decode`` (the peering and ACL
endpoints add ``DisallowUnknownFields``; decodeBody for catalog and agent registrations does
not) and peering tokens with ``json.Unmarshal``; clients see ``err.Error()`` verbatim.  So this
reproduces Go's scanner.go (``scanner``), the Decoder's reading of one value (stream.go) and
decode.go's reflection walk (``walk``) for the types Consul uses there (``types``): strings,
bools, ints, time.Duration (as Consul's UnmarshalJSON methods read it), interface{}, slices,
string-keyed maps and structs.
"""

from __future__ import annotations

from typing import Any

from .scanner import GoJSONError, Number, Obj, parse
from .types import (
    ANY,
    BOOL,
    DURATION,
    INT,
    STRING,
    GoInt,
    GoStruct,
    GoType,
    ignored,
    map_of,
    slice_of,
)
from .walk import decode as _decode

# Private names the property tests compare the two parsers through.
_Obj, _parse = Obj, parse

__all__ = [
    "ANY",
    "BOOL",
    "DURATION",
    "INT",
    "STRING",
    "GoInt",
    "GoJSONError",
    "GoStruct",
    "GoType",
    "Number",
    "decode_any",
    "decode_stream",
    "ignored",
    "map_of",
    "slice_of",
    "unmarshal",
]


def decode_stream(
    data: bytes, target: GoStruct, *, disallow_unknown_fields: bool = True
) -> dict[str, object]:
    """``json.NewDecoder(bytes.NewReader(data)).Decode(&v)``, with DisallowUnknownFields by
    default: only the first JSON value is read, whatever follows it is never looked at.
    The result holds every field of ``target`` (Go's zero value where the body had none)."""
    result = _decode(data, target, stream=True, disallow=disallow_unknown_fields)
    assert isinstance(result, dict)
    return result


def decode_any(data: bytes) -> Any:
    """``Decode(&v)`` for a ``v interface{}``: the first JSON value as maps, lists, strings,
    bools, None and numbers (float64, held as int where exact)."""
    return _decode(data, ANY, stream=True, disallow=False)


def unmarshal(data: bytes, target: GoStruct) -> dict[str, object]:
    """``json.Unmarshal(data, &v)``: data must be one value and space; unknown keys are fine."""
    result = _decode(data, target, stream=False, disallow=False)
    assert isinstance(result, dict)
    return result
