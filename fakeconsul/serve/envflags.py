"""Environment defaults for flags: ``--connect-delay`` from ``FAKECONSUL_CONNECT_DELAY``.

A flag given on the command line wins over its variable; the variable wins over the built-in
default. Test harnesses in other languages start the server with an environment more easily
than with arguments, hence one variable per flag, named by one rule.
"""

from __future__ import annotations

import argparse
import re
from collections.abc import Mapping
from typing import Any

PREFIX = "FAKECONSUL_"
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_name(action: argparse.Action) -> str:
    return PREFIX + action.dest.upper()


def _options(parser: argparse.ArgumentParser) -> list[argparse.Action]:
    # argparse offers no public list of a parser's actions; ``_actions`` is what its own help
    # formatter walks.
    return [
        a for a in parser._actions
        if a.option_strings and a.dest not in ("help", "version") and a.help != argparse.SUPPRESS
    ]


class EnvHelpFormatter(argparse.HelpFormatter):
    """Help that names each flag's variable and shows its default."""

    def _get_help_string(self, action: argparse.Action) -> str:
        text = action.help or ""
        if action.option_strings and action.dest not in ("help", "version"):
            text += f" [env {env_name(action)}]"
        return text


def apply_env_defaults(parser: argparse.ArgumentParser, environ: Mapping[str, str]) -> None:
    """Turn each ``FAKECONSUL_<DEST>`` found in ``environ`` into that flag's default.

    A value the flag would refuse ends the program as a bad flag does, naming the variable.
    """
    defaults: dict[str, Any] = {}
    for action in _options(parser):
        name = env_name(action)
        if name not in environ:
            continue
        try:
            defaults[action.dest] = _convert(action, environ[name])
        except (argparse.ArgumentTypeError, ValueError) as err:
            parser.error(f"environment variable {name}: {err}")
    parser.set_defaults(**defaults)


def _convert(action: argparse.Action, raw: str) -> Any:
    if action.nargs == 0:  # a switch such as --quiet
        word = raw.strip().lower()
        if word in _TRUE:
            return action.const
        if word in _FALSE:
            return action.default
        raise ValueError(f"expected 1/true/yes/on or 0/false/no/off, got {raw!r}")
    if isinstance(action, argparse._AppendAction):
        # Repeatable flags take a list: comma- or space-separated.
        return [_one(action, item) for item in re.split(r"[,\s]+", raw.strip()) if item]
    return _one(action, raw)


def _one(action: argparse.Action, raw: str) -> Any:
    value = action.type(raw) if callable(action.type) else raw
    if action.choices is not None and value not in action.choices:
        choices = ", ".join(map(str, action.choices))
        raise ValueError(f"invalid choice {raw!r} (choose from {choices})")
    return value
