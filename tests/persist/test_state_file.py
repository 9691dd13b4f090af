"""The state file: a round trip keeps every stored thing, a restart resumes, bad files are refused.

These drive ``StateFile`` and ``snapshot`` in-process; tests/serve/test_serve_process.py kills a
real server with SIGKILL.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from moments import START

from fakeconsul import Cluster, ManualClock, Network, PeeringState, SystemClock
from fakeconsul.persist.part import CLUSTER_PARTS, ClusterPart, SnapshotError, register_cluster_part
from fakeconsul.persist.snapshot import dump, load
from fakeconsul.persist.statefile import StateFile, StateFileError


def _reload(network: Network, clock: ManualClock | None = None) -> Network:
    """The network as a restarted server sees it, through a JSON round trip."""
    document = json.loads(json.dumps(dump(network)))
    fresh = Network(clock=clock or ManualClock(START))
    load(fresh, document)
    return fresh


def _peer(acceptor: Cluster, dialer: Cluster, a_name: str = "", d_name: str = "") -> None:
    token = acceptor.generate_token(a_name or dialer.name)
    dialer.establish(d_name or acceptor.name, token)


# --- round trip ------------------------------------------------------------------------------


def test_clusters_keep_their_identity(network: Network, dc1: Cluster) -> None:
    again = _reload(network)["dc1"]
    assert (again.id, again.ca_pem, again.server_name) == (dc1.id, dc1.ca_pem, dc1.server_name)


def test_stored_peerings_keep_ids_states_and_indexes(network: Network, dc1: Cluster,
                                                     dc2: Cluster) -> None:
    dc1.generate_token("waiting", meta={"env": "prod"})
    before = [(p.id, p.name, p.stored_state, p.create_index, p.meta) for p in dc1.list()]
    after = [(p.id, p.name, p.stored_state, p.create_index, p.meta)
             for p in _reload(network)["dc1"].list()]
    assert after == before


def test_an_unused_token_establishes_after_a_reload(network: Network, dc1: Cluster,
                                                    dc2: Cluster) -> None:
    token = dc1.generate_token("dc2")
    again = _reload(network)
    again["dc2"].establish("dc1", token)
    assert again["dc1"].read("dc2").state is PeeringState.ACTIVE  # type: ignore[union-attr]


def test_a_reused_token_is_still_refused_after_a_reload(network: Network, dc1: Cluster,
                                                        dc2: Cluster) -> None:
    token = dc1.generate_token("dc2")
    dc2.establish("dc1", token)
    again = _reload(network)
    with pytest.raises(Exception, match="invalid peering establishment secret"):
        again.add_cluster("dc3").establish("dc1", token)


def test_established_peerings_redial_on_load(network: Network, dc1: Cluster,
                                             dc2: Cluster) -> None:
    _peer(dc1, dc2)
    again = _reload(network)
    states = (again["dc1"].read("dc2").state, again["dc2"].read("dc1").state)  # type: ignore
    assert states == (PeeringState.ACTIVE, PeeringState.ACTIVE)


def test_a_terminated_peering_stays_terminated(network: Network, dc1: Cluster,
                                               dc2: Cluster) -> None:
    _peer(dc1, dc2)
    dc1.delete("dc2")
    again = _reload(network)
    assert again["dc2"].read("dc1").state is PeeringState.TERMINATED  # type: ignore[union-attr]


def test_a_deleting_peering_is_removed_when_its_delay_runs_out(
    network: Network, clock: ManualClock, dc1: Cluster
) -> None:
    network.timing.update(deletion_delay=60)
    dc1.generate_token("gone")
    dc1.delete("gone")
    clock.advance(20)
    restarted = ManualClock(START)
    again = _reload(network, restarted)
    restarted.advance(39)
    still = again["dc1"].read("gone")
    restarted.advance(1)
    assert (still is not None, again["dc1"].read("gone")) == (True, None)


def test_timing_clock_and_cut_links_survive(network: Network, dc1: Cluster,
                                            dc2: Cluster) -> None:
    network.timing.update(connect_delay=3, heartbeat_timeout=30)
    network.disconnect(dc1, dc2)
    network.clock.advance(100)
    again = _reload(network)
    assert (again.timing, again.clock.now(), again.disconnected_pairs()) == (
        network.timing, START + timedelta(seconds=100), [("dc1", "dc2")],
    )


def test_a_system_clock_keeps_its_offset() -> None:
    network = Network()
    network.clock.advance(31)
    fresh = Network()
    load(fresh, json.loads(json.dumps(dump(network))))
    assert isinstance(fresh.clock, SystemClock) and fresh.clock.offset == timedelta(seconds=31)


def test_old_addresses_still_lead_to_their_cluster(network: Network, dc1: Cluster) -> None:
    dc1.set_served_address("127.0.0.1:40001")
    again = _reload(network)
    assert again.resolve("127.0.0.1:40001") is again["dc1"]


def test_a_restart_brings_every_cluster_up(network: Network, dc1: Cluster) -> None:
    network.take_down(dc1)
    assert _reload(network)["dc1"].is_up


# --- parts registered by other stores ---------------------------------------------------------


@pytest.fixture
def notes_part() -> Iterator[None]:
    """A store of another area, kept per cluster in an attribute."""
    def dump_notes(cluster: Cluster) -> Any:
        return getattr(cluster, "notes", [])

    def load_notes(cluster: Cluster, value: Any, where: str) -> None:
        cluster.notes = list(value)  # type: ignore[attr-defined]

    register_cluster_part(ClusterPart("Notes", dump_notes, load_notes))
    yield
    CLUSTER_PARTS[:] = [p for p in CLUSTER_PARTS if p.key != "Notes"]


def test_a_registered_part_round_trips(notes_part: None, network: Network,
                                       dc1: Cluster) -> None:
    dc1.notes = ["kept"]  # type: ignore[attr-defined]
    assert _reload(network)["dc1"].notes == ["kept"]  # type: ignore[attr-defined]


def test_a_part_this_process_does_not_know_is_refused(network: Network, dc1: Cluster) -> None:
    document = dump(network)
    document["Clusters"][0]["Kv"] = {"Entries": []}
    with pytest.raises(SnapshotError) as caught:
        load(Network(), document)
    assert str(caught.value) == (
        "Clusters[0].Kv is unknown to this fakeconsul (a newer version wrote it?)"
    )


# --- the file --------------------------------------------------------------------------------


def test_save_then_load_through_the_file(tmp_path: Path, network: Network, dc1: Cluster) -> None:
    token_peering = dc1.generate_token("x") and dc1.read("x")
    StateFile(tmp_path / "state.json").save(network)
    fresh = Network(clock=ManualClock(START))
    StateFile(tmp_path / "state.json").load_into(fresh)
    assert fresh["dc1"].read("x").id == token_peering.id  # type: ignore[union-attr]


def test_save_leaves_no_temporary_file(tmp_path: Path, network: Network, dc1: Cluster) -> None:
    StateFile(tmp_path / "state.json").save(network)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["state.json"]


def test_save_skips_an_unchanged_state(tmp_path: Path, network: Network, dc1: Cluster) -> None:
    state = StateFile(tmp_path / "state.json")
    first = state.save(network)
    assert (first, state.save(network)) == (True, False)


def test_a_missing_file_is_no_state(tmp_path: Path) -> None:
    assert StateFile(tmp_path / "absent.json").load_into(Network()) is False


def test_an_empty_file_is_no_state(tmp_path: Path) -> None:
    (tmp_path / "empty.json").write_bytes(b"")
    assert StateFile(tmp_path / "empty.json").load_into(Network()) is False


def _refusal(path: Path) -> str:
    with pytest.raises(StateFileError) as caught:
        StateFile(path).load_into(Network())
    return str(caught.value)


@pytest.mark.parametrize(("content", "reason"), [
    ('{"Format": "fakeconsul-state", ', "not JSON: Expecting property name enclosed in double "
     "quotes: line 1 column 32 (char 31)"),
    ("[]", "the document must be an object"),
    ('{"Format": "something-else"}', 'not a fakeconsul state file: no "Format": '
     '"fakeconsul-state"'),
    ('{"Format": "fakeconsul-state", "Version": 9, "Clusters": []}',
     "format version 9, this fakeconsul reads versions up to 2"),
    ('{"Format": "fakeconsul-state", "Version": 1}', "Clusters is missing"),
    ('{"Format": "fakeconsul-state", "Version": 1, "Clusters": [{"Name": "dc1", "Peering": '
     '{"Peerings": [{"ID": "a", "Name": "x", "State": "BOGUS"}]}}]}',
     "Clusters[0].Peering.Peerings[0].State must be one of UNDEFINED, PENDING, ESTABLISHING, "
     "ACTIVE, FAILING, DELETING, TERMINATED"),
    ('{"Format": "fakeconsul-state", "Version": 1, "Clusters": [{"Name": "dc1"}, '
     '{"Name": "dc1"}]}', 'Clusters names "dc1" twice'),
    ('{"Format": "fakeconsul-state", "Version": 1, "Clusters": [], "Timing": '
     '{"ConnectDelay": -1}}', "Timing.ConnectDelay must be a number of seconds >= 0"),
])
def test_a_corrupt_file_is_refused_with_its_reason(tmp_path: Path, content: str,
                                                   reason: str) -> None:
    path = tmp_path / "state.json"
    path.write_text(content)
    assert _refusal(path) == f"state file {path} is corrupt ({reason}); it was left untouched"


def test_a_corrupt_file_is_left_untouched(tmp_path: Path) -> None:
    path = tmp_path / "state.json"
    path.write_bytes(b"\x00garbage")
    _refusal(path)
    assert path.read_bytes() == b"\x00garbage"


def test_an_unreadable_path_is_refused(tmp_path: Path) -> None:
    assert _refusal(tmp_path) == f"cannot read state file {tmp_path}: Is a directory"


def test_a_file_held_by_another_server_is_refused(tmp_path: Path) -> None:
    holder = StateFile(tmp_path / "state.json")
    holder.acquire()
    try:
        with pytest.raises(StateFileError) as caught:
            StateFile(tmp_path / "state.json").acquire()
    finally:
        holder.release()
    assert str(caught.value) == (
        f"state file {tmp_path / 'state.json'} is in use by another fakeconsul"
    )
