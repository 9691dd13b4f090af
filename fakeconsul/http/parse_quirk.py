"""The peering read and list handlers ignore what Consul's ``parse()`` returns.

agent/peering_endpoint.go calls ``s.parse(resp, req, &dc, &options)`` without looking at its
result. When a query option is bad, parse has already written ``400`` and its text; the handler
then runs the query anyway and the wrapper writes the normal answer (or the error's text) after
it. The status and headers are those of the 400: the answer's own headers come too late. Parse
stops at its first failure, before ``?index=`` is read, so the query never blocks.
"""

from __future__ import annotations

from collections.abc import Callable

from werkzeug.wrappers import Request, Response

from ..model.errors import ConsulError
from . import render
from .query import Blocking, parse_query_options
from .render import HTTPError


def parsed_then_answered(request: Request, answer: Callable[[Blocking], Response]) -> Response:
    """``answer(blocking)``, or on a bad option: its 400 text with the answer's body after it."""
    try:
        blocking = parse_query_options(request)
    except HTTPError as failure:
        return _appended(failure.reason, answer)
    return answer(blocking)


def _appended(text: str, answer: Callable[[Blocking], Response]) -> Response:
    try:
        rest = answer(Blocking()).get_data()
    except HTTPError as err:
        rest = err.reason.encode("utf-8")
    except ConsulError as err:
        rest = err.message.encode("utf-8")
    # Go sniffs the Content-Type from the first bytes written: the text, so text/plain.
    return Response(text.encode("utf-8") + rest, status=400, content_type=render.TEXT)
