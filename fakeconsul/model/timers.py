"""A timer due at a model time: what every time-driven change of the network is made of."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

Action = Callable[[datetime], None]


@dataclass(order=True)
class Timer:
    due: datetime
    seq: int
    action: Action = field(compare=False)
    cancelled: bool = field(default=False, compare=False)
    fired: bool = field(default=False, compare=False)

    def cancel(self) -> None:
        self.cancelled = True
