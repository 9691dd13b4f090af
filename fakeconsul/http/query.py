"""Query options common to Consul's endpoints: partition (CE), consistency, blocking, token."""

from __future__ import annotations

import random
from dataclasses import dataclass

from werkzeug.wrappers import Request

from .. import messages
from ..golang.gocompat import atoi, parse_duration, parse_uint64
from .render import HTTPError, header

DEFAULT_WAIT = 300.0  # Consul's default blocking wait: 5 min
MAX_WAIT = 600.0  # and its maximum: 10 min
JITTER_FRACTION = 16  # up to wait/16 of random jitter is added


def arg(request: Request, key: str) -> str:
    """``request.args.get(key, "")``, tested first: werkzeug's ``get`` raises and catches a
    ``BadRequestKeyError`` for an absent key (~1 µs each), and a plain read looks up five absent
    keys (benchmarks/README.md, issue 13). Without a query string there is nothing to parse."""
    if not request.environ.get("QUERY_STRING"):
        return ""
    args = request.args
    return args[key] if key in args else ""


def has_arg(request: Request, key: str) -> bool:
    """``key in request.args`` (``?stale`` counts without a value), parsing nothing when the
    request has no query string."""
    return bool(request.environ.get("QUERY_STRING")) and key in request.args


def check_partition(request: Request) -> None:
    """CE refuses any partition, in the header first, then in the query (http_ce.go)."""
    if header(request, "HTTP_X_CONSUL_PARTITION"):
        raise HTTPError(400, messages.PARTITION_HEADER)
    if arg(request, "partition"):
        raise HTTPError(400, messages.PARTITION_QUERY)


def request_token(request: Request) -> str:
    """The ACL token a request carries: ?token=, X-Consul-Token, then Authorization: Bearer."""
    token = arg(request, "token")
    if token:
        return token
    token = header(request, "HTTP_X_CONSUL_TOKEN")
    if token:
        return token
    scheme, _, rest = header(request, "HTTP_AUTHORIZATION").strip().partition(" ")
    if scheme.lower() == "bearer":
        words = rest.split()
        return words[0] if words else ""
    return ""


@dataclass(frozen=True)
class Blocking:
    min_index: int = 0
    wait: float = DEFAULT_WAIT

    @property
    def blocks(self) -> bool:
        return self.min_index > 0

    def timeout(self) -> float:
        """The real time to wait: clamped like Consul, plus its random jitter."""
        wait = self.wait
        if wait <= 0:
            wait = DEFAULT_WAIT
        wait = min(wait, MAX_WAIT)
        return wait + random.uniform(0, wait / JITTER_FRACTION)


def parse_query_options(request: Request) -> Blocking:
    """Consul's parse(): consistency, then Cache-Control, then wait, then index, each with its
    400 (agent/http.go parseConsistency, parseCacheControl, parseWait); the first one wins."""
    _check_consistency(request)
    _check_cache_control(request)
    wait = DEFAULT_WAIT
    raw_wait = arg(request, "wait")
    if raw_wait:
        try:
            wait = parse_duration(raw_wait)
        except ValueError:
            raise HTTPError(400, messages.INVALID_WAIT) from None
    min_index = 0
    raw_index = arg(request, "index")
    if raw_index:
        try:
            min_index = parse_uint64(raw_index)
        except ValueError:
            raise HTTPError(400, messages.INVALID_INDEX) from None
    return Blocking(min_index=min_index, wait=wait)


def _check_consistency(request: Request) -> None:
    """parseConsistency: a bad max_stale first; a max_stale above zero asks for stale reads
    as ?stale does; then the two conflicts. ?cached counts because http_config.use_cache is
    on by default."""
    stale = has_arg(request, "stale")
    consistent = has_arg(request, "consistent")
    cached = has_arg(request, "cached")
    max_stale = arg(request, "max_stale")
    if max_stale:
        try:
            stale = parse_duration(max_stale) > 0 or stale
        except ValueError:
            raise HTTPError(400, messages.invalid_max_stale(max_stale)) from None
    if stale and consistent:
        raise HTTPError(400, messages.STALE_AND_CONSISTENT)
    if cached and consistent:
        raise HTTPError(400, messages.CACHED_AND_CONSISTENT)


def _check_cache_control(request: Request) -> None:
    """parseCacheControl: only max-age and stale-if-error carry a number, read by Atoi."""
    raw = header(request, "HTTP_CACHE_CONTROL").lower()
    if not raw:
        return
    for directive in raw.split(","):
        directive = directive.strip()
        for prefix in ("max-age=", "stale-if-error="):
            if directive.startswith(prefix):
                try:
                    atoi(directive[len(prefix):])
                except ValueError:
                    raise HTTPError(400, messages.INVALID_CACHE_CONTROL) from None
