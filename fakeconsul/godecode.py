"""``json.NewDecoder(body).Decode(&v)`` for Consul's typed request bodies (catalog and agent).

``gojson`` decodes the peering bodies, whose fields are all strings; registrations also carry
numbers and booleans (``Port``, ``Weights``, ``EnableTagOverride``). Here Go's syntax errors still
come from ``gojson`` (a first pass into an empty struct of the target's name), then the value is
walked against a small schema with Go's ``UnmarshalTypeError`` texts. Unknown fields are ignored,
as ``decodeBody`` does (it does not call ``DisallowUnknownFields``).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from .gocompat import parse_duration
from .gojson import GoJSONError, GoStruct, decode_stream

__all__ = [
    "ANY",
    "BOOL",
    "DURATION",
    "INT",
    "STR",
    "DecodeError",
    "Field",
    "GoNumber",
    "Struct",
    "decode_body",
    "list_of",
    "map_of",
]


class DecodeError(Exception):
    """What Go's decoder (or a field's own UnmarshalJSON) returned; ``message`` is its text."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class GoNumber(str):
    """A JSON number as its literal: Go names the literal when it does not fit the field."""


@dataclass(frozen=True)
class Kind:
    name: str  # "string", "int", "bool", "duration", "any", "slice", "map", "struct"
    text: str  # Go's type name in error messages
    elem: Kind | Struct | None = None


STR = Kind("string", "string")
INT = Kind("int", "int")
BOOL = Kind("bool", "bool")
# time.Duration fields whose UnmarshalJSON takes a Go duration string or nanoseconds.
DURATION = Kind("duration", "time.Duration")
ANY = Kind("any", "interface {}")


def list_of(elem: Kind | Struct) -> Kind:
    return Kind("slice", "[]" + elem.text, elem)


def map_of(elem: Kind | Struct) -> Kind:
    return Kind("map", "map[string]" + elem.text, elem)


@dataclass(frozen=True)
class Field:
    name: str
    kind: Kind | Struct


@dataclass(frozen=True)
class Struct:
    """A Go struct ``package.name``; values decode to a dict holding only the keys sent."""

    name: str
    package: str
    fields: tuple[Field, ...] = field(default_factory=tuple)

    @property
    def text(self) -> str:
        return f"{self.package}.{self.name}"

    def lookup(self, key: str) -> Field | None:
        for candidate in self.fields:
            if candidate.name == key:
                return candidate
        # encoding/json falls back to a case-insensitive match (ASCII names only here).
        folded = key.upper()
        for candidate in self.fields:
            if candidate.name.upper() == folded:
                return candidate
        return None


_WS = re.compile(r"[ \t\r\n]*")
_INT_LITERAL = re.compile(r"-?(0|[1-9][0-9]*)")
_INT64 = 1 << 63
_PY = json.JSONDecoder(parse_int=GoNumber, parse_float=GoNumber)


def decode_body(data: bytes, target: Struct) -> dict[str, Any]:
    """The first JSON value of ``data`` decoded into ``target``; raises DecodeError with Go's
    text. Only the keys present in the body appear in the result (absent = Go's zero value)."""
    try:
        decode_stream(data, GoStruct(target.name, target.package, []),
                      disallow_unknown_fields=False)
    except GoJSONError as err:
        raise DecodeError(err.message) from None
    text = data.decode("utf-8", "replace")
    value, _ = _PY.raw_decode(text, _WS.match(text).end())  # type: ignore[union-attr]
    walker = _Walker()
    result = walker.struct(value, target) if value is not None else {}
    if walker.error is not None:
        raise DecodeError(walker.error)
    return result


_SYNTAX_PROBE = GoStruct("probe", "probe", [])


def decode_any(data: bytes) -> Any:
    """The first JSON value of ``data`` into an ``interface{}``: objects, arrays, strings,
    bools, null and numbers (float64, held as int where exact). Only syntax can fail here."""
    try:
        decode_stream(data, _SYNTAX_PROBE, disallow_unknown_fields=False)
    except GoJSONError as err:
        if not err.message.startswith("json: cannot unmarshal"):
            raise DecodeError(err.message) from None
    text = data.decode("utf-8", "replace")
    value, _ = _PY.raw_decode(text, _WS.match(text).end())  # type: ignore[union-attr]
    return _plain(value)


class _Walker:
    def __init__(self) -> None:
        self.error: str | None = None
        self.path: list[str] = []
        self.struct_name: str | None = None

    def mismatch(self, value: object, kind_text: str) -> None:
        if self.error is not None:
            return
        where = "Go value"
        if self.struct_name is not None:
            where = f"Go struct field {self.struct_name}.{'.'.join(self.path)}"
        self.error = f"json: cannot unmarshal {_describe(value)} into {where} of type {kind_text}"

    def value(self, value: object, kind: Kind | Struct) -> object:
        if isinstance(kind, Struct):
            if value is None:
                return None
            if not isinstance(value, dict):
                self.mismatch(value, kind.text)
                return None
            return self.struct(value, kind)
        if value is None:
            return None  # null leaves Go's zero value
        name = kind.name
        if name == "any":
            return _plain(value)
        if name == "string" and isinstance(value, str) and not isinstance(value, GoNumber):
            return value
        if name == "bool" and isinstance(value, bool):
            return value
        if name == "int" and isinstance(value, GoNumber):
            if _INT_LITERAL.fullmatch(value) and -_INT64 <= int(value) < _INT64:
                return int(value)
        elif name == "duration":
            return self.duration(value)
        elif name == "slice" and isinstance(value, list):
            assert kind.elem is not None
            return [self.element(item, kind.elem) for item in value]
        elif name == "map" and isinstance(value, dict):
            assert kind.elem is not None
            return {key: self.element(item, kind.elem) for key, item in value.items()}
        self.mismatch(value, kind.text)
        return None

    def element(self, value: object, kind: Kind | Struct) -> object:
        return self.value(value, kind)

    def struct(self, value: dict[str, object], target: Struct) -> dict[str, Any]:
        out: dict[str, Any] = {}
        depth, outer = len(self.path), self.struct_name
        for key, item in value.items():
            found = target.lookup(key)
            if found is None:
                continue
            self.path.append(found.name)
            self.struct_name = target.name
            out[found.name] = self.value(item, found.kind)
            del self.path[depth:]
            self.struct_name = outer
        return out

    def duration(self, value: object) -> int | None:
        """HealthCheckDefinition/CheckType UnmarshalJSON: a Go duration string or a number of
        nanoseconds; a bad string fails the whole decode with ParseDuration's text."""
        if isinstance(value, GoNumber):
            return int(float(value))
        if isinstance(value, str):
            try:
                return round(parse_duration(value) * 1e9)
            except ValueError as err:
                if self.error is None:
                    self.error = str(err)
                return None
        return None  # other JSON types are ignored by those UnmarshalJSON methods


def _describe(value: object) -> str:
    if isinstance(value, GoNumber):
        return "number " + value
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"


def _plain(value: object) -> object:
    """interface{} values as Go holds them: numbers become float64 (ints where exact)."""
    if isinstance(value, GoNumber):
        number = float(value)
        return int(number) if number.is_integer() and abs(number) < 2**53 else number
    if isinstance(value, list):
        return [_plain(item) for item in value]
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    return value
