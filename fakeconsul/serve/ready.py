"""What ``fakeconsul serve`` tells a program that started it: where each cluster answers.

A suite in Go, Java or JavaScript that starts the server on port 0 reads the port it got from
the last line of stdout (``fakeconsul ready {...}``, one JSON object) or from ``--ready-file``,
written whole (a rename) once every cluster answers, and removed when the server stops.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from ..version import CONSUL_VERSION, __version__

PREFIX = "fakeconsul ready "


def ready_document(urls: dict[str, str], dashboard: str | None) -> dict[str, Any]:
    return {
        "clusters": urls,
        "dashboard": dashboard,
        "pid": os.getpid(),
        "version": __version__,
        "consul_version": CONSUL_VERSION,
    }


def ready_line(document: dict[str, Any]) -> str:
    return PREFIX + json.dumps(document, separators=(",", ":"))


def write_ready_file(path: str, document: dict[str, Any]) -> None:
    """Write ``document`` so that a reader sees no file or the whole file, never a part."""
    target = Path(path)
    partial = target.with_name(f".{target.name}.{os.getpid()}.partial")
    partial.write_text(json.dumps(document, indent=2) + "\n")
    os.replace(partial, target)


def remove_ready_file(path: str) -> None:
    Path(path).unlink(missing_ok=True)
