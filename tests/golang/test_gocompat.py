"""fakeconsul.gocompat reproduces small Go formatting and parsing routines byte for byte.

The expected texts below were checked against a real Go toolchain (strconv, time,
encoding/json); the \\b and \\f short escapes are Go 1.22+'s.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fakeconsul.golang.gocompat import (
    format_time,
    go_marshal,
    go_quote,
    multierror,
    parse_duration,
    parse_uint64,
)

# ---- go_quote (strconv.Quote) -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "quoted"),
    [
        ("", '""'),
        ("plain ascii", '"plain ascii"'),
        ('a"b\\c', '"a\\"b\\\\c"'),
        ("'", '"\'"'),
        ("\a\b\f\n\r\t\v", '"\\a\\b\\f\\n\\r\\t\\v"'),
        ("\x00\x01\x1f\x7f", '"\\x00\\x01\\x1f\\x7f"'),
        ("\x80\x9f", '"\\u0080\\u009f"'),
        ("\u00a0\u00ad", '"\\u00a0\\u00ad"'),
        ("é€日本ÿ", '"é€日本ÿ"'),
        ("\u2028\ufeff", '"\\u2028\\ufeff"'),
        ("\U0001f600", '"\U0001f600"'),
        ("\U000e0001", '"\\U000e0001"'),
        ("\U0010ffff", '"\\U0010ffff"'),
        ("\ud800", '"\\ufffd"'),
    ],
)
def test_go_quote(text: str, quoted: str) -> None:
    assert go_quote(text) == quoted


# ---- format_time (time.Time.MarshalJSON) ------------------------------------------------------


@pytest.mark.parametrize(
    ("dt", "text"),
    [
        (datetime(2024, 5, 1, 10, 20, 30, tzinfo=UTC), "2024-05-01T10:20:30Z"),
        (datetime(2024, 5, 1, 10, 20, 30, 100000, tzinfo=UTC), "2024-05-01T10:20:30.1Z"),
        (datetime(2024, 5, 1, 10, 20, 30, 123450, tzinfo=UTC), "2024-05-01T10:20:30.12345Z"),
        (datetime(2024, 5, 1, 10, 20, 30, 1, tzinfo=UTC), "2024-05-01T10:20:30.000001Z"),
        (datetime.min.replace(tzinfo=UTC), "0001-01-01T00:00:00Z"),
        (datetime(9999, 12, 31, 23, 59, 59, 999999, tzinfo=UTC), "9999-12-31T23:59:59.999999Z"),
    ],
)
def test_format_time(dt: datetime, text: str) -> None:
    assert format_time(dt) == text


def test_format_time_converts_aware_datetimes_to_utc() -> None:
    dt = datetime(2024, 5, 1, 12, 0, 0, tzinfo=timezone(timedelta(hours=2)))
    assert format_time(dt) == "2024-05-01T10:00:00Z"


def test_format_time_rejects_naive_datetimes() -> None:
    with pytest.raises(ValueError):
        format_time(datetime(2024, 5, 1))


# ---- parse_duration (time.ParseDuration) ------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("0", 0.0),
        ("-0", 0.0),
        ("+0", 0.0),
        ("5s", 5.0),
        ("+5s", 5.0),
        ("-1.5h", -5400.0),
        ("1h2m3.5s", 3723.5),
        ("300ms", 0.3),
        ("1ns", 1e-9),
        ("1us", 1e-6),
        ("1\u00b5s", 1e-6),
        ("1\u03bcs", 1e-6),
        (".5s", 0.5),
        ("5.s", 5.0),
        ("1h1h", 7200.0),
        ("0.0000000001s", 0.0),
        ("1.00000000000000000000000000001s", 1.0),
        ("9223372036854775807ns", 9223372036854775807 / 1e9),
        ("-9223372036854775808ns", -9223372036854775808 / 1e9),
        ("2562047h47m16.854775807s", 9223372036854775807 / 1e9),
    ],
)
def test_parse_duration(text: str, seconds: float) -> None:
    assert parse_duration(text) == seconds


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", 'time: invalid duration ""'),
        ("5", 'time: missing unit in duration "5"'),
        ("00", 'time: missing unit in duration "00"'),
        ("1x", 'time: unknown unit "x" in duration "1x"'),
        ("1S", 'time: unknown unit "S" in duration "1S"'),
        ("1s ", 'time: unknown unit "s " in duration "1s "'),
        ("1e3s", 'time: unknown unit "e" in duration "1e3s"'),
        ("--1s", 'time: invalid duration "--1s"'),
        ("+-1s", 'time: invalid duration "+-1s"'),
        (" 1s", 'time: invalid duration " 1s"'),
        (".s", 'time: invalid duration ".s"'),
        ("-.s", 'time: invalid duration "-.s"'),
        ("s", 'time: invalid duration "s"'),
        ("1s1", 'time: missing unit in duration "1s1"'),
        ("1\u00e9", 'time: unknown unit "\\xc3\\xa9" in duration "1\\xc3\\xa9"'),
        ('1"x', 'time: unknown unit "\\"x" in duration "1\\"x"'),
        ("9223372036854775808ns", 'time: invalid duration "9223372036854775808ns"'),
        ("-9223372036854775809ns", 'time: invalid duration "-9223372036854775809ns"'),
        ("2562048h", 'time: invalid duration "2562048h"'),
        ("2562047h47m16.854775808s", 'time: invalid duration "2562047h47m16.854775808s"'),
        ("100000000000000000000ns", 'time: invalid duration "100000000000000000000ns"'),
    ],
)
def test_parse_duration_rejects_what_go_rejects(text: str, message: str) -> None:
    with pytest.raises(ValueError) as info:
        parse_duration(text)
    assert str(info.value) == message


# ---- parse_uint64 (strconv.ParseUint(s, 10, 64)) ---------------------------------------------


@pytest.mark.parametrize(
    ("text", "value"),
    [("0", 0), ("007", 7), ("42", 42), ("18446744073709551615", 2**64 - 1)],
)
def test_parse_uint64(text: str, value: int) -> None:
    assert parse_uint64(text) == value


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", 'strconv.ParseUint: parsing "": invalid syntax'),
        ("+1", 'strconv.ParseUint: parsing "+1": invalid syntax'),
        ("-1", 'strconv.ParseUint: parsing "-1": invalid syntax'),
        (" 1", 'strconv.ParseUint: parsing " 1": invalid syntax'),
        ("1_000", 'strconv.ParseUint: parsing "1_000": invalid syntax'),
        ("0x10", 'strconv.ParseUint: parsing "0x10": invalid syntax'),
        ("\u0661", 'strconv.ParseUint: parsing "\u0661": invalid syntax'),
        (
            "18446744073709551616",
            'strconv.ParseUint: parsing "18446744073709551616": value out of range',
        ),
        (
            "99999999999999999999a",
            'strconv.ParseUint: parsing "99999999999999999999a": value out of range',
        ),
    ],
)
def test_parse_uint64_rejects_what_go_rejects(text: str, message: str) -> None:
    with pytest.raises(ValueError) as info:
        parse_uint64(text)
    assert str(info.value) == message


# ---- go_marshal (json.Marshal / json.MarshalIndent) -------------------------------------------


def test_marshal_is_compact_and_keeps_dict_order() -> None:
    value = {"Z": 1, "A": [True, False, None], "M": {"b": "x", "a": ""}, "E": [], "O": {}}
    assert go_marshal(value) == b'{"Z":1,"A":[true,false,null],"M":{"b":"x","a":""},"E":[],"O":{}}'


@pytest.mark.parametrize(
    ("text", "encoded"),
    [
        ("<a href='x'>&amp;</a>", b"\"\\u003ca href='x'\\u003e\\u0026amp;\\u003c/a\\u003e\""),
        ('"\\/', b'"\\"\\\\/"'),
        ("\b\f\n\r\t", b'"\\b\\f\\n\\r\\t"'),
        ("\x00\x01\x0b\x1f\x7f", b'"\\u0000\\u0001\\u000b\\u001f\x7f"'),
        ("\u2028\u2029", b'"\\u2028\\u2029"'),
        ("é日\U0001f600", '"é日\U0001f600"'.encode()),
        ("\x80\u00a0", '"\x80\u00a0"'.encode()),
        ("a\udcffb", b'"a\\ufffdb"'),
    ],
)
def test_marshal_string_escapes(text: str, encoded: bytes) -> None:
    assert go_marshal(text) == encoded


@pytest.mark.parametrize(
    ("value", "encoded"),
    [(0, b"0"), (-(2**63), b"-9223372036854775808"), (2**64 - 1, b"18446744073709551615")],
)
def test_marshal_integers(value: int, encoded: bytes) -> None:
    assert go_marshal(value) == encoded


def test_marshal_indent_uses_four_spaces_and_keeps_empty_containers_inline() -> None:
    value: dict[str, object] = {"a": [], "b": {}, "c": [1, "x", {"z": [[]]}], "d": None}
    assert go_marshal(value, pretty=True) == (
        b'{\n    "a": [],\n    "b": {},\n    "c": [\n        1,\n        "x",\n'
        b'        {\n            "z": [\n                []\n            ]\n        }\n'
        b'    ],\n    "d": null\n}\n'
    )


def test_marshal_pretty_scalar_gets_the_trailing_newline() -> None:
    assert go_marshal("x", pretty=True) == b'"x"\n'


@pytest.mark.parametrize(
    ("value", "expected"),
    [(1.5, b"1.5"), (0.0, b"0"), (1e21, b"1e+21"), (1.5e-07, b"1.5e-7"), (100.0, b"100")],
)
def test_marshal_writes_floats_as_go_does(value: float, expected: bytes) -> None:
    assert go_marshal(value) == expected


@pytest.mark.parametrize("value", [float("nan"), float("inf")])
def test_marshal_rejects_floats_json_cannot_hold(value: float) -> None:
    with pytest.raises(ValueError):
        go_marshal(value)


@pytest.mark.parametrize("value", [{1: "x"}, object(), b"bytes"])
def test_marshal_rejects_what_it_cannot_encode_like_go(value: object) -> None:
    with pytest.raises(TypeError):
        go_marshal(value)


def test_marshal_rejects_integers_no_go_type_holds() -> None:
    with pytest.raises(ValueError):
        go_marshal(2**64)


JSON_LIKE = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**63), 2**63 - 1) | st.text(),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=5), inner, max_size=4)
    ),
    max_leaves=20,
)


@given(JSON_LIKE, st.booleans())
def test_marshal_output_is_json_of_the_same_value(value: object, pretty: bool) -> None:
    assert json.loads(go_marshal(value, pretty=pretty)) == value


# ---- multierror (hashicorp/go-multierror ListFormatFunc) --------------------------------------


def test_multierror_single() -> None:
    assert multierror(["boom"]) == "1 error occurred:\n\t* boom\n\n"


def test_multierror_several() -> None:
    assert multierror(["a", "b"]) == "2 errors occurred:\n\t* a\n\t* b\n\n"
