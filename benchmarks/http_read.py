"""HTTP read throughput: ``GET /v1/peering/:name`` from 8 concurrent clients, against
pytest-httpserver serving the same bytes canned (its default configuration: unthreaded, which
is its fastest).

The fake is served as the pytest plugin serves it (``ClusterServer``, a wall-clock network with
one established peering, so heartbeat timers are pending as in a real test). The clients run in
a child process (``benchmarks.load``); the two servers are measured in alternation and each keeps
its best round.
"""

from __future__ import annotations

from fakeconsul.testing import make_network

from .figures import Figure, Goal
from .measure import Sizes
from .serving import canned_server, fetch, run_load, served

NAME = "http_read"
PATH = "/v1/peering/dc2"
ROUNDS = 4  # alternating rounds; each server keeps its best (the least disturbed)


def _rate(port: int, sizes: Sizes, total: int) -> dict[str, float]:
    result = run_load("throughput", "127.0.0.1", port, PATH, total, sizes.http_clients)
    if result["failed"]:
        raise RuntimeError(f"{result['failed']} requests failed during the throughput run")
    return result


def run(sizes: Sizes) -> list[Figure]:
    network = make_network()
    dc1, dc2 = network.add_cluster("dc1"), network.add_cluster("dc2")
    dc2.establish("dc1", dc1.generate_token("dc2"))
    with served(dc1) as fake_server:
        canned = fetch("127.0.0.1", fake_server.port, PATH)
        assert canned.status == 200, canned
        with canned_server(PATH, canned) as baseline_server:
            fake_best = baseline_best = 0.0
            reconnects = 0.0
            rounds = ROUNDS if sizes.repeats > 1 else 1
            if rounds > 1:  # warm both servers up (imports, first-request caches)
                warm = max(sizes.http_requests // 10, sizes.http_clients)
                _rate(fake_server.port, sizes, warm)
                _rate(baseline_server.port, sizes, warm)
            for _ in range(rounds):
                fake = _rate(fake_server.port, sizes, sizes.http_requests)
                baseline = _rate(baseline_server.port, sizes, sizes.http_requests)
                fake_best = max(fake_best, fake["per_second"])
                baseline_best = max(baseline_best, baseline["per_second"])
                reconnects = fake["reconnects"]
    return [
        Figure(NAME, f"GET {PATH}, {sizes.http_clients} clients", "req/s", fake_best,
               baseline_best, "pytest-httpserver (as configured by default), same bytes canned",
               Goal("ratio", ">=", 0.9),
               note=f"{len(canned.body)} B body; {reconnects:.0f} reconnects "
                    f"(werkzeug closes each connection)"),
    ]
