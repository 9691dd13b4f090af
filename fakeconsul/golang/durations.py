"""Go's ``time.Duration.String()``: how Consul prints check intervals and timeouts."""

from __future__ import annotations


def _fraction(value: int, precision: int) -> str:
    """``value`` / 10**precision as Go prints it: trailing zeros (and the dot) dropped."""
    whole, rest = divmod(value, 10**precision)
    digits = f"{rest:0{precision}d}".rstrip("0") if precision else ""
    return f"{whole}.{digits}" if digits else str(whole)


def go_duration(nanoseconds: int) -> str:
    """``time.Duration(nanoseconds).String()``, e.g. ``10s``, ``1m30s``, ``1.5ms``, ``0s``."""
    if nanoseconds == 0:
        return "0s"
    sign = "-" if nanoseconds < 0 else ""
    n = abs(nanoseconds)
    if n < 1_000:
        return f"{sign}{n}ns"
    if n < 1_000_000:
        return f"{sign}{_fraction(n, 3)}\u00b5s"
    if n < 1_000_000_000:
        return f"{sign}{_fraction(n, 6)}ms"
    hours, n = divmod(n, 3_600_000_000_000)
    minutes, n = divmod(n, 60_000_000_000)
    text = _fraction(n, 9) + "s"
    if hours:
        return f"{sign}{hours}h{minutes}m{text}"
    if minutes:
        return f"{sign}{minutes}m{text}"
    return sign + text
