"""Servers for the served benchmarks: the fake as the pytest plugin serves it, and the baseline,
pytest-httpserver answering the fake's own bytes canned."""

from __future__ import annotations

import http.client
import json
import logging
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pytest_httpserver import HTTPServer
from werkzeug.wrappers import Request, Response

from fakeconsul import Cluster
from fakeconsul.serve.server import ClusterServer

from .measure import ROOT

# Headers the serving side writes itself (framing, date); the rest of the fake's answer is copied
# into the canned one.
_OWN_HEADERS = {
    "date", "content-length", "connection", "server", "content-type", "transfer-encoding",
}


@dataclass
class Canned:
    status: int
    content_type: str
    headers: dict[str, str]
    body: bytes

    def response(self) -> Response:
        return Response(self.body, self.status, headers=self.headers,
                        content_type=self.content_type)


def fetch(host: str, port: int, path: str) -> Canned:
    """One GET, kept whole so the baseline can serve exactly the same bytes."""
    conn = http.client.HTTPConnection(host, port, timeout=30)
    try:
        conn.request("GET", path)
        answer = conn.getresponse()
        body = answer.read()
        headers = {k: v for k, v in answer.getheaders() if k.lower() not in _OWN_HEADERS}
        return Canned(answer.status, answer.getheader("Content-Type", ""), headers, body)
    finally:
        conn.close()


@contextmanager
def served(cluster: Cluster) -> Iterator[ClusterServer]:
    """``cluster`` on a socket through the same server class the fixtures use."""
    server = ClusterServer(cluster, "127.0.0.1", 0)
    server.start()
    try:
        yield server
    finally:
        server.stop()


@contextmanager
def canned_server(path: str, canned: Canned | None = None,
                  handler: Callable[[Request], Response] | None = None, *,
                  threaded: bool = False) -> Iterator[HTTPServer]:
    """pytest-httpserver answering ``path``: the canned bytes, or ``handler``'s answer.

    Unthreaded by default, as pytest-httpserver serves (one connection at a time, no thread to
    start per request: its fastest); ``threaded`` for handlers that block.
    """
    # werkzeug logs each request at INFO on stderr; the fake logs nothing (under pytest the line
    # would be captured instead). Silence the output, as a test run would; the handler still
    # formats each line, which is pytest-httpserver's own cost.
    werkzeug_log = logging.getLogger("werkzeug")
    level = werkzeug_log.level
    werkzeug_log.setLevel(logging.WARNING)
    server = _QuickStopHTTPServer("127.0.0.1", 0, threaded=threaded)
    expectation = server.expect_request(path)
    if handler is not None:
        expectation.respond_with_handler(handler)
    else:
        assert canned is not None
        expectation.respond_with_response(canned.response())
    server.start()
    try:
        yield server
    finally:
        server.clear()
        server.stop()
        werkzeug_log.setLevel(level)


class _QuickStopHTTPServer(HTTPServer):
    """pytest-httpserver, stopping in ~50 ms instead of its default ~0.5 s (the fake's own
    server polls as often); answering is not affected."""

    def thread_target(self) -> None:
        assert self.server is not None
        self.server.serve_forever(poll_interval=0.05)


def load_command(*args: object) -> list[str]:
    return [sys.executable, "-m", "benchmarks.load", *(str(a) for a in args)]


def child_env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    return env


def run_load(*args: object) -> dict[str, Any]:
    """Run the load child to completion and return what it measured."""
    done = subprocess.run(load_command(*args), cwd=ROOT, env=child_env(), capture_output=True,
                          text=True, timeout=600, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"load child failed: {done.stderr.strip()}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def run_generated_suite(directory: Path, test_file: str, variable: str, output: str) -> Any:
    """Run the pytest file a benchmark generated in ``directory`` in a fresh process, which
    writes its measurements as JSON to the file that ``variable`` names; returns them."""
    out = directory / output
    env = child_env()
    env[variable] = str(out)
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:xdist",
               "-p", "no:randomly", "--rootdir", str(directory), test_file]
    done = subprocess.run(command, cwd=directory, env=env, capture_output=True, text=True,
                          timeout=600, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"generated tests failed:\n{done.stdout[-2000:]}")
    return json.loads(out.read_text())
