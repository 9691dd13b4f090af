"""mapstructure, as Consul's DecodeConfigEntry runs it, over a JSON body already parsed.

What it reproduces: case-insensitive field names, snake_case ``alias`` keys, weakly typed input
(a number or a bool where a string is wanted becomes its text; a single value where a list is
wanted becomes a list of one), mapstructure's own error texts, and the list of unused keys that
``validateUnusedKeys`` turns into ``invalid config key`` errors (CE texts).

A schema is a dict of field name -> ``"string"``, ``"map"`` (map[string]string) or
``("list", schema)`` (a slice of structs).
"""

from __future__ import annotations

from typing import Any

from .. import messages
from .gocompat import multierror

Schema = dict[str, str | tuple[str, "Schema"]]


class _Text(str):
    """A piece of %v's output already written (not a value to format)."""


def go_v(value: object) -> str:
    """fmt's %v of a value from encoding/json's interface{} world. Walked with a stack of its
    own: a value can be nested as deep as Go's decoder allows (10,000 levels)."""
    out: list[str] = []
    work: list[object] = [value]
    while work:
        item = work.pop()
        if isinstance(item, _Text):
            out.append(item)
        elif item is None:
            out.append("<nil>")
        elif item is True or item is False:
            out.append("true" if item else "false")
        elif isinstance(item, int | float):
            out.append(go_float_text(float(item), verb="v"))
        elif isinstance(item, list):
            pieces: list[object] = [_Text("[")]
            for number, v in enumerate(item):
                pieces += [_Text(" ")] if number else []
                pieces.append(v)
            work.extend(reversed([*pieces, _Text("]")]))
        elif isinstance(item, dict):
            pieces = [_Text("map[")]
            for number, k in enumerate(sorted(item)):
                pieces += [_Text(" ")] if number else []
                pieces += [_Text(f"{k}:"), item[k]]
            work.extend(reversed([*pieces, _Text("]")]))
        else:
            out.append(str(item))
    return "".join(out)


def go_float_text(number: float, verb: str = "f") -> str:
    """strconv.FormatFloat(f, 'f', -1, 64) (verb "f") or %v of a float64 (verb "v")."""
    if number.is_integer() and (verb == "f" or abs(number) < 1e21):
        return str(int(number))
    text = repr(number)
    if verb == "v" and "e" in text:
        mantissa, _, exponent = text.partition("e")
        sign = exponent[0] if exponent[0] in "+-" else "+"
        digits = exponent.lstrip("+-").rjust(2, "0")
        return f"{mantissa}e{sign}{digits}"
    return text


def _go_type(value: object) -> str:
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int | float):
        return "float64"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "[]interface {}"
    return "map[string]interface {}"


def _go_kind(value: object) -> str:
    return {"[]interface {}": "slice", "map[string]interface {}": "map"}.get(
        _go_type(value), _go_type(value)
    )


class MapDecoder:
    def __init__(self, aliases: dict[str, str] | None = None) -> None:
        self.aliases = aliases or {}
        self.errors: list[str] = []
        self.unused: list[str] = []

    def decode(self, raw: dict[str, Any], schema: Schema) -> dict[str, Any]:
        """Decode ``raw``; raises ValueError with the text DecodeConfigEntry returns."""
        out = self._struct("", raw, schema)
        if self.errors:
            points = sorted(f"* {e}" for e in self.errors)
            raise ValueError(f"{len(self.errors)} error(s) decoding:\n\n" + "\n".join(points))
        problems = [messages.invalid_config_key(k) for k in sorted(self.unused)
                    if k not in ("CreateIndex", "ModifyIndex", "Kind", "kind")]
        if problems:
            raise ValueError(multierror(problems))
        return out

    def _translated(self, raw: dict[str, Any]) -> dict[str, Any]:
        """lib/decode.HookTranslateKeys: an alias key becomes its field (the field wins)."""
        out = dict(raw)
        for key in list(out):
            canonical = self.aliases.get(key.lower())
            if canonical is not None:
                value = out.pop(key)
                out.setdefault(canonical, value)
        return out

    def _struct(self, name: str, raw: dict[str, Any], schema: Schema) -> dict[str, Any]:
        data = self._translated(raw)
        out: dict[str, Any] = {}
        used: set[str] = set()
        for field_name, kind in schema.items():
            key = field_name if field_name in data else next(
                (k for k in data if k.lower() == field_name.lower() and k not in used), None
            )
            if key is None:
                continue
            used.add(key)
            path = f"{name}.{field_name}" if name else field_name
            value = self._value(path, data[key], kind)
            if value is not None:
                out[field_name] = value
        for key in data:
            if key not in used:
                self.unused.append(f"{name}.{key}" if name else key)
        return out

    def _value(self, path: str, value: object, kind: str | tuple[str, Schema]) -> Any:
        if value is None:
            return None
        if kind == "string":
            return self._string(path, value)
        if kind == "map":
            if not isinstance(value, dict):
                self.errors.append(f"'{path}' expected a map, got '{_go_kind(value)}'")
                return None
            return {k: self._string(f"{path}[{k}]", v) or "" for k, v in value.items()}
        assert isinstance(kind, tuple)
        _, schema = kind
        if isinstance(value, dict) and not value:
            return []
        items = value if isinstance(value, list) else [value]
        out: list[dict[str, Any]] = []
        for i, item in enumerate(items):
            element = f"{path}[{i}]"
            if item is None:
                out.append({})
            elif not isinstance(item, dict):
                self.errors.append(f"'{element}' expected a map, got '{_go_kind(item)}'")
            else:
                out.append(self._struct(element, item, schema))
        return out

    def _string(self, path: str, value: object) -> str | None:
        if isinstance(value, bool):
            return "1" if value else "0"
        if isinstance(value, str):
            return value
        if isinstance(value, int | float):
            return go_float_text(float(value))
        self.errors.append(
            f"'{path}' expected type 'string', got unconvertible type '{_go_type(value)}', "
            f"value: '{go_v(value)}'"
        )
        return None
