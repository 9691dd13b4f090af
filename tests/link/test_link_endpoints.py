"""The acceptor's link endpoints refuse what is not a link message, with the fake's texts."""

from __future__ import annotations

import json

from werkzeug.test import Client

from fakeconsul import Cluster, wsgi_app
from fakeconsul.link.wire import EXCHANGE, STREAM


def _post(dc1: Cluster, path: str, data: bytes) -> tuple[int, str]:
    answer = Client(wsgi_app(dc1)).post(path, data=data)
    return answer.status_code, answer.get_data(as_text=True)


def test_a_body_that_is_not_json_is_refused(dc1: Cluster) -> None:
    assert _post(dc1, STREAM, b"{nope") == (400, "fakeconsul link: the body is not JSON")


def test_a_body_that_is_not_an_object_is_refused(dc1: Cluster) -> None:
    assert _post(dc1, EXCHANGE, b"[1]") == (
        400, "fakeconsul link: the body is not a JSON object")


def test_another_version_of_the_link_is_refused(dc1: Cluster) -> None:
    assert _post(dc1, EXCHANGE, json.dumps({"Version": 2}).encode()) == (
        500, "fakeconsul link: this acceptor speaks version 1")
