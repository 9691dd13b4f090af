"""Many clients at once over real sockets: no exception, no deadlock, no acknowledged write lost.

Eight threads send mixed peering calls to a served pair (dc1 accepts, dc2 dials). Each thread
owns some names and keeps a ledger of what its acknowledged writes made exist; it also fights
over a few shared names, whose answers may be any Consul answer. Every answer must be shaped like
Consul's; each thread's reads must agree with its ledger and never see an index go back; the
whole run has a time bound; and at the end both clusters hold exactly what the ledgers say.
"""

from __future__ import annotations

import http.client
import json
import random
import threading
import time
from dataclasses import dataclass, field
from typing import Any

import schema_check
from sizes import is_long

from fakeconsul.testing import ServedCluster, ServedPair

THREADS = 8
SHARED = ("shared-0", "shared-1", "shared-2")
OWNED = 3  # names per thread and per cluster
BOUND_SECONDS = 600.0  # a deadlock fails the test instead of hanging it
SCHEMA_SAMPLE = 8  # one answer in this many is checked against its schema


def operations_per_thread() -> int:
    return 2000 if is_long() else 150


class Refused(Exception):
    """A non-200 answer."""


@dataclass
class Client:
    cluster: ServedCluster
    last_index: int = 0
    answers: int = 0

    def checks_schema(self) -> bool:
        self.answers += 1
        return self.answers % SCHEMA_SAMPLE == 1

    def call(self, method: str, path: str, body: object = None) -> tuple[int, Any, int | None]:
        connection = http.client.HTTPConnection(self.cluster.server.host,
                                                self.cluster.server.port, timeout=60)
        try:
            data = None if body is None else json.dumps(body)
            connection.request(method, path, body=data)
            response = connection.getresponse()
            raw, headers = response.read(), dict(response.getheaders())
        finally:
            connection.close()
        if self.checks_schema():  # a sample: the schemas have their own tests, time counts here
            found = schema_check.problem(method, path.partition("?")[0], response.status,
                                         headers, raw)
            assert found is None, found
        if response.status != 200:
            text = raw.decode("utf-8")
            assert response.status in (400, 403, 404, 500), (response.status, text)
            assert schema_check.is_consul_error_text(text), text
            return response.status, text, None
        index = headers.get("X-Consul-Index")
        value = json.loads(raw) if raw else None
        return 200, value, None if index is None else int(index)

    def read_index(self, path: str) -> tuple[int, Any]:
        status, value, index = self.call("GET", path)
        if index is not None and path.startswith("/v1/peerings"):
            # The peering table's index only grows; this thread's reads must see it so.
            assert index >= self.last_index, (index, self.last_index)
            self.last_index = index
        return status, value


@dataclass
class Worker:
    number: int
    dc1: Client
    dc2: Client
    rng: random.Random
    acceptors: set[str] = field(default_factory=set)  # on dc1, by this thread's acknowledged writes
    dialers: set[str] = field(default_factory=set)  # on dc2
    used_tokens: list[str] = field(default_factory=list)

    def name(self, kind: str) -> str:
        return f"t{self.number}-{kind}-{self.rng.randrange(OWNED)}"

    def step(self) -> None:
        action = self.rng.choice([self.generate, self.peer, self.read, self.listing,
                                  self.delete, self.reuse, self.block, self.contend])
        action()

    def generate(self) -> str:
        name = self.name("a")
        status, value, _ = self.dc1.call("POST", "/v1/peering/token", {"PeerName": name})
        assert status == 200, value
        self.acceptors.add(name)
        return str(value["PeeringToken"])

    def peer(self) -> None:
        token, name = self.generate(), self.name("d")
        status, value, _ = self.dc2.call("POST", "/v1/peering/establish",
                                         {"PeerName": name, "PeeringToken": token})
        assert status == 200, value
        self.dialers.add(name)
        self.used_tokens.append(token)

    def read(self) -> None:
        client, owned, name = self.rng.choice(
            [(self.dc1, self.acceptors, self.name("a")), (self.dc2, self.dialers, self.name("d"))])
        status, value = client.read_index(f"/v1/peering/{name}")
        assert (status == 200) == (name in owned), (name, status, value)

    def listing(self) -> None:
        for client, owned in ((self.dc1, self.acceptors), (self.dc2, self.dialers)):
            status, value = client.read_index("/v1/peerings")
            assert status == 200
            mine = {p["Name"] for p in value if p["Name"].startswith(f"t{self.number}-")}
            assert mine == owned, (mine, owned)  # no acknowledged write lost, none invented

    def delete(self) -> None:
        client, owned, name = self.rng.choice(
            [(self.dc1, self.acceptors, self.name("a")), (self.dc2, self.dialers, self.name("d"))])
        status, value, _ = client.call("DELETE", f"/v1/peering/{name}")
        assert status == 200, value
        owned.discard(name)  # no deletion delay: gone once the call returns

    def reuse(self) -> None:
        if not self.used_tokens:
            return
        status, value, _ = self.dc2.call("POST", "/v1/peering/establish", {
            "PeerName": f"t{self.number}-reuse", "PeeringToken": self.rng.choice(self.used_tokens)})
        assert (status, value) == (403, "a new peering "
                                        "token must be generated: invalid peering establishment "
                                        "secret")
        self.dialers.add(f"t{self.number}-reuse")  # the refused exchange leaves a dialer behind

    def block(self) -> None:
        status, _ = self.dc1.read_index(f"/v1/peerings?index={self.dc1.last_index}&wait=1ms")
        assert status == 200

    def contend(self) -> None:
        name = self.rng.choice(SHARED)
        roll = self.rng.random()
        if roll < 0.4:
            status, value, _ = self.dc1.call("POST", "/v1/peering/token", {"PeerName": name})
            if status == 200 and self.rng.random() < 0.7:
                self.dc2.call("POST", "/v1/peering/establish",
                              {"PeerName": name, "PeeringToken": value["PeeringToken"]})
        elif roll < 0.7:
            self.rng.choice([self.dc1, self.dc2]).call("DELETE", f"/v1/peering/{name}")
        else:
            self.rng.choice([self.dc1, self.dc2]).call("GET", f"/v1/peering/{name}")


def run_workers(pair: ServedPair, operations: int) -> list[Worker]:
    seed = random.randrange(1 << 30)
    workers = [Worker(n, Client(pair.dc1), Client(pair.dc2), random.Random(seed + n))
               for n in range(THREADS)]
    failures: list[tuple[int, BaseException]] = []

    def work(worker: Worker) -> None:
        try:
            for _ in range(operations):
                worker.step()
        except BaseException as err:  # reported below, with the seed to replay it
            failures.append((worker.number, err))

    threads = [threading.Thread(target=work, args=(w,), daemon=True) for w in workers]
    deadline = time.monotonic() + BOUND_SECONDS
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(max(0.0, deadline - time.monotonic()))
    stuck = [t.name for t in threads if t.is_alive()]
    assert not stuck, f"threads still running after {BOUND_SECONDS}s (deadlock?): {stuck}"
    if failures:
        number, err = failures[0]
        raise AssertionError(f"worker {number} failed (seed {seed}): {err!r}") from err
    return workers


def test_concurrent_clients_lose_nothing(fake_consul_pair: ServedPair) -> None:
    workers = run_workers(fake_consul_pair, operations_per_thread())

    dc1, dc2 = fake_consul_pair.dc1, fake_consul_pair.dc2
    names1 = {p.name for p in dc1.list()}
    names2 = {p.name for p in dc2.list()}
    for worker in workers:
        prefix = f"t{worker.number}-"
        assert {n for n in names1 if n.startswith(prefix)} == worker.acceptors
        assert {n for n in names2 if n.startswith(prefix)} == worker.dialers
    for peering in dc2.list():
        if peering.state.value != "ACTIVE":
            continue
        stream = dc2.network.network.stream_for(dc2.cluster, peering.id)
        assert stream is not None and stream.acceptor is dc1.cluster
        accepted = dc1.cluster.store.peering_by_id(stream.acceptor_peering_id)
        assert accepted is not None
        shown = dc1.read(accepted.name)
        assert shown is not None and shown.state.value == "ACTIVE", peering.name
