"""The README's endpoint table names every path the fake serves."""

from __future__ import annotations

from pathlib import Path

import pytest

from fakeconsul.http.app import all_endpoints

README = Path(__file__).resolve().parent.parent / "README.md"
# The control API and the dashboard have their own table in docs/serve.md.
CONSUL_PATHS = sorted({e.path.rstrip("/") for e in all_endpoints()
                       if not e.path.startswith(("/_fakeconsul", "/ui"))})


@pytest.mark.parametrize("path", CONSUL_PATHS)
def test_the_readme_lists_the_served_path(path: str) -> None:
    assert f"{path}" in README.read_text().split("## Endpoints", 1)[1]
