"""Fixtures of the HTTP tests: two clusters on one network and a werkzeug test Client for each.

Requests go straight into ``wsgi_app(cluster)`` (no socket). The app keeps every exception the
fake did not expect in ``wsgi_app.errors`` and answers it with a 500; the hook and the autouse
fixture below turn such an exception into a failure of the test, so a bug in the fake never
hides behind a status code.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Generator, Iterator
from datetime import datetime, timezone
from typing import Any

import pytest
import schema_check
from answers import json_of
from waiting import when_blocked  # noqa: F401  (a fixture, shared by the blocking tests)
from werkzeug.test import Client, TestResponse
from werkzeug.wrappers import Request, Response

from fakeconsul import Cluster, ManualClock, Network, wsgi_app
from fakeconsul.http.app import ConsulApp

# Whole seconds, so timestamps show without a fraction unless a test advances by one.
START = datetime(2024, 5, 1, 10, 20, 30, tzinfo=timezone.utc)


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(START)


@pytest.fixture
def network(clock: ManualClock) -> Network:
    return Network(clock=clock)


@pytest.fixture
def dc1(network: Network) -> Cluster:
    return network.add_cluster("dc1")


@pytest.fixture
def dc2(network: Network) -> Cluster:
    return network.add_cluster("dc2")


@pytest.fixture
def client1(dc1: Cluster) -> Client:
    return Client(wsgi_app(dc1))


@pytest.fixture
def client2(dc2: Cluster) -> Client:
    return Client(wsgi_app(dc2))


def _fake_errors(network: Network) -> list[tuple[str, BaseException]]:
    found: list[tuple[str, BaseException]] = []
    for cluster in network:
        app = wsgi_app(cluster)
        found.extend((cluster.name, err) for err in app.errors)
        app.errors.clear()
    return found


def _raise_fake_errors(errors: list[tuple[str, BaseException]]) -> None:
    if errors:
        listed = "; ".join(f"{name}: {type(err).__name__}: {err}" for name, err in errors)
        raise AssertionError(f"the fake raised unexpectedly: {listed}") from errors[0][1]


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Generator[None, object, object]:
    """An unexpected exception inside the fake fails the test in its call phase."""
    try:
        return (yield)
    finally:
        network = getattr(item, "funcargs", {}).get("network")
        if isinstance(network, Network):
            _raise_fake_errors(_fake_errors(network))


@pytest.fixture(autouse=True)
def _no_unexpected_fake_errors(network: Network, dc1: Cluster, dc2: Cluster) -> Iterator[None]:
    """Whatever the call phase did not report (an error raised during teardown) fails here."""
    yield
    _raise_fake_errors(_fake_errors(network))


@pytest.fixture(autouse=True)
def _answers_fit_schemas(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Every JSON answer the fake gives (injected ones aside) fits fakeconsul/schemas."""
    misfits: list[str] = []
    dispatch = ConsulApp._dispatch

    def checked(app: ConsulApp, request: Request) -> Response:
        response = dispatch(app, request)
        found = schema_check.problem(request.method, request.path, response.status_code,
                                     response.headers, response.get_data())
        if found is not None:
            misfits.append(found)
        return response

    monkeypatch.setattr(ConsulApp, "_dispatch", checked)
    yield
    assert not misfits, "\n".join(misfits)


# --- small helpers shared as fixtures ---------------------------------------------------------


@pytest.fixture
def generate(client1: Client) -> Callable[..., TestResponse]:
    """POST /v1/peering/token on dc1 with a JSON body built from keyword arguments."""

    def post(client: Client = client1, **body: Any) -> TestResponse:
        return client.post("/v1/peering/token", data=json.dumps(body))

    return post


@pytest.fixture
def peer(client1: Client, client2: Client) -> Callable[..., None]:
    """dc1 (acceptor) names its peering ``dc2``; dc2 (dialer) names its peering ``dc1``."""

    def run(acceptor_name: str = "dc2", dialer_name: str = "dc1", **establish: Any) -> None:
        answer = client1.post("/v1/peering/token", data=json.dumps({"PeerName": acceptor_name}))
        assert answer.status_code == 200, answer.text
        body = {
            "PeerName": dialer_name,
            "PeeringToken": json_of(answer)["PeeringToken"],
            **establish,
        }
        answer = client2.post("/v1/peering/establish", data=json.dumps(body))
        assert answer.status_code == 200, answer.text

    return run

