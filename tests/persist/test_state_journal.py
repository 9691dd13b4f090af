"""The state file's journal: a save writes what changed, a read nothing; the file replays to the
network it saved; a torn last line is ignored; compaction keeps the state; old files load."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from moments import START

from fakeconsul import Cluster, ManualClock, Network
from fakeconsul.persist import snapshot
from fakeconsul.persist.statefile import StateFile, StateFileError


@pytest.fixture
def state(tmp_path: Path, network: Network, dc1: Cluster, dc2: Cluster) -> StateFile:
    """A state file whose base (the first save) holds dc1 and dc2."""
    saved = StateFile(tmp_path / "state.json")
    saved.save(network)
    return saved


def _lines(state: StateFile) -> list[str]:
    return state.path.read_text().splitlines()


def _journal(state: StateFile) -> list[Any]:
    return [json.loads(line) for line in _lines(state)[1:]]


def _normalized(document: Any) -> Any:
    """A document with its peerings in one order (a replay keeps them in the order written)."""
    for cluster in document["Clusters"]:
        cluster["Peering"]["Peerings"].sort(key=lambda record: record["ID"])
    return document


def _loaded(path: Path) -> Network:
    fresh = Network(clock=ManualClock(START))
    StateFile(path).load_into(fresh)
    return fresh


# --- what a save writes ----------------------------------------------------------------------


def test_the_first_save_writes_a_base_without_journal(state: StateFile) -> None:
    assert (len(_lines(state)), state.compactions, state.appends) == (1, 1, 0)


def test_a_save_after_nothing_changed_writes_nothing(state: StateFile, network: Network,
                                                     dc1: Cluster) -> None:
    before = state.path.read_bytes()
    dc1.list()
    dc1.read("absent")
    assert (state.save(network), state.path.read_bytes()) == (False, before)


def test_a_save_after_nothing_changed_dumps_nothing(
    state: StateFile, network: Network, dc1: Cluster, monkeypatch: pytest.MonkeyPatch
) -> None:
    dumps: list[Network] = []

    def counted(net: Network) -> dict[str, Any]:
        dumps.append(net)
        return {}

    monkeypatch.setattr(snapshot, "dump", counted)
    dc1.list()
    state.save(network)
    assert dumps == []


def test_a_write_appends_one_line(state: StateFile, network: Network, dc1: Cluster) -> None:
    dc1.generate_token("new")
    state.save(network)
    assert (len(_lines(state)), state.appends) == (2, 1)


def test_a_token_write_journals_only_its_peering(state: StateFile, network: Network,
                                                 dc1: Cluster) -> None:
    for name in ("a", "b", "c"):
        dc1.generate_token(name)
    state.compact(network)
    dc1.generate_token("d")
    state.save(network)
    [entry] = _journal(state)
    changed = entry["Clusters"][0]["Rows"]["Peering"]
    assert (entry["Clusters"][0]["Name"], [r["Name"] for r in changed["Upsert"]]) == ("dc1", ["d"])


def test_a_removed_peering_is_journaled_as_removed(state: StateFile, network: Network,
                                                   dc1: Cluster) -> None:
    dc1.generate_token("gone")
    state.save(network)
    peering_id = dc1.read("gone").id  # type: ignore[union-attr]
    dc1.delete("gone")  # the default deletion delay is 0: removed at once
    state.save(network)
    assert _journal(state)[-1]["Clusters"][0]["Rows"]["Peering"]["Remove"] == [peering_id]


def test_a_cluster_added_after_the_base_is_journaled_whole(state: StateFile,
                                                           network: Network) -> None:
    dc3 = network.add_cluster("dc3")
    state.save(network)
    assert _loaded(state.path)["dc3"].id == dc3.id


# --- the file replays to the network it saved -------------------------------------------------


def _many_writes(network: Network, dc1: Cluster, dc2: Cluster) -> None:
    dc2.establish("dc1", dc1.generate_token("dc2"))
    dc1.generate_token("waiting", meta={"env": "prod"})
    dc1.generate_token("renamed")
    dc1.delete("renamed")
    dc1.config.write_config_entry({"Kind": "exported-services", "Name": "default",
                                   "Services": [{"Name": "web",
                                                 "Consumers": [{"Peer": "dc2"}]}]})
    dc1.catalog.register_service("web", port=8080)
    network.timing.update(connect_delay=2)
    network.disconnect(dc1, dc2)


def _big_base(state: StateFile, network: Network, cluster: Cluster) -> None:
    """A base big enough that the lines a test writes do not compact it."""
    cluster.config.write_config_entry({"Kind": "service-defaults", "Name": "padding",
                                       "Meta": {"padding": "x" * 100_000}})
    state.compact(network)


def test_base_and_journal_replay_to_what_a_dump_holds(state: StateFile, network: Network,
                                                      dc1: Cluster, dc2: Cluster) -> None:
    _big_base(state, network, dc2)
    for step in range(3):  # a line per step, each on top of the last
        _many_writes(network, dc1, dc2) if step == 0 else dc1.generate_token(f"more-{step}")
        network.clock.advance(1)
        state.save(network)
    replayed = StateFile(state.path).read()
    assert (len(_lines(state)), _normalized(replayed)) == (4, _normalized(snapshot.dump(network)))


def test_compaction_keeps_the_state(state: StateFile, network: Network, dc1: Cluster,
                                    dc2: Cluster) -> None:
    _many_writes(network, dc1, dc2)
    state.save(network)
    state.compact(network)
    replayed = StateFile(state.path).read()
    assert (len(_lines(state)), _normalized(replayed)) == (1, _normalized(snapshot.dump(network)))


def test_a_journal_grown_past_the_base_is_compacted(state: StateFile, network: Network,
                                                    dc1: Cluster) -> None:
    written = 0
    while state.compactions == 1:
        dc1.generate_token(f"peer-{written}", meta={"padding": "x" * 500})
        state.save(network)
        written += 1
    names = sorted(p.name for p in _loaded(state.path)["dc1"].list())
    assert (len(_lines(state)), names) == (1, sorted(f"peer-{n}" for n in range(written)))


# --- loading ---------------------------------------------------------------------------------


def test_a_torn_last_line_is_ignored(state: StateFile, network: Network, dc1: Cluster) -> None:
    dc1.generate_token("acknowledged")
    state.save(network)
    with state.path.open("a") as file:
        file.write('{"Clusters":[{"Name":"dc1","Rows":{"Peering":{"Ind')
    loaded = StateFile(state.path)
    names = [p.name for p in _loaded(state.path)["dc1"].list()]
    assert (names, loaded.read() is not None, loaded.torn) == (["acknowledged"], True, True)


def test_the_first_save_after_a_torn_line_drops_it(state: StateFile, network: Network,
                                                   dc1: Cluster) -> None:
    with state.path.open("a") as file:
        file.write('{"Clusters":')
    again = StateFile(state.path)
    fresh = Network(clock=ManualClock(START))
    again.load_into(fresh)
    again.save(fresh)
    assert state.path.read_text().endswith("}\n") and len(_lines(again)) == 1


def test_a_whole_document_of_version_1_still_loads(tmp_path: Path, network: Network,
                                                   dc1: Cluster) -> None:
    dc1.generate_token("old")
    document = snapshot.dump(network)
    document["Version"] = 1
    path = tmp_path / "state.json"
    path.write_text(json.dumps(document, indent=1))  # as older versions wrote it
    assert [p.name for p in _loaded(path)["dc1"].list()] == ["old"]


def _refusal(path: Path) -> str:
    with pytest.raises(StateFileError) as caught:
        StateFile(path).load_into(Network())
    return str(caught.value)


def test_a_whole_line_that_is_not_json_is_refused(state: StateFile) -> None:
    with state.path.open("a") as file:
        file.write("{nope\n")
    assert _refusal(state.path) == (
        f"state file {state.path} is corrupt (line 2: not JSON: Expecting property name "
        "enclosed in double quotes: line 1 column 2 (char 1)); it was left untouched"
    )


def test_a_line_with_an_unknown_part_is_refused(state: StateFile) -> None:
    with state.path.open("a") as file:
        file.write('{"Clusters":[{"Name":"dc1","Rows":{"Kv":{}}}]}\n')
    assert _refusal(state.path) == (
        f"state file {state.path} is corrupt (line 2: Clusters[0].Rows.Kv is unknown to this "
        "fakeconsul (a newer version wrote it?)); it was left untouched"
    )


def test_a_refused_journal_is_left_untouched(state: StateFile) -> None:
    with state.path.open("a") as file:
        file.write("[]\n")
    before = state.path.read_bytes()
    _refusal(state.path)
    assert state.path.read_bytes() == before


# --- failures --------------------------------------------------------------------------------


def test_a_failed_append_is_answered_with_its_reason(state: StateFile, network: Network,
                                                     dc1: Cluster) -> None:
    dc1.generate_token("lost")
    state.path.unlink()
    with pytest.raises(StateFileError) as caught:
        state.save(network)
    assert str(caught.value) == (
        f"cannot save state file {state.path}: No such file or directory"
    )


def test_the_save_after_a_failed_one_rewrites_the_whole_state(state: StateFile,
                                                              network: Network,
                                                              dc1: Cluster) -> None:
    dc1.generate_token("kept")
    state.path.unlink()
    with pytest.raises(StateFileError):
        state.save(network)
    state.save(network)
    assert [p.name for p in _loaded(state.path)["dc1"].list()] == ["kept"]
