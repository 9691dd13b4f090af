"""The state file's layout: a base document, then a journal of changes, one JSON line each.

``PATH`` holds the whole network as one JSON document (``snapshot.py``) followed by a newline,
then one line per save since that document was written (``changes.py`` says what a line
holds). A line counts once it ends with its newline: the server appends it, fsyncs, and only
then answers, so a last line without one is a write that was never acknowledged (the process
died while writing it) and is ignored. A whole-document file of format version 1 is a base
without journal, and loads as it always did.

Loading replays the lines over the base as JSON, before anything is loaded into a network, so
every check of ``snapshot.load`` applies to the result alone. Rows of a part saved by rows are
replayed on a working form (by ID, say) and written back once, so replaying many lines over a
big table costs the lines, not lines times table.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from .. import messages
from ..golang.gojson import GoJSONError, decode_any
from .part import CLUSTER_PARTS, ClusterPart, SnapshotError, expect_dict, optional, require


@dataclass
class Parsed:
    base: object
    lines: list[tuple[int, object]]  # (line number in the file, entry)
    torn: bool  # the last line was being written when the process died


def parse(text: str) -> Parsed:
    """Split a file's text into its base document and its journal lines; raises SnapshotError
    when the base, or a whole line, is not JSON."""
    start = len(text) - len(text.lstrip())
    try:
        try:
            base, end = json.JSONDecoder().raw_decode(text, start)
        except RecursionError:  # a config entry nested deeper than json recurses: one line
            end = text.find("\n", start) if "\n" in text[start:] else len(text)
            base = _deep(text[start:end])
        if "\n" not in text[end:] and text[end:].strip():
            json.loads(text)  # something glued to the base: raises json's own "Extra data"
    except json.JSONDecodeError as err:
        raise SnapshotError(messages.STATE_NOT_JSON.format(err)) from None
    pieces = text[end:].split("\n")
    torn = pieces.pop() if len(pieces) > 1 else ""  # after the last newline
    first = text.count("\n", 0, end) + 1  # the base's last line
    lines: list[tuple[int, object]] = []
    for offset, piece in enumerate(pieces):
        if not piece.strip():
            continue
        number = first + offset
        try:
            try:
                lines.append((number, json.loads(piece)))
            except RecursionError:
                lines.append((number, _deep(piece)))
        except json.JSONDecodeError as err:
            problem = messages.STATE_NOT_JSON.format(err)
            raise SnapshotError(messages.state_journal_line(number, problem)) from None
    return Parsed(base, lines, bool(torn.strip()))


def replay(root: dict[str, Any], lines: list[tuple[int, object]]) -> None:
    """Apply each journal entry, in order, to the base document ``root`` (in place)."""
    clusters = require(root, "Clusters", list, "a list")
    by_name: dict[str, dict[str, Any]] = {}
    for number, entry in enumerate(clusters):
        fields = expect_dict(entry, f"Clusters[{number}]")
        if isinstance(fields.get("Name"), str):
            by_name[fields["Name"]] = fields
    forms: dict[tuple[str, str], tuple[ClusterPart, Any]] = {}
    for number, line in lines:
        try:
            _replay_entry(root, by_name, forms, line)
        except SnapshotError as err:
            raise SnapshotError(messages.state_journal_line(number, str(err))) from None
    for (name, key), (part, form) in forms.items():
        assert part.rows is not None
        by_name[name][key] = part.rows.finish(form)


def _replay_entry(
    root: dict[str, Any], by_name: dict[str, dict[str, Any]],
    forms: dict[tuple[str, str], tuple[ClusterPart, Any]], line: object,
) -> None:
    entry = expect_dict(line, "the entry")
    for key in entry:
        if key not in ("Network", "Clusters"):
            raise SnapshotError(messages.state_unknown_part(key))
    root.update(optional(entry, "Network", dict, "an object", "", {}))
    for place, change in enumerate(optional(entry, "Clusters", list, "a list", "", [])):
        _replay_cluster(root, by_name, forms, change, f"Clusters[{place}]")


def _replay_cluster(
    root: dict[str, Any], by_name: dict[str, dict[str, Any]],
    forms: dict[tuple[str, str], tuple[ClusterPart, Any]], change: object, where: str,
) -> None:
    fields = expect_dict(change, where)
    for key in fields:
        if key not in ("Name", "Parts", "Rows"):
            raise SnapshotError(messages.state_unknown_part(f"{where}.{key}"))
    name = require(fields, "Name", str, "a string", where)
    cluster = by_name.get(name)
    if cluster is None:  # added since the base was written
        cluster = by_name[name] = {"Name": name}
        root["Clusters"].append(cluster)
    for key, value in optional(fields, "Parts", dict, "an object", where, {}).items():
        forms.pop((name, key), None)  # a whole part replaces the rows replayed so far
        cluster[key] = value
    for key, value in optional(fields, "Rows", dict, "an object", where, {}).items():
        path = f"{where}.Rows.{key}"
        if (name, key) not in forms:
            part = _rows_part(key)
            if part is None or part.rows is None:
                raise SnapshotError(messages.state_unknown_part(path))
            forms[(name, key)] = (part, part.rows.start(cluster.get(key, {}), path))
        part, form = forms[(name, key)]
        assert part.rows is not None
        part.rows.replay(form, value, path)


def _rows_part(key: str) -> ClusterPart | None:
    for part in CLUSTER_PARTS:
        if part.key == key and part.rows is not None:
            return part
    return None


def _deep(text: str) -> object:
    """A JSON value nested as deep as Go's decoder allows (10,000 levels): the Go decoder
    keeps a stack of its own where json's recursion runs out."""
    try:
        return decode_any(text.encode())
    except GoJSONError as err:
        raise json.JSONDecodeError(str(err), text, 0) from None
