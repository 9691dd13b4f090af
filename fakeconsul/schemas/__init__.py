"""JSON Schemas (draft 2020-12) of the bodies Consul's peering API takes and gives.

They ship inside the package (so in the wheel) and describe Consul, not the fake: point them at
real Consul's answers too::

    from fakeconsul import schemas
    schemas.validate("peering", requests.get(f"{consul}/v1/peering/web").json())
    schemas.response_schema("GET", "/v1/peering/web")        # -> "peering"

The request schemas carry ``x-go-type``/``x-go-package`` annotations from which ``go_struct``
builds the Go struct descriptors of ``fakeconsul.gojson``: a request body is described once, and
the decoder that gives Go's exact error texts is derived from that description.

``load`` and ``go_struct`` need only the standard library; ``validator`` imports jsonschema the
first time it is called and compiles each schema once.
"""

from __future__ import annotations

import copy
import functools
import json
from collections.abc import Mapping
from importlib import resources
from typing import TYPE_CHECKING, Any, cast

from ..golang.gojson import STRING, GoStruct, GoType, map_of, slice_of

if TYPE_CHECKING:
    from jsonschema.protocols import Validator

BASE_URI = "https://fakeconsul.invalid/schemas/"  # .invalid: never fetched, resolved locally

REQUESTS = ("generate-token-request", "establish-request")
ACL_RESPONSES = (
    "acl-policy", "acl-policies", "acl-token", "acl-tokens", "acl-bootstrap", "acl-deleted",
)
# Exports and discovery (spec §9): catalog, health, config entries and the export listings.
EXPORTS_RESPONSES = (
    "catalog-write-response", "catalog-services", "catalog-nodes", "catalog-service",
    "health-service", "config-apply-response", "config-entry", "config-entries",
    "config-delete-response", "exported-services", "imported-services", "ui-exported-services",
)
RESPONSES = (
    "peering",
    "peerings",
    "generate-token-response",
    "establish-response",
    "status-leader",
    "status-peers",
    "agent-self",
    "agent-members",
    "catalog-datacenters",
    *ACL_RESPONSES,
    *EXPORTS_RESPONSES,
)
# Not a body on the wire: what a token is once base64-decoded; shared definitions.
OTHERS = ("peering-token", "common", "catalog-types")

# The JSON body of a 200 answer, by method and path (the peering subtree is matched below).
_RESPONSE_BY_ROUTE = {
    ("POST", "/v1/peering/token"): "generate-token-response",
    ("POST", "/v1/peering/establish"): "establish-response",
    ("GET", "/v1/peerings"): "peerings",
    ("GET", "/v1/status/leader"): "status-leader",
    ("GET", "/v1/status/peers"): "status-peers",
    ("GET", "/v1/agent/self"): "agent-self",
    ("GET", "/v1/agent/members"): "agent-members",
    ("GET", "/v1/catalog/datacenters"): "catalog-datacenters",
}


class SchemaError(ValueError):
    """A schema cannot be loaded, or cannot describe a Go type."""


def names() -> tuple[str, ...]:
    """Every schema shipped, by name."""
    return REQUESTS + RESPONSES + OTHERS


@functools.cache
def _raw(name: str) -> Mapping[str, Any]:
    if name not in names():
        raise SchemaError(f"no schema named {name!r}; known: {', '.join(sorted(names()))}")
    text = resources.files(__name__).joinpath(f"{name}.json").read_text(encoding="utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema


def load(name: str) -> dict[str, Any]:
    """The schema ``name`` (e.g. ``"peering"``) as a fresh dict: change it freely."""
    return copy.deepcopy(dict(_raw(name)))


def response_schema(method: str, path: str) -> str | None:
    """The schema of a 200 answer's JSON body for ``method`` and ``path``, or None when that
    answer has no JSON body (DELETE, OPTIONS) or the route is not one this package describes."""
    name = _RESPONSE_BY_ROUTE.get((method, path))
    if name is None and method == "GET" and path.startswith("/v1/peering/"):
        name = "peering"
    return name or _acl_response_schema(method, path) or _exports_response_schema(method, path)


# The ACL routes: exact ones, then the subtrees (whose DELETE answers a bare ``true``).
_ACL_BY_ROUTE = {
    ("PUT", "/v1/acl/bootstrap"): "acl-bootstrap",
    ("PUT", "/v1/acl/policy"): "acl-policy",
    ("GET", "/v1/acl/policies"): "acl-policies",
    ("PUT", "/v1/acl/token"): "acl-token",
    ("GET", "/v1/acl/token/self"): "acl-token",
    ("GET", "/v1/acl/tokens"): "acl-tokens",
}


def _acl_response_schema(method: str, path: str) -> str | None:
    name = _ACL_BY_ROUTE.get((method, path))
    for prefix, kind in (("/v1/acl/policy/", "acl-policy"), ("/v1/acl/token/", "acl-token")):
        if name is None and path.startswith(prefix):
            name = "acl-deleted" if method == "DELETE" else kind
    return name


_EXPORTS_BY_ROUTE = {
    ("PUT", "/v1/catalog/register"): "catalog-write-response",
    ("PUT", "/v1/catalog/deregister"): "catalog-write-response",
    ("GET", "/v1/catalog/services"): "catalog-services",
    ("GET", "/v1/catalog/nodes"): "catalog-nodes",
    ("PUT", "/v1/config"): "config-apply-response",
    ("GET", "/v1/exported-services"): "exported-services",
    ("GET", "/v1/imported-services"): "imported-services",
    ("GET", "/v1/internal/ui/exported-services"): "ui-exported-services",
}


def _exports_response_schema(method: str, path: str) -> str | None:
    name = _EXPORTS_BY_ROUTE.get((method, path))
    if name is None and method == "GET" and path.startswith("/v1/catalog/service/"):
        name = "catalog-service"
    if name is None and method == "GET" and path.startswith("/v1/health/service/"):
        name = "health-service"
    if name is None and path.startswith("/v1/config/"):
        if method == "DELETE":
            name = "config-delete-response"
        elif method == "GET":
            # /v1/config/:kind lists, /v1/config/:kind/:name reads one.
            name = "config-entry" if "/" in path[len("/v1/config/"):] else "config-entries"
    return name


@functools.cache
def validator(name: str) -> Validator:
    """A compiled draft 2020-12 validator for ``name``; references between the files are
    resolved locally. Compiled once per process: calls after the first cost nothing."""
    from jsonschema import Draft202012Validator
    from referencing import Registry, Resource

    resources_ = [
        (BASE_URI + f"{other}.json", Resource.from_contents(dict(_raw(other))))
        for other in names()
    ]
    registry: Registry[Any] = Registry().with_resources(resources_)
    schema = dict(_raw(name))
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema, registry=registry)


def validate(name: str, value: object) -> None:
    """Raise ``jsonschema.ValidationError`` (the most relevant error) unless ``value`` fits."""
    from jsonschema.exceptions import best_match

    error = best_match(validator(name).iter_errors(cast(Any, value)))
    if error is not None:
        raise error


# --- Go struct descriptors from the x-go-* annotations ---------------------------------------


def go_struct(name: str) -> GoStruct:
    """The gojson descriptor of the Go struct schema ``name`` describes.

    Fields are the schema's ``properties`` in order (Go's declaration order, which is also its
    JSON order). A property's Go kind comes from its JSON type, ``null`` aside: a string, a
    slice (``items``), a struct (an object with ``x-go-type``; ``x-go-pointer`` makes it a
    pointer) or a string-keyed map (an object with ``additionalProperties``).
    """
    schema = _raw(name)
    typ = _go_type(schema, schema, name)
    if not isinstance(typ, GoStruct):
        raise SchemaError(f"schema {name!r} does not describe a Go struct (no x-go-type)")
    return typ


def _resolve(
    node: Mapping[str, Any], root: Mapping[str, Any], where: str
) -> tuple[Mapping[str, Any], Mapping[str, Any]]:
    """Follow ``$ref`` (``#/...`` in this file or ``other.json#/...`` among ours) to the node it
    names, and the document that node lives in."""
    while "$ref" in node:
        ref = node["$ref"]
        document, _, pointer = str(ref).partition("#")
        if document:
            name = document.removesuffix(".json")
            if name not in names():
                raise SchemaError(f"{where}: {ref!r} names no schema of this package")
            root = _raw(name)
        target: Any = root
        for part in pointer.split("/")[1:]:
            target = target[part]
        node = target
    return node, root


def _json_kind(node: Mapping[str, Any], where: str) -> str:
    declared = node.get("type")
    kinds = [declared] if isinstance(declared, str) else list(declared or [])
    kinds = [kind for kind in kinds if kind != "null"]  # null: the Go zero value, any type
    if len(kinds) != 1:
        raise SchemaError(f"{where}: a Go field needs exactly one JSON type besides null")
    kind: str = kinds[0]
    return kind


def _go_type(node: Mapping[str, Any], root: Mapping[str, Any], where: str) -> GoType:
    node, root = _resolve(node, root, where)
    kind = _json_kind(node, where)
    if kind == "string":
        return STRING
    if kind == "array":
        return slice_of(_go_type(node.get("items", {}), root, where + "[]"))
    if kind != "object":
        raise SchemaError(f"{where}: JSON type {kind!r} has no Go type in fakeconsul.gojson")
    if "x-go-type" in node:
        fields = [
            (field, _go_type(sub, root, f"{where}.{field}"))
            for field, sub in node.get("properties", {}).items()
        ]
        return GoStruct(
            node["x-go-type"],
            node.get("x-go-package", "main"),
            fields,
            pointer=bool(node.get("x-go-pointer", False)),
        )
    values = node.get("additionalProperties")
    if not isinstance(values, Mapping):
        raise SchemaError(
            f"{where}: an object needs x-go-type (a struct) or a value schema (a map)")
    return map_of(_go_type(values, root, where + "{}"))


# --- the second line behind the Go decoder ------------------------------------------------------


class SchemaDisagreement(AssertionError):
    """A body Go's decoder accepted does not fit the schema the decoder was derived from.

    Never Consul's answer: it means the fake contradicts itself, so it is raised as a bug."""


class RequestBody:
    """One request schema, compiled once: its Go struct and a check of what was decoded."""

    def __init__(self, name: str) -> None:
        if name not in REQUESTS:
            raise SchemaError(f"{name!r} is not a request schema")
        self.name = name
        self.go_struct = go_struct(name)
        self._validator = validator(name)

    def check_decoded(self, decoded: Mapping[str, object]) -> None:
        """``decoded`` (gojson's result, canonical field names) must fit the schema.

        Runs only after the Go decoder accepted the body, so it can never change an answer the
        decoder gave; a misfit is the fake's bug and raises SchemaDisagreement."""
        error = next(iter(self._validator.iter_errors(cast(Any, dict(decoded)))), None)
        if error is not None:
            raise SchemaDisagreement(f"{self.name}: decoded body misfits its schema: {error}")
