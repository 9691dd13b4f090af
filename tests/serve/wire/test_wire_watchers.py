"""Blocked queries held without a thread each: one run per write, the same bytes to every client."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from wire_raw import Raw

from fakeconsul import Cluster
from fakeconsul.serve.server import ClusterServer


@pytest.fixture(autouse=True)
def one_peering(cluster: Cluster) -> None:
    cluster.generate_token("dc0")  # an empty table's index is 0, which never blocks


@pytest.fixture
def opened() -> Iterator[list[Raw]]:
    clients: list[Raw] = []
    yield clients
    for client in clients:
        client.close()


def _blocked(server: ClusterServer, path: str, count: int, opened: list[Raw]) -> list[Raw]:
    clients = [Raw(server.host, server.port) for _ in range(count)]
    opened.extend(clients)
    for client in clients:
        client.get(path)
    assert server.wait_for_watching(count)
    return clients


def test_a_blocked_query_holds_no_thread(cluster: Cluster, opened: list[Raw]) -> None:
    server = ClusterServer(None, max_conns_per_client=0)
    server.start()
    server.attach(cluster)
    try:
        _, index = cluster.list_with_index()
        for held in range(1, 21):  # one after another: each first run may reuse one worker
            client = Raw(server.host, server.port)
            opened.append(client)
            client.get(f"/v1/peerings?index={index}&wait=5s")
            assert server.wait_for_watching(held)
        # 20 requests held; a request may come while the last worker is still finishing up
        assert server.worker_threads <= 2
    finally:
        server.stop()


def test_every_watcher_gets_the_same_bytes_after_one_write(
    cluster: Cluster, server: ClusterServer, opened: list[Raw]
) -> None:
    _, index = cluster.list_with_index()
    clients = _blocked(server, f"/v1/peerings?index={index}&wait=5s", 3, opened)
    cluster.generate_token("dc2")
    answers = {client.answer() for client in clients}
    assert (len(answers), b"\r\nX-Consul-Index: %d\r\n" % (index + 1) in answers.pop()) == (
        1, True)


def test_identical_watchers_are_evaluated_once_per_write(
    cluster: Cluster, server: ClusterServer, monkeypatch: pytest.MonkeyPatch,
    opened: list[Raw],
) -> None:
    _, index = cluster.list_with_index()
    clients = _blocked(server, f"/v1/peerings?index={index}&wait=5s", 4, opened)
    runs = []
    list_with_index = cluster.list_with_index

    def counted(**kwargs: str) -> object:
        runs.append(1)
        return list_with_index(**kwargs)

    monkeypatch.setattr(cluster, "list_with_index", counted)
    cluster.generate_token("dc2")
    for client in clients:
        client.answer()
    assert len(runs) == 1


def test_a_watcher_that_hangs_up_is_forgotten(
    cluster: Cluster, server: ClusterServer, opened: list[Raw]
) -> None:
    _, index = cluster.list_with_index()
    (client,) = _blocked(server, f"/v1/peerings?index={index}&wait=5s", 1, opened)
    client.close()
    assert server.wait_for_watching(0)


def test_a_wait_that_runs_out_answers_with_the_same_index(
    cluster: Cluster, server: ClusterServer, opened: list[Raw]
) -> None:
    _, index = cluster.list_with_index()
    (client,) = _blocked(server, f"/v1/peerings?index={index}&wait=100ms", 1, opened)
    answer = client.answer()
    assert (answer[:15], b"\r\nX-Consul-Index: %d\r\n" % index in answer) == (
        b"HTTP/1.1 200 OK", True)


def test_a_gzipped_watch_answer_is_gzipped_for_every_watcher(
    cluster: Cluster, server: ClusterServer, opened: list[Raw]
) -> None:
    _, index = cluster.list_with_index()
    clients = [Raw(server.host, server.port) for _ in range(2)]
    opened.extend(clients)
    for client in clients:
        client.get(f"/v1/peerings?index={index}&wait=5s", "Accept-Encoding: gzip")
    assert server.wait_for_watching(2)
    cluster.generate_token("dc2")
    heads = {client.answer().partition(b"\r\n\r\n")[0] for client in clients}
    assert [b"\r\nContent-Encoding: gzip\r\n" in head for head in heads] == [True]
