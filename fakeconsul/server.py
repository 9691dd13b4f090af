"""Where the socket server used to live; it is ``fakeconsul.serve.server`` now."""

from __future__ import annotations

from .serve.server import AnswerHook, ClusterServer, RequestLog, ServeError

__all__ = ["AnswerHook", "ClusterServer", "RequestLog", "ServeError"]
