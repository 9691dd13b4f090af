"""Go's JSON syntax: bytes to a parse tree, with scanner.go's and stream.go's exact errors.

Parsing is two-tier: Python's C ``json`` parser takes valid documents fast; whatever it refuses
(or would accept where Go does not) is re-parsed by ``_Scanner``, a token-wise transcription of
Go's state machine (regexes for whole tokens, an explicit stack), which names Go's error.
The tree holds str, bool, None, ``Number`` (the literal), list (array) and ``Obj`` (object).
"""

from __future__ import annotations

import json
import re

from ..gocompat import go_quote


class GoJSONError(Exception):
    """A decoding failure; ``message`` is Go's ``err.Error()``."""

    def __init__(self, message: str) -> None:
        super().__init__(message)  # so str(err) is the message too
        self.message = message



class Obj(list[tuple[str, object]]):
    """A JSON object as its (key, value) pairs: Go applies duplicate keys one after another."""

    __slots__ = ()


class Number:
    """A JSON number as its literal: an int field parses it (and names it when it does not
    fit), interface{} makes it a float64, every other type only sees "a number"."""

    __slots__ = ("text",)

    def __init__(self, text: str) -> None:
        self.text = text

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Number) and other.text == self.text

    def __hash__(self) -> int:
        return hash(self.text)

    def __repr__(self) -> str:
        return f"Number({self.text!r})"


SURROGATES = re.compile("[\ud800-\udfff]")


def _refuse(name: str) -> object:
    raise ValueError(name)  # NaN and Infinity: Python extensions, syntax errors to Go


def _number(text: str) -> Number:
    return Number(text)  # and no int(): CPython refuses to convert an int of over 4300 digits


_PY = json.JSONDecoder(
    object_pairs_hook=Obj, parse_float=_number, parse_int=_number, parse_constant=_refuse
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
    if isinstance(value, Number) and text[end : end + 1] in (".", "e", "E"):
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
    return SURROGATES.sub("\ufffd", "".join(out))


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
        stack: list[Obj | list[object]] = []
        keys: list[str] = []
        state, pos = _VALUE, 0
        while True:
            pos = _end(_WS, data, pos)
            if pos >= n:
                raise self.eof(None)
            c = data[pos]
            value: object
            if state == _NEXT:
                in_object = isinstance(stack[-1], Obj)
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
                stack.append(Obj() if c == 0x7B else [])
                keys.append("")
                state, pos = (_KEY_OR_CLOSE if c == 0x7B else _VALUE_OR_CLOSE), pos + 1
                continue
            elif c == 0x22:
                value, pos = self.string(pos)
            elif c == 0x2D or 0x30 <= c <= 0x39:
                end = self.number(pos)
                value, pos = Number(data[pos:end].decode("ascii")), end
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
            if isinstance(top, Obj):
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


def parse(data: bytes, stream: bool, *, exact: bool = False) -> tuple[object, bool]:
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
