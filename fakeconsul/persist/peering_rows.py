"""How the journal replays the Peering part's rows (the changes ``parts.py`` writes): upserted
records and their secrets by peering ID, removed IDs, the two indexes.

Replay works on a form keyed by ID, made once from the base and turned back into the part's
value once at the end, so each line costs its rows, not the table.
"""

from __future__ import annotations

from typing import Any

from .part import check, expect_dict, index, optional, require


def start(value: Any, where: str) -> dict[str, Any]:
    fields = dict(expect_dict(value, where))
    by_id = {}
    for number, entry in enumerate(optional(fields, "Peerings", list, "a list", where, [])):
        path = f"{where}.Peerings[{number}]"
        by_id[require(expect_dict(entry, path), "ID", str, "a string", path)] = entry
    fields["Peerings"] = by_id
    for key in ("Secrets", "DialerStreamSecrets"):
        fields[key] = dict(optional(fields, key, dict, "an object", where, {}))
    return fields


def replay(form: dict[str, Any], changes: Any, where: str) -> None:
    fields = expect_dict(changes, where)
    for key in ("Index", "PeeringTableIndex"):
        form[key] = index(fields, key, where)
    for number, entry in enumerate(optional(fields, "Upsert", list, "a list", where, [])):
        path = f"{where}.Upsert[{number}]"
        form["Peerings"][require(expect_dict(entry, path), "ID", str, "a string", path)] = entry
    for number, peering_id in enumerate(optional(fields, "Remove", list, "a list", where, [])):
        form["Peerings"].pop(check(peering_id, str, "a string", f"{where}.Remove[{number}]"),
                             None)
    for key in ("Secrets", "DialerStreamSecrets"):
        for peering_id, value in optional(fields, key, dict, "an object", where, {}).items():
            if value is None:
                form[key].pop(peering_id, None)
            else:
                form[key][peering_id] = value


def finish(form: dict[str, Any]) -> dict[str, Any]:
    return {**form, "Peerings": list(form["Peerings"].values())}
