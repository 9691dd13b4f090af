"""How big the randomized tests run: small under the "fast" hypothesis profile (``make test``),
twenty times bigger under "long" (``make test-long``). Profiles are registered in conftest.py."""

from __future__ import annotations

from hypothesis import settings

# Hypothesis' own default; the "fast" profile keeps it for the other suites' property tests.
_BASE_EXAMPLES = 100


def scaled(fast: int) -> int:
    """``fast`` under the fast profile, grown in proportion to the loaded profile's examples."""
    return max(fast, fast * settings().max_examples // _BASE_EXAMPLES)


def is_long() -> bool:
    return settings().max_examples > _BASE_EXAMPLES
