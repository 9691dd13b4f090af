"""Out of file descriptors: the connection idle longest is closed so a new client is served.

The server runs in a child process whose RLIMIT_NOFILE leaves it ten descriptors free; this
process opens more idle connections than that, then one that asks for something.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator

import pytest
from wire_raw import Raw

resource = pytest.importorskip("resource")

FREE = 10
IDLE = 15  # more idle connections than the server has descriptors for

CHILD = f"""
import os, resource, sys
from fakeconsul import Network
from fakeconsul.serve.server import ClusterServer

server = ClusterServer(Network().add_cluster("dc1"))
server.start()
highest = max(int(fd) for fd in os.listdir("/proc/self/fd"))
_, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
resource.setrlimit(resource.RLIMIT_NOFILE, (highest + 1 + {FREE}, hard))
print(server.port, flush=True)
sys.stdin.read()
"""


@pytest.fixture
def port() -> Iterator[int]:
    if not sys.platform.startswith("linux"):
        pytest.skip("counts descriptors in /proc/self/fd")
    with subprocess.Popen([sys.executable, "-c", CHILD], stdin=subprocess.PIPE,
                          stdout=subprocess.PIPE, text=True) as child:
        try:
            assert child.stdout is not None
            yield int(child.stdout.readline())
        finally:
            child.kill()


@pytest.fixture
def idle(port: int) -> Iterator[list[Raw]]:
    opened = [Raw("127.0.0.1", port) for _ in range(IDLE)]
    yield opened
    for raw in opened:
        raw.close()


def test_a_new_client_is_served_while_idle_ones_hold_every_descriptor(
    port: int, idle: list[Raw]
) -> None:
    client = Raw("127.0.0.1", port)
    try:
        client.get("/v1/peerings")
        assert client.answer().split(b"\r\n", 1)[0] == b"HTTP/1.1 200 OK"
    finally:
        client.close()


def test_the_connection_idle_longest_is_the_one_closed(port: int, idle: list[Raw]) -> None:
    client = Raw("127.0.0.1", port)
    try:
        client.get("/v1/peerings")
        client.answer()
        assert idle[0].closed_by_server()
    finally:
        client.close()
