"""How a program that starts ``fakeconsul serve`` learns where it answers: the ready line on
stdout and ``--ready-file``, both written once every cluster answers."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

START_TIMEOUT = 30
PREFIX = "fakeconsul ready "
TWO_CLUSTERS = ("--cluster", "dc1=127.0.0.1:0", "--cluster", "dc2=127.0.0.1:0", "--quiet")


class Started:
    def __init__(self, *args: str) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "fakeconsul", "serve", *args],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
        self.lines: list[str] = []

    def ready(self) -> dict[str, Any]:
        """Read stdout up to the ready line; its JSON."""
        timer = threading.Timer(START_TIMEOUT, self.proc.kill)
        timer.start()
        try:
            assert self.proc.stdout is not None
            for line in self.proc.stdout:
                self.lines.append(line.rstrip("\n"))
                if line.startswith(PREFIX):
                    document: dict[str, Any] = json.loads(line.removeprefix(PREFIX))
                    return document
        finally:
            timer.cancel()
        _, stderr = self.proc.communicate()
        raise AssertionError(f"server exited early: {stderr}")

    def stop(self) -> int:
        self.proc.send_signal(signal.SIGTERM)
        code = self.proc.wait(timeout=10)
        self.proc.communicate()
        return code


@pytest.fixture
def started() -> Iterator[list[Started]]:
    processes: list[Started] = []
    yield processes
    for process in processes:
        if process.proc.poll() is None:
            process.proc.kill()
        process.proc.communicate()


def _start(started: list[Started], *args: str) -> Started:
    process = Started(*args)
    started.append(process)
    return process


def _printed_urls(lines: list[str]) -> dict[str, str]:
    pairs = (line.partition(": ") for line in lines)
    return {name: url for name, sep, url in pairs if sep and url.startswith("http://")}


def test_the_ready_line_names_each_cluster_s_url(started: list[Started]) -> None:
    server = _start(started, *TWO_CLUSTERS)

    document = server.ready()

    assert document["clusters"] == _printed_urls(server.lines)
    assert list(document["clusters"]) == ["dc1", "dc2"]


def test_the_ready_line_names_the_dashboard_on_the_first_cluster(
    started: list[Started]
) -> None:
    server = _start(started, *TWO_CLUSTERS)

    document = server.ready()

    assert document["dashboard"] == document["clusters"]["dc1"] + "/ui/"


def test_the_dashboard_url_is_printed_for_a_person(started: list[Started]) -> None:
    server = _start(started, *TWO_CLUSTERS)

    document = server.ready()

    assert f"dashboard at {document['dashboard']} (on every cluster's port)" in server.lines


def test_without_the_control_api_there_is_no_dashboard(started: list[Started]) -> None:
    server = _start(started, *TWO_CLUSTERS, "--no-control-api")

    assert server.ready()["dashboard"] is None


def test_the_ready_line_carries_the_pid(started: list[Started]) -> None:
    server = _start(started, *TWO_CLUSTERS)

    assert server.ready()["pid"] == server.proc.pid


def test_the_ready_file_holds_what_the_ready_line_says(
    started: list[Started], tmp_path: Path
) -> None:
    ready_file = tmp_path / "ready.json"
    server = _start(started, *TWO_CLUSTERS, "--ready-file", str(ready_file))

    document = server.ready()

    assert json.loads(ready_file.read_text()) == document


def test_the_ready_file_is_removed_on_sigterm(started: list[Started], tmp_path: Path) -> None:
    ready_file = tmp_path / "ready.json"
    server = _start(started, *TWO_CLUSTERS, "--ready-file", str(ready_file))
    server.ready()

    code = server.stop()

    assert (code, ready_file.exists()) == (0, False)
