"""Indexes and listing (spec §2.5, §7), the clocks, and Timing (DESIGN.md "Timing")."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from freezegun import freeze_time

from fakeconsul import Cluster, ManualClock, Network, PeeringState, SystemClock, Timing

START = datetime(2030, 1, 1, tzinfo=UTC)

# --- indexes -------------------------------------------------------------------------------------


def test_every_write_moves_the_cluster_index_up(dc1: Cluster) -> None:
    seen = [dc1.index]
    for name in ("a", "b", "a"):
        dc1.generate_token(name)
        seen.append(dc1.index)
    assert seen == sorted(set(seen))


def test_new_peering_has_create_index_equal_to_modify_index(dc1: Cluster) -> None:
    dc1.generate_token("dc2-peer")
    peering = dc1.read("dc2-peer")
    assert peering is not None
    assert peering.create_index == peering.modify_index == dc1.index


def test_later_peering_has_a_higher_create_index(dc1: Cluster) -> None:
    dc1.generate_token("first")
    dc1.generate_token("second")
    first, second = dc1.read("first"), dc1.read("second")
    assert first is not None and second is not None
    assert second.create_index > first.modify_index


def test_establish_writes_keep_the_dialers_create_index(network: Network, dc1: Cluster,
                                                        dc2: Cluster) -> None:
    network.timing.connect_delay = 1
    dc2.establish("dc1-peer", dc1.generate_token("dc2-peer"))
    establishing = dc2.read("dc1-peer")
    network.clock.advance(1)
    active = dc2.read("dc1-peer")
    assert establishing is not None and active is not None
    assert (active.create_index, active.modify_index > establishing.modify_index) == (
        establishing.create_index, True
    )


def test_clusters_have_their_own_index(dc1: Cluster, dc2: Cluster) -> None:
    before = dc2.index
    dc1.generate_token("dc2-peer")
    assert dc2.index == before


def test_list_index_is_the_latest_peering_write(dc1: Cluster) -> None:
    dc1.generate_token("a")
    dc1.generate_token("b")
    _, index = dc1.list_with_index()
    peering = dc1.read("b")
    assert peering is not None
    assert index == peering.modify_index


def test_read_index_is_the_modify_index(dc1: Cluster) -> None:
    dc1.generate_token("a")
    dc1.generate_token("b")
    peering, index = dc1.read_with_index("a")
    assert peering is not None
    assert index == peering.modify_index


# --- reads and lists -----------------------------------------------------------------------------


def test_read_is_case_insensitive(dc1: Cluster) -> None:
    dc1.generate_token("dc2-peer")
    peering = dc1.read("DC2-Peer")
    assert peering is not None
    assert peering.name == "dc2-peer"


def test_read_of_a_missing_name_is_none(dc1: Cluster) -> None:
    assert dc1.read("nobody") is None


def test_empty_list_is_empty(dc1: Cluster) -> None:
    assert dc1.list() == []


def test_list_is_ordered_by_name(dc1: Cluster) -> None:
    for name in ("foo", "bar", "baz"):
        dc1.generate_token(name)
    assert [p.name for p in dc1.list()] == ["bar", "baz", "foo"]


def test_list_is_ordered_by_lower_cased_name(network: Network, dc1: Cluster) -> None:
    # A delete renames the record as the caller spelled it; the order still ignores case.
    network.timing.deletion_delay = 10
    for name in ("bar", "foo", "goo"):
        dc1.generate_token(name)
    dc1.delete("FOO")
    assert [p.name for p in dc1.list()] == ["bar", "FOO", "goo"]


def test_list_shows_every_state(network: Network, dc1: Cluster, dc2: Cluster) -> None:
    network.timing.deletion_delay = 10
    dc2.generate_token("pending")
    dc2.generate_token("zdeleting")
    dc2.delete("zdeleting")
    dc2.establish("dc1-peer", dc1.generate_token("dc2-peer"))
    dc1.delete("dc2-peer")
    assert [(p.name, p.state) for p in dc2.list()] == [
        ("dc1-peer", PeeringState.TERMINATED),
        ("pending", PeeringState.PENDING),
        ("zdeleting", PeeringState.DELETING),
    ]


def test_networks_share_nothing(clock: ManualClock) -> None:
    one, other = Network(clock=clock), Network(clock=clock)
    one.add_cluster("dc1").generate_token("dc2-peer")
    assert other.add_cluster("dc1").list() == []


# --- ManualClock ---------------------------------------------------------------------------------


def test_manual_clock_starts_where_told() -> None:
    assert ManualClock(START).now() == START


def test_manual_clock_reports_utc() -> None:
    plus_two = timezone(timedelta(hours=2))
    assert ManualClock(datetime(2030, 1, 1, 2, tzinfo=plus_two)).now().tzinfo == UTC


def test_manual_clock_stands_still() -> None:
    clock = ManualClock(START)
    clock.now()
    assert clock.now() == START


def test_manual_clock_advances_by_seconds() -> None:
    clock = ManualClock(START)
    clock.advance(1.5)
    assert clock.now() == START + timedelta(seconds=1.5)


def test_manual_clock_advances_by_timedelta() -> None:
    clock = ManualClock(START)
    clock.advance(timedelta(minutes=2))
    assert clock.now() == START + timedelta(minutes=2)


def test_manual_clock_refuses_to_go_back() -> None:
    clock = ManualClock(START)
    with pytest.raises(ValueError, match="the clock only moves forward"):
        clock.advance(-1)


def test_refused_advance_leaves_the_clock_alone() -> None:
    clock = ManualClock(START)
    with pytest.raises(ValueError):
        clock.advance(-1)
    assert clock.now() == START


def test_manual_clock_refuses_a_naive_start() -> None:
    with pytest.raises(ValueError, match="aware datetime"):
        ManualClock(datetime(2030, 1, 1))


def test_manual_clock_set_jumps_forward() -> None:
    clock = ManualClock(START)
    clock.set(START + timedelta(days=1))
    assert clock.now() == START + timedelta(days=1)


def test_manual_clock_set_refuses_the_past() -> None:
    clock = ManualClock(START)
    with pytest.raises(ValueError, match="the clock only moves forward"):
        clock.set(START - timedelta(seconds=1))


def test_advance_fires_due_timers_before_returning(network: Network, clock: ManualClock,
                                                   dc1: Cluster) -> None:
    network.timing.deletion_delay = 5
    dc1.generate_token("dc2-peer")
    dc1.delete("dc2-peer")
    clock.advance(5)
    assert dc1.store.peering_by_name("dc2-peer") is None


# --- SystemClock ---------------------------------------------------------------------------------


def test_system_clock_follows_freezegun() -> None:
    with freeze_time("2031-02-03T04:05:06Z"):
        assert SystemClock().now() == datetime(2031, 2, 3, 4, 5, 6, tzinfo=UTC)


def test_system_clock_reads_the_time_on_every_call() -> None:
    clock = SystemClock()
    with freeze_time("2031-02-03T04:05:06Z") as frozen:
        frozen.tick(timedelta(seconds=30))
        assert clock.now() == datetime(2031, 2, 3, 4, 5, 36, tzinfo=UTC)


def test_system_clock_advance_adds_an_offset() -> None:
    clock = SystemClock()
    with freeze_time("2031-02-03T04:05:06Z"):
        clock.advance(60)
        assert clock.now() == datetime(2031, 2, 3, 4, 6, 6, tzinfo=UTC)


def test_system_clock_refuses_to_go_back() -> None:
    with pytest.raises(ValueError, match="the clock only moves forward"):
        SystemClock().advance(timedelta(seconds=-1))


def test_system_clock_reset_drops_the_offset() -> None:
    clock = SystemClock()
    with freeze_time("2031-02-03T04:05:06Z"):
        clock.advance(60)
        clock.reset()
        assert clock.now() == datetime(2031, 2, 3, 4, 5, 6, tzinfo=UTC)


def test_network_defaults_to_a_system_clock() -> None:
    assert isinstance(Network().clock, SystemClock)


def test_deleted_at_follows_freezegun_on_a_default_network() -> None:
    with freeze_time("2031-02-03T04:05:06Z"):
        network = Network(timing=Timing(deletion_delay=10))
        dc1 = network.add_cluster("dc1")
        dc1.generate_token("dc2-peer")
        dc1.delete("dc2-peer")
        peering = dc1.read("dc2-peer")
    assert peering is not None
    assert peering.deleted_at == datetime(2031, 2, 3, 4, 5, 6, tzinfo=UTC)


# --- Timing --------------------------------------------------------------------------------------


def test_timing_defaults() -> None:
    assert Timing() == Timing(
        connect_delay=0, deletion_delay=0, heartbeat_interval=15, heartbeat_timeout=120
    )


@pytest.mark.parametrize("field", ["connect_delay", "deletion_delay", "heartbeat_timeout"])
def test_timing_refuses_a_negative_delay(field: str) -> None:
    with pytest.raises(ValueError, match=f"Timing.{field} must be a number of seconds >= 0"):
        Timing(**{field: -1})


@pytest.mark.parametrize("value", [True, "5", None])
def test_timing_refuses_a_non_number(value: object) -> None:
    with pytest.raises(ValueError, match="Timing.connect_delay must be a number of seconds"):
        Timing(connect_delay=value)  # type: ignore[arg-type]


def test_timing_refuses_a_zero_heartbeat_interval() -> None:
    with pytest.raises(ValueError, match="Timing.heartbeat_interval must be > 0"):
        Timing(heartbeat_interval=0)


def test_timing_update_changes_several_delays() -> None:
    timing = Timing()
    timing.update(connect_delay=1, deletion_delay=2)
    assert (timing.connect_delay, timing.deletion_delay) == (1, 2)


def test_refused_timing_update_changes_nothing() -> None:
    timing = Timing()
    with pytest.raises(ValueError):
        timing.update(connect_delay=1, deletion_delay=-2)
    assert timing == Timing()


def test_network_uses_the_timing_it_is_given(clock: ManualClock) -> None:
    timing = Timing(connect_delay=3)
    assert Network(clock=clock, timing=timing).timing is timing


def test_timing_changed_at_run_time_applies_to_the_next_establish(network: Network, dc1: Cluster,
                                                                  dc2: Cluster) -> None:
    dc2.establish("dc1-peer", dc1.generate_token("dc2-peer"))
    network.timing.update(connect_delay=5)
    dc3 = network.add_cluster("dc3")
    dc3.establish("dc1-peer", dc1.generate_token("dc3-peer"))
    peering = dc3.read("dc1-peer")
    assert peering is not None
    assert peering.state is PeeringState.ESTABLISHING


def test_a_store_nobody_waits_on_makes_no_condition(dc1: Cluster) -> None:
    dc1.generate_token("dc2")

    assert dc1.store._changed is None
