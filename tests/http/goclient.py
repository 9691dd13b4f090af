"""What the official Go client (``github.com/hashicorp/consul/api`` v1.20, ``Peerings()``) accepts.

Spec §13 as assertions. Each function takes a werkzeug response, fails the way the Go call would
fail (``GoClientError``, an AssertionError), and otherwise returns what the caller gets back:

* ``read`` → the Peering as a dict, or None on 404 (``Peerings().Read`` returns nil, no error);
* ``list_peerings`` → the list of Peerings; ``generate_token`` → the token; ``establish`` and
  ``delete`` → None.

Go's decoding rules are applied as ``encoding/json`` applies them: keys match field names
case-insensitively (exact name first), unknown keys are ignored, ``null`` is accepted for any
field (it leaves strings and numbers as they are), only the first JSON value of a body is read.
Where spec §13 is stricter than a bare decode (generate/establish bodies must be objects; the
read headers Consul always sends), the stricter rule is checked.
"""

from __future__ import annotations

import gzip
import json
import re
from datetime import datetime
from typing import Any

from werkzeug.test import TestResponse

__all__ = [
    "GoClientError",
    "Peerings",
    "check_peering",
    "delete",
    "establish",
    "generate_token",
    "list_peerings",
    "read",
]

UINT64_MAX = (1 << 64) - 1


class GoClientError(AssertionError):
    """The Go client would return an error for this response."""


# --- JSON values with the literal kind Go sees -------------------------------------------------


class _IntLiteral(str):
    """A JSON number written as an integer (``-?(0|[1-9][0-9]*)``): kept as its text."""


class _OtherNumber(str):
    """A JSON number with a fraction or an exponent (``5.0``, ``1e3``): no Go uint64 takes it."""


def _refuse_constant(name: str) -> object:
    raise GoClientError(f"invalid character in JSON: {name} is not JSON")


_DECODER = json.JSONDecoder(
    parse_int=_IntLiteral, parse_float=_OtherNumber, parse_constant=_refuse_constant
)
_GO_SPACE = " \t\r\n"


def _first_value(response: TestResponse) -> Any:
    """json.NewDecoder(resp.Body).Decode: the first JSON value; what follows is never read."""
    data = response.get_data()
    if response.headers.get("Content-Encoding", "").lower() == "gzip":
        data = gzip.decompress(data)  # Go's transport undoes the gzip it asked for
    text = data.decode("utf-8", "surrogateescape").lstrip(_GO_SPACE)
    if not text:
        raise GoClientError("EOF")
    try:
        value, _ = _DECODER.raw_decode(text)
    except ValueError as err:
        raise GoClientError(f"invalid JSON: {err}") from None
    return value


# --- Go types of api.Peering and friends --------------------------------------------------------

STRING = "string"
UINT64 = "uint64"
TIME = "time.Time"
STRINGS = "[]string"
STRING_MAP = "map[string]string"

LOCALITY = {"Region": STRING, "Zone": STRING}
REMOTE = {"Partition": STRING, "Datacenter": STRING, "Locality": LOCALITY}
STREAM_STATUS = {
    "ImportedServices": STRINGS,
    "ExportedServices": STRINGS,
    "LastHeartbeat": TIME,
    "LastReceive": TIME,
    "LastSend": TIME,
}
PEERING = {
    "ID": STRING,
    "Name": STRING,
    "Partition": STRING,
    "DeletedAt": TIME,
    "Meta": STRING_MAP,
    "State": STRING,  # api.PeeringState is a string type: any string decodes
    "PeerID": STRING,
    "PeerCAPems": STRINGS,
    "PeerServerName": STRING,
    "PeerServerAddresses": STRINGS,
    "StreamStatus": STREAM_STATUS,
    "CreateIndex": UINT64,
    "ModifyIndex": UINT64,
    "Remote": REMOTE,
}
GENERATE_TOKEN_RESPONSE = {"PeeringToken": STRING}
ESTABLISH_RESPONSE: dict[str, Any] = {}

# time.Time.UnmarshalJSON (Go 1.20+): strict RFC 3339, upper-case T and Z, explicit zone.
_RFC3339 = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?(Z|[+-](\d{2}):(\d{2}))\Z"
)


def _check_time(value: object, where: str) -> None:
    if not isinstance(value, str) or isinstance(value, _IntLiteral | _OtherNumber):
        raise GoClientError(f"{where}: Time.UnmarshalJSON: input is not a JSON string")
    match = _RFC3339.match(value)
    if match is None:
        raise GoClientError(f"{where}: parsing time {value!r} as RFC 3339 failed")
    year, month, day, hour, minute, second = (int(g) for g in match.groups()[:6])
    if match.group(9) is not None and (int(match.group(9)) > 23 or int(match.group(10)) > 59):
        raise GoClientError(f"{where}: time zone offset out of range in {value!r}")
    try:
        datetime(year, month, day, hour, minute, second)
    except ValueError:
        raise GoClientError(f"{where}: parsing time {value!r}: out of range") from None


def _kind(value: object) -> str:
    if value is True or value is False:
        return "bool"
    if isinstance(value, _IntLiteral | _OtherNumber):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"


def _mismatch(value: object, go_type: str, where: str) -> GoClientError:
    return GoClientError(f"json: cannot unmarshal {_kind(value)} into {where} of type {go_type}")


def _check(value: object, go_type: Any, where: str) -> None:
    if value is None:
        return  # null: nil for pointers, slices and maps; no change for the rest
    if isinstance(go_type, dict):
        if not isinstance(value, dict):
            raise _mismatch(value, "struct", where)
        _check_struct(value, go_type, where)
    elif go_type == STRING:
        if not isinstance(value, str) or isinstance(value, _IntLiteral | _OtherNumber):
            raise _mismatch(value, STRING, where)
    elif go_type == UINT64:
        if not isinstance(value, _IntLiteral):
            raise _mismatch(value, UINT64, where)
        if value.startswith("-") or int(value) > UINT64_MAX:
            raise GoClientError(
                f"json: cannot unmarshal number {value} into {where} of type uint64"
            )
    elif go_type == TIME:
        _check_time(value, where)
    elif go_type == STRINGS:
        if not isinstance(value, list):
            raise _mismatch(value, STRINGS, where)
        for item in value:
            _check(item, STRING, where)
    elif go_type == STRING_MAP:
        if not isinstance(value, dict):
            raise _mismatch(value, STRING_MAP, where)
        for item in value.values():
            _check(item, STRING, where)
    else:  # pragma: no cover - a typo in the tables above
        raise TypeError(go_type)


def _field(go_struct: dict[str, Any], key: str) -> str | None:
    """encoding/json's field lookup: the exact name, else a case-insensitive match."""
    if key in go_struct:
        return key
    folded = key.upper()
    return next((name for name in go_struct if name.upper() == folded), None)


def _check_struct(value: dict[str, Any], go_struct: dict[str, Any], where: str) -> None:
    for key, item in value.items():
        name = _field(go_struct, key)
        if name is not None:  # unknown keys are ignored by the client
            _check(item, go_struct[name], f"{where}.{name}")


def check_peering(value: object, where: str = "Peering") -> None:
    """A decoded JSON value the client can read as an ``api.Peering``."""
    _check(value, PEERING, where)


# --- status and headers -------------------------------------------------------------------------


def _unexpected(response: TestResponse) -> GoClientError:
    body = response.get_data(as_text=True).strip()
    return GoClientError(f"Unexpected response code: {response.status_code} ({body})")


def _require_ok(response: TestResponse) -> None:
    if response.status_code != 200:  # 201 and 204 are errors for this client
        raise _unexpected(response)


def _decimal_uint(header: str, value: str | None) -> None:
    if value is None or not re.fullmatch(r"[0-9]+", value) or int(value) > UINT64_MAX:
        raise GoClientError(f"Failed to parse {header}: {value!r}")


def _check_query_meta(response: TestResponse) -> None:
    """parseQueryMeta on Read and List, with what Consul always sends on those answers."""
    headers = response.headers
    _decimal_uint("X-Consul-Index", headers.get("X-Consul-Index"))
    # Without LastContact the client stops parsing the meta: KnownLeader is never read.
    _decimal_uint("X-Consul-LastContact", headers.get("X-Consul-LastContact"))
    if headers.get("X-Consul-KnownLeader") != "true":
        raise GoClientError("X-Consul-KnownLeader is not true: the client reports no leader")


# --- the five calls -----------------------------------------------------------------------------


def read(response: TestResponse) -> dict[str, Any] | None:
    """``Peerings().Read``: 404 is "not found" (nil, no error) whatever its body."""
    if response.status_code == 404:
        return None
    _require_ok(response)
    _check_query_meta(response)
    value = _first_value(response)
    check_peering(value)
    return {} if value is None else _plain(response)  # null: a non-nil, empty Peering


def list_peerings(response: TestResponse) -> list[dict[str, Any]]:
    """``Peerings().List``: a JSON array (or null) of Peerings; 404 is an error."""
    _require_ok(response)
    _check_query_meta(response)
    value = _first_value(response)
    if value is not None and not isinstance(value, list):
        raise _mismatch(value, "[]*api.Peering", "Go value")
    for number, item in enumerate(value or []):
        check_peering(item, f"Peering[{number}]")
    return [] if value is None else _plain(response)


def generate_token(response: TestResponse) -> str:
    """``Peerings().GenerateToken``: a JSON object with a string PeeringToken."""
    _require_ok(response)
    value = _first_value(response)
    if not isinstance(value, dict):
        raise _mismatch(value, "api.PeeringGenerateTokenResponse", "Go value")
    _check_struct(value, GENERATE_TOKEN_RESPONSE, "PeeringGenerateTokenResponse")
    token = next((v for k, v in value.items() if _field(GENERATE_TOKEN_RESPONSE, k)), None)
    return "" if token is None else str(token)


def establish(response: TestResponse) -> None:
    """``Peerings().Establish``: a JSON object (``{}`` is fine); an empty body fails with EOF."""
    _require_ok(response)
    value = _first_value(response)
    if not isinstance(value, dict):
        raise _mismatch(value, "api.PeeringEstablishResponse", "Go value")


def delete(response: TestResponse) -> None:
    """``Peerings().Delete``: only the status counts; the body is never read."""
    _require_ok(response)


def _plain(response: TestResponse) -> Any:
    """The first JSON value with plain Python types (ints as int), for the test to use."""
    data = response.get_data()
    if response.headers.get("Content-Encoding", "").lower() == "gzip":
        data = gzip.decompress(data)
    value, _ = json.JSONDecoder().raw_decode(data.decode("utf-8").lstrip(_GO_SPACE))
    return value


class Peerings:
    """``client.Peerings()`` of the Go api package, over a werkzeug test Client.

    Each call sends what the Go client sends and checks the answer as the Go client decodes it;
    an answer it would reject raises GoClientError (for non-2xx: ``Unexpected response code``).
    """

    def __init__(self, client: Any) -> None:
        self.client = client

    def generate_token(
        self,
        peer_name: str,
        meta: dict[str, str] | None = None,
        server_external_addresses: list[str] | None = None,
    ) -> str:
        body: dict[str, Any] = {"PeerName": peer_name}  # Partition, Meta, ... are omitempty
        if meta:
            body["Meta"] = meta
        if server_external_addresses:
            body["ServerExternalAddresses"] = server_external_addresses
        return generate_token(self._post("/v1/peering/token", body))

    def establish(
        self, peer_name: str, peering_token: str, meta: dict[str, str] | None = None
    ) -> None:
        body: dict[str, Any] = {"PeerName": peer_name, "PeeringToken": peering_token}
        if meta:
            body["Meta"] = meta
        establish(self._post("/v1/peering/establish", body))

    def read(self, name: str) -> dict[str, Any] | None:
        return read(self.client.get(f"/v1/peering/{name}"))  # the Go client does not escape it

    def list(self) -> list[dict[str, Any]]:
        return list_peerings(self.client.get("/v1/peerings"))

    def delete(self, name: str) -> None:
        delete(self.client.delete(f"/v1/peering/{name}"))

    def _post(self, path: str, body: dict[str, Any]) -> TestResponse:
        return self.client.post(  # type: ignore[no-any-return]
            path, data=json.dumps(body), headers={"Content-Type": "application/json"}
        )
