"""Tokens keep working after a test that minted the process's first one under freezegun.

cryptography looks ``datetime.datetime`` up on its first certificate and keeps it: were the
first CA root built inside ``freeze_time``, it would keep freezegun's ``FakeDatetime`` and every
later root would fail. The inner run is a fresh interpreter, so its first root is really first.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

ORDERED = '''
import json
import urllib.request

from freezegun import freeze_time


def test_1_first_token_under_freezegun(fake_consul_pair):
    with freeze_time("2030-01-01 12:00:00"):
        fake_consul_pair.peer()


def test_2_a_later_token_over_http(fake_consul_pair):
    dc1, _ = fake_consul_pair
    request = urllib.request.Request(
        dc1.url + "/v1/peering/token", data=json.dumps({"PeerName": "late"}).encode(),
        method="POST")
    with urllib.request.urlopen(request, timeout=10) as answer:
        assert answer.status == 200


def test_3_a_later_peering_in_process(fake_consul_pair):
    fake_consul_pair.peer()
'''


def test_tokens_made_after_a_frozen_first_one_succeed(
    pytester: pytest.Pytester, run_subprocess: Callable[..., pytest.RunResult]
) -> None:
    pytester.makepyfile(test_ordered=ORDERED)

    result = run_subprocess("-p", "no:randomly", "-p", "no:xdist")

    result.assert_outcomes(passed=3)
