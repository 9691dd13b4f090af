"""Go ``encoding/json`` decoding into Go struct shapes, with Go's exact error texts (Go 1.21+).

Consul decodes HTTP bodies with ``json.NewDecoder`` + ``DisallowUnknownFields`` + ``Decode``
and peering tokens with ``json.Unmarshal``; clients see ``err.Error()`` verbatim.  So this
reproduces Go's scanner.go, the Decoder's reading of one value (stream.go) and decode.go's
reflection walk, for the types Consul uses there: strings, slices, string-keyed maps, structs.

Parsing is two-tier: Python's C ``json`` parser takes valid documents fast; whatever it refuses
(or would accept where Go does not) is re-parsed by ``_Scanner``, a token-wise transcription of
Go's state machine (regexes for whole tokens, an explicit stack), which names Go's error.
"""

from __future__ import annotations

import json
import re

from .gocompat import go_quote


class GoJSONError(Exception):
    """A decoding failure; ``message`` is Go's ``err.Error()``."""

    def __init__(self, message: str) -> None:
        super().__init__(message)  # so str(err) is the message too
        self.message = message


class GoType:
    """A Go type the decoder can fill; ``text`` is Go's ``reflect.Type.String()``."""

    __slots__ = ("kind", "text", "elem")

    def __init__(self, kind: str, text: str, elem: GoType | None = None) -> None:
        self.kind = kind  # "string", "slice", "map" or "struct"
        self.text = text
        self.elem = elem

    @property
    def error_text(self) -> str:
        """The type as an UnmarshalTypeError names it.  Go's ``indirect`` has already stepped
        through (and allocated) a pointer before the error is built: ``*T`` is reported as T."""
        return self.text


STRING = GoType("string", "string")
BOOL = GoType("bool", "bool")


def ignored(text: str) -> GoType:
    """A field of Go type ``text`` whose value the fake never reads (raft indexes, hashes, times
    a client echoes back in an ACL body): any JSON value is accepted and dropped."""
    return GoType("ignored", text)


def slice_of(elem: GoType) -> GoType:
    """``[]elem``."""
    return GoType("slice", "[]" + elem.text, elem)


def map_of(elem: GoType) -> GoType:
    """``map[string]elem``."""
    return GoType("map", "map[string]" + elem.text, elem)


# Go 1.21+ foldName upper-cases ASCII letters and maps any other rune to the smallest rune of
# its case-fold orbit.  Only two non-ASCII runes fold into ASCII: U+017F (long s) to 'S' and
# U+212A (Kelvin sign) to 'K'; the rest fold to non-ASCII runes, which never match an ASCII
# name, so leaving them as they are is exact.  (str.casefold is not: it maps "ß" to "ss".)
_FOLD = str.maketrans(
    {chr(c): chr(c - 32) for c in range(0x61, 0x7B)} | {"\u017f": "S", "\u212a": "K"}
)


class GoStruct(GoType):
    """The Go struct ``package.name``: exported, untagged fields in declaration order.
    ``pointer=True`` makes it ``*package.name`` (JSON null leaves it nil).  At the top level
    of a decode the pointer flag is moot: Go decodes into ``&v``."""

    __slots__ = ("name", "package", "fields", "pointer", "_exact", "_folded")

    def __init__(
        self, name: str, package: str, fields: list[tuple[str, GoType]], pointer: bool = False
    ) -> None:
        super().__init__("struct", ("*" if pointer else "") + f"{package}.{name}")
        self.name, self.package, self.pointer = name, package, pointer
        self.fields = tuple(fields)
        self._exact: dict[str, tuple[str, GoType]] = {}
        self._folded: dict[str, tuple[str, GoType]] = {}
        for fname, ftype in self.fields:
            if fname in self._exact or not fname.isascii():
                # _FOLD is exact only for ASCII names, which Consul's Go fields all are.
                raise ValueError(f"field {fname!r} of {self.text}: duplicate or not ASCII")
            self._exact[fname] = (fname, ftype)
            # Of two fields with one folded name, Go's byFoldedName keeps the first.
            self._folded.setdefault(fname.translate(_FOLD), (fname, ftype))

    @property
    def error_text(self) -> str:
        return f"{self.package}.{self.name}"

    def lookup(self, key: str) -> tuple[str, GoType] | None:
        """The field a JSON key selects: exact name first, else case-insensitively."""
        return self._exact.get(key) or self._folded.get(key.translate(_FOLD))

    def zero_fields(self) -> dict[str, object]:
        return {fname: _zero(ftype) for fname, ftype in self.fields}


def _zero(typ: GoType) -> object:
    if isinstance(typ, GoStruct) and not typ.pointer:
        return typ.zero_fields()
    return "" if typ.kind == "string" else False if typ.kind == "bool" else None


# ---- Parsing: bytes -> tree of str, bool, None, _NUMBER, list (array), _Obj (object) ----------


class _Obj(list[tuple[str, object]]):
    """A JSON object as its (key, value) pairs: Go applies duplicate keys one after another."""

    __slots__ = ()


_NUMBER = object()  # Consul's request types hold no numbers: only "it was a number" matters
_SURROGATES = re.compile("[\ud800-\udfff]")


def _refuse(name: str) -> object:
    raise ValueError(name)  # NaN and Infinity: Python extensions, syntax errors to Go


def _number(text: str) -> object:
    return _NUMBER  # and no int(): CPython refuses to convert an int of over 4300 digits


_PY = json.JSONDecoder(
    object_pairs_hook=_Obj, parse_float=_number, parse_int=_number, parse_constant=_refuse
)
_WS_TEXT = re.compile(r"[ \t\r\n]*")
_WS = re.compile(rb"[ \t\r\n]*")
_STR_RUN = re.compile(rb'(?:[^"\\\x00-\x1f]+|\\["\\/bfnrt]|\\u[0-9a-fA-F]{4})*')
_DIGITS = re.compile(rb"[0-9]*")
_DIGIT = frozenset(b"0123456789")
_HEX = frozenset(b"0123456789abcdefABCDEF")
_LITERALS = {0x74: (b"true", True), 0x66: (b"false", False), 0x6E: (b"null", None)}
_ESCAPES = {0x62: "\b", 0x66: "\f", 0x6E: "\n", 0x72: "\r", 0x74: "\t"}
_MAX_DEPTH = 10000  # scanner.go's maxNestingDepth
# Parser states, after the Go scanner states they stand for.
_VALUE, _VALUE_OR_CLOSE, _KEY, _KEY_OR_CLOSE, _COLON, _NEXT = range(6)


def _end(pattern: re.Pattern[bytes], data: bytes, pos: int) -> int:
    match = pattern.match(data, pos)
    assert match is not None  # every pattern passed here can match the empty string
    return match.end()


def _parse_fast(data: bytes, stream: bool) -> tuple[object, bool] | None:
    """Python's C parser; None when it refuses.  The flag says strings may hold surrogates."""
    try:
        text, fix = data.decode("utf-8"), False
    except UnicodeDecodeError:
        # One lone surrogate per undecodable byte: exactly where Go's utf8.DecodeRune yields
        # (RuneError, 1) and writes one U+FFFD.
        text, fix = data.decode("utf-8", "surrogateescape"), True
    fix = fix or "\\u" in text  # an escaped lone surrogate is U+FFFD in Go too
    start = _WS_TEXT.match(text).end()  # type: ignore[union-attr]
    try:
        value, end = _PY.raw_decode(text, start)
    except (ValueError, RecursionError):
        return None
    if value is _NUMBER and text[end : end + 1] in (".", "e", "E"):
        return None  # "1." or "1e": Python ends the number before them, Go's scanner objects
    if not stream and _WS_TEXT.match(text, end).end() != len(text):  # type: ignore[union-attr]
        return None  # Unmarshal's checkValid accepts only space after the value
    return value, fix


def _quote_char(c: int) -> str:
    """scanner.go's quoteChar: the byte taken as a rune (0xff is 'ÿ'), in single quotes."""
    if c == 0x27:
        return "'\\''"
    return "'\"'" if c == 0x22 else "'" + go_quote(chr(c))[1:-1] + "'"


def _unquote(raw: bytes) -> str:
    """decode.go's unquote of a string body the scanner has validated."""
    out: list[str] = []
    i = 0
    while (j := raw.find(b"\\", i)) >= 0:
        out.append(raw[i:j].decode("utf-8", "surrogateescape"))
        if raw[j + 1] != 0x75:  # not \u
            out.append(_ESCAPES.get(raw[j + 1], chr(raw[j + 1])))
            i = j + 2
            continue
        r, i = int(raw[j + 2 : j + 6], 16), j + 6
        if 0xD800 <= r < 0xE000:
            # utf16.DecodeRune: only a high surrogate with an escaped low one right after it is
            # a pair; otherwise U+FFFD, and the next escape is decoded on its own.
            low = int(raw[i + 2 : i + 6], 16) if raw[i : i + 2] == b"\\u" else 0
            if r < 0xDC00 and 0xDC00 <= low < 0xE000:
                r, i = 0x10000 + ((r - 0xD800) << 10) + (low - 0xDC00), i + 6
            else:
                r = 0xFFFD
        out.append(chr(r))
    out.append(raw[i:].decode("utf-8", "surrogateescape"))
    return _SURROGATES.sub("\ufffd", "".join(out))


class _Scanner:
    """Go's scanner, token-wise: regexes take whole strings, digit runs and white space; only
    a failing token is looked at byte by byte, to name the byte Go complains about."""

    def __init__(self, data: bytes, stream: bool) -> None:
        self.data, self.n, self.stream, self.end = data, len(data), stream, 0

    def syntax(self, c: int, context: str) -> GoJSONError:
        return GoJSONError(f"invalid character {_quote_char(c)} {context}")

    def eof(self, context: str | None) -> GoJSONError:
        """The input ended inside the value; ``context`` is what Go says of a space here.
        Decoder.readValue reports io.EOF, or io.ErrUnexpectedEOF once it has read a non-space
        byte.  Unmarshal's scanner.eof() feeds the scanner one more ' ': where a space is a
        syntax error itself ("1.", "tru", "\\u12") that error wins over "unexpected end"."""
        if self.stream:
            return GoJSONError("unexpected EOF" if self.data.strip(b" \t\r\n") else "EOF")
        if context is None:
            return GoJSONError("unexpected end of JSON input")
        return self.syntax(0x20, context)

    def expect(self, p: int, allowed: bytes | frozenset[int], context: str) -> None:
        if p >= self.n:
            raise self.eof(context)
        if self.data[p] not in allowed:
            raise self.syntax(self.data[p], context)

    def parse(self) -> object:
        data, n = self.data, self.n
        stack: list[_Obj | list[object]] = []
        keys: list[str] = []
        state, pos = _VALUE, 0
        while True:
            pos = _end(_WS, data, pos)
            if pos >= n:
                raise self.eof(None)
            c = data[pos]
            value: object
            if state == _NEXT:
                in_object = isinstance(stack[-1], _Obj)
                if c == 0x2C:  # ','
                    state, pos = (_KEY if in_object else _VALUE), pos + 1
                    continue
                if c != (0x7D if in_object else 0x5D):
                    context = "after object key:value pair" if in_object else "after array element"
                    raise self.syntax(c, context)
                value, pos = stack.pop(), pos + 1
                keys.pop()
            elif state == _COLON:
                if c != 0x3A:
                    raise self.syntax(c, "after object key")
                state, pos = _VALUE, pos + 1
                continue
            elif state >= _KEY:
                if c == 0x22:
                    keys[-1], pos = self.string(pos)
                    state = _COLON
                    continue
                if c != 0x7D or state != _KEY_OR_CLOSE:
                    raise self.syntax(c, "looking for beginning of object key string")
                value, pos = stack.pop(), pos + 1  # "{}"
                keys.pop()
            elif c == 0x7B or c == 0x5B:  # '{' or '['
                if len(stack) >= _MAX_DEPTH:  # pushParseState refuses the 10001st level
                    raise self.syntax(c, "exceeded max depth")
                stack.append(_Obj() if c == 0x7B else [])
                keys.append("")
                state, pos = (_KEY_OR_CLOSE if c == 0x7B else _VALUE_OR_CLOSE), pos + 1
                continue
            elif c == 0x22:
                value, pos = self.string(pos)
            elif c == 0x2D or 0x30 <= c <= 0x39:
                value, pos = _NUMBER, self.number(pos)
            elif c in _LITERALS:
                value, pos = self.literal(pos)
            elif c == 0x5D and state == _VALUE_OR_CLOSE:
                value, pos = stack.pop(), pos + 1  # "[]"
                keys.pop()
            else:
                raise self.syntax(c, "looking for beginning of value")
            if not stack:
                self.end = pos
                return value
            top = stack[-1]
            if isinstance(top, _Obj):
                top.append((keys[-1], value))
            else:
                top.append(value)
            state = _NEXT

    def string(self, pos: int) -> tuple[str, int]:
        p = _end(_STR_RUN, self.data, pos + 1)
        if p >= self.n:
            raise self.eof(None)
        c = self.data[p]
        if c == 0x22:
            return _unquote(self.data[pos + 1 : p]), p + 1
        if c < 0x20:
            raise self.syntax(c, "in string literal")
        # A backslash the run did not take: a bad escape, or a \u without 4 hex digits.
        self.expect(p + 1, b"u", "in string escape code")
        for k in range(2, 6):
            self.expect(p + k, _HEX, "in \\u hexadecimal character escape")
        raise AssertionError("unreachable: _STR_RUN takes a well-formed \\u escape")

    def number(self, pos: int) -> int:
        """Where the number at pos ends: -?(0|[1-9][0-9]*)(\\.[0-9]+)?([eE][+-]?[0-9]+)?.
        It ends at the first byte that cannot continue it, and that byte is then judged as
        whatever follows a value (so "01" is 0 and then a stray '1')."""
        data = self.data
        p = pos + (data[pos] == 0x2D)
        self.expect(p, _DIGIT, "in numeric literal")
        p = p + 1 if data[p] == 0x30 else _end(_DIGITS, data, p)
        if data[p : p + 1] == b".":
            self.expect(p + 1, _DIGIT, "after decimal point in numeric literal")
            p = _end(_DIGITS, data, p + 1)
        if data[p : p + 1] in (b"e", b"E"):
            p += 1 + (data[p + 1 : p + 2] in (b"+", b"-"))
            self.expect(p, _DIGIT, "in exponent of numeric literal")
            p = _end(_DIGITS, data, p)
        return p

    def literal(self, pos: int) -> tuple[object, int]:
        word, value = _LITERALS[self.data[pos]]
        for k in range(1, len(word)):
            context = f"in literal {word.decode()} (expecting '{chr(word[k])}')"
            self.expect(pos + k, word[k : k + 1], context)
        return value, pos + len(word)


def _parse(data: bytes, stream: bool, *, exact: bool = False) -> tuple[object, bool]:
    """The first JSON value of data (Decoder) or its only value (Unmarshal) as a tree, and
    whether its strings may still hold surrogates; raises Go's syntax errors."""
    fast = None if exact else _parse_fast(data, stream)
    if fast is not None:
        return fast
    scanner = _Scanner(data, stream)
    value = scanner.parse()
    pos = _end(_WS, data, scanner.end)
    if not stream and pos < len(data):
        raise scanner.syntax(data[pos], "after top-level value")
    return value, False


# ---- Decoding: tree -> Go values, the way decode.go's reflection walk does it -----------------


class _SliceVal:
    """A Go slice.  Go decodes a later array (a duplicate key) into the old backing array: a
    null element keeps the old element there, a struct element merges into it."""

    __slots__ = ("backing", "n")

    def __init__(self) -> None:
        self.backing: list[object] = []
        self.n = 0


_KINDS = {str: "string", bool: "bool", _Obj: "object", list: "array"}  # else _NUMBER


class _Decoder:
    def __init__(self, disallow_unknown: bool, fix: bool) -> None:
        self.disallow_unknown, self.fix = disallow_unknown, fix
        self.error: str | None = None  # decodeState.savedError: the first one is kept
        self.path: list[str] = []  # errorContext.FieldStack
        self.struct: str | None = None  # errorContext.Struct.Name()

    def text(self, s: str) -> str:
        return _SURROGATES.sub("\ufffd", s) if self.fix else s

    def value(self, node: object, typ: GoType, cur: object) -> object:
        if node is None:
            # null makes a slice, map or pointer nil; for a string or a struct it is a no-op.
            keep = typ.kind in ("string", "bool") or (
                isinstance(typ, GoStruct) and not typ.pointer
            )
            return cur if keep else None
        if typ.kind == "string" and isinstance(node, str):
            return self.text(node)
        if typ.kind == "ignored" or (typ.kind == "bool" and isinstance(node, bool)):
            return None if typ.kind == "ignored" else node
        if isinstance(typ, GoStruct) and isinstance(node, _Obj):
            return self.struct_value(node, typ, cur)
        if typ.elem is not None and isinstance(node, list):
            if typ.kind == "map" and isinstance(node, _Obj):
                # An existing map is added to; each value starts from zero (Go reuses one
                # zeroed mapElem), so map values never merge.  Keys are not in error paths.
                target = cur if isinstance(cur, dict) else {}
                elem, plain = typ.elem, typ.elem.kind == "string" and not self.fix
                for key, val in node:
                    # (the common map[string]string case inlined: it is most of a big body)
                    if plain and isinstance(val, str):
                        target[key] = val
                    else:
                        target[self.text(key)] = self.value(val, elem, _zero(elem))
                return target
            if typ.kind == "slice" and not isinstance(node, _Obj):
                return self.slice_value(node, typ.elem, cur)
        # A mismatch is saved and decoding goes on past the value, skipped whole: nothing in
        # it, not even an unknown field, is looked at.
        if self.error is None:
            where = "Go value"
            if self.struct is not None:  # Go 1.20+: innermost struct, then the full path
                where = f"Go struct field {self.struct}.{'.'.join(self.path)}"
            kind = _KINDS.get(type(node), "number")
            self.error = f"json: cannot unmarshal {kind} into {where} of type {typ.error_text}"
        return cur

    def struct_value(self, node: _Obj, typ: GoStruct, cur: object) -> dict[str, object]:
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
                backing.append(self.value(element, elem, _zero(elem)))
        target.n = len(node)
        return target


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
        return items if elem.kind == "string" else [_finish(v, elem) for v in items]
    assert isinstance(value, dict)
    return value if elem.kind == "string" else {k: _finish(v, elem) for k, v in value.items()}


def _decode(data: bytes, target: GoStruct, *, stream: bool, disallow: bool) -> dict[str, object]:
    tree, fix = _parse(data, stream)
    decoder = _Decoder(disallow, fix)
    result = target.zero_fields()
    if tree is not None:  # through &v, a top-level null leaves v as it is, even a pointer
        decoded = decoder.value(tree, target, result)
        assert isinstance(decoded, dict)
        result = decoded
    if decoder.error is not None:
        raise GoJSONError(decoder.error)
    return {name: _finish(result[name], ftype) for name, ftype in target.fields}


def decode_stream(
    data: bytes, target: GoStruct, *, disallow_unknown_fields: bool = True
) -> dict[str, object]:
    """``json.NewDecoder(bytes.NewReader(data)).Decode(&v)``, with DisallowUnknownFields by
    default: only the first JSON value is read, whatever follows it is never looked at."""
    return _decode(data, target, stream=True, disallow=disallow_unknown_fields)


def unmarshal(data: bytes, target: GoStruct) -> dict[str, object]:
    """``json.Unmarshal(data, &v)``: data must be one value and space; unknown keys are fine."""
    return _decode(data, target, stream=False, disallow=False)
