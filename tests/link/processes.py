"""Real fakeconsul processes for the link's tests: started on free ports, always stopped."""

from __future__ import annotations

import json
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

START_TIMEOUT = 30.0
DEADLINE = 15.0


class Process:
    """A ``fakeconsul`` process; ``url`` is the first address it printed. Its log goes to
    ``log`` when given (a file a test reads while it runs), else to a pipe."""

    def __init__(self, argv: list[str], pattern: str, log: Path | None = None) -> None:
        self.log = log
        handle = None if log is None else log.open("w")
        self.proc = subprocess.Popen(argv, stdout=subprocess.PIPE, text=True,
                                     stderr=subprocess.PIPE if handle is None else handle)
        if handle is not None:
            handle.close()  # the child holds its own copy
        self.url = ""
        deadline = time.monotonic() + START_TIMEOUT
        assert self.proc.stdout is not None
        while time.monotonic() < deadline:
            line = self.proc.stdout.readline()
            if not line:
                break
            match = re.search(pattern, line)
            if match:
                self.url = match.group(match.re.groups)
            if "ready" in line or "agent running" in line:
                return
        self.stop()
        raise RuntimeError(f"{argv} did not start: {self.proc.stderr and self.proc.stderr.read()}")

    @property
    def address(self) -> str:
        return self.url.removeprefix("http://")

    def stop(self, kill: bool = False) -> None:
        if self.proc.poll() is None:
            if kill:
                self.proc.kill()
            else:
                self.proc.terminate()
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        for stream in (self.proc.stdout, self.proc.stderr):
            if stream is not None:
                stream.close()


def serve(name: str, *args: str, port: int = 0, host: str = "127.0.0.1",
          wrap: Callable[[list[str]], list[str]] = list, log: Path | None = None) -> Process:
    """``fakeconsul serve`` of one cluster; ``wrap`` may run it elsewhere (a namespace)."""
    argv = [sys.executable, "-m", "fakeconsul", "serve", "--quiet", "--cluster",
            f"{name}={host}:{port}", *args]
    return Process(wrap(argv), rf"^{name}: (http://\S+)", log)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def agent(datacenter: str, data_dir: str, http_port: int, grpc_tls_port: int) -> Process:
    """``fakeconsul agent`` as a test server would start it: its state kept in ``data_dir``."""
    argv = [sys.executable, "-m", "fakeconsul", "agent", "-datacenter", datacenter,
            "-node", f"node-{datacenter}", "-data-dir", data_dir,
            "-http-port", str(http_port), "-grpc-tls-port", str(grpc_tls_port)]
    process = Process(argv, r"Client Addr: .*")
    process.url = f"http://127.0.0.1:{http_port}"
    return process


def call(url: str, method: str, path: str, body: Any = None) -> tuple[int, Any]:
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url + path, data=data, method=method)
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:
            raw = answer.read()
            return answer.status, json.loads(raw) if raw else None
    except urllib.error.HTTPError as err:
        return err.code, err.read().decode()


def ok(url: str, method: str, path: str, body: Any = None) -> Any:
    status, answer = call(url, method, path, body)
    assert status == 200, answer
    return answer


def until(check: Callable[[], Any], deadline: float = DEADLINE) -> Any:
    """Poll ``check`` until it returns something truthy (another process: real time)."""
    end = time.monotonic() + deadline
    while True:
        value = check()
        if value or time.monotonic() > end:
            return value
        time.sleep(0.05)


def state(url: str, name: str) -> str:
    status, answer = call(url, "GET", f"/v1/peering/{name}")
    return str(answer["State"]) if status == 200 else f"{status}"


def peer(acceptor: Process, dialer: Process, name: str) -> None:
    """Generate on ``acceptor`` (its peer called ``name``), establish on ``dialer``."""
    token = ok(acceptor.url, "POST", "/v1/peering/token", {"PeerName": name})["PeeringToken"]
    ok(dialer.url, "POST", "/v1/peering/establish", {"PeerName": name, "PeeringToken": token})


def running_pair(start: Callable[[str], Process]) -> Iterator[tuple[Process, Process]]:
    """dc1 and dc2 started by ``start``, each stopped at the end whatever happens."""
    first = start("dc1")
    try:
        second = start("dc2")
    except BaseException:
        first.stop()
        raise
    try:
        yield first, second
    finally:
        first.stop()
        second.stop()
