"""``python -m benchmarks`` (``make bench``): run the benchmarks, print the table, write JSON."""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from . import (
    agent_start,
    fanout,
    first_request,
    http_read,
    lifecycle,
    pair_fixture,
    scale,
    state_file,
    stop,
    wire,
)
from .figures import Figure, table
from .measure import FULL, ROOT, TINY, Sizes, machine

BENCHMARKS: dict[str, Callable[[Sizes], list[Figure]]] = {
    lifecycle.NAME: lifecycle.run,
    http_read.NAME: http_read.run,
    fanout.NAME: fanout.run,
    scale.NAME: scale.run,
    pair_fixture.NAME: pair_fixture.run,
    first_request.NAME: first_request.run,
    stop.NAME: stop.run,
    state_file.NAME: state_file.run,
    wire.NAME: wire.run,
    agent_start.NAME: agent_start.run,
}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("names", nargs="*", metavar="NAME",
                        help=f"benchmarks to run (default: all of {', '.join(BENCHMARKS)})")
    parser.add_argument("--tiny", action="store_true",
                        help="smallest sizes: checks that each benchmark runs, measures nothing")
    parser.add_argument("--output", type=Path, default=ROOT / "benchmarks" / "results.json",
                        help="where to write the figures as JSON (default: %(default)s)")
    args = parser.parse_args(argv)
    unknown = [name for name in args.names if name not in BENCHMARKS]
    if unknown:
        parser.error(f"unknown benchmark(s) {', '.join(unknown)}; known: {', '.join(BENCHMARKS)}")
    sizes = TINY if args.tiny else FULL
    figures: list[Figure] = []
    timings: dict[str, float] = {}
    for name in args.names or list(BENCHMARKS):
        print(f"running {name} ...", file=sys.stderr, flush=True)
        started = time.perf_counter()
        figures.extend(BENCHMARKS[name](sizes))
        timings[name] = round(time.perf_counter() - started, 2)
    print(table(figures))
    report = {
        "machine": machine(),
        "sizes": sizes.as_json(),
        "seconds": timings,
        "figures": [f.as_json() for f in figures],
    }
    args.output.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    print(f"figures written to {args.output}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
