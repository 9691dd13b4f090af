"""Model time for a network: the clock protocol and its two implementations.

Every model timestamp (DeletedAt, heartbeats, timers) is read from the network's clock at call time.
Neither clock ever sleeps: ``advance`` moves model time and the network fires whatever became due.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from typing import Protocol

Listener = Callable[[], None]


def _seconds(delta: float | timedelta) -> timedelta:
    if isinstance(delta, timedelta):
        return delta
    return timedelta(seconds=delta)


class Clock(Protocol):
    def now(self) -> datetime: ...

    def advance(self, delta: float | timedelta) -> None: ...

    def subscribe(self, listener: Listener) -> None: ...


class _ListenedClock:
    """Lets the network hear about ``advance`` so timers fire without waiting for the next call."""

    def __init__(self) -> None:
        self._listeners: list[Listener] = []

    def subscribe(self, listener: Listener) -> None:
        self._listeners.append(listener)

    def _moved(self) -> None:
        for listener in list(self._listeners):
            listener()


class SystemClock(_ListenedClock):
    """The wall clock plus an offset that ``advance`` grows.

    ``datetime.now`` is called on every read, so freezegun and time-machine move this clock too,
    in the test's thread and in the server's threads alike.
    """

    def __init__(self) -> None:
        super().__init__()
        self.offset = timedelta(0)

    def now(self) -> datetime:
        return datetime.now(timezone.utc) + self.offset

    def advance(self, delta: float | timedelta) -> None:
        """Move model time forward (never backward) without patching anything."""
        step = _seconds(delta)
        if step < timedelta(0):
            raise ValueError("the clock only moves forward")
        self.offset += step
        self._moved()

    def reset(self) -> None:
        self.offset = timedelta(0)

    def __repr__(self) -> str:
        return f"SystemClock(offset={self.offset!r})"


class ManualClock(_ListenedClock):
    """A clock that only moves when told to: full control for tests."""

    def __init__(self, start: datetime | None = None) -> None:
        super().__init__()
        if start is None:
            start = datetime.now(timezone.utc)
        if start.tzinfo is None:
            raise ValueError("ManualClock needs an aware datetime (tzinfo=timezone.utc)")
        self._now = start.astimezone(timezone.utc)

    def now(self) -> datetime:
        return self._now

    def advance(self, delta: float | timedelta) -> None:
        """Move model time forward (never backward); due timers fire before this returns."""
        step = _seconds(delta)
        if step < timedelta(0):
            raise ValueError("the clock only moves forward")
        self._now += step
        self._moved()

    def set(self, moment: datetime) -> None:
        """Jump to ``moment``, which may not lie in the past."""
        if moment.tzinfo is None:
            raise ValueError("ManualClock needs an aware datetime")
        self.advance(moment.astimezone(timezone.utc) - self._now)

    def __repr__(self) -> str:
        return f"ManualClock({self._now.isoformat()})"
