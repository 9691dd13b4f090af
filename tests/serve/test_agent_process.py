"""``fakeconsul agent`` as a real process: how it stops, and how it refuses bad input.

sdk/testutil stops each server with SIGINT and kills it if it lingers, so a slow stop costs
every Go test that starts one; a refused start must say why in Consul's one line and exit 1.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

START_TIMEOUT = 30.0
STOP_BOUND = 1.0  # seconds: the behaviour asked of a stop, not a measurement of it


def _agent(*args: str) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "fakeconsul", "agent", *args],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _refused(*args: str) -> tuple[int, str, str]:
    done = subprocess.run([sys.executable, "-m", "fakeconsul", "agent", *args],
                          capture_output=True, text=True, timeout=START_TIMEOUT)
    return done.returncode, done.stdout, done.stderr


@pytest.fixture
def running(tmp_path: Path) -> Iterator[subprocess.Popen[str]]:
    """An agent past its banner, on free ports, keeping its state in tmp_path."""
    proc = _agent("-data-dir", str(tmp_path), "-http-port", "0", "-grpc-tls-port", "0")
    timer = threading.Timer(START_TIMEOUT, proc.kill)
    timer.start()
    try:
        assert proc.stdout is not None
        for line in proc.stdout:
            if "agent running" in line:
                break
    finally:
        timer.cancel()
    yield proc
    if proc.poll() is None:
        proc.kill()
    proc.communicate()


def _stop_seconds(proc: subprocess.Popen[str], sig: signal.Signals) -> tuple[int, float]:
    started = time.monotonic()
    proc.send_signal(sig)
    code = proc.wait(timeout=5)
    return code, time.monotonic() - started


def test_sigint_stops_the_agent_within_a_second(running: subprocess.Popen[str]) -> None:
    code, seconds = _stop_seconds(running, signal.SIGINT)
    assert (code, seconds < STOP_BOUND) == (0, True)


def test_sigterm_stops_the_agent_within_a_second(running: subprocess.Popen[str]) -> None:
    code, seconds = _stop_seconds(running, signal.SIGTERM)
    assert (code, seconds < STOP_BOUND) == (0, True)


def test_an_unknown_flag_is_consuls_one_line_and_exit_1() -> None:
    assert _refused("-bogus") == (
        1, "", "==> error parsing flags: flag provided but not defined: -bogus\n")


def test_a_missing_data_dir_is_consuls_one_line_and_exit_1() -> None:
    assert _refused() == (1, "", "==> data_dir cannot be empty\n")


def test_a_config_file_that_is_not_json_is_consuls_one_line_and_exit_1(
        tmp_path: Path) -> None:
    path = tmp_path / "agent.json"
    path.write_text('{"datacenter": ')
    assert _refused("-dev", "-config-file", str(path)) == (
        1, "", f"==> failed to parse {path}: unexpected end of JSON input\n")


def test_a_bad_datacenter_in_a_config_file_is_consuls_one_line_and_exit_1(
        tmp_path: Path) -> None:
    path = tmp_path / "agent.json"
    path.write_text('{"datacenter": "dc 1", "data_dir": "' + str(tmp_path) + '"}')
    assert _refused("-config-file", str(path)) == (
        1, "", "==> datacenter can only contain lowercase alphanumeric, - or _ characters. "
               'received: "dc 1"\n')
