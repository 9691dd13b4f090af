"""``fakeconsul serve``'s flags, their environment variables, the log, and the state hook,
in-process."""

from __future__ import annotations

import argparse
import json
import logging
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from werkzeug.test import Client
from werkzeug.wrappers import Request, Response

from fakeconsul import Timing, wsgi_app
from fakeconsul.serve import admin
from fakeconsul.serve.cli import DEFAULT_CLUSTERS, _cluster_spec, build_parser, main
from fakeconsul.serve.logs import ROOT
from fakeconsul.serve.logs import configure as configure_logging
from fakeconsul.serve.standalone import Standalone

FLAGS = [
    ("--cluster", "FAKECONSUL_CLUSTER"),
    ("--connect-delay", "FAKECONSUL_CONNECT_DELAY"),
    ("--deletion-delay", "FAKECONSUL_DELETION_DELAY"),
    ("--heartbeat-interval", "FAKECONSUL_HEARTBEAT_INTERVAL"),
    ("--heartbeat-timeout", "FAKECONSUL_HEARTBEAT_TIMEOUT"),
    ("--quiet", "FAKECONSUL_QUIET"),
    ("--state-file", "FAKECONSUL_STATE_FILE"),
    ("--no-control-api", "FAKECONSUL_NO_CONTROL_API"),
    ("--log-level", "FAKECONSUL_LOG_LEVEL"),
]


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(__import__("os").environ):
        if name.startswith("FAKECONSUL_"):
            monkeypatch.delenv(name)


def _parse(*argv: str) -> argparse.Namespace:
    return build_parser().parse_args(["serve", *argv])


# --- help and environment --------------------------------------------------------------------


def test_help_documents_every_flag_and_its_variable(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["serve", "--help"])
    text = " ".join(capsys.readouterr().out.split())  # help wraps lines
    missing = [(flag, env) for flag, env in FLAGS
               if flag not in text or f"[env {env}]" not in text]
    assert missing == []


def test_help_names_a_variable_for_every_flag(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["serve", "--help"])
    options = capsys.readouterr().out.split("options:")[1]
    text = " ".join(options.split())
    flags = set(re.findall(r"(?:^| )(--[a-z][a-z-]+)", text)) - {"--help"}
    without = [f for f in sorted(flags)
               if f"[env FAKECONSUL_{f[2:].upper().replace('-', '_')}]" not in text]
    assert (len(flags) >= len(FLAGS), without) == (True, [])


@pytest.mark.parametrize(("env", "value", "dest", "expected"), [
    ("FAKECONSUL_CONNECT_DELAY", "5", "connect_delay", 5.0),
    ("FAKECONSUL_DELETION_DELAY", "2.5", "deletion_delay", 2.5),
    ("FAKECONSUL_HEARTBEAT_INTERVAL", "1", "heartbeat_interval", 1.0),
    ("FAKECONSUL_HEARTBEAT_TIMEOUT", "9", "heartbeat_timeout", 9.0),
    ("FAKECONSUL_QUIET", "true", "quiet", True),
    ("FAKECONSUL_QUIET", "0", "quiet", False),
    ("FAKECONSUL_NO_CONTROL_API", "1", "no_control_api", True),
    ("FAKECONSUL_STATE_FILE", "/tmp/x.json", "state_file", "/tmp/x.json"),
    ("FAKECONSUL_LOG_LEVEL", "debug", "log_level", "debug"),
    ("FAKECONSUL_CLUSTER", "a=127.0.0.1:1,b=0.0.0.0:2", "cluster",
     [("a", "127.0.0.1", 1), ("b", "0.0.0.0", 2)]),
])
def test_a_variable_sets_its_flag_default(monkeypatch: pytest.MonkeyPatch, env: str, value: str,
                                          dest: str, expected: object) -> None:
    monkeypatch.setenv(env, value)
    assert getattr(_parse(), dest) == expected


def test_a_flag_wins_over_its_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FAKECONSUL_CONNECT_DELAY", "5")
    assert _parse("--connect-delay", "7").connect_delay == 7.0


@pytest.mark.parametrize(("env", "value", "problem"), [
    ("FAKECONSUL_CONNECT_DELAY", "soon", "expected seconds, got 'soon'"),
    ("FAKECONSUL_QUIET", "maybe", "expected 1/true/yes/on or 0/false/no/off, got 'maybe'"),
    ("FAKECONSUL_LOG_LEVEL", "loud",
     "invalid choice 'loud' (choose from trace, debug, info, warn, error)"),
    ("FAKECONSUL_CLUSTER", "dc1", "expected NAME=HOST:PORT, got 'dc1'"),
])
def test_a_bad_variable_is_a_one_line_error_naming_it(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], env: str, value: str,
    problem: str,
) -> None:
    monkeypatch.setenv(env, value)
    with pytest.raises(SystemExit) as exited:
        _parse()
    assert (exited.value.code, capsys.readouterr().err) == (
        2, f"fakeconsul serve: error: environment variable {env}: {problem}\n",
    )


def test_default_clusters_bind_loopback_only() -> None:
    assert {_cluster_spec(spec)[1] for spec in DEFAULT_CLUSTERS} == {"127.0.0.1"}


# --- the control API switch ------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/_fakeconsul/state", "/ui/"])
def test_no_control_api_serves_neither_control_nor_dashboard(path: str) -> None:
    world = Standalone(Timing(), control_api=False)
    world.open()
    client = Client(wsgi_app(world.cluster("dc1")))
    assert (client.get(path).status_code, client.get("/v1/peerings").status_code) == (404, 200)


def test_the_control_api_is_served_by_default() -> None:
    world = Standalone(Timing())
    world.open()
    assert Client(wsgi_app(world.cluster("dc1"))).get("/_fakeconsul/state").status_code == 200


# --- the log ---------------------------------------------------------------------------------


@pytest.fixture
def restore_logging() -> Iterator[None]:
    yield
    logger = logging.getLogger(ROOT)
    for handler in list(logger.handlers):
        logger.removeHandler(handler)


def test_request_lines_read_like_consul_log_lines(
    restore_logging: None, capsys: pytest.CaptureFixture[str]
) -> None:
    log = configure_logging("info")
    assert log is not None
    log("dc1 GET /v1/peerings 200 0.4ms")
    line = capsys.readouterr().err
    assert re.fullmatch(
        r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z \[INFO\]  http: dc1 GET /v1/peerings 200 0\.4ms\n",
        line,
    ), line


@pytest.mark.parametrize(("level", "quiet"), [("warn", False), ("error", False), ("info", True)])
def test_requests_are_not_logged_above_info_or_when_quiet(restore_logging: None, level: str,
                                                          quiet: bool) -> None:
    assert configure_logging(level, quiet=quiet) is None


# --- saving before answering -----------------------------------------------------------------


def _hooked(world: Standalone, path: str, body: dict[str, str]) -> Response:
    request = Request.from_values(path, method="POST", data=json.dumps(body))
    return world.answer_hook(request, wsgi_app(world.cluster("dc1")).handle(request))


def test_a_write_is_on_disk_when_its_answer_leaves(tmp_path: Path) -> None:
    world = Standalone(Timing(), str(tmp_path / "state.json"))
    world.open()
    try:
        _hooked(world, "/v1/peering/token", {"PeerName": "dc2"})
        saved = json.loads((tmp_path / "state.json").read_text())
    finally:
        world.close()
    assert [p["Name"] for p in saved["Clusters"][0]["Peering"]["Peerings"]] == ["dc2"]


def test_a_read_is_answered_without_touching_the_state_file(tmp_path: Path) -> None:
    world = Standalone(Timing(), str(tmp_path / "state.json"))
    world.open()
    try:
        _hooked(world, "/v1/peering/token", {"PeerName": "dc2"})
        before = (tmp_path / "state.json").read_bytes()
        request = Request.from_values("/v1/peering/dc2")
        world.answer_hook(request, wsgi_app(world.cluster("dc1")).handle(request))
        after = (tmp_path / "state.json").read_bytes()
    finally:
        world.close()
    assert after == before


def test_a_write_that_cannot_be_saved_is_answered_500(tmp_path: Path) -> None:
    folder = tmp_path / "gone"
    folder.mkdir()
    world = Standalone(Timing(), str(folder / "state.json"))
    world.open()
    world.cluster("dc1")
    shutil.rmtree(folder)
    response = _hooked(world, "/v1/peering/token", {"PeerName": "dc2"})
    world.close()
    assert (response.status_code, response.get_data(as_text=True)) == (
        500, f"cannot save state file {folder / 'state.json'}: No such file or directory",
    )


# --- loading ---------------------------------------------------------------------------------


def _saved_world(path: Path, *names: str, timing: Timing | None = None) -> None:
    world = Standalone(timing or Timing(), str(path))
    world.open()
    for name in names:
        world.cluster(name)
    world.close()


def test_clusters_only_in_the_state_file_are_kept_unserved(tmp_path: Path) -> None:
    _saved_world(tmp_path / "state.json", "dc1", "dc2")
    world = Standalone(Timing(), str(tmp_path / "state.json"))
    world.open()
    world.close()
    assert world.unserved(["dc1"]) == ["dc2"]


def test_the_saved_timing_wins_and_reset_returns_to_the_flags(tmp_path: Path) -> None:
    _saved_world(tmp_path / "state.json", "dc1", timing=Timing(connect_delay=5))
    world = Standalone(Timing(connect_delay=1), str(tmp_path / "state.json"))
    world.open()
    world.close()
    loaded = world.network.timing.connect_delay
    admin.reset(world.network)
    assert (loaded, world.network.timing.connect_delay) == (5, 1)


def test_a_standalone_server_keeps_no_internal_error_in_memory() -> None:
    world = Standalone(Timing())

    assert wsgi_app(world.cluster("dc1")).keep_errors is False


def test_an_internal_error_is_logged_with_its_traceback(
    restore_logging: None, capsys: pytest.CaptureFixture[str]
) -> None:
    configure_logging("info")
    try:
        raise RuntimeError("boom")
    except RuntimeError as err:
        logging.getLogger(ROOT + ".http").error("internal error answering GET /x", exc_info=err)
    lines = capsys.readouterr().err.splitlines()
    assert (lines[0].endswith("[ERROR] http: internal error answering GET /x"), lines[1],
            lines[-1]) == (True, "Traceback (most recent call last):", "RuntimeError: boom")
