"""The fixtures as a downstream suite sees them: each one, clean per test, pooled, xdist, -p no:."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from fakeconsul.testing import ServedCluster, ServedPair

Run = Callable[..., pytest.RunResult]

# A downstream test file that uses every fixture through plain HTTP, as a user's client would.
DOWNSTREAM = """
import json
import urllib.request

from fakeconsul import PeeringState


def get(url):
    with urllib.request.urlopen(url, timeout=5) as answer:
        return answer.status, json.loads(answer.read())


def post(url, body):
    request = urllib.request.Request(url, data=json.dumps(body).encode(), method="POST")
    with urllib.request.urlopen(request, timeout=5) as answer:
        return answer.status, json.loads(answer.read())


def test_fake_consul(fake_consul):
    host, port = fake_consul.address.split(":")
    assert (host, fake_consul.url) == ("127.0.0.1", f"http://127.0.0.1:{port}")
    assert fake_consul.datacenter == "dc1"
    status, token = post(fake_consul.url + "/v1/peering/token", {"PeerName": "other"})
    assert status == 200 and token["PeeringToken"]
    assert fake_consul.read("other").state is PeeringState.PENDING


def test_fake_consul_pair(fake_consul_pair):
    dc1, dc2 = fake_consul_pair
    fake_consul_pair.peer()
    assert get(dc1.url + "/v1/peering/dc2")[1]["State"] == "ACTIVE"
    assert get(dc2.url + "/v1/peering/dc1")[1]["State"] == "ACTIVE"


def test_fake_consul_network(fake_consul_network):
    east = fake_consul_network.add_cluster("east")
    west = fake_consul_network.add_cluster("west")
    _, answer = post(east.url + "/v1/peering/token", {"PeerName": "west"})
    body = {"PeerName": "east", "PeeringToken": answer["PeeringToken"]}
    assert post(west.url + "/v1/peering/establish", body) == (200, {})
    assert get(east.url + "/v1/peerings")[1][0]["State"] == "ACTIVE"
"""


def test_a_downstream_file_using_each_fixture_passes_under_w_error(
    pytester: pytest.Pytester, run: Run
) -> None:
    pytester.makepyfile(DOWNSTREAM)
    run("-W", "error").assert_outcomes(passed=3)


def test_a_downstream_file_passes_under_xdist(
    pytester: pytest.Pytester, run_subprocess: Run
) -> None:
    pytester.makepyfile(DOWNSTREAM)
    result = run_subprocess("-n", "2", "-W", "error")
    result.assert_outcomes(passed=3)


def test_each_test_starts_with_clean_clusters(pytester: pytest.Pytester, run: Run) -> None:
    pytester.makepyfile("""
        def test_first(fake_consul_pair):
            fake_consul_pair.peer()

        def test_second(fake_consul_pair):
            dc1, dc2 = fake_consul_pair
            assert (dc1.list(), dc2.list()) == ([], [])
    """)
    run().assert_outcomes(passed=2)


def test_servers_are_started_once_per_session(pytester: pytest.Pytester, run: Run) -> None:
    pytester.makepyfile("""
        import pytest

        seen = []

        @pytest.mark.parametrize("run", range(4))
        def test_pair(run, fake_consul_pair, fakeconsul_server_pool):
            dc1, dc2 = fake_consul_pair
            seen.append((len(fakeconsul_server_pool), dc1.url, dc2.url))
            assert seen == [seen[0]] * len(seen)
            assert seen[0][0] == 2
    """)
    run().assert_outcomes(passed=4)


def test_p_no_fakeconsul_disables_the_fixtures(pytester: pytest.Pytester, run: Run) -> None:
    pytester.makepyfile("""
        def test_uses(fake_consul):
            pass
    """)
    result = run("-p", "no:fakeconsul")
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*fixture 'fake_consul' not found*"])


def test_the_marker_is_declared(run: Run) -> None:
    result = run("--strict-markers", "--markers")
    result.stdout.fnmatch_lines(["@pytest.mark.fakeconsul(clock_start=None, **timing):*"])


def test_pair_peer_names_each_side_after_the_other_datacenter(
    fake_consul_pair: ServedPair,
) -> None:
    accepted, dialed = fake_consul_pair.peer()
    assert (accepted.name, dialed.name) == ("dc2", "dc1")


def test_pair_peer_takes_other_names(fake_consul_pair: ServedPair) -> None:
    dc1, dc2 = fake_consul_pair
    fake_consul_pair.peer("to-dc2", "to-dc1")
    assert ([p.name for p in dc1.list()], [p.name for p in dc2.list()]) == (
        ["to-dc2"], ["to-dc1"]
    )


def test_a_test_asking_for_both_gets_one_dc1(
    fake_consul: ServedCluster, fake_consul_pair: ServedPair
) -> None:
    assert fake_consul is fake_consul_pair.dc1


def test_a_downstream_conftest_plugin_module_does_not_hide_the_fixtures(
    pytester: pytest.Pytester, run_subprocess: Run
) -> None:
    # The entry point names fakeconsul.pytest_plugin, so a repository's own top-level
    # conftest_plugin.py (first on sys.path) is not mistaken for ours.
    pytester.makepyfile(conftest_plugin="VALUE = 'the downstream project'\n")
    pytester.makepyfile(test_it="def test_it(fake_consul):\n    assert fake_consul.url\n")

    run_subprocess().assert_outcomes(passed=1)
