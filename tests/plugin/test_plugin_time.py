"""The fixtures' clock: the wall clock at call time plus an offset.

freezegun and time-machine move it in the test's thread and in the server's threads;
``clock.advance`` moves it without either; a frozen clock never hangs a blocking query.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
import time_machine
from freezegun import freeze_time
from plugin_http import call

from fakeconsul import PeeringState
from fakeconsul.testing import ServedCluster, ServedPair

MOMENT = datetime(2031, 5, 1, 12, 0, tzinfo=timezone.utc)


class Patcher:
    """One time patcher seen through the same two moves: freeze at a moment, jump ahead."""

    def __init__(self, name: str, freeze: Callable[[datetime], AbstractContextManager[Any]],
                 jump: Callable[[Any, float], None]) -> None:
        self.name, self.freeze, self.jump = name, freeze, jump

    def __repr__(self) -> str:
        return self.name


@contextmanager
def _time_machine(moment: datetime) -> Iterator[time_machine.Traveller]:
    with time_machine.travel(moment, tick=False) as traveller:
        yield traveller


PATCHERS = [
    Patcher("freezegun", freeze_time, lambda frozen, seconds: frozen.tick(seconds)),
    Patcher("time-machine", _time_machine, lambda traveller, seconds: traveller.shift(seconds)),
]


@pytest.mark.parametrize("patcher", PATCHERS, ids=repr)
def test_a_patcher_moves_the_clock_in_the_test_thread(
    fake_consul: ServedCluster, patcher: Patcher
) -> None:
    with patcher.freeze(MOMENT):
        assert fake_consul.network.clock.now() == MOMENT


@pytest.mark.parametrize("patcher", PATCHERS, ids=repr)
@pytest.mark.fakeconsul(deletion_delay=60)
def test_a_patcher_moves_the_clock_the_served_api_reads(
    fake_consul_pair: ServedPair, patcher: Patcher) -> None:
    dc1, _ = fake_consul_pair
    fake_consul_pair.peer()
    with patcher.freeze(MOMENT):
        call("DELETE", dc1.url + "/v1/peering/dc2")  # DeletedAt is read in the server's thread
        answer = call("GET", dc1.url + "/v1/peering/dc2")
    assert answer.json()["DeletedAt"] == "2031-05-01T12:00:00Z"


@pytest.mark.parametrize("patcher", PATCHERS, ids=repr)
def test_a_patcher_s_jump_fires_the_timers_due(
    fake_consul_pair: ServedPair, patcher: Patcher
) -> None:
    dc1, dc2 = fake_consul_pair
    with patcher.freeze(MOMENT) as frozen:
        fake_consul_pair.peer()
        fake_consul_pair.network.disconnect(dc1, dc2)
        patcher.jump(frozen, 120)  # Consul's heartbeat timeout
        peering = dc1.read("dc2")
        assert peering is not None and peering.state is PeeringState.FAILING


def test_advance_moves_the_clock_without_a_patcher(fake_consul: ServedCluster) -> None:
    before = fake_consul.network.clock.now()
    fake_consul.network.clock.advance(3600)
    assert fake_consul.network.clock.now() - before >= timedelta(seconds=3600)


def test_advance_moves_a_frozen_clock(fake_consul: ServedCluster) -> None:
    with freeze_time(MOMENT):
        fake_consul.network.clock.advance(90)
        assert fake_consul.network.clock.now() == MOMENT + timedelta(seconds=90)


@pytest.mark.parametrize("patcher", PATCHERS, ids=repr)
def test_a_frozen_clock_does_not_hang_a_blocking_query(
    fake_consul: ServedCluster, patcher: Patcher) -> None:
    index = fake_consul.index
    with patcher.freeze(MOMENT):
        started = time.clock_gettime(time.CLOCK_MONOTONIC)  # the one clock freezegun leaves
        answer = call("GET", f"{fake_consul.url}/v1/peerings?index={index}&wait=100ms",
                      timeout=3)
        waited = time.clock_gettime(time.CLOCK_MONOTONIC) - started
    assert (answer.status, 0.1 <= waited < 2) == (200, True)
