"""Small Go formatting and parsing primitives that Consul's answers depend on.

Each function reproduces one Go standard-library (or hashicorp library) routine byte for
byte, because clients of the fake compare Consul's bytes and error texts verbatim.
"""

from __future__ import annotations

import functools
import json
import re
from datetime import UTC, datetime
from decimal import Decimal

__all__ = [
    "format_time",
    "go_marshal",
    "go_quote",
    "multierror",
    "parse_duration",
    "parse_uint64",
]

_HEX = "0123456789abcdef"

# strconv.Quote's short escapes (appendEscapedRune); every other non-printable rune below
# U+0020, and DEL, becomes \xNN.
_QUOTE_SHORT = {
    "\a": "\\a",
    "\b": "\\b",
    "\f": "\\f",
    "\n": "\\n",
    "\r": "\\r",
    "\t": "\\t",
    "\v": "\\v",
    '"': '\\"',
    "\\": "\\\\",
}


def _quote_rune(ch: str) -> str:
    short = _QUOTE_SHORT.get(ch)
    if short is not None:
        return short
    # Go's unicode.IsPrint is "L, M, N, P, S and U+0020", exactly what str.isprintable
    # tests (modulo the Unicode version each language ships).
    if ch.isprintable():
        return ch
    r = ord(ch)
    if r < 0x20 or r == 0x7F:
        return f"\\x{r:02x}"
    if 0xD800 <= r < 0xE000:
        # A Go string cannot hold a surrogate; strconv writes any invalid rune as U+FFFD.
        # (Our decoder never produces surrogates, so this only guards odd callers.)
        return "\\ufffd"
    if r < 0x10000:
        return f"\\u{r:04x}"
    return f"\\U{r:08x}"


def go_quote(s: str) -> str:
    """strconv.Quote(s), also what fmt's %q prints for a string."""
    return '"' + "".join(_quote_rune(ch) for ch in s) + '"'


@functools.lru_cache(maxsize=1024)  # a heartbeat round stamps thousands of peerings alike
def format_time(dt: datetime) -> str:
    """time.Time.MarshalJSON's text (RFC 3339 with nanoseconds, zeros trimmed), in UTC.

    Go prints the instant in the Time's own location; Consul's values are UTC, so we
    convert aware datetimes to UTC.  A naive datetime has no instant at all: rejected.
    """
    if dt.tzinfo is None or dt.utcoffset() is None:
        raise ValueError("format_time needs an aware datetime, got a naive one")
    try:
        u = dt.astimezone(UTC)
    except OverflowError as exc:
        # Go can print year 0000; Python's datetime cannot hold it.
        raise ValueError(f"time {dt.isoformat()} is out of range in UTC") from exc
    text = f"{u.year:04d}-{u.month:02d}-{u.day:02d}T{u.hour:02d}:{u.minute:02d}:{u.second:02d}"
    if u.microsecond:
        # RFC3339Nano's ".999999999" layout drops trailing zeros, and the dot when all are.
        text += "." + f"{u.microsecond:06d}".rstrip("0")
    return text + "Z"


# time.ParseDuration's unit table; both the micro sign U+00B5 and Greek mu U+03BC count.
_UNITS = {
    "ns": 1,
    "us": 1_000,
    "\u00b5s": 1_000,
    "\u03bcs": 1_000,
    "ms": 1_000_000,
    "s": 1_000_000_000,
    "m": 60 * 1_000_000_000,
    "h": 3600 * 1_000_000_000,
}
_MAX = 1 << 63


def _time_quote(s: str) -> str:
    """The time package's own quote(): it cannot import strconv, so it writes every
    non-ASCII or control character as the \\xNN of its UTF-8 bytes."""
    out = ['"']
    for ch in s:
        if ord(ch) >= 0x80 or ch < " ":
            out.extend(f"\\x{b:02x}" for b in ch.encode("utf-8", "surrogatepass"))
        else:
            out.append("\\" + ch if ch in '"\\' else ch)
    out.append('"')
    return "".join(out)


def _parse_duration_ns(s: str) -> int:
    orig = s
    invalid = ValueError("time: invalid duration " + _time_quote(orig))
    neg = False
    if s and s[0] in "+-":
        neg = s[0] == "-"
        s = s[1:]
    if s == "0":
        # Go special-cases a bare "0" (unitless) as zero; "00" or "0.0" still need a unit.
        return 0
    if s == "":
        raise invalid
    total = 0
    while s:
        if not (s[0] == "." or "0" <= s[0] <= "9"):
            raise invalid
        # leadingInt: [0-9]*, failing as soon as the value passes 1<<63.
        i = 0
        v = 0
        while i < len(s) and "0" <= s[i] <= "9":
            v = v * 10 + ord(s[i]) - 48
            if v > _MAX:
                raise invalid
            i += 1
        pre = i > 0
        s = s[i:]
        f, scale, post = 0, 1.0, False
        if s and s[0] == ".":
            s = s[1:]
            # leadingFraction: keeps reading digits but stops accumulating precision once
            # the value would overflow, so a long fraction is not an error.
            i = 0
            overflow = False
            while i < len(s) and "0" <= s[i] <= "9":
                if not overflow:
                    y = f * 10 + ord(s[i]) - 48
                    if f > (_MAX - 1) // 10 or y > _MAX:
                        overflow = True
                    else:
                        f = y
                        scale *= 10
                i += 1
            post = i > 0
            s = s[i:]
        if not pre and not post:
            raise invalid  # ".s" or "-.s"
        i = 0
        while i < len(s) and not (s[i] == "." or "0" <= s[i] <= "9"):
            i += 1
        if i == 0:
            raise ValueError("time: missing unit in duration " + _time_quote(orig))
        unit_text, s = s[:i], s[i:]
        unit = _UNITS.get(unit_text)
        if unit is None:
            raise ValueError(
                f"time: unknown unit {_time_quote(unit_text)} in duration {_time_quote(orig)}"
            )
        if v > _MAX // unit:
            raise invalid
        v *= unit
        if f > 0:
            # Go uses float64 here ("to be nanosecond accurate for fractions of hours") and
            # truncates; Python floats are the same IEEE doubles, so the rounding matches.
            v += int(float(f) * (float(unit) / scale))
            if v > _MAX:
                raise invalid
        total += v
        if total > _MAX:
            raise invalid
    if neg:
        return -total
    if total > _MAX - 1:
        raise invalid  # 1<<63 is only representable as a negative int64
    return total


def parse_duration(s: str) -> float:
    """time.ParseDuration(s) in seconds; ValueError (with Go's message) where Go fails."""
    return _parse_duration_ns(s) / 1e9


def atoi(s: str) -> int:
    """strconv.Atoi(s) on a 64-bit platform: an optional sign, then ASCII digits, in int64."""
    digits = s[1:] if s[:1] in ("+", "-") else s
    if not digits or not all("0" <= ch <= "9" for ch in digits):
        raise ValueError(f"strconv.Atoi: parsing {go_quote(s)}: invalid syntax")
    n = int(s)
    if not -(2**63) <= n < 2**63:
        raise ValueError(f"strconv.Atoi: parsing {go_quote(s)}: value out of range")
    return n


def parse_uint64(s: str) -> int:
    """strconv.ParseUint(s, 10, 64): ASCII digits only, no sign, space or underscore."""
    if s == "":
        raise ValueError(f"strconv.ParseUint: parsing {go_quote(s)}: invalid syntax")
    n = 0
    for ch in s:
        if not "0" <= ch <= "9":
            raise ValueError(f"strconv.ParseUint: parsing {go_quote(s)}: invalid syntax")
        n = n * 10 + ord(ch) - 48
        if n > 0xFFFF_FFFF_FFFF_FFFF:
            # Go stops at the digit that overflows, so "99…9x" is a range error, not syntax.
            raise ValueError(f"strconv.ParseUint: parsing {go_quote(s)}: value out of range")
    return n


# encoding/json's string escaping with escapeHTML on (json.Marshal's default).  Go 1.22+
# writes \b and \f short; U+2028/U+2029 are escaped unconditionally for JSONP safety;
# invalid UTF-8 (a surrogate, from Python's side) becomes \ufffd.
_JSON_ESCAPES = {
    '"': '\\"',
    "\\": "\\\\",
    "\b": "\\b",
    "\f": "\\f",
    "\n": "\\n",
    "\r": "\\r",
    "\t": "\\t",
    "\u2028": "\\u2028",
    "\u2029": "\\u2029",
}
_JSON_SPECIAL = re.compile('[\x00-\x1f"\\\\<>&\u2028\u2029\ud800-\udfff]')


def _json_escape(m: re.Match[str]) -> str:
    ch = m.group()
    esc = _JSON_ESCAPES.get(ch)
    if esc is not None:
        return esc
    r = ord(ch)
    if r >= 0xD800:
        return "\\ufffd"
    return "\\u00" + _HEX[r >> 4] + _HEX[r & 0xF]


def _json_string(s: str) -> str:
    return '"' + _JSON_SPECIAL.sub(_json_escape, s) + '"'


def _json_float(f: float) -> str:
    """encoding/json's float64: shortest digits, 'e' form below 1e-6 or from 1e21 on."""
    if f != f or f in (float("inf"), float("-inf")):
        raise ValueError(f"json: unsupported value: {f}")
    if f == 0 or 1e-6 <= abs(f) < 1e21:
        return format(Decimal(repr(f)).normalize(), "f")
    # Python's shortest form has Go's two-digit exponent ("1e+21", "1.5e-07"); Go then cleans
    # "e-07" up to "e-7".
    text = repr(f)
    return re.sub(r"e-0(\d)$", r"e-\1", text)


def _scalar_text(value: object) -> str:
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, str):
        return _json_string(value)
    if isinstance(value, int):
        if not -(1 << 63) <= value <= (1 << 64) - 1:
            raise ValueError(f"{value} fits no Go integer type")
        return str(value)
    if isinstance(value, float):
        return _json_float(value)
    raise TypeError(f"go_marshal cannot encode {type(value).__name__}")


class _Close:
    """What a container writes once its items are written (its closing bracket)."""

    __slots__ = ("text",)

    def __init__(self, text: str) -> None:
        self.text = text


def _encode(value: object, out: list[str], indent: str | None, depth: int) -> None:
    """Walked with a stack of its own, not by recursion: Go encodes the 10,000 levels its
    decoder accepts, far beyond Python's recursion limit."""
    colon = ":" if indent is None else ": "
    work: list[tuple[object, int, str]] = [(value, depth, "")]  # (value, depth, text before)
    while work:
        item, level, before = work.pop()
        out.append(before)
        if isinstance(item, _Close):
            out.append(item.text)
            continue
        if isinstance(item, dict):
            opening, closing, entries = "{", "}", list(item.items())
        elif isinstance(item, list | tuple):
            opening, closing, entries = "[", "]", list(enumerate(item))
        else:
            out.append(_scalar_text(item))
            continue
        out.append(opening)
        if not entries:
            # json.Indent keeps empty arrays and objects on one line: "[]" / "{}".
            out.append(closing)
            continue
        inner = "" if indent is None else "\n" + indent * (level + 1)
        tail = "" if indent is None else "\n" + indent * level
        work.append((_Close(closing), level, tail))
        for number in range(len(entries) - 1, -1, -1):
            key, val = entries[number]
            lead = inner if number == 0 else "," + inner
            if isinstance(item, dict):
                if not isinstance(key, str):
                    raise TypeError(f"go_marshal needs str keys, got {type(key).__name__}")
                lead += _json_string(key) + colon
            work.append((val, level + 1, lead))


# Compact output of plain values (what answers are made of) goes through the standard library's C
# encoder, which writes what json.Marshal writes except for the characters below (Go's
# escapeHTML and JSONP escapes) and lone surrogates; about 20x faster than _encode, which keeps
# everything else (floats, pretty output, errors). See benchmarks/README.md.
_C_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), check_circular=False)
_HTML_ESCAPES = str.maketrans({c: f"\\u{ord(c):04x}" for c in "<>&\u2028\u2029"})
_INT_MIN, _INT_MAX = -(1 << 63), (1 << 64) - 1
_C_ENCODER_DEPTH = 200  # well inside the recursion limit the C encoder counts against


def _is_plain(value: object) -> bool:
    """Only str, None, bool, Go-sized int, str-keyed dict, list and tuple (exact types: a
    subclass, an enum say, takes the careful path), nested no deeper than the C encoder's
    recursion allows (deeper values take the careful path, which keeps a stack of its own)."""
    work: list[tuple[object, int]] = [(value, 0)]
    while work:
        item, level = work.pop()
        kind = type(item)
        if kind is str or item is None or kind is bool:
            continue
        if kind is int and isinstance(item, int):
            if not _INT_MIN <= item <= _INT_MAX:
                return False
            continue
        if level >= _C_ENCODER_DEPTH:
            return False
        if kind is dict and isinstance(item, dict):
            if any(type(key) is not str for key in item):
                return False
            work.extend((v, level + 1) for v in item.values())
        elif (kind is list or kind is tuple) and isinstance(item, list | tuple):
            work.extend((v, level + 1) for v in item)
        else:
            return False
    return True


def _marshal_plain(value: object) -> bytes | None:
    text = _C_ENCODER.encode(value)
    # Five substring scans beat one regex over a 1 KB answer by 30x.
    if "<" in text or ">" in text or "&" in text or "\u2028" in text or "\u2029" in text:
        text = text.translate(_HTML_ESCAPES)
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError:
        return None  # a lone surrogate: Go writes \ufffd, which _encode knows how to do


def go_marshal(value: object, *, pretty: bool = False) -> bytes:
    """json.Marshal(value), or json.MarshalIndent(value, "", "    ") + "\\n" when pretty.

    The caller builds the value: dict order is emitted as given (struct field order, and
    maps already sorted by key the way Go sorts them).
    """
    if not pretty and _is_plain(value):
        fast = _marshal_plain(value)
        if fast is not None:
            return fast
    out: list[str] = []
    _encode(value, out, "    " if pretty else None, 0)
    if pretty:
        out.append("\n")
    return "".join(out).encode("utf-8")


def multierror(errors: list[str]) -> str:
    """hashicorp/go-multierror's ListFormatFunc (the default Error() text)."""
    if len(errors) == 1:
        return f"1 error occurred:\n\t* {errors[0]}\n\n"
    points = "\n\t".join(f"* {e}" for e in errors)
    return f"{len(errors)} errors occurred:\n\t{points}\n\n"
