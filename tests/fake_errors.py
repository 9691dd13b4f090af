"""Exceptions the fake did not expect while answering: each app answers them with a 500 and
keeps them, and the tests take them out and fail, so a bug never hides behind a status code."""

from __future__ import annotations

from fakeconsul import Network, wsgi_app


def unexpected_errors(network: Network) -> list[tuple[str, BaseException]]:
    """The exceptions the fake did not expect while answering, taken out of each app (an app
    answers them with a 500 and keeps them, so a bug never hides behind a status code)."""
    found: list[tuple[str, BaseException]] = []
    for cluster in network:
        app = wsgi_app(cluster)
        found.extend((cluster.name, err) for err in app.errors)
        app.errors.clear()
    return found


def raise_unexpected(errors: list[tuple[str, BaseException]]) -> None:
    if errors:
        listed = "; ".join(f"{name}: {type(err).__name__}: {err}" for name, err in errors)
        raise AssertionError(f"the fake raised unexpectedly: {listed}") from errors[0][1]
