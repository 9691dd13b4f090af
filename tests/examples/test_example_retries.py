"""Injected responses: test how your client handles errors and slow answers."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Any

import pytest

from fakeconsul.testing import ServedCluster


def list_peerings(url: str, attempts: int = 3, timeout: float = 5) -> Any:
    """The code under test: a client that retries on 5xx."""
    while True:
        attempts -= 1
        try:
            with urllib.request.urlopen(f"{url}/v1/peerings", timeout=timeout) as answer:
                return json.loads(answer.read())
        except urllib.error.HTTPError as err:
            if err.code < 500 or attempts == 0:
                raise


def test_retries_through_two_errors(fake_consul: ServedCluster) -> None:
    fake_consul.inject_response("GET", "/v1/peerings", 500, "rpc error", times=2)
    assert list_peerings(fake_consul.url) == []


def test_gives_up_after_three_errors(fake_consul: ServedCluster) -> None:
    fake_consul.inject_response("*", "/v1/peerings", 503, "No cluster leader", times=3)
    with pytest.raises(urllib.error.HTTPError, match="503"):
        list_peerings(fake_consul.url)


def test_times_out(fake_consul: ServedCluster) -> None:
    fake_consul.inject_response("GET", "/v1/peerings", 200, "[]", delay=0.5)
    with pytest.raises(TimeoutError):
        list_peerings(fake_consul.url, timeout=0.1)
