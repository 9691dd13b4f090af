"""go_marshal's fast path (the C encoder, for plain values) writes the careful encoder's bytes."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fakeconsul.golang.gocompat import _encode, go_marshal

PLAIN = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**63), 2**64 - 1) | st.text(),
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.lists(inner, max_size=3).map(tuple)
        | st.dictionaries(st.text(max_size=5), inner, max_size=4)
    ),
    max_leaves=20,
)


def careful(value: object) -> bytes:
    out: list[str] = []
    _encode(value, out, None, 0)
    return "".join(out).encode("utf-8")


@given(PLAIN)
def test_fast_path_writes_what_the_careful_encoder_writes(value: object) -> None:
    assert go_marshal(value) == careful(value)


@pytest.mark.parametrize(
    "text", ["<a>&b</a>", "\u2028\u2029", "\x00\x1f\x7f\b\f\n\r\t\"\\/", "é\U0001f600", "a\udcffb"]
)
def test_fast_path_escapes_like_go(text: str) -> None:
    assert go_marshal({"k": [text]}) == careful({"k": [text]})
