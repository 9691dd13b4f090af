"""Every JSON answer a test sees must fit its schema in ``fakeconsul/schemas``.

Used by the contract stories on each answer, by an autouse hook of the HTTP tests and by the
fuzz tests. A generate-token answer is checked twice: the body, then the token it carries.
"""

from __future__ import annotations

import base64
import binascii
import gzip
import json
import re
from collections.abc import Mapping
from typing import Any, cast

from jsonschema.exceptions import best_match
from werkzeug.datastructures import Headers

from fakeconsul import schemas


def misfit(name: str, value: object) -> str | None:
    """Why ``value`` does not fit schema ``name``, or None when it fits."""
    error = best_match(schemas.validator(name).iter_errors(cast(Any, value)))
    if error is None:
        return None
    return f"misfits schema {name!r} at {error.json_path}: {error.message}"


def problem(
    method: str, path: str, status: int, headers: Mapping[str, str] | Headers, body: bytes
) -> str | None:
    """What is wrong with an answer against the schemas, or None. Only 200 answers with a
    JSON body are described by a schema; the others are checked by the tests' exact texts."""
    content_type = headers.get("Content-Type", "")
    if status != 200 or not content_type.startswith("application/json"):
        return None
    where = f"{method} {path}"
    name = schemas.response_schema(method, path)
    if name is None:
        return None  # a route fakeconsul/schemas does not describe (yet)
    if headers.get("Content-Encoding", "").lower() == "gzip":
        body = gzip.decompress(body)
    try:
        value = json.loads(body)
    except ValueError as err:
        return f"{where}: the body is not one JSON value ({err})"
    except RecursionError:
        return None  # nested deeper than json (and jsonschema) recurse: the tests check its bytes
    found = misfit(name, value)
    if found is None and name == "generate-token-response":
        found = _token_problem(value["PeeringToken"])
    return None if found is None else f"{where}: {found}"


def _token_problem(token: str) -> str | None:
    try:
        decoded = json.loads(base64.b64decode(token, validate=True))
    except (binascii.Error, ValueError) as err:
        return f"the token is not base64 of JSON ({err})"
    found = misfit("peering-token", decoded)
    return None if found is None else f"the token {found}"


def check(
    method: str, path: str, status: int, headers: Mapping[str, str] | Headers, body: bytes
) -> None:
    """Fail (AssertionError) when the answer does not fit its schema."""
    found = problem(method, path, status, headers, body)
    if found is not None:
        raise AssertionError(found)


# The shapes of every text the peering and agent routes answer errors with (spec §2, §7, §11).
CONSUL_ERROR_TEXTS = [re.compile(p, re.DOTALL) for p in (
    r"method \S+ not allowed",
    r"Body decoding failed: .+",
    r"PeerName is required in the payload when generating a new peering token\.",
    r"PeerName is required in the payload when establishing a peering\.",
    r"PeeringToken is required in the payload when establishing a peering\.",
    r"Must specify a name to fetch\.",
    r'Peering not found for ".*"',
    # parse()'s texts; on the peering reads the normal answer follows them (any bytes).
    r"Invalid index.*",
    r"Invalid wait time.*",
    r"Cannot specify \?(stale|cached) with \?consistent, conflicting semantics\..*",
    r'Invalid max_stale value ".*".*',
    r"Invalid Cache-Control header\..*",
    r'Invalid query parameter: "partition" - Partitions are a Consul Enterprise feature',
    r'Invalid header: "X-Consul-Partition" - Partitions are a Consul Enterprise feature',
    r"Invalid URL path: not a recognized HTTP API endpoint\n",
    r"Invalid URL path: if attempting to use the HTTP API, ensure the path starts with '/v1/'\n",
    # The peering service's gRPC errors: since 1.15 the body is the status message alone.
    r".+ is not a valid peer name: .+",
    r"meta tags failed validation: .+",
    r"failed to decode token: .+",
    r"peering token .+",
    r".+ is not a valid peering server address",
    r"Partitions are a Consul Enterprise feature",
    r'cannot create peering with name: ".*"; .+',
    r"cannot create a peering within the same cluster .+",
    r"failed to write peering: .+",
    r"a new peering token must be generated: .+",
    r"\d+ errors? occurred:\n.+",
    r"Permission denied: .+",
    r"ACL not found",
    r"peering must be enabled to use this endpoint",
    # encoding/json's own texts, for a token that is base64 but not a PeeringToken's JSON
    r"unexpected end of JSON input|invalid character .+|json: .+",
)]


def is_consul_error_text(text: str) -> bool:
    """Whether ``text`` has the shape of an error body Consul writes on these routes."""
    return any(pattern.fullmatch(text) for pattern in CONSUL_ERROR_TEXTS)
