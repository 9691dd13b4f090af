"""An API path the fake does not serve: Consul's 404, and one warning per path in the log."""

from __future__ import annotations

import logging

import pytest
from werkzeug.test import Client

from fakeconsul.http import app

WARNING = ("dc1: GET /v1/kv/app/config is not an endpoint fakeconsul serves (answered 404 as "
           "Consul answers an unknown path); the README lists those it serves under Endpoints")


def _warnings(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records
            if r.name == "fakeconsul.http" and r.levelno == logging.WARNING]


def test_an_unserved_api_path_answers_consul_s_404(client1: Client) -> None:
    answer = client1.get("/v1/kv/app/config")

    assert (answer.status_code, answer.text) == (
        404, "Invalid URL path: not a recognized HTTP API endpoint\n")


def test_an_unserved_api_path_is_logged_once(
    client1: Client, caplog: pytest.LogCaptureFixture
) -> None:
    client1.get("/v1/kv/app/config")
    client1.get("/v1/kv/app/config")

    assert _warnings(caplog) == [WARNING]


def test_a_path_outside_the_api_is_not_logged(
    client1: Client, caplog: pytest.LogCaptureFixture
) -> None:
    client1.get("/favicon.ico")

    assert _warnings(caplog) == []


def test_warnings_stop_after_the_limit(
    client1: Client, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(app, "UNSERVED_WARNINGS", 2)

    for n in range(4):
        client1.get(f"/v1/nothing/{n}")

    assert len(_warnings(caplog)) == 2
