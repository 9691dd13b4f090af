"""The state file holds every secret of the network: it is its owner's alone, and saving it
never follows a link someone planted nor turns the user's own link into a plain file."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from fakeconsul import Cluster, Network
from fakeconsul.persist.statefile import StateFile


def _mode(path: Path) -> int:
    return stat.S_IMODE(os.lstat(path).st_mode)


@pytest.fixture
def open_umask() -> Iterator[None]:
    """A umask that takes nothing away: the modes below must not depend on it."""
    old = os.umask(0)
    yield
    os.umask(old)


@pytest.mark.usefixtures("open_umask")
def test_the_state_file_is_its_owners_alone(tmp_path: Path, network: Network,
                                            dc1: Cluster) -> None:
    state = StateFile(tmp_path / "s.json")
    state.save(network)
    assert _mode(tmp_path / "s.json") == 0o600


@pytest.mark.usefixtures("open_umask")
def test_the_lock_file_is_its_owners_alone(tmp_path: Path) -> None:
    state = StateFile(tmp_path / "s.json")
    state.acquire()
    state.release()
    assert _mode(tmp_path / "s.json.lock") == 0o600


def test_an_older_readable_state_file_becomes_private_on_save(
    tmp_path: Path, network: Network, dc1: Cluster
) -> None:
    path = tmp_path / "s.json"
    path.write_text("")
    path.chmod(0o644)
    StateFile(path).save(network)
    assert _mode(path) == 0o600


def test_a_link_planted_at_the_temporary_path_is_not_followed(
    tmp_path: Path, network: Network, dc1: Cluster
) -> None:
    victim = tmp_path / "victim"
    victim.write_text("keep me")
    (tmp_path / "s.json.tmp").symlink_to(victim)
    StateFile(tmp_path / "s.json").save(network)
    assert victim.read_text() == "keep me"


def test_a_linked_state_file_is_written_through_to_its_target(
    tmp_path: Path, network: Network, dc1: Cluster
) -> None:
    real = tmp_path / "real" / "state.json"
    real.parent.mkdir()
    link = tmp_path / "s.json"
    link.symlink_to(real)
    StateFile(link).save(network)
    assert (link.is_symlink(), real.read_text().startswith('{"Format":"fakeconsul-state"')) == (
        True, True)


def test_a_file_of_whitespace_is_a_new_network(tmp_path: Path) -> None:
    path = tmp_path / "s.json"
    path.write_text(" \n\t\n")
    assert StateFile(path).load_into(Network()) is False

