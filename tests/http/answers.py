"""Reading the fake's answers in tests."""

from __future__ import annotations

import json
from typing import Any

from werkzeug.test import TestResponse


def json_of(response: TestResponse) -> Any:
    """The body of a JSON answer as Python values (werkzeug types ``response.json`` optional)."""
    return json.loads(response.get_data())
