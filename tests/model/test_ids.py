"""The fake's UUIDs are the strings the uuid module makes."""

from __future__ import annotations

import uuid

from hypothesis import given
from hypothesis import strategies as st

from fakeconsul.model.ids import random_id, url_name_id


def test_a_random_id_is_a_version_4_uuid_in_canonical_form() -> None:
    text = random_id()
    parsed = uuid.UUID(text)

    assert (str(parsed), parsed.version, parsed.variant) == (text, 4, uuid.RFC_4122)


def test_random_ids_differ() -> None:
    assert len({random_id() for _ in range(100)}) == 100


@given(st.text())
def test_a_name_id_is_uuid5_of_the_url_namespace(name: str) -> None:
    try:
        expected = str(uuid.uuid5(uuid.NAMESPACE_URL, name))
    except UnicodeEncodeError:
        return  # a lone surrogate: both refuse it (checked below)
    assert url_name_id(name) == expected


def test_a_name_with_a_lone_surrogate_is_refused_as_uuid5_refuses_it() -> None:
    try:
        url_name_id("\ud800")
    except UnicodeEncodeError:
        return
    raise AssertionError("no UnicodeEncodeError")
