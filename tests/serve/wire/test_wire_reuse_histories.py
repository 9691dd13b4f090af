"""Random histories between reads: a served read, kept and sent again by the server while the
network does not change (serve/reuse.py), always equals the answer the app gives at that moment.

Each step changes something (a token, an establish, a delete on either side, the clock past
heartbeats and timeouts, a cut or healed link, the timing), or nothing; after each step the
same reads are sent over one keep-alive connection and asked of the app directly.
"""

from __future__ import annotations

from datetime import UTC, datetime

from hypothesis import given, settings
from hypothesis import strategies as st
from sizes import scaled
from werkzeug.test import Client
from wire_raw import Raw

from fakeconsul import Cluster, ConsulError, ManualClock, Network, wsgi_app
from fakeconsul.serve.server import ClusterServer

START = datetime(2030, 1, 1, tzinfo=UTC)
READS = ("/v1/peerings", "/v1/peering/p0", "/v1/peering/p1", "/v1/peering/p0?pretty",
         "/v1/peerings?stale")
STEPS = st.one_of(
    st.tuples(st.just("token"), st.sampled_from(["p0", "p1"])),
    st.tuples(st.just("establish"), st.sampled_from(["p0", "p1"])),
    st.tuples(st.just("delete"), st.sampled_from(["dc1", "dc2"]), st.sampled_from(["p0", "p1"])),
    st.tuples(st.just("advance"), st.sampled_from([1, 15, 30, 121])),
    st.tuples(st.just("cut")),
    st.tuples(st.just("heal")),
    st.tuples(st.just("nothing")),
)


def _apply(step: tuple[object, ...], network: Network, clock: ManualClock, dc1: Cluster,
           dc2: Cluster) -> None:
    kind = step[0]
    try:
        if kind == "token":
            dc1.generate_token(str(step[1]))
        elif kind == "establish":
            dc2.establish(str(step[1]), dc1.generate_token(str(step[1])))
        elif kind == "delete":
            (dc1 if step[1] == "dc1" else dc2).delete(str(step[2]))
        elif kind == "advance":
            clock.advance(float(str(step[1])))
        elif kind == "cut":
            network.disconnect("dc1", "dc2")
        elif kind == "heal":
            network.reconnect("dc1", "dc2")
    except ConsulError:
        pass  # refused (a delete of nothing, an establish over an active one): nothing changed


def _served(raw: Raw, path: str) -> tuple[int, bytes]:
    raw.get(path)
    answer = raw.answer()
    head, _, body = answer.partition(b"\r\n\r\n")
    return int(head.split(b" ", 2)[1]), body


def _direct(client: Client, path: str) -> tuple[int, bytes]:
    answer = client.get(path)
    return answer.status_code, answer.get_data()


@settings(max_examples=scaled(40))
@given(st.lists(STEPS, min_size=1, max_size=12))
def test_a_read_sent_again_always_equals_the_app_s_answer(
        steps: list[tuple[object, ...]]) -> None:
    clock = ManualClock(START)
    network = Network(clock=clock)
    dc1, dc2 = network.add_cluster("dc1"), network.add_cluster("dc2")
    server = ClusterServer(dc1)
    server.start()
    raw = Raw(server.host, server.port)
    client = Client(wsgi_app(dc1))
    mismatches = []
    try:
        for step in steps:
            _apply(step, network, clock, dc1, dc2)
            for path in READS:
                served, direct = _served(raw, path), _direct(client, path)
                if served != direct:
                    mismatches.append((step, path, served, direct))
    finally:
        raw.close()
        server.stop()
    server.check()
    assert mismatches == []
