"""Tokens this process encoded decode from a record: the same fields Go's decoder gives."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from fakeconsul import Cluster
from fakeconsul.model.token import PeeringToken, decode, decode_with_go

_texts = st.text(st.characters(max_codepoint=0x7F), max_size=12)
_any_texts = st.text(max_size=12)


def _tokens(text: st.SearchStrategy[str]) -> st.SearchStrategy[PeeringToken]:
    texts = st.none() | st.lists(text, max_size=3)
    return st.builds(
        PeeringToken, ca=texts, manual_server_addresses=texts, server_addresses=texts,
        server_name=text, peer_id=text, establishment_secret=text, remote_partition=text,
        remote_datacenter=text,
        remote_locality=st.none() | st.dictionaries(text, text, max_size=2),
    )


@given(_tokens(_texts))
def test_an_encoded_ascii_token_decodes_as_go_decodes_it(token: PeeringToken) -> None:
    encoded = token.encode()

    assert decode(encoded) == decode_with_go(encoded)


@given(_tokens(_any_texts))
def test_an_encoded_token_of_any_text_decodes_as_go_decodes_it(token: PeeringToken) -> None:
    encoded = token.encode()

    assert decode(encoded) == decode_with_go(encoded)


def test_a_decoded_token_is_a_copy(dc1: Cluster) -> None:
    encoded = dc1.generate_token("dc2")
    first = decode(encoded)
    assert first.ca is not None
    first.ca.append("changed")

    assert decode(encoded) == decode_with_go(encoded)
