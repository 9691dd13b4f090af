"""Blocking discovery queries (spec §7, §9.4, §9.5): woken by imports as by local writes.

As in test_blocking.py, the write comes from another thread once the request really waits (a
spy on the cluster's ``store.wait_for_change``); every blocked request carries a short ``wait``
as its safety bound, and no test sleeps.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable

import pytest
from answers import json_of
from exports_helpers import EXPORTER_PEER, IMPORTER_PEER, export, ok, peer_both, register
from waiting import Arm
from werkzeug.test import Client

from fakeconsul import Cluster, wsgi_app

SAFETY_WAIT = "2s"
SAFETY_SECONDS = 2.0



@pytest.fixture(autouse=True)
def _peered(client1: Client, client2: Client) -> None:
    peer_both(client1, client2)


def export_web_from(cluster: Cluster) -> Callable[[], None]:
    """Register and export web on ``cluster`` over HTTP, on the helper thread's own client."""

    def run() -> None:
        client = Client(wsgi_app(cluster))
        register(client, "web")
        export(client, "web")

    return run


def test_blocking_health_query_is_woken_by_an_import(
    client2: Client, dc1: Cluster, dc2: Cluster, when_blocked: Arm
) -> None:
    path = f"/v1/health/service/web?peer={IMPORTER_PEER}"
    index = int(ok(client2.get(path)).headers["X-Consul-Index"])
    done = when_blocked(dc2, export_web_from(dc1))

    started = time.monotonic()
    answer = ok(client2.get(f"{path}&index={index}&wait={SAFETY_WAIT}"))
    elapsed = time.monotonic() - started

    done.result()
    assert [e["Service"]["PeerName"] for e in json_of(answer)] == [IMPORTER_PEER]
    assert int(answer.headers["X-Consul-Index"]) > index
    assert elapsed < SAFETY_SECONDS


def test_blocking_health_query_is_woken_by_a_local_write(
    client1: Client, dc1: Cluster, when_blocked: Arm
) -> None:
    index = int(ok(client1.get("/v1/health/service/web")).headers["X-Consul-Index"])
    done = when_blocked(dc1, lambda: register(Client(wsgi_app(dc1)), "web"))

    answer = ok(client1.get(f"/v1/health/service/web?index={index}&wait={SAFETY_WAIT}"))

    done.result()
    assert [e["Service"]["ID"] for e in json_of(answer)] == ["web"]


def test_unrelated_write_does_not_answer_a_blocking_health_query(
    client2: Client, dc2: Cluster, when_blocked: Arm
) -> None:
    path = f"/v1/health/service/web?peer={IMPORTER_PEER}"
    index = int(ok(client2.get(path)).headers["X-Consul-Index"])
    done = when_blocked(dc2, lambda: register(Client(wsgi_app(dc2)), "other"))

    answer = ok(client2.get(f"{path}&index={index}&wait=200ms"))

    done.result()
    assert (json_of(answer), answer.headers["X-Consul-Index"]) == ([], str(index))


def test_blocking_catalog_services_with_peer_is_woken_by_an_import(
    client2: Client, dc1: Cluster, dc2: Cluster, when_blocked: Arm
) -> None:
    path = f"/v1/catalog/services?peer={IMPORTER_PEER}"
    index = int(ok(client2.get(path)).headers["X-Consul-Index"])
    done = when_blocked(dc2, export_web_from(dc1))

    answer = ok(client2.get(f"{path}&index={index}&wait={SAFETY_WAIT}"))

    done.result()
    assert json_of(answer) == {"web": []}


def test_blocking_exported_services_is_woken_by_the_config_write(
    client1: Client, dc1: Cluster, when_blocked: Arm
) -> None:
    index = int(ok(client1.get("/v1/exported-services")).headers["X-Consul-Index"])
    done = when_blocked(dc1, lambda: export(Client(wsgi_app(dc1)), "web"))

    answer = ok(client1.get(f"/v1/exported-services?index={index}&wait={SAFETY_WAIT}"))

    done.result()
    assert json_of(answer) == [{"Service": "web", "Consumers": {"Peers": [EXPORTER_PEER]}}]


def test_blocking_config_entry_read_waits_for_it_to_appear(
    client1: Client, dc1: Cluster, when_blocked: Arm
) -> None:
    index = int(ok(client1.get("/v1/config/exported-services")).headers["X-Consul-Index"])
    done = when_blocked(dc1, lambda: export(Client(wsgi_app(dc1)), "web"))

    answer = ok(client1.get(
        f"/v1/config/exported-services/default?index={index}&wait={SAFETY_WAIT}"
    ))

    done.result()
    assert json.loads(answer.get_data())["Name"] == "default"
