"""fakeconsul.gojson reproduces Go's encoding/json decoding and its exact error texts.

The expected texts and values below were checked against a real Go toolchain's encoding/json.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fakeconsul.golang import gojson
from fakeconsul.golang.gojson import (
    STRING,
    GoJSONError,
    GoStruct,
    decode_stream,
    map_of,
    slice_of,
    unmarshal,
)

GENERATE = GoStruct(
    "PeeringGenerateTokenRequest",
    "api",
    [
        ("PeerName", STRING),
        ("Partition", STRING),
        ("Meta", map_of(STRING)),
        ("ServerExternalAddresses", slice_of(STRING)),
    ],
)
LOCALITY = GoStruct("Locality", "structs", [("Region", STRING), ("Zone", STRING)], pointer=True)
REMOTE = GoStruct(
    "PeeringTokenRemote",
    "structs",
    [("Partition", STRING), ("Datacenter", STRING), ("Locality", LOCALITY)],
)
TOKEN = GoStruct(
    "PeeringToken",
    "structs",
    [
        ("CA", slice_of(STRING)),
        ("ManualServerAddresses", slice_of(STRING)),
        ("ServerAddresses", slice_of(STRING)),
        ("ServerName", STRING),
        ("PeerID", STRING),
        ("EstablishmentSecret", STRING),
        ("Remote", REMOTE),
    ],
)
ITEM_FIELDS = [("A", STRING), ("B", slice_of(STRING))]
ITEM = GoStruct("Item", "api", ITEM_FIELDS)
NESTED = GoStruct(
    "Nested",
    "api",
    [
        ("Items", slice_of(ITEM)),
        ("ByName", map_of(ITEM)),
        ("Ptr", GoStruct("Item", "api", ITEM_FIELDS, pointer=True)),
        ("ID", STRING),
        ("Id", STRING),
        ("Kind", STRING),
    ],
)

EMPTY = {"PeerName": "", "Partition": "", "Meta": None, "ServerExternalAddresses": None}


def stream_error(data: bytes, target: GoStruct = GENERATE) -> str:
    with pytest.raises(GoJSONError) as info:
        decode_stream(data, target)
    return info.value.message


def unmarshal_error(data: bytes, target: GoStruct = TOKEN) -> str:
    with pytest.raises(GoJSONError) as info:
        unmarshal(data, target)
    return info.value.message


# ---- the descriptors -------------------------------------------------------------------------


def test_type_texts_are_go_reflect_strings() -> None:
    assert [STRING.text, slice_of(STRING).text, map_of(STRING).text] == [
        "string",
        "[]string",
        "map[string]string",
    ]
    assert (GENERATE.text, LOCALITY.text) == (
        "api.PeeringGenerateTokenRequest",
        "*structs.Locality",
    )


def test_struct_rejects_duplicate_field_names() -> None:
    with pytest.raises(ValueError):
        GoStruct("T", "api", [("A", STRING), ("A", STRING)])


def test_error_str_is_the_go_message() -> None:
    err = GoJSONError("EOF")
    assert (str(err), err.message) == ("EOF", "EOF")


# ---- values ----------------------------------------------------------------------------------


def test_decodes_fields_in_declaration_order_with_zero_values_for_absent_ones() -> None:
    got = decode_stream(b'{"ServerExternalAddresses":["1.2.3.4:8502"],"PeerName":"p"}', GENERATE)
    assert list(got.items()) == [
        ("PeerName", "p"),
        ("Partition", ""),
        ("Meta", None),
        ("ServerExternalAddresses", ["1.2.3.4:8502"]),
    ]


def test_nested_struct_and_nil_pointer() -> None:
    got = unmarshal(b'{"Remote":{"Datacenter":"dc2"}}', TOKEN)
    assert got["Remote"] == {"Partition": "", "Datacenter": "dc2", "Locality": None}


def test_pointer_struct_is_allocated_when_present() -> None:
    got = unmarshal(b'{"Remote":{"Locality":{"Zone":"z"}}}', TOKEN)
    assert got["Remote"] == {
        "Partition": "",
        "Datacenter": "",
        "Locality": {"Region": "", "Zone": "z"},
    }


@pytest.mark.parametrize(
    ("body", "field", "value"),
    [
        (b'{"PeerName":null}', "PeerName", ""),
        (b'{"Meta":null}', "Meta", None),
        (b'{"ServerExternalAddresses":null}', "ServerExternalAddresses", None),
        (b'{"ServerExternalAddresses":[]}', "ServerExternalAddresses", []),
        (b'{"Meta":{}}', "Meta", {}),
        (b'{"ServerExternalAddresses":["a",null]}', "ServerExternalAddresses", ["a", ""]),
        (b'{"Meta":{"k":null}}', "Meta", {"k": ""}),
        (b'{"PeerName":"a","PeerName":null}', "PeerName", "a"),
        (b'{"Meta":{"a":"1"},"Meta":null}', "Meta", None),
    ],
)
def test_null_sets_slices_and_maps_nil_and_leaves_strings(
    body: bytes, field: str, value: object
) -> None:
    assert decode_stream(body, GENERATE)[field] == value


def test_null_pointer_struct_stays_nil_and_null_struct_is_a_no_op() -> None:
    got = unmarshal(b'{"Remote":{"Datacenter":"d"},"Remote":null}', TOKEN)
    assert got["Remote"] == {"Partition": "", "Datacenter": "d", "Locality": None}


@pytest.mark.parametrize("body", [b"null", b" null ", b"nullx"])
def test_top_level_null_is_a_no_op(body: bytes) -> None:
    assert decode_stream(body, GENERATE) == EMPTY


@pytest.mark.parametrize(
    ("body", "field", "value"),
    [
        (b'{"peername":"x"}', "PeerName", "x"),
        (b'{"PEERNAME":"x"}', "PeerName", "x"),
        (b'{"PeerName":"a","peerName":"b"}', "PeerName", "b"),
        (b'{"\\u0050eerName":"x"}', "PeerName", "x"),
        ('{"partition":"\u017f"}'.encode(), "Partition", "\u017f"),
    ],
)
def test_keys_match_exactly_or_case_insensitively(body: bytes, field: str, value: str) -> None:
    assert decode_stream(body, GENERATE)[field] == value


@pytest.mark.parametrize(
    ("key", "field"),
    [("\u212aind", "Kind"), ("kind", "Kind"), ("id", "ID"), ("Id", "Id"), ("iD", "ID")],
)
def test_go_folding_kelvin_sign_and_first_field_of_a_folded_name(key: str, field: str) -> None:
    got = decode_stream(json.dumps({key: "v"}).encode(), NESTED)
    assert got[field] == "v"


@pytest.mark.parametrize(
    ("key", "target"),
    [("\u0131d", NESTED), ("K\u0131nd", NESTED), ("ServerExternalAddre\u00dfes", GENERATE)],
)
def test_runes_that_do_not_fold_to_ascii_never_match(key: str, target: GoStruct) -> None:
    # Go's foldName: dotless i and sharp s fold to non-ASCII runes (unlike str.casefold).
    body = json.dumps({key: ""}, ensure_ascii=False).encode()
    assert stream_error(body, target) == f'json: unknown field "{key}"'


def test_duplicate_keys_last_wins_and_maps_merge() -> None:
    body = b'{"PeerName":"a","PeerName":"b","Meta":{"x":"1"},"Meta":{"y":"2","x":"3"}}'
    got = decode_stream(body, GENERATE)
    assert (got["PeerName"], got["Meta"]) == ("b", {"x": "3", "y": "2"})


def test_duplicate_array_reuses_the_backing_array_so_null_keeps_the_old_element() -> None:
    body = b'{"ServerExternalAddresses":["a","b"],"ServerExternalAddresses":[null]}'
    assert decode_stream(body, GENERATE)["ServerExternalAddresses"] == ["a"]


def test_empty_array_starts_a_new_backing_array() -> None:
    body = b'{"ServerExternalAddresses":["a"],"ServerExternalAddresses":[],' + (
        b'"ServerExternalAddresses":[null]}'
    )
    assert decode_stream(body, GENERATE)["ServerExternalAddresses"] == [""]


def test_duplicate_struct_elements_merge_but_map_values_start_from_zero() -> None:
    body = (
        b'{"Items":[{"A":"x"}],"Items":[{"B":["y"]}],'
        b'"ByName":{"k":{"A":"x"}},"ByName":{"k":{"B":["y"]}}}'
    )
    got = decode_stream(body, NESTED)
    assert got["Items"] == [{"A": "x", "B": ["y"]}]
    assert got["ByName"] == {"k": {"A": "", "B": ["y"]}}


def test_duplicate_pointer_struct_merges() -> None:
    got = decode_stream(b'{"Ptr":{"A":"x"},"Ptr":{"B":[]}}', NESTED)
    assert got["Ptr"] == {"A": "x", "B": []}


@pytest.mark.parametrize(
    ("body", "value"),
    [
        (b'"a\\"\\\\\\/\\b\\f\\n\\r\\tz"', 'a"\\/\b\f\n\r\tz'),
        (b'"\\u00e9\\u0000"', "\u00e9\x00"),
        (b'"\\ud83d\\ude00"', "\U0001f600"),
        (b'"\\ud800"', "\ufffd"),
        (b'"\\udc00\\ud800x"', "\ufffd\ufffdx"),
        (b'"\\ud800\\ud800\\udc00"', "\ufffd\U00010000"),
        (b'"\\ud800\\u0041"', "\ufffdA"),
        (b'"a\xffb"', "a\ufffdb"),
        (b'"\xe2\x82c"', "\ufffd\ufffdc"),
        (b'"\xed\xa0\x80"', "\ufffd\ufffd\ufffd"),
        (b'"\xc3\xa9\x7f"', "\u00e9\x7f"),
    ],
)
def test_string_decoding_replaces_invalid_utf8_and_surrogates(body: bytes, value: str) -> None:
    assert decode_stream(b'{"PeerName":' + body + b"}", GENERATE)["PeerName"] == value


# ---- Decoder: what it reads -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"", "EOF"),
        (b" \t\r\n", "EOF"),
        (b"{", "unexpected EOF"),
        (b'  {"PeerName":"x"', "unexpected EOF"),
        (b'{"PeerName":"x', "unexpected EOF"),
        (b"-", "unexpected EOF"),
        (b"1.", "unexpected EOF"),
        (b"tru", "unexpected EOF"),
        (b'"\\u12', "unexpected EOF"),
    ],
)
def test_decoder_end_of_input(body: bytes, message: str) -> None:
    assert stream_error(body) == message


@pytest.mark.parametrize(
    "body",
    [
        b'{"PeerName":"x"} trailing garbage',
        b'{"PeerName":"x"}{',
        b'{"PeerName":"x"}\xff',
        b'{"PeerName":"x"}}',
    ],
)
def test_decoder_reads_only_the_first_value(body: bytes) -> None:
    assert decode_stream(body, GENERATE)["PeerName"] == "x"


@pytest.mark.parametrize("body", [b"01", b"1x", b"1.5.3", b"-0e1,", b"1 2"])
def test_top_level_number_ends_at_a_non_number_byte(body: bytes) -> None:
    assert stream_error(body) == "json: cannot unmarshal number into Go value of type " + (
        "api.PeeringGenerateTokenRequest"
    )


SYNTAX_CASES = [
    (b"abc", "invalid character 'a' looking for beginning of value"),
    (b'{"PeerName"}', "invalid character '}' after object key"),
    (b'{"PeerName":"x" x', "invalid character 'x' after object key:value pair"),
    (b"{]", "invalid character ']' looking for beginning of object key string"),
    (b'{"a":1,}', "invalid character '}' looking for beginning of object key string"),
    (b"[1 x", "invalid character 'x' after array element"),
    (b"[1,]", "invalid character ']' looking for beginning of value"),
    (b"[01]", "invalid character '1' after array element"),
    (b'"a\x01', "invalid character '\\x01' in string literal"),
    (b'"a\tb"', "invalid character '\\t' in string literal"),
    (b'"\\x"', "invalid character 'x' in string escape code"),
    (b'"\\u12x4"', "invalid character 'x' in \\u hexadecimal character escape"),
    (b"[-x]", "invalid character 'x' in numeric literal"),
    (b"1.x", "invalid character 'x' after decimal point in numeric literal"),
    (b"1e+x", "invalid character 'x' in exponent of numeric literal"),
    (b"[1ex]", "invalid character 'x' in exponent of numeric literal"),
    (b"tx", "invalid character 'x' in literal true (expecting 'r')"),
    (b"trux", "invalid character 'x' in literal true (expecting 'e')"),
    (b"fale", "invalid character 'e' in literal false (expecting 's')"),
    (b"nul1", "invalid character '1' in literal null (expecting 'l')"),
    (b"NaN", "invalid character 'N' looking for beginning of value"),
    (b"[Infinity]", "invalid character 'I' looking for beginning of value"),
    (b"[-Infinity]", "invalid character 'I' in numeric literal"),
    (b"'a'", "invalid character '\\'' looking for beginning of value"),
    (b'{"a""', "invalid character '\"' after object key"),
    (b"\xff", "invalid character '\u00ff' looking for beginning of value"),
    (b"\xef\xbb\xbf{}", "invalid character '\u00ef' looking for beginning of value"),
    (b"\x80", "invalid character '\\u0080' looking for beginning of value"),
    (b"\xa0", "invalid character '\\u00a0' looking for beginning of value"),
    (b"\x7f", "invalid character '\\x7f' looking for beginning of value"),
    (b"\x0b", "invalid character '\\v' looking for beginning of value"),
    (b"\\", "invalid character '\\\\' looking for beginning of value"),
    (b'{"Meta":{"k":[1,{]}}}', "invalid character ']' looking for beginning of object key string"),
]


@pytest.mark.parametrize(("body", "message"), SYNTAX_CASES)
def test_decoder_syntax_errors(body: bytes, message: str) -> None:
    assert stream_error(body) == message


# ---- Unmarshal: the whole input is one value ---------------------------------------------------


UNMARSHAL_CASES = [
    (b"", "unexpected end of JSON input"),
    (b"  ", "unexpected end of JSON input"),
    (b'{"CA":["x"', "unexpected end of JSON input"),
    (b'"abc', "unexpected end of JSON input"),
    # scanner.eof() feeds a space: where a space is a syntax error, that error is reported.
    (b"1.", "invalid character ' ' after decimal point in numeric literal"),
    (b"-", "invalid character ' ' in numeric literal"),
    (b"1e", "invalid character ' ' in exponent of numeric literal"),
    (b"tru", "invalid character ' ' in literal true (expecting 'e')"),
    (b'"\\', "invalid character ' ' in string escape code"),
    (b'"\\u12', "invalid character ' ' in \\u hexadecimal character escape"),
    (b"{} x", "invalid character 'x' after top-level value"),
    (b"{}{}", "invalid character '{' after top-level value"),
    (b"01", "invalid character '1' after top-level value"),
    (b"1.5.3", "invalid character '.' after top-level value"),
    (b"{}\x00", "invalid character '\\x00' after top-level value"),
]


@pytest.mark.parametrize(("body", "message"), UNMARSHAL_CASES)
def test_unmarshal_errors(body: bytes, message: str) -> None:
    assert unmarshal_error(body) == message


@pytest.mark.parametrize("body", [b'{"ServerName":"s"}', b' {"ServerName":"s"} \n\t\r'])
def test_unmarshal_accepts_surrounding_space(body: bytes) -> None:
    assert unmarshal(body, TOKEN)["ServerName"] == "s"


def test_unmarshal_ignores_unknown_fields() -> None:
    assert unmarshal(b'{"Bogus":[1],"PeerID":"p"}', TOKEN)["PeerID"] == "p"


def test_decoder_can_allow_unknown_fields() -> None:
    body = b'{"Datacenter":"dc1","PeerName":"p"}'
    assert decode_stream(body, GENERATE, disallow_unknown_fields=False)["PeerName"] == "p"


# ---- type errors ------------------------------------------------------------------------------


def _mismatch(kind: str, where: str, typ: str) -> str:
    return f"json: cannot unmarshal {kind} into {where} of type {typ}"


GEN = "Go struct field PeeringGenerateTokenRequest."
TYPE_CASES = [
    (b'{"PeerName":1}', _mismatch("number", GEN + "PeerName", "string")),
    (b'{"PeerName":true}', _mismatch("bool", GEN + "PeerName", "string")),
    (b'{"PeerName":["x"]}', _mismatch("array", GEN + "PeerName", "string")),
    (b'{"PeerName":{}}', _mismatch("object", GEN + "PeerName", "string")),
    (b'{"Meta":{"k":1}}', _mismatch("number", GEN + "Meta", "string")),
    (b'{"Meta":[]}', _mismatch("array", GEN + "Meta", "map[string]string")),
    (
        b'{"ServerExternalAddresses":["a",2]}',
        _mismatch("number", GEN + "ServerExternalAddresses", "string"),
    ),
    (
        b'{"ServerExternalAddresses":"a"}',
        _mismatch("string", GEN + "ServerExternalAddresses", "[]string"),
    ),
    (b"[]", _mismatch("array", "Go value", "api.PeeringGenerateTokenRequest")),
    (b'"x"', _mismatch("string", "Go value", "api.PeeringGenerateTokenRequest")),
    (b"false", _mismatch("bool", "Go value", "api.PeeringGenerateTokenRequest")),
]


@pytest.mark.parametrize(("body", "message"), TYPE_CASES)
def test_type_errors_name_the_field(body: bytes, message: str) -> None:
    assert stream_error(body) == message


TOKEN_TYPE_CASES = [
    (
        b'{"Remote":{"Datacenter":1}}',
        _mismatch("number", "Go struct field PeeringTokenRemote.Remote.Datacenter", "string"),
    ),
    (
        b'{"Remote":{"Locality":{"Zone":1}}}',
        _mismatch("number", "Go struct field Locality.Remote.Locality.Zone", "string"),
    ),
    # indirect() has stepped through the pointer before the error: *structs.Locality is named
    # structs.Locality.
    (
        b'{"Remote":{"Locality":"x"}}',
        _mismatch(
            "string", "Go struct field PeeringTokenRemote.Remote.Locality", "structs.Locality"
        ),
    ),
    (
        b'{"Remote":5}',
        _mismatch("number", "Go struct field PeeringToken.Remote", "structs.PeeringTokenRemote"),
    ),
    (b'{"CA":{}}', _mismatch("object", "Go struct field PeeringToken.CA", "[]string")),
]


@pytest.mark.parametrize(("body", "message"), TOKEN_TYPE_CASES)
def test_type_errors_in_nested_structs_give_innermost_struct_and_full_path(
    body: bytes, message: str
) -> None:
    assert unmarshal_error(body) == message


def test_slice_and_map_of_structs_keep_the_field_path() -> None:
    assert stream_error(b'{"Items":[{"A":1}]}', NESTED) == _mismatch(
        "number", "Go struct field Item.Items.A", "string"
    )
    assert stream_error(b'{"ByName":{"k":{"B":[true]}}}', NESTED) == _mismatch(
        "bool", "Go struct field Item.ByName.B", "string"
    )


def test_unknown_field_is_quoted_go_style() -> None:
    assert stream_error(b'{"Datacenter":"dc1"}') == 'json: unknown field "Datacenter"'
    assert stream_error(b'{"\\u0044c\\n\xff":1}') == 'json: unknown field "Dc\\n\ufffd"'


def test_first_error_in_document_order_wins() -> None:
    assert stream_error(b'{"Bogus":1,"PeerName":1}') == 'json: unknown field "Bogus"'
    assert stream_error(b'{"PeerName":1,"Bogus":1}') == _mismatch(
        "number", GEN + "PeerName", "string"
    )


def test_a_mismatched_value_is_skipped_whole() -> None:
    # the unknown key inside the skipped object is never looked at
    assert stream_error(b'{"PeerName":{"Bogus":1},"Meta":{"k":2}}') == _mismatch(
        "object", GEN + "PeerName", "string"
    )


def test_decoding_goes_on_after_a_type_error_so_a_later_syntax_error_wins() -> None:
    assert stream_error(b'{"PeerName":1,"Meta":{"k":"v"}x') == (
        "invalid character 'x' after object key:value pair"
    )


# ---- depth and size ---------------------------------------------------------------------------


def test_10000_levels_are_scanned() -> None:
    body = b"[" * 10000 + b"]" * 10000
    assert stream_error(body) == _mismatch("array", "Go value", "api.PeeringGenerateTokenRequest")


def test_10000_levels_inside_an_ignored_field_decode() -> None:
    body = b'{"Bogus":' + b"[" * 9999 + b"]" * 9999 + b',"PeerID":"p"}'
    assert unmarshal(body, TOKEN)["PeerID"] == "p"


@pytest.mark.parametrize("decode", [decode_stream, unmarshal])
def test_10001_levels_exceed_max_depth(decode: Callable[[bytes, GoStruct], object]) -> None:
    with pytest.raises(GoJSONError) as info:
        decode(b"[" * 10001 + b"]" * 10001, GENERATE)
    assert info.value.message == "invalid character '[' exceeded max depth"


def test_a_5mb_body_decodes() -> None:
    addresses = [f"10.0.{i % 256}.{i % 100}:8502" for i in range(150_000)]
    meta = {f"key-{i}": "v" * 8 for i in range(100_000)}
    body = json.dumps(
        {"PeerName": "p", "Meta": meta, "ServerExternalAddresses": addresses}
    ).encode()
    assert len(body) > 5_000_000
    got = decode_stream(body, GENERATE)
    assert (got["ServerExternalAddresses"], got["Meta"]) == (addresses, meta)


# ---- properties -------------------------------------------------------------------------------

FIELD_KEYS = st.sampled_from(
    ["PeerName", "peername", "Partition", "Meta", "ServerExternalAddresses", "Other"]
)
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(st.text(max_size=5) | FIELD_KEYS, inner, max_size=4)
    ),
    max_leaves=20,
)
DOCUMENTS = st.dictionaries(FIELD_KEYS, JSON_VALUES, max_size=5) | JSON_VALUES


@given(DOCUMENTS, st.booleans())
def test_json_documents_decode_or_raise_go_errors_only(doc: object, ascii_only: bool) -> None:
    body = json.dumps(doc, ensure_ascii=ascii_only).encode("utf-8", "surrogatepass")
    try:
        decode_stream(body, GENERATE)
    except GoJSONError:
        pass


@given(st.binary(max_size=64))
def test_arbitrary_bytes_decode_or_raise_go_errors_only(data: bytes) -> None:
    for decode in (decode_stream, unmarshal):
        try:
            decode(data, TOKEN)
        except GoJSONError:
            pass


def _normal(node: object) -> object:
    """A parse tree with the fast path's leftover surrogates replaced the way decoding does."""
    if isinstance(node, str):
        return re.sub("[\ud800-\udfff]", "\ufffd", node)
    if isinstance(node, gojson._Obj):
        return ("object", [(_normal(k), _normal(v)) for k, v in node])
    if isinstance(node, list):
        return [_normal(v) for v in node]
    return node


def _outcome(data: bytes, stream: bool, exact: bool) -> object:
    try:
        tree, _ = gojson._parse(data, stream, exact=exact)
    except GoJSONError as err:
        return err.message
    return _normal(tree)


TOKENS = [b"{", b"}", b"[", b"]", b",", b":", b'"', b'"k"', b"\\", b"\\u", b"1", b"-", b".", b"e"]
TOKENS += [b"true", b"nul", b" ", b"\xff", b"\x01", b'"\\ud800"']
JSONISH = st.lists(st.sampled_from(TOKENS), max_size=12).map(b"".join)


@given(JSONISH | st.binary(max_size=32), st.booleans())
def test_fast_path_and_go_scanner_agree(data: bytes, stream: bool) -> None:
    assert _outcome(data, stream, exact=False) == _outcome(data, stream, exact=True)


@given(DOCUMENTS, st.booleans())
def test_fast_path_and_go_scanner_agree_on_json(doc: object, stream: bool) -> None:
    body = json.dumps(doc).encode()
    assert _outcome(body, stream, exact=False) == _outcome(body, stream, exact=True)
