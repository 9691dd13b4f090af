"""The README's examples are the files in tests/examples/, byte for byte."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = sorted((ROOT / "tests" / "examples").glob("test_example_*.py"))


def test_there_are_examples() -> None:
    assert 2 <= len(EXAMPLES) <= 4


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda path: path.name)
def test_the_readme_shows_the_example_as_it_runs(example: Path) -> None:
    readme = (ROOT / "README.md").read_text()
    block = f"`tests/examples/{example.name}`:\n\n```python\n{example.read_text()}```\n"
    assert block in readme
