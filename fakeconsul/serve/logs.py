"""``fakeconsul serve``'s log on stderr, in Consul's line format.

``2024-05-01T10:20:30.123Z [INFO]  http: dc1 GET /v1/peerings 200 0.4ms`` — one line per
request at INFO (``--quiet`` drops them), state-file saves at DEBUG, problems at WARN/ERROR.
"""

from __future__ import annotations

import logging
import sys
import time
from collections.abc import Callable

LEVELS = {
    "trace": logging.DEBUG,  # Consul's lowest level; the fake has nothing finer than debug
    "debug": logging.DEBUG,
    "info": logging.INFO,
    "warn": logging.WARNING,
    "error": logging.ERROR,
}
_NAMES = {logging.DEBUG: "DEBUG", logging.INFO: "INFO", logging.WARNING: "WARN",
          logging.ERROR: "ERROR", logging.CRITICAL: "ERROR"}
ROOT = "fakeconsul"


class _ConsulFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        stamp = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created))
        millis = int(record.msecs)
        level = f"[{_NAMES.get(record.levelno, record.levelname)}]"
        area = record.name.removeprefix(ROOT + ".") if record.name != ROOT else "server"
        line = f"{stamp}.{millis:03d}Z {level:<7} {area}: {record.getMessage()}"
        if record.exc_info:
            # An internal error: its traceback follows, so a bug in the fake can be reported.
            line += "\n" + self.formatException(record.exc_info)
        return line


def configure(level: str, *, quiet: bool = False) -> Callable[[str], None] | None:
    """Send the fake's log to stderr at ``level``; returns the request-log function (None
    when requests are not to be logged)."""
    logger = logging.getLogger(ROOT)
    for handler in list(logger.handlers):
        logger.removeHandler(handler)
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(_ConsulFormatter())
    logger.addHandler(handler)
    logger.setLevel(LEVELS[level])
    logger.propagate = False
    requests = logging.getLogger(ROOT + ".http")
    if quiet or not requests.isEnabledFor(logging.INFO):
        return None
    return requests.info


def get(area: str) -> logging.Logger:
    return logging.getLogger(f"{ROOT}.{area}")


def hide_tokens(line: str, tokens: list[str]) -> str:
    """``line`` with every ``?token=`` secret shown as ``<hidden>``, as Consul logs a request
    URL (agent/http.go replaces each token's text wherever it appears in the URL)."""
    for token in tokens:
        if token:
            line = line.replace(token, "<hidden>")
    return line
