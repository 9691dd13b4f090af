"""StreamStatus times: the latest of what the tracker recorded, Go's zero time when nothing."""

from __future__ import annotations

from datetime import datetime, timezone

from hypothesis import given
from hypothesis import strategies as st

from fakeconsul.model.tracker import ZERO_TIME, StreamEntry

_moments = st.none() | st.datetimes(timezones=st.just(timezone.utc))


@given(_moments, _moments, _moments)
def test_last_receive_is_the_latest_received_moment(
    heartbeat: datetime | None, error: datetime | None, resource: datetime | None
) -> None:
    entry = StreamEntry(last_recv_heartbeat=heartbeat, last_recv_error=error,
                        last_recv_resource=resource)
    seen = [m for m in (heartbeat, error, resource) if m is not None]

    assert entry.status().last_receive == max(seen, default=ZERO_TIME)


def test_last_send_is_go_s_zero_time_before_anything_was_sent() -> None:
    assert StreamEntry().status().last_send == ZERO_TIME
