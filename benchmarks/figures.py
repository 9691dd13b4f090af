"""What a benchmark reports: a measured value beside its same-run baseline, and the goal."""

from __future__ import annotations

import operator
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

_OPS: dict[str, Callable[[float, float], bool]] = {"<=": operator.le, ">=": operator.ge}


@dataclass(frozen=True)
class Goal:
    """``on`` the ratio (measured / baseline) or on the measured value itself."""

    on: Literal["ratio", "value"]
    op: Literal["<=", ">="]
    limit: float

    def met(self, figure: Figure) -> bool | None:
        subject = figure.ratio if self.on == "ratio" else figure.measured
        return None if subject is None else _OPS[self.op](subject, self.limit)

    def __str__(self) -> str:
        return f"{'ratio' if self.on == 'ratio' else 'value'} {self.op} {self.limit:g}"


@dataclass
class Figure:
    """One row of the table. ``measured`` is None while the thing to measure does not exist."""

    benchmark: str
    name: str
    unit: str
    measured: float | None
    baseline: float | None
    baseline_name: str
    goal: Goal | None = None
    note: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def ratio(self) -> float | None:
        if self.measured is None or not self.baseline:
            return None
        return self.measured / self.baseline

    @property
    def met(self) -> bool | None:
        return None if self.goal is None else self.goal.met(self)

    def as_json(self) -> dict[str, Any]:
        return {
            "benchmark": self.benchmark,
            "name": self.name,
            "unit": self.unit,
            "measured": self.measured,
            "baseline": self.baseline,
            "baseline_name": self.baseline_name,
            "ratio": self.ratio,
            "goal": None if self.goal is None else str(self.goal),
            "met": self.met,
            "note": self.note,
            **({"extra": self.extra} if self.extra else {}),
        }


def pending(benchmark: str, name: str, why: str) -> Figure:
    return Figure(benchmark, name, "", None, None, "", note=f"pending: {why}")


def _number(value: float | None) -> str:
    if value is None:
        return "-"
    if abs(value) >= 1000:
        return f"{value:,.0f}"
    if abs(value) >= 10:
        return f"{value:.1f}"
    return f"{value:.3g}"


def table(figures: Sequence[Figure]) -> str:
    """A plain-text table, one figure per row, for the terminal and the README."""
    header = ("benchmark", "figure", "measured", "baseline", "ratio", "goal", "met", "note")
    rows = [header]
    for f in figures:
        met = {True: "yes", False: "NO", None: "-"}[f.met]
        unit = f" {f.unit}" if f.unit else ""
        rows.append((
            f.benchmark,
            f.name,
            _number(f.measured) + (unit if f.measured is not None else ""),
            _number(f.baseline) + (unit if f.baseline is not None else ""),
            "-" if f.ratio is None else f"{f.ratio:.2f}x",
            "-" if f.goal is None else str(f.goal),
            met,
            f.note,
        ))
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip()
             for row in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)
