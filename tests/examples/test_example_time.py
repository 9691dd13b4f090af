"""Per-test settings with the marker, and a time patcher that moves the fake's clock."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest
from freezegun import freeze_time

from fakeconsul import PeeringState
from fakeconsul.testing import ServedPair


@pytest.mark.fakeconsul(connect_delay=5)
def test_establishing_then_active(fake_consul_pair: ServedPair) -> None:
    dc1, dc2 = fake_consul_pair
    dc2.establish("dc1", dc1.generate_token("dc2"))
    assert [p.state for p in dc2.list()] == [PeeringState.ESTABLISHING]
    fake_consul_pair.network.clock.advance(5)
    assert [p.state for p in dc2.list()] == [PeeringState.ACTIVE]


@pytest.mark.fakeconsul(deletion_delay=30)
def test_deleted_at_under_freezegun(fake_consul_pair: ServedPair) -> None:
    dc1, _ = fake_consul_pair
    fake_consul_pair.peer()
    with freeze_time("2030-01-01 12:00:00"):
        dc1.delete("dc2")
    assert [p.deleted_at for p in dc1.list()] == [datetime(2030, 1, 1, 12, tzinfo=timezone.utc)]
