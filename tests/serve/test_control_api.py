"""The control API under /_fakeconsul/: state, reset, clock, timing, faults, injections."""

from __future__ import annotations

import json
import time
from datetime import timedelta

import pytest
from serve_helpers import START, answer, call
from werkzeug.test import Client

from fakeconsul import Cluster, ManualClock, Network, PeeringState, wsgi_app


def _peer(dc1: Cluster, dc2: Cluster) -> None:
    dc2.establish("dc1", dc1.generate_token("dc2"))


def _peering(state: dict[str, object], cluster: str, name: str) -> dict[str, object]:
    clusters = {c["Name"]: c for c in state["Clusters"]}  # type: ignore[attr-defined]
    peerings = {p["Name"]: p for p in clusters[cluster]["Peerings"]}
    result: dict[str, object] = peerings[name]
    return result


# --- state -----------------------------------------------------------------------------------


def test_state_lists_every_cluster_in_order(client: Client) -> None:
    state = answer(client, "GET", "/_fakeconsul/state")
    assert [(c["Name"], c["Up"], c["Peerings"]) for c in state["Clusters"]] == [
        ("dc1", True, []), ("dc2", True, []),
    ]


def test_state_shows_stored_and_shown_state(client: Client, dc1: Cluster, dc2: Cluster) -> None:
    _peer(dc1, dc2)
    peering = _peering(answer(client, "GET", "/_fakeconsul/state"), "dc1", "dc2")
    assert (peering["State"], peering["StoredState"], peering["Role"], peering["PeerCluster"]) == (
        "ACTIVE", "PENDING", "acceptor", "dc2",
    )


def test_state_shows_the_simulated_stream(client: Client, dc1: Cluster, dc2: Cluster) -> None:
    _peer(dc1, dc2)
    peering = _peering(answer(client, "GET", "/_fakeconsul/state"), "dc2", "dc1")
    assert peering["Stream"] == {
        "Dialer": "dc2", "Acceptor": "dc1", "Connected": True, "LinkLost": False,
        "Failures": 0, "LastError": "",
    }


def test_state_lists_pending_timers(client: Client, network: Network, dc1: Cluster,
                                    dc2: Cluster) -> None:
    network.timing.update(connect_delay=5)
    _peer(dc1, dc2)
    state = answer(client, "GET", "/_fakeconsul/state")
    assert state["Timers"] == [
        {"Due": "2024-05-01T10:20:35Z", "Kind": "dial", "Cluster": "dc2", "Peering": "dc1"},
    ]


def test_state_shows_the_clock_and_timing(client: Client) -> None:
    state = answer(client, "GET", "/_fakeconsul/state")
    assert (state["Clock"], state["Timing"]) == (
        {"Now": "2024-05-01T10:20:30Z", "Kind": "manual"},
        {"ConnectDelay": 0.0, "DeletionDelay": 0.0, "HeartbeatInterval": 15.0,
         "HeartbeatTimeout": 120.0, "KeepaliveTimeout": 40.0,
         "EstablishRetryWindow": 0.0},
    )


def test_state_with_an_old_version_answers_at_once(client: Client, dc1: Cluster) -> None:
    before = answer(client, "GET", "/_fakeconsul/state")["Version"]
    dc1.generate_token("dc2")
    after = answer(client, "GET", f"/_fakeconsul/state?version={before}&wait=10s")
    assert after["Version"] != before


def test_state_with_the_current_version_blocks_for_wait(client: Client) -> None:
    version = answer(client, "GET", "/_fakeconsul/state")["Version"]
    started = time.monotonic()
    again = answer(client, "GET", f"/_fakeconsul/state?version={version}&wait=150ms")
    assert (again["Version"], time.monotonic() - started >= 0.15) == (version, True)


# --- reset -----------------------------------------------------------------------------------


def test_reset_empties_the_network(client: Client, network: Network, dc1: Cluster,
                                   dc2: Cluster) -> None:
    _peer(dc1, dc2)
    network.disconnect(dc1, dc2)
    answer(client, "POST", "/_fakeconsul/reset")
    state = answer(client, "GET", "/_fakeconsul/state")
    assert (
        [c["Peerings"] for c in state["Clusters"]], state["Timers"], state["Disconnected"]
    ) == ([[], []], [], [])


def test_reset_restores_the_startup_timing(client: Client, network: Network) -> None:
    answer(client, "PUT", "/_fakeconsul/timing", {"ConnectDelay": 9})
    answer(client, "POST", "/_fakeconsul/reset")
    assert network.timing.connect_delay == 0


def test_reset_brings_stopped_clusters_back(client: Client, network: Network,
                                            dc2: Cluster) -> None:
    network.take_down(dc2)
    answer(client, "POST", "/_fakeconsul/reset")
    assert dc2.is_up


def test_reset_drops_injected_responses(client: Client, dc2: Cluster) -> None:
    wsgi_app(dc2).inject("GET", "/v1/peerings", 503, "no")
    answer(client, "POST", "/_fakeconsul/reset")
    assert len(wsgi_app(dc2).injections) == 0


# --- clock and timing ------------------------------------------------------------------------


def test_clock_reads_rfc3339(client: Client) -> None:
    assert answer(client, "GET", "/_fakeconsul/clock") == {"Now": "2024-05-01T10:20:30Z"}


def test_advance_moves_the_clock(client: Client, clock: ManualClock) -> None:
    answer(client, "POST", "/_fakeconsul/clock/advance", {"Seconds": 31})
    assert clock.now() == START + timedelta(seconds=31)


def test_advance_answers_the_new_time(client: Client) -> None:
    body = answer(client, "POST", "/_fakeconsul/clock/advance", {"Seconds": 1.5})
    assert body == {"Now": "2024-05-01T10:20:31.5Z"}


def test_advance_fires_what_is_due(client: Client, network: Network, dc1: Cluster,
                                   dc2: Cluster) -> None:
    network.timing.update(connect_delay=5)
    _peer(dc1, dc2)
    answer(client, "POST", "/_fakeconsul/clock/advance", {"Seconds": 5})
    assert dc1.read("dc2").state is PeeringState.ACTIVE  # type: ignore[union-attr]


def test_timing_put_changes_only_the_given_fields(client: Client) -> None:
    body = answer(client, "PUT", "/_fakeconsul/timing", {"ConnectDelay": 5, "HeartbeatTimeout": 30})
    assert body == {"ConnectDelay": 5.0, "DeletionDelay": 0.0, "HeartbeatInterval": 15.0,
                    "HeartbeatTimeout": 30.0, "KeepaliveTimeout": 40.0,
                    "EstablishRetryWindow": 0.0}


def test_timing_get_reads_the_network_timing(client: Client, network: Network) -> None:
    network.timing.update(deletion_delay=7)
    assert answer(client, "GET", "/_fakeconsul/timing")["DeletionDelay"] == 7.0


# --- faults ----------------------------------------------------------------------------------


def test_disconnect_fails_the_stream_after_the_heartbeat_timeout(
    client: Client, clock: ManualClock, dc1: Cluster, dc2: Cluster
) -> None:
    _peer(dc1, dc2)
    answer(client, "POST", "/_fakeconsul/disconnect", {"Clusters": ["dc1", "dc2"]})
    clock.advance(120)
    assert dc2.read("dc1").state is PeeringState.FAILING  # type: ignore[union-attr]


def test_reconnect_mends_the_link(client: Client, network: Network, dc1: Cluster,
                                  dc2: Cluster) -> None:
    network.disconnect(dc1, dc2)
    answer(client, "POST", "/_fakeconsul/reconnect", {"Clusters": ["dc2", "dc1"]})
    assert not network.is_disconnected(dc1, dc2)


def test_take_down_stops_a_cluster(client: Client, dc2: Cluster) -> None:
    answer(client, "POST", "/_fakeconsul/take-down", {"Cluster": "dc2"})
    assert not dc2.is_up


def test_bring_up_starts_a_cluster(client: Client, network: Network, dc2: Cluster) -> None:
    network.take_down(dc2)
    answer(client, "POST", "/_fakeconsul/bring-up", {"Cluster": "dc2"})
    assert dc2.is_up


def test_inject_answers_the_next_request_of_another_cluster(client: Client, dc2: Cluster) -> None:
    answer(client, "POST", "/_fakeconsul/inject", {
        "Cluster": "dc2", "Method": "GET", "Path": "/v1/peerings", "Status": 503,
        "Body": "try later", "Headers": {"Retry-After": "1"},
    })
    response = Client(wsgi_app(dc2)).get("/v1/peerings")
    assert (response.status_code, response.get_data(as_text=True),
            response.headers["Retry-After"]) == (503, "try later", "1")


def test_inject_counts_down_its_times(client: Client, dc1: Cluster) -> None:
    answer(client, "POST", "/_fakeconsul/inject",
           {"Path": "/v1/peerings", "Status": 500, "Times": 2})
    statuses = [client.get("/v1/peerings").status_code for _ in range(3)]
    assert statuses == [500, 500, 200]


def test_inject_delete_drops_every_pending_injection(client: Client, dc2: Cluster) -> None:
    wsgi_app(dc2).inject("GET", "/v1/peerings", 503)
    answer(client, "DELETE", "/_fakeconsul/inject")
    assert len(wsgi_app(dc2).injections) == 0


# --- any cluster through any port ------------------------------------------------------------


def test_clusters_path_reaches_another_cluster_api(client: Client, dc2: Cluster) -> None:
    response = call(client, "POST", "/_fakeconsul/clusters/dc2/v1/peering/token",
                    {"PeerName": "dc1"})
    assert (response.status_code, dc2.read("dc1").state) == (  # type: ignore[union-attr]
        200, PeeringState.PENDING,
    )


def test_clusters_path_answers_with_that_cluster_bytes(client: Client, dc2: Cluster) -> None:
    response = client.get("/_fakeconsul/clusters/dc2/v1/peering/nope")
    direct = Client(wsgi_app(dc2)).get("/v1/peering/nope")
    assert (response.status_code, response.get_data()) == (direct.status_code, direct.get_data())


def test_clusters_path_to_a_stopped_cluster_is_503(client: Client, network: Network,
                                                   dc2: Cluster) -> None:
    network.take_down(dc2)
    response = client.get("/_fakeconsul/clusters/dc2/v1/peerings")
    assert (response.status_code, response.get_data(as_text=True)) == (
        503, 'Cluster "dc2" is down; POST /_fakeconsul/bring-up {"Cluster": "dc2"} starts it',
    )


def test_clusters_path_to_an_unknown_cluster_is_404(client: Client) -> None:
    response = client.get("/_fakeconsul/clusters/dc9/v1/peerings")
    assert (response.status_code, response.get_data(as_text=True)) == (
        404, 'No cluster named "dc9" on this network',
    )


# --- bad input -------------------------------------------------------------------------------

SECONDS = '"Seconds" must be a number of seconds from 0 to 315360000'


@pytest.mark.parametrize(("method", "path", "body", "text"), [
    ("POST", "/_fakeconsul/clock/advance", "{", "Request body is not valid JSON: "
     "Expecting property name enclosed in double quotes: line 1 column 2 (char 1)"),
    ("POST", "/_fakeconsul/clock/advance", "[31]", "Request body must be a JSON object"),
    ("POST", "/_fakeconsul/clock/advance", "{}", 'Missing field "Seconds"'),
    ("POST", "/_fakeconsul/clock/advance", {"Seconds": "31"}, SECONDS),
    ("POST", "/_fakeconsul/clock/advance", {"Seconds": -1}, SECONDS),
    ("POST", "/_fakeconsul/clock/advance", {"Seconds": True}, SECONDS),
    ("POST", "/_fakeconsul/clock/advance", {"Seconds": 1e12}, SECONDS),
    ("POST", "/_fakeconsul/clock/advance", {"Seconds": 1, "Minutes": 2},
     'Unknown field "Minutes" (known fields: Seconds)'),
    ("PUT", "/_fakeconsul/timing", {"connect_delay": 5}, 'Unknown field "connect_delay" (known '
     "fields: ConnectDelay, DeletionDelay, HeartbeatInterval, HeartbeatTimeout, "
     "KeepaliveTimeout, EstablishRetryWindow)"),
    ("PUT", "/_fakeconsul/timing", {"ConnectDelay": None},
     '"ConnectDelay" must be a number of seconds from 0 to 315360000'),
    ("PUT", "/_fakeconsul/timing", {"HeartbeatInterval": 0},
     '"HeartbeatInterval" must be more than 0'),
    ("POST", "/_fakeconsul/disconnect", {}, 'Missing field "Clusters"'),
    ("POST", "/_fakeconsul/disconnect", {"Clusters": ["dc1"]},
     '"Clusters" must name two different clusters, like ["dc1", "dc2"]'),
    ("POST", "/_fakeconsul/reconnect", {"Clusters": ["dc1", "dc1"]},
     '"Clusters" must name two different clusters, like ["dc1", "dc2"]'),
    ("POST", "/_fakeconsul/disconnect", {"Clusters": ["dc1", "dc9"]},
     'No cluster named "dc9" on this network'),
    ("POST", "/_fakeconsul/take-down", {}, 'Missing field "Cluster"'),
    ("POST", "/_fakeconsul/take-down", {"Cluster": 1}, '"Cluster" must be a string'),
    ("POST", "/_fakeconsul/bring-up", {"Cluster": "dc9"}, 'No cluster named "dc9" on this network'),
    ("POST", "/_fakeconsul/inject", {"Status": 503}, 'Missing field "Path"'),
    ("POST", "/_fakeconsul/inject", {"Path": "/v1/peerings"}, 'Missing field "Status"'),
    ("POST", "/_fakeconsul/inject", {"Path": "/v1/peerings", "Status": 99},
     '"Status" must be an HTTP status code from 200 to 599'),
    ("POST", "/_fakeconsul/inject", {"Path": "v1/peerings", "Status": 503},
     '"Path" must start with "/" and lie outside /_fakeconsul/'),
    ("POST", "/_fakeconsul/inject", {"Path": "/_fakeconsul/state", "Status": 503},
     '"Path" must start with "/" and lie outside /_fakeconsul/'),
    ("POST", "/_fakeconsul/inject", {"Path": "/v1/peerings", "Status": 503, "Times": 0},
     '"Times" must be a whole number from 1 up'),
    ("POST", "/_fakeconsul/inject", {"Path": "/v1/peerings", "Status": 503, "Method": "GE T"},
     '"Method" must be an HTTP method such as "GET", or "*" for any'),
    ("POST", "/_fakeconsul/inject", {"Path": "/v1/peerings", "Status": 503, "Headers": ["x"]},
     '"Headers" must be an object whose values are strings'),
    ("POST", "/_fakeconsul/reset", {"Everything": True},
     'Unknown field "Everything" (this endpoint takes no fields)'),
    ("GET", "/_fakeconsul/state?version=x&wait=soon", None, "Invalid wait time"),
])
def test_bad_input_is_a_400_naming_the_problem(client: Client, method: str, path: str,
                                               body: object, text: str) -> None:
    response = call(client, method, path, body)
    assert (response.status_code, response.get_data(as_text=True)) == (400, text)


def test_unknown_control_path_is_a_404(client: Client) -> None:
    response = client.get("/_fakeconsul/nothing")
    assert (response.status_code, response.get_data(as_text=True)) == (
        404, "No control endpoint /_fakeconsul/nothing (GET /_fakeconsul/state shows the network)",
    )


def test_wrong_method_is_consul_405(client: Client) -> None:
    response = client.get("/_fakeconsul/reset")
    assert (response.status_code, response.get_data(as_text=True)) == (
        405, "method GET not allowed",
    )


def test_answers_are_json(client: Client) -> None:
    response = client.get("/_fakeconsul/clock")
    assert (response.content_type, json.loads(response.get_data())["Now"]) == (
        "application/json", "2024-05-01T10:20:30Z",
    )
