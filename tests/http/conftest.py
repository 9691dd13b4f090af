"""Fixtures of the HTTP tests: a werkzeug test Client for each of the shared dc1 and dc2.

Requests go straight into ``wsgi_app(cluster)`` (no socket). The app keeps every exception the
fake did not expect and answers it with a 500; the hook below fails the test in its call phase
on such an exception (the shared ``network`` fixture catches the rest at teardown).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Generator, Iterator
from typing import Any

import pytest
import schema_check
from answers import json_of
from fake_errors import raise_unexpected, unexpected_errors
from waiting import when_blocked  # noqa: F401  (a fixture, shared by the blocking tests)
from werkzeug.test import Client, TestResponse
from werkzeug.wrappers import Request, Response

from fakeconsul import Cluster, Network, wsgi_app
from fakeconsul.http.app import ConsulApp


@pytest.fixture
def client1(dc1: Cluster) -> Client:
    return Client(wsgi_app(dc1))


@pytest.fixture
def client2(dc2: Cluster) -> Client:
    return Client(wsgi_app(dc2))


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Generator[None, object, object]:
    """An unexpected exception inside the fake fails the test in its call phase."""
    try:
        return (yield)
    finally:
        network = getattr(item, "funcargs", {}).get("network")
        if isinstance(network, Network):
            raise_unexpected(unexpected_errors(network))


@pytest.fixture(autouse=True)
def _both_clusters(dc1: Cluster, dc2: Cluster) -> None:
    """Every HTTP test runs beside two clusters (the network's teardown checks for errors)."""


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

