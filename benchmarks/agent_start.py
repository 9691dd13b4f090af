"""``consul agent -config-file`` through the shim until the first answer (against the cost of
starting Python at all), and a peering lifecycle between two processes: token, both ACTIVE,
delete, TERMINATED."""

from __future__ import annotations

import json
import re
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

from fakeconsul.serve.shim import write_shim

from .figures import Figure
from .measure import Sizes

NAME = "agent"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _call(url: str, method: str = "GET", body: Any = None) -> Any:
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, method=method)
    with urllib.request.urlopen(request, timeout=10) as answer:
        raw = answer.read()
        return json.loads(raw) if raw else None


def _first_answer(shim: Path, folder: Path) -> float:
    port = _free_port()
    config = folder / "agent.json"
    config.write_text(json.dumps({"datacenter": "dc1", "node_name": "bench", "data_dir":
                                  str(folder / "data"), "ports": {"http": port, "grpc_tls": -1}}))
    started = time.perf_counter()
    proc = subprocess.Popen([str(shim), "agent", "-config-file", str(config)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        while True:
            try:
                _call(f"http://127.0.0.1:{port}/v1/status/leader")
                return time.perf_counter() - started
            except (urllib.error.URLError, ConnectionError):
                time.sleep(0.005)
    finally:
        proc.terminate()
        proc.wait(5)


def _serve(name: str) -> tuple[subprocess.Popen[str], str]:
    proc = subprocess.Popen([sys.executable, "-m", "fakeconsul", "serve", "--quiet",
                             "--cluster", f"{name}=127.0.0.1:0"], stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, text=True)
    assert proc.stdout is not None
    for line in proc.stdout:
        match = re.match(rf"{name}: (\S+)", line)
        if match:
            return proc, match.group(1)
    raise RuntimeError(f"{name} did not start")


def _until(check: Any) -> None:
    while not check():
        time.sleep(0.002)


def _state(url: str) -> str:
    try:
        return str(_call(url)["State"])
    except urllib.error.HTTPError:
        return "gone"


def _lifecycle(dc1: str, dc2: str, n: int) -> float:
    started = time.perf_counter()
    name = f"bench-{n}"
    token = _call(dc1 + "/v1/peering/token", "POST", {"PeerName": name})["PeeringToken"]
    _call(dc2 + "/v1/peering/establish", "POST", {"PeerName": name, "PeeringToken": token})
    _until(lambda: _state(f"{dc1}/v1/peering/{name}") == _state(f"{dc2}/v1/peering/{name}")
           == "ACTIVE")
    _call(f"{dc1}/v1/peering/{name}", "DELETE")
    _until(lambda: _state(f"{dc2}/v1/peering/{name}") == "TERMINATED")
    return time.perf_counter() - started


def run(sizes: Sizes) -> list[Figure]:
    repeats = max(1, min(sizes.repeats, 5))
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        shim = write_shim(folder / "bin")
        start = min(_first_answer(shim, folder) for _ in range(repeats))
    python = min(_timed([sys.executable, "-c", "pass"]) for _ in range(repeats))
    first, dc1 = _serve("dc1")
    second, dc2 = _serve("dc2")
    try:
        lifecycle = min(_lifecycle(dc1, dc2, n) for n in range(repeats))
    finally:
        for proc in (first, second):
            proc.terminate()
            proc.wait(5)
    return [
        Figure(NAME, "consul agent -config-file (shim) to first answer", "ms", start * 1000,
               python * 1000, "python -c pass"),
        Figure(NAME, "token, both ACTIVE, delete, TERMINATED between two processes", "ms",
               lifecycle * 1000, None, ""),
    ]


def _timed(argv: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run(argv, check=True)
    return time.perf_counter() - started
