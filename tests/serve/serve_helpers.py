"""Helpers of the standalone server's tests."""

from __future__ import annotations

import json
from typing import Any

from moments import START
from werkzeug.test import Client, TestResponse

__all__ = ["START", "answer", "call"]



def call(client: Client, method: str, path: str, body: Any = None) -> TestResponse:
    data = None if body is None else body if isinstance(body, str) else json.dumps(body)
    return client.open(path, method=method, data=data)


def answer(client: Client, method: str, path: str, body: Any = None) -> Any:
    """The JSON of a 200 answer (fails the test on any other status)."""
    response = call(client, method, path, body)
    assert response.status_code == 200, response.get_data(as_text=True)
    return json.loads(response.get_data())
