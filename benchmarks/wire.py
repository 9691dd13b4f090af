"""The server on the wire (fakeconsul/serve): keep-alive throughput, a 1,000-watcher fan-out and
2,000 idle connections, each beside a baseline measured in the same run.

* keep-alive: ``GET /v1/peering/dc2`` from 8 keep-alive clients (``benchmarks.load``, a child
  process) against pytest-httpserver serving the same bytes canned (it closes each connection,
  so its clients reconnect per request, as they did with the fake before); once as served
  (the same request again gets the kept answer: serve/reuse.py) and once with every answer made
  anew, what a read costs when the network changed since the last one.
* fan-out: 1,000 clients blocked on ``/v1/peerings?index=N``, one write, time to each whole
  answer; the floor is one loop in this process writing the same answer's bytes to 1,000 sockets
  that each sent the same request: what any server must pay at least.
* idle: 2,000 connections opened and left idle; the threads they add and the time a new client's
  ``GET`` takes meanwhile, against the same ``GET`` with no idle connection open.
"""

from __future__ import annotations

import socket
import threading
import time

from fakeconsul.serve.server import ClusterServer
from fakeconsul.testing import make_network

from .fanout import Round, _round
from .figures import Figure, Goal
from .measure import Sizes, median
from .serving import canned_server, fetch, run_load

NAME = "wire"
PATH = "/v1/peering/dc2"
ROUNDS = 4


def _served(cluster: object, *, reuse_answers: bool = True) -> ClusterServer:
    server = ClusterServer(cluster, max_conns_per_client=0,  # type: ignore[arg-type]
                           reuse_answers=reuse_answers)
    server.start()
    return server


def _keep_alive(sizes: Sizes) -> list[Figure]:
    """The same read again and again, as a polling client sends it: the server sends its kept
    answer (serve/reuse.py). Beside it, the same load on a server that makes every answer anew,
    what each read costs when the network changed since the last one."""
    network = make_network()
    dc1, dc2 = network.add_cluster("dc1"), network.add_cluster("dc2")
    dc2.establish("dc1", dc1.generate_token("dc2"))
    server = _served(dc1)
    try:
        canned = fetch("127.0.0.1", server.port, PATH)
    finally:
        server.stop()
    kinds = ("fake", "anew", "base")
    best = dict.fromkeys(kinds, 0.0)
    reconnects = dict.fromkeys(kinds, 0.0)
    with canned_server(PATH, canned) as baseline:
        rounds = ROUNDS if sizes.repeats > 1 else 1
        for _ in range(rounds):
            for kind in kinds:
                served = _served(dc1, reuse_answers=kind == "fake") if kind != "base" else None
                port = served.port if served is not None else baseline.port
                try:
                    result = run_load("throughput", "127.0.0.1", port, PATH,
                                      sizes.http_requests, sizes.http_clients)
                finally:
                    if served is not None:
                        served.stop()
                if result["failed"]:
                    raise RuntimeError(f"{result['failed']} requests failed ({kind})")
                best[kind] = max(best[kind], result["per_second"])
                reconnects[kind] = result["reconnects"]
    note = f"reconnects: fake {reconnects['fake']:.0f}, baseline {reconnects['base']:.0f}"
    return [
        Figure(NAME, f"keep-alive GET {PATH}, {sizes.http_clients} clients", "req/s",
               best["fake"], best["base"], "pytest-httpserver serving the same bytes canned",
               Goal("ratio", ">=", 2.5), note=note),
        Figure(NAME, f"keep-alive GET {PATH}, every answer made anew", "req/s", best["anew"],
               best["base"], "pytest-httpserver serving the same bytes canned", None,
               note="ClusterServer(reuse_answers=False): the app runs for each request"),
    ]


class _Floor:
    """The socket floor: accept ``clients`` connections, read one request from each, and on
    ``write()`` send fixed bytes to every one of them from one loop."""

    def __init__(self, clients: int, answer: bytes) -> None:
        self.answer = answer
        self.clients = clients
        self.listener = socket.create_server(("127.0.0.1", 0), backlog=clients)
        self.port = self.listener.getsockname()[1]
        self.ready: list[socket.socket] = []
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    def _accept(self) -> None:
        for _ in range(self.clients):
            sock, _ = self.listener.accept()
            data = b""
            while b"\r\n\r\n" not in data:
                data += sock.recv(65536)
            self.ready.append(sock)

    def write(self) -> None:
        for sock in self.ready:
            sock.sendall(self.answer)

    def close(self) -> None:
        for sock in self.ready:
            sock.close()
        self.listener.close()


def _fan_out(sizes: Sizes) -> list[Figure]:
    watchers = 1000 if sizes.repeats > 1 else 4
    rounds = 3 if sizes.repeats > 1 else 1
    network = make_network()
    dc1, dc2 = network.add_cluster("dc1"), network.add_cluster("dc2")
    dc2.establish("dc1", dc1.generate_token("dc2"))
    server = _served(dc1)
    fake: list[Round] = []
    base: list[Round] = []
    try:
        for number in range(rounds):
            index = dc1.list_with_index()[1]
            fake.append(_round(
                server.port, f"/v1/peerings?index={index}&wait=60s", watchers,
                lambda: server.watching, lambda n=number: dc1.generate_token(f"new-{n}"), 0.05,
            ))
            # The floor writes the answer the fake just gave, byte for byte (Date aside).
            answer = _one_answer(server.port, "/v1/peerings")
            floor = _Floor(watchers, answer)
            try:
                base.append(_round(floor.port, "/v1/peerings", watchers,
                                   lambda f=floor: len(f.ready), floor.write, 0.05))
            finally:
                floor.close()
    finally:
        server.stop()

    def worst(rounds_: list[Round]) -> float:
        return median([max(r.latencies) * 1000 for r in rounds_])

    return [Figure(
        NAME, f"{watchers} watchers, one write: all answered", "ms", worst(fake), worst(base),
        f"one loop writing the same bytes to the same {watchers} sockets",
        Goal("ratio", "<=", 3.0), note=f"median of {rounds} rounds of the last answer's latency",
    )]


def _one_answer(port: int, path: str) -> bytes:
    with socket.create_connection(("127.0.0.1", port)) as sock:
        sock.sendall(f"GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".encode())
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    return data.replace(b"Connection: close\r\n", b"")


def _timed_get(port: int, times: int) -> float:
    best = float("inf")
    for _ in range(times):
        started = time.perf_counter()
        _one_answer(port, PATH)
        best = min(best, time.perf_counter() - started)
    return best * 1000


def _idle(sizes: Sizes) -> list[Figure]:
    count = 2000 if sizes.repeats > 1 else 8
    network = make_network()
    dc1, dc2 = network.add_cluster("dc1"), network.add_cluster("dc2")
    dc2.establish("dc1", dc1.generate_token("dc2"))
    server = _served(dc1)
    held: list[socket.socket] = []
    try:
        alone = _timed_get(server.port, 20)
        threads = threading.active_count()
        for _ in range(count):
            held.append(socket.create_connection(("127.0.0.1", server.port)))
        _timed_get(server.port, 1)  # the loop has accepted every one of them by now
        added = threading.active_count() - threads
        crowded = _timed_get(server.port, 20)
    finally:
        for sock in held:
            sock.close()
        server.stop()
    return [
        Figure(NAME, f"GET while {count} connections sit idle", "ms", crowded, alone,
               "the same GET with no idle connection", Goal("ratio", "<=", 2.0),
               note="best of 20, each on a new connection"),
        Figure(NAME, f"threads added by {count} idle connections", "threads", float(added),
               0.0, "none", Goal("value", "<=", 1)),
    ]


def run(sizes: Sizes) -> list[Figure]:
    return [*_keep_alive(sizes), *_fan_out(sizes), *_idle(sizes)]
