"""A config entry may nest as deep as Go's decoder allows (10,000 levels): the state file keeps
it, though Python's json module recurses less deep than that."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fakeconsul import Cluster, Network
from fakeconsul.persist.statefile import StateFile

DEPTH = 5000


def _depth(value: Any) -> int:
    levels = 0
    while isinstance(value, list) and value:
        value, levels = value[0], levels + 1
    return levels + (1 if value == [] else 0)


def test_a_deeply_nested_config_entry_survives_the_file(
    tmp_path: Path, network: Network, dc1: Cluster
) -> None:
    deep: Any = []
    for _ in range(DEPTH - 1):
        deep = [deep]
    dc1.config.write_config_entry({"Kind": "proxy-defaults", "Name": "global",
                                   "Config": {"A": deep}})
    StateFile(tmp_path / "s.json").save(network)
    again = Network()
    StateFile(tmp_path / "s.json").load_into(again)

    entry = again["dc1"].config.read_config_entry("proxy-defaults", "global")
    assert entry is not None and _depth(entry["Config"]["A"]) == DEPTH
