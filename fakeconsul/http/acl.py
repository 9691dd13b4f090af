"""The ACL endpoints (agent/acl_endpoint.go): policies, tokens, bootstrap.

Handlers decode and check as Consul's do, then call the cluster's ACL system, whose errors carry
the RPC's status and text. With ACLs disabled every endpoint answers 401 ``ACL support
disabled`` before looking at anything else.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import unquote_plus

from werkzeug.wrappers import Request, Response

from .. import messages
from ..acl import Token, policies, tokens
from ..golang.gojson import BOOL, STRING, GoJSONError, GoStruct, decode_stream, ignored, slice_of
from ..model.cluster import Cluster
from . import render
from .blocking import run_blocking
from .query import check_partition, parse_query_options, request_token
from .render import HTTPError
from .routes import Endpoint

# structs.ACLPolicy and structs.ACLToken decode through an UnmarshalJSON whose auxiliary struct
# is anonymous: Go names it "" in type errors ("Go struct field .Name of type string"). Fields
# the fake does not model are accepted and dropped, so a full api.ACLToken still decodes.
POLICY_REQUEST = GoStruct("", "", [
    ("Hash", ignored("string")),
    ("ID", STRING),
    ("Name", STRING),
    ("Description", STRING),
    ("Rules", STRING),
    ("Datacenters", slice_of(STRING)),
    ("CreateIndex", ignored("uint64")),
    ("ModifyIndex", ignored("uint64")),
])
_LINK = [("ID", STRING), ("Name", STRING)]
TOKEN_REQUEST = GoStruct("", "", [
    ("ExpirationTTL", ignored("interface {}")),
    ("Hash", ignored("string")),
    ("AccessorID", STRING),
    ("SecretID", STRING),
    ("Description", STRING),
    ("Policies", slice_of(GoStruct("ACLTokenPolicyLink", "structs", _LINK))),
    ("Roles", slice_of(GoStruct("ACLTokenRoleLink", "structs", _LINK))),
    ("ServiceIdentities", ignored("structs.ACLServiceIdentities")),
    ("NodeIdentities", ignored("structs.ACLNodeIdentities")),
    ("TemplatedPolicies", ignored("structs.ACLTemplatedPolicies")),
    ("Local", BOOL),
    ("AuthMethod", STRING),
    ("ExpirationTime", ignored("*time.Time")),
    ("CreateTime", ignored("time.Time")),
    ("CreateIndex", ignored("uint64")),
    ("ModifyIndex", ignored("uint64")),
])
BOOTSTRAP_REQUEST = GoStruct("BootstrapRequest", "api", [("BootstrapSecret", STRING)])


def _enabled(cluster: Cluster) -> None:
    if not cluster.acl.enabled:
        raise HTTPError(401, messages.ACL_DISABLED)


def _decode(request: Request, target: GoStruct, failure: str) -> dict[str, Any]:
    try:
        return decode_stream(request.get_data(), target)
    except GoJSONError as err:
        raise HTTPError(400, failure.format(err.message)) from None


def _with_query_meta(response: Response, index: int) -> Response:
    response.headers["X-Consul-Index"] = str(max(index, 1))
    response.headers["X-Consul-Knownleader"] = "true"
    response.headers["X-Consul-Lastcontact"] = "0"
    return response


def _links(values: list[dict[str, str]] | None) -> list[tuple[str, str]]:
    return [(link["ID"], link["Name"]) for link in values or []]


# --- bootstrap ---------------------------------------------------------------------------------


def bootstrap(cluster: Cluster, request: Request, name: str) -> Response:
    _enabled(cluster)
    secret = ""
    if request.content_length:  # the body is optional
        secret = _decode(request, BOOTSTRAP_REQUEST, messages.REQUEST_DECODING_FAILED)[
            "BootstrapSecret"]
    token = cluster.acl.bootstrap(secret)
    # aclBootstrapResponse: the secret once more as "ID", then the token's fields.
    return render.json_body({"ID": token.secret_id, **cluster.acl.to_api(token)}, request)


# --- policies ----------------------------------------------------------------------------------


def _write_policy(cluster: Cluster, request: Request, policy_id: str, create: bool) -> Response:
    check_partition(request)
    body = _decode(request, POLICY_REQUEST, messages.POLICY_DECODING_FAILED)
    if create and body["ID"]:
        raise HTTPError(400, messages.POLICY_ID_ON_CREATE)
    if not create and body["ID"] and body["ID"] != policy_id:
        raise HTTPError(400, messages.POLICY_ID_MISMATCH)
    policy = policies.set_policy(
        cluster.acl, request_token(request), body["ID"] or policy_id, body["Name"],
        body["Description"], body["Rules"], body["Datacenters"],
    )
    return render.json_body(policy.to_api(), request)


def _read_policy(cluster: Cluster, request: Request, policy_id: str, name: str) -> Response:
    blocking = parse_query_options(request)
    check_partition(request)
    secret = request_token(request)
    found, index = run_blocking(cluster, blocking, lambda: (
        policies.read_policy(cluster.acl, secret, policy_id=policy_id, name=name),
        cluster.acl.policies_index,
    ))
    if found is None:
        raise HTTPError(404, messages.acl_resource_missing("policy"))
    return _with_query_meta(render.json_body(found.to_api(), request), index)


def create_policy(cluster: Cluster, request: Request, name: str) -> Response:
    _enabled(cluster)
    return _write_policy(cluster, request, "", create=True)


def policy(cluster: Cluster, request: Request, name: str) -> Response:
    _enabled(cluster)
    if not name and request.method != "PUT":
        raise HTTPError(400, messages.MISSING_POLICY_ID)
    if request.method == "GET":
        return _read_policy(cluster, request, name, "")
    if request.method == "PUT":
        return _write_policy(cluster, request, name, create=False)
    check_partition(request)
    policies.delete_policy(cluster.acl, request_token(request), name)
    return render.json_body(True, request)


def policy_by_name(cluster: Cluster, request: Request, name: str) -> Response:
    _enabled(cluster)
    if not name:
        raise HTTPError(400, messages.MISSING_POLICY_NAME)
    # The handler query-unescapes the name once more, so "/" can be sent as %2F.
    return _read_policy(cluster, request, "", unquote_plus(name))


def list_policies(cluster: Cluster, request: Request, name: str) -> Response:
    _enabled(cluster)
    blocking = parse_query_options(request)
    check_partition(request)
    secret = request_token(request)
    found, index = run_blocking(
        cluster, blocking, lambda: policies.list_policies(cluster.acl, secret)
    )
    return _with_query_meta(render.json_body([p.to_stub() for p in found], request), index)


# --- tokens ------------------------------------------------------------------------------------


def _write_token(cluster: Cluster, request: Request, accessor_id: str, create: bool) -> Response:
    check_partition(request)
    body = _decode(request, TOKEN_REQUEST, messages.TOKEN_DECODING_FAILED)
    if not create:
        # The AccessorID may be left out of the body; Consul fills it in from the URL.
        body["AccessorID"] = body["AccessorID"] or accessor_id
        if body["AccessorID"] != accessor_id:
            raise HTTPError(400, messages.TOKEN_ID_MISMATCH)
    token = tokens.set_token(
        cluster.acl, request_token(request), create=create, accessor_id=body["AccessorID"],
        secret_id=body["SecretID"], description=body["Description"],
        policies=_links(body["Policies"]), roles=_links(body["Roles"]), local=body["Local"],
    )
    return render.json_body(cluster.acl.to_api(token), request)


def create_token(cluster: Cluster, request: Request, name: str) -> Response:
    _enabled(cluster)
    return _write_token(cluster, request, "", create=True)


def token(cluster: Cluster, request: Request, name: str) -> Response:
    _enabled(cluster)
    if not name and request.method != "PUT":
        raise HTTPError(400, messages.MISSING_TOKEN_ACCESSOR_ID)
    if request.method == "PUT":
        return _write_token(cluster, request, name, create=False)
    if request.method == "DELETE":
        check_partition(request)
        tokens.delete_token(cluster.acl, request_token(request), name)
        return render.json_body(True, request)
    blocking = parse_query_options(request)
    check_partition(request)
    secret = request_token(request)
    (found, redact), index = run_blocking(cluster, blocking, lambda: (
        tokens.read_token(cluster.acl, secret, name), cluster.acl.tokens_index,
    ))
    if found is None:
        raise HTTPError(404, messages.acl_resource_missing("token"))
    body = cluster.acl.to_api(found, redact=redact)
    return _with_query_meta(render.json_body(body, request), index)


def token_self(cluster: Cluster, request: Request, name: str) -> Response:
    _enabled(cluster)
    blocking = parse_query_options(request)
    secret = request_token(request)
    found, index = run_blocking(cluster, blocking, lambda: (
        tokens.read_self(cluster.acl, secret), cluster.acl.tokens_index,
    ))
    if found is None:
        raise HTTPError(404, messages.SUPPLIED_TOKEN_MISSING)
    return _with_query_meta(render.json_body(cluster.acl.to_api(found), request), index)


def list_tokens(cluster: Cluster, request: Request, name: str) -> Response:
    _enabled(cluster)
    blocking = parse_query_options(request)
    check_partition(request)
    secret, policy_id = request_token(request), request.args.get("policy", "")

    def query() -> tuple[tuple[list[Token], bool], int]:
        found, redact, index = tokens.list_tokens(cluster.acl, secret, policy_id=policy_id)
        return (found, redact), index

    (found, redact), index = run_blocking(cluster, blocking, query)
    body = [cluster.acl.to_api(t, redact=redact) for t in found]
    return _with_query_meta(render.json_body(body, request), index)


ENDPOINTS = (
    Endpoint("/v1/acl/bootstrap", ("PUT",), bootstrap),
    Endpoint("/v1/acl/policy", ("PUT",), create_policy),
    Endpoint("/v1/acl/policy/name/", ("GET",), policy_by_name, subtree=True),
    Endpoint("/v1/acl/policy/", ("GET", "PUT", "DELETE"), policy, subtree=True),
    Endpoint("/v1/acl/policies", ("GET",), list_policies),
    Endpoint("/v1/acl/token", ("PUT",), create_token),
    Endpoint("/v1/acl/token/self", ("GET",), token_self),
    Endpoint("/v1/acl/token/", ("GET", "PUT", "DELETE"), token, subtree=True),
    Endpoint("/v1/acl/tokens", ("GET",), list_tokens),
)
