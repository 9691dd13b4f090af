"""A parse tree into Go values, the way decode.go's reflection walk does it: mismatches are
saved (the first one is reported) and decoding goes on; structs are dicts of all their fields,
slices lists, nil None."""

from __future__ import annotations

import math
import re
from typing import Any

from ..gocompat import go_quote, parse_duration
from .scanner import SURROGATES, GoJSONError, Number, Obj, parse
from .types import GoInt, GoStruct, GoType, zero

_INT_LITERAL = re.compile(r"-?[0-9]+")  # what strconv.ParseInt/ParseUint take of a JSON number
_INT64 = 1 << 63


class _SliceVal:
    """A Go slice.  Go decodes a later array (a duplicate key) into the old backing array: a
    null element keeps the old element there, a struct element merges into it."""

    __slots__ = ("backing", "n")

    def __init__(self) -> None:
        self.backing: list[object] = []
        self.n = 0


_KINDS = {str: "string", bool: "bool", Obj: "object", list: "array"}  # else Number
_KEEP_ON_NULL = frozenset(("string", "bool", "int", "duration"))


class _Decoder:
    def __init__(self, disallow_unknown: bool, fix: bool) -> None:
        self.disallow_unknown, self.fix = disallow_unknown, fix
        self.error: str | None = None  # decodeState.savedError: the first one is kept
        self.path: list[str] = []  # errorContext.FieldStack
        self.struct: str | None = None  # errorContext.Struct.Name()

    def text(self, s: str) -> str:
        return SURROGATES.sub("\ufffd", s) if self.fix else s

    def mismatch(self, kind: str, type_text: str) -> None:
        """Save an UnmarshalTypeError (with Go 1.20+'s context: innermost struct, full path)."""
        if self.error is None:
            where = "Go value"
            if self.struct is not None:
                where = f"Go struct field {self.struct}.{'.'.join(self.path)}"
            self.error = f"json: cannot unmarshal {kind} into {where} of type {type_text}"

    def value(self, node: object, typ: GoType, cur: object) -> object:
        if node is None:
            # null makes a slice, map, pointer or interface nil; for a string, number, bool or
            # struct it is a no-op.
            keep = typ.kind in _KEEP_ON_NULL or (isinstance(typ, GoStruct) and not typ.pointer)
            return cur if keep else None
        if typ.kind == "string" and isinstance(node, str):
            return self.text(node)
        if typ.kind == "ignored" or (typ.kind == "bool" and isinstance(node, bool)):
            return None if typ.kind == "ignored" else node
        if isinstance(typ, GoInt) and isinstance(node, Number):
            return self.int_value(node.text, typ, cur)
        if typ.kind == "any":
            return self.interface(node)
        if typ.kind == "duration":
            return self.duration(node, cur)
        if isinstance(typ, GoStruct) and isinstance(node, Obj):
            return self.struct_value(node, typ, cur)
        if typ.elem is not None and isinstance(node, list):
            if typ.kind == "map" and isinstance(node, Obj):
                # An existing map is added to; each value starts from zero (Go reuses one
                # zeroed mapElem), so map values never merge.  Keys are not in error paths.
                target = cur if isinstance(cur, dict) else {}
                elem, plain = typ.elem, typ.elem.kind == "string" and not self.fix
                for key, val in node:
                    # (the common map[string]string case inlined: it is most of a big body)
                    if plain and isinstance(val, str):
                        target[key] = val
                    else:
                        target[self.text(key)] = self.value(val, elem, zero(elem))
                return target
            if typ.kind == "slice" and not isinstance(node, Obj):
                return self.slice_value(node, typ.elem, cur)
        # A mismatch is saved and decoding goes on past the value, skipped whole: nothing in
        # it, not even an unknown field, is looked at.
        self.mismatch(_KINDS.get(type(node), "number"), typ.error_text)
        return cur

    def int_value(self, literal: str, typ: GoInt, cur: object) -> object:
        if _INT_LITERAL.fullmatch(literal):
            n = int(literal)
            # ParseInt/ParseUint (64 bits) first, then reflect's OverflowInt for the type.
            if -_INT64 <= n < 2 * _INT64 and typ.low <= n <= typ.high:
                return n
        self.mismatch("number " + literal, typ.error_text)
        return cur

    def interface(self, node: object) -> object:
        """interface{}: maps, slices, strings, bools and float64s (held as int where exact).

        Walked with a stack of its own, not by recursion: Go decodes up to 10,000 levels (the
        scanner refuses more), far beyond Python's recursion limit."""
        if not isinstance(node, Obj | list):
            return self._scalar(node)
        root: list[Any] = [None]
        # (node, the container its value goes into, and its key or index there)
        work: list[tuple[object, Any, Any]] = [(node, root, 0)]
        while work:
            item, into, key = work.pop()
            value: Any
            if isinstance(item, Obj):
                pairs = [(self.text(k), v) for k, v in item]
                value = dict.fromkeys(k for k, _ in pairs)  # Go's key order; a later key wins
                work.extend((v, value, k) for k, v in reversed(pairs))
            elif isinstance(item, list):
                value = [None] * len(item)
                work.extend((v, value, i) for i, v in reversed(list(enumerate(item))))
            else:
                value = self._scalar(item)
            into[key] = value
        return root[0]

    def _scalar(self, node: object) -> object:
        if isinstance(node, str):
            return self.text(node)
        if isinstance(node, Number):
            number = float(node.text)
            if math.isinf(number):  # ParseFloat's range error becomes an UnmarshalTypeError
                self.mismatch("number " + node.text, "float64")
                return None
            return int(number) if number.is_integer() and abs(number) < 2**53 else number
        return node

    def duration(self, node: object, cur: object) -> object:
        """See types.DURATION.  A bad string's ParseDuration error is kept like a saved one."""
        if isinstance(node, Number):
            number = float(node.text)
            if not -_INT64 <= number < _INT64:
                return -_INT64  # Go's float64 to int64 conversion out of range, on amd64
            return int(number)
        if isinstance(node, str):
            try:
                return round(parse_duration(self.text(node)) * 1e9)
            except ValueError as err:
                if self.error is None:
                    self.error = str(err)
        return cur

    def struct_value(self, node: Obj, typ: GoStruct, cur: object) -> dict[str, object]:
        target = cur if isinstance(cur, dict) else typ.zero_fields()
        depth, outer = len(self.path), self.struct
        for raw_key, val in node:
            key = self.text(raw_key)
            field = typ.lookup(key)
            if field is None:
                if self.disallow_unknown and self.error is None:
                    self.error = f"json: unknown field {go_quote(key)}"
                continue
            name, ftype = field
            self.path.append(name)
            self.struct = typ.name
            target[name] = self.value(val, ftype, target[name])
            del self.path[depth:]
            self.struct = outer
        return target

    def slice_value(self, node: list[object], elem: GoType, cur: object) -> _SliceVal:
        if not node:
            return _SliceVal()  # "[]": a fresh empty, non-nil slice
        target = cur if isinstance(cur, _SliceVal) else _SliceVal()
        backing = target.backing
        if elem.kind == "string" and not backing and not self.fix:
            if all(isinstance(element, str) for element in node):
                backing.extend(node)  # the common fresh []string of plain strings
                target.n = len(node)
                return target
        for i, element in enumerate(node):
            if i < len(backing):
                backing[i] = self.value(element, elem, backing[i])
            else:
                backing.append(self.value(element, elem, zero(elem)))
        target.n = len(node)
        return target


_FLAT = frozenset(("string", "bool", "int", "duration", "any", "ignored"))


def _finish(value: object, typ: GoType) -> object:
    """Internal values to plain ones: a _SliceVal becomes a list (a nil slice None)."""
    if isinstance(typ, GoStruct):
        if not isinstance(value, dict):
            return None
        return {name: _finish(value[name], ftype) for name, ftype in typ.fields}
    if typ.elem is None or value is None:
        return value
    elem = typ.elem
    if isinstance(value, _SliceVal):
        items = value.backing[: value.n]
        return items if elem.kind in _FLAT else [_finish(v, elem) for v in items]
    assert isinstance(value, dict)
    return value if elem.kind in _FLAT else {k: _finish(v, elem) for k, v in value.items()}


def decode(data: bytes, target: GoType, *, stream: bool, disallow: bool) -> object:
    """Decode's or Unmarshal's ``&v`` for a v of type ``target``; raises GoJSONError."""
    tree, fix = parse(data, stream)
    decoder = _Decoder(disallow, fix)
    result = target.zero_fields() if isinstance(target, GoStruct) else zero(target)
    if tree is not None:  # through &v, a top-level null leaves v as it is, even a pointer
        result = decoder.value(tree, target, result)
    if decoder.error is not None:
        raise GoJSONError(decoder.error)
    return _finish(result, target)
