"""The README and docs/fixtures.md point at the example files, which run as tests; the README
shows the first one as it runs."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = sorted((ROOT / "tests" / "examples").glob("test_example_*.py"))
FIRST = ROOT / "tests" / "examples" / "test_example_first.py"


def test_there_are_examples() -> None:
    assert 2 <= len(EXAMPLES) <= 5


def test_the_readme_shows_the_first_example_as_it_runs() -> None:
    readme = (ROOT / "README.md").read_text()
    block = f"[`tests/examples/{FIRST.name}`](tests/examples/{FIRST.name}):\n\n```python\n"
    assert block + FIRST.read_text() + "```\n" in readme


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda path: path.name)
def test_the_fixtures_page_links_each_example(example: Path) -> None:
    page = (ROOT / "docs" / "fixtures.md").read_text()
    assert f"[`tests/examples/{example.name}`](../tests/examples/{example.name})" in page
