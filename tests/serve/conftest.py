"""Fixtures of the standalone server's tests: a werkzeug client on dc1's port."""

from __future__ import annotations

import pytest
from werkzeug.test import Client

from fakeconsul import Cluster, wsgi_app


@pytest.fixture
def client(dc1: Cluster, dc2: Cluster) -> Client:
    """dc1's port (dc2 exists beside it)."""
    return Client(wsgi_app(dc1))
