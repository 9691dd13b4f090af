"""Every text Consul answers with, in one place, copied byte for byte.

Sources: agent/peering_endpoint.go, agent/http.go, agent/rpc/peering/service.go and the state store,
as distilled in the project's spec (section numbers in comments). Where the spec marks a text
[uncertain], the choice is named here and nowhere else.
"""

from __future__ import annotations

from .golang.gocompat import go_quote
from .model.errors import ConsulError

# --- HTTP wrapper (agent/http.go) ------------------------------------------------------------

def method_not_allowed(method: str) -> str:
    return f"method {method} not allowed"


INVALID_URL_PATH = "Invalid URL path: not a recognized HTTP API endpoint\n"  # http.Error adds "\n"
INDEX_UI_DISABLED = (
    "Consul Agent: UI disabled. To enable, set ui_config.enabled=true in the agent configuration "
    "and restart."
)
INVALID_INDEX = "Invalid index"
INVALID_WAIT = "Invalid wait time"
STALE_AND_CONSISTENT = "Cannot specify ?stale with ?consistent, conflicting semantics."
CACHED_AND_CONSISTENT = "Cannot specify ?cached with ?consistent, conflicting semantics."
INVALID_CACHE_CONTROL = "Invalid Cache-Control header."


def invalid_max_stale(value: str) -> str:
    return f"Invalid max_stale value {go_quote(value)}"


PARTITION_QUERY = (
    'Invalid query parameter: "partition" - Partitions are a Consul Enterprise feature'
)
PARTITION_HEADER = (
    'Invalid header: "X-Consul-Partition" - Partitions are a Consul Enterprise feature'
)


def moved_permanently_html(location: str) -> str:
    # net/http.Redirect's body for GET and HEAD.
    return f'<a href="{location}">Moved Permanently</a>.\n\n'


# --- Peering HTTP handlers (agent/peering_endpoint.go, spec §2) --------------------------------

NO_BODY = "The peering arguments must be provided in the body"
BODY_DECODING_FAILED = "Body decoding failed: {}"
GENERATE_PEER_NAME_REQUIRED = (
    "PeerName is required in the payload when generating a new peering token."
)
ESTABLISH_PEER_NAME_REQUIRED = "PeerName is required in the payload when establishing a peering."
ESTABLISH_TOKEN_REQUIRED = "PeeringToken is required in the payload when establishing a peering."
NAME_REQUIRED = "Must specify a name to fetch."


def peering_not_found(name: str) -> str:
    return f"Peering not found for {go_quote(name)}"


# --- gRPC PeeringService (agent/rpc/peering/service.go) ----------------------------------------
# An error from the RPC is a gRPC status. Since Consul 1.15 agent/http.go handleErr unpacks it
# and writes only the status message as the body (no "rpc error: code = X desc = " prefix; that
# form is Consul <= 1.14). Status: 403 when the error is an ACL denial or the code is
# PermissionDenied, else 500 (spec §2.0: validation failures are not 400 in real Consul).

PERMISSION_DENIED = "PermissionDenied"
UNKNOWN = "Unknown"
INVALID_ARGUMENT = "InvalidArgument"
FAILED_PRECONDITION = "FailedPrecondition"


def rpc_error(code: str, desc: str) -> ConsulError:
    """The error a gRPC status ``code`` with message ``desc`` becomes over HTTP."""
    forbidden = code == PERMISSION_DENIED or "Permission denied" in desc or "ACL not found" in desc
    return ConsulError(403 if forbidden else 500, desc, code=code)


PEERING_DISABLED = "peering must be enabled to use this endpoint"
PARTITIONS_ENTERPRISE = "Partitions are a Consul Enterprise feature"


def invalid_peer_name(name: str) -> str:
    return (
        f"{name} is not a valid peer name: a valid peering name must consist of lower case "
        "alphanumeric characters or '-', and must start and end with an alphanumeric character"
    )


def already_established(name: str) -> str:
    return (
        f"cannot create peering with name: {go_quote(name)}; "
        "there is already an established peering"
    )


def expecting_to_be_dialed(name: str) -> str:
    return (
        f"cannot create peering with name: {go_quote(name)}; "
        "there is an existing peering expecting to be dialed"
    )


MARKED_FOR_DELETION = "failed to write peering: cannot write to peering that is marked for deletion"


def same_cluster(server_name: str) -> str:
    return (
        f"cannot create a peering within the same cluster {go_quote(server_name)}. Refer to the "
        "`exported-services` documentation if you want to export between partitions without peering"
    )


INVALID_ESTABLISHMENT_SECRET = (
    "a new peering token must be generated: invalid peering establishment secret"
)


def exchange_failed(address: str, cause: str) -> str:
    return f"failed to exchange peering secret through address {go_quote(address)}: {cause}"


def dial_refused(address: str) -> str:
    # [uncertain] the gRPC error a dialer gets from an address where nothing listens; the shape
    # is grpc-go's for a refused TCP connection. It keeps its "rpc error: ..." prefix: Consul
    # wraps it with %w inside a go-multierror, which is not a status, so the text is Error()'s.
    return (
        'rpc error: code = Unavailable desc = connection error: desc = "transport: Error while '
        f'dialing: dial tcp {address}: connect: connection refused"'
    )


# --- Meta validation (structs.ValidateMetadata, spec §3.2) -------------------------------------

META_FAILED = "meta tags failed validation: {}"
META_TOO_MANY = "Node metadata cannot contain more than 64 key/value pairs"
META_PAIR = "Couldn't load metadata pair ('{}', '{}'): {}"
META_KEY_BLANK = "Key cannot be blank"
META_KEY_INVALID = "Key contains invalid characters"
META_KEY_TOO_LONG = "Key is too long (limit: 128 characters)"
META_KEY_RESERVED = "Key prefix 'consul-' is reserved for internal use"
META_VALUE_TOO_LONG = "Value is too long (limit: 512 characters)"

# --- Token decoding and validation (spec §4.3) -------------------------------------------------

TOKEN_DECODE_FAILED = "failed to decode token: {}"


def illegal_base64(offset: int) -> str:
    return f"illegal base64 data at input byte {offset}"


TOKEN_INVALID_CA = "peering token invalid CA: {}"
# connect.ParseCert's own texts; the x509 parser's text is [uncertain]: Go's parser has many
# messages, the fake gives its most common one for any DER it cannot read.
CA_NO_PEM = "no PEM-encoded data found"
CA_NOT_CERTIFICATE = "first PEM-block should be CERTIFICATE type"
CA_MALFORMED = "x509: malformed certificate"
TOKEN_NO_ADDRESSES = "peering token server addresses value is empty"
TOKEN_NO_SERVER_NAME = "peering token server name value is empty"
TOKEN_NO_PEER_ID = "peering token peer ID value is empty"


def invalid_server_address(address: str) -> str:
    return f"{address} is not a valid peering server address"


# --- Stream (peerstream) errors, shown only through state and logs ----------------------------

HEARTBEAT_TIMEOUT = "heartbeat timeout"
INVALID_STREAM_SECRET = "invalid peering stream secret"
STREAM_ENDED = "stream ended unexpectedly"
# [uncertain] What the dialer's stream ends with when gRPC's keepalive gets no ping ACK (grpc-go
# closes the transport with this description). No HTTP answer shows it: it only makes the
# dialer FAILING.
KEEPALIVE_TIMEOUT = (
    "rpc error: code = Unavailable desc = keepalive ping failed to receive ACK within timeout"
)


def marked_as_deleted(peer_id: str) -> str:
    return f"peering is marked as deleted: {peer_id}"


def unknown_peer_id(peer_id: str) -> str:
    return f"initial subscription for unknown PeerID: {peer_id}"


def active_stream(peer_id: str) -> str:
    # peerstream Tracker.Connected: one stream per peering at the acceptor.
    return f"there is an active stream for the given PeerID {go_quote(peer_id)}"


def register_stream_failed(peer_id: str) -> str:
    # peerstream's HandleStream wraps Tracker.Connected's error; the dialer sees it with gRPC's
    # code Unknown.
    return f"failed to register stream: {active_stream(peer_id)}"


# --- The fake-to-fake link between processes (fakeconsul's own, not Consul's) -----------------

LINK_BODY_NOT_JSON = "fakeconsul link: the body is not JSON"
LINK_BODY_NOT_OBJECT = "fakeconsul link: the body is not a JSON object"


def link_unknown_version(version: int) -> str:
    return f"fakeconsul link: this acceptor speaks version {version}"


def link_stream_refused(peer_name: str, error: str) -> str:
    # [uncertain] after the line Consul's leader logs (hclog: message, then key=value pairs).
    return f"error managing peering stream: peer_name={peer_name} error={go_quote(error)}"


# --- pytest plugin: usage errors of @pytest.mark.fakeconsul (fakeconsul's own, not Consul's) ---

MARKER_KEYWORDS_ONLY = "@pytest.mark.fakeconsul takes keyword arguments only"
MARKER_UNKNOWN_SETTINGS = "@pytest.mark.fakeconsul: unknown settings {}"
MARKER_CLOCK_START = "@pytest.mark.fakeconsul: clock_start must be an aware datetime, not {!r}"
MARKER_BAD_VALUE = "@pytest.mark.fakeconsul: {}"

# --- Standalone server: control API under /_fakeconsul/ and the state file (fakeconsul serve) -
# The fake's own texts, not Consul's: they name the field at fault and what it must be.

CONTROL_BODY_NOT_JSON = "Request body is not valid JSON: {}"
CONTROL_BODY_NOT_OBJECT = "Request body must be a JSON object"
CONTROL_MAX_SECONDS = 10 * 365 * 24 * 3600  # ten years: far beyond any test, far below overflow


def control_unknown_field(name: str, allowed: list[str]) -> str:
    if not allowed:
        return f'Unknown field "{name}" (this endpoint takes no fields)'
    return f'Unknown field "{name}" (known fields: {", ".join(allowed)})'


def control_missing_field(name: str) -> str:
    return f'Missing field "{name}"'


def control_not_string(name: str) -> str:
    return f'"{name}" must be a string'


def control_bad_seconds(name: str) -> str:
    return f'"{name}" must be a number of seconds from 0 to {CONTROL_MAX_SECONDS}'


CONTROL_HEARTBEAT_INTERVAL_ZERO = '"HeartbeatInterval" must be more than 0'


def control_unknown_cluster(name: str) -> str:
    return f'No cluster named "{name}" on this network'


CONTROL_TWO_CLUSTERS = '"Clusters" must name two different clusters, like ["dc1", "dc2"]'
CONTROL_BAD_STATUS = '"Status" must be an HTTP status code from 200 to 599'
CONTROL_BAD_HEADER_NAME = (
    '"Headers" names must be HTTP header names (letters, digits, !#$%&\'*+-.^_`|~)'
)
CONTROL_BAD_HEADER_VALUE = '"Headers" values must not hold CR, LF or other control characters'
CONTROL_BODY_TOO_DEEP = "Request body is nested too deeply"
CONTROL_PROXY_TO_CONTROL = (
    "/_fakeconsul/clusters/<name>/ reaches a cluster's Consul API, not /_fakeconsul/"
)


def control_framing_header(name: str) -> str:
    return f'"Headers" must not set {name}: the server frames the answer itself'


def control_foreign_origin(origin: str) -> str:
    # A page of another site must not drive the fake (cross-site POSTs need no CORS preflight).
    return f"fakeconsul's control API answers only pages it serves itself, not Origin {origin}"


def control_foreign_host(host: str) -> str:
    # A DNS name that resolves to this machine (DNS rebinding) must not reach the fake's API.
    return (f"fakeconsul's control API answers only requests for this server's own address, "
            f"localhost or an IP address, not Host {host}")
CONTROL_BAD_TIMES = '"Times" must be a whole number from 1 up'
CONTROL_BAD_PATH = '"Path" must start with "/" and lie outside /_fakeconsul/'
CONTROL_BAD_HEADERS = '"Headers" must be an object whose values are strings'
CONTROL_BAD_METHOD = '"Method" must be an HTTP method such as "GET", or "*" for any'


def control_unknown_endpoint(path: str) -> str:
    return f"No control endpoint {path} (GET /_fakeconsul/state shows the network)"


def control_cluster_down(name: str) -> str:
    return f'Cluster "{name}" is down; POST /_fakeconsul/bring-up {{"Cluster": "{name}"}} starts it'


def ui_no_file(name: str) -> str:
    return f"No dashboard file {name}"


def state_unreadable(path: str, reason: str) -> str:
    return f"cannot read state file {path}: {reason}"


def state_corrupt(path: str, reason: str) -> str:
    return f"state file {path} is corrupt ({reason}); it was left untouched"


STATE_NOT_JSON = "not JSON: {}"
STATE_NOT_FAKECONSUL = 'not a fakeconsul state file: no "Format": "fakeconsul-state"'


def state_newer_version(found: object, supported: int) -> str:
    return f"format version {found!r}, this fakeconsul reads versions up to {supported}"


def state_journal_line(number: int, problem: str) -> str:
    """A journal line of the state file that cannot be replayed (its line number in the file)."""
    return f"line {number}: {problem}"


def state_missing(where: str) -> str:
    return f"{where} is missing"


def state_wrong_type(where: str, expected: str) -> str:
    return f"{where} must be {expected}"


def state_unknown_part(where: str) -> str:
    return f"{where} is unknown to this fakeconsul (a newer version wrote it?)"


def state_duplicate(where: str, name: str) -> str:
    return f'{where} names "{name}" twice'


def state_in_use(path: str) -> str:
    return f"state file {path} is in use by another fakeconsul"


def state_save_failed(path: str, reason: str) -> str:
    return f"cannot save state file {path}: {reason}"


def state_bad_entry(where: str, problem: str) -> str:
    return f"{where} is refused: {problem}"


# --- ACLs (acl/errors.go, agent/acl_endpoint.go, agent/consul/acl_endpoint.go,
# auth/token_writer.go, acl/policy.go; spec §8) ---------------------------------------------
# The ACL RPCs go over net/rpc, not gRPC: their errors reach the HTTP body as plain text. The
# wrapper answers 403 when the text contains "Permission denied" or "ACL not found", the handler's
# own HTTPErrors keep their status, and every other RPC error is a 500 (a malformed policy rule
# included: Consul's UI handles "Failed to parse ACL rules" arriving with a 500).

ACL_NOT_FOUND = "ACL not found"
ACL_DISABLED = "ACL support disabled"


def permission_denied(
    accessor_id: str, resource: str, level: str, name: str | None = None, *,
    anonymous: bool = False,
) -> str:
    """acl/errors.go PermissionDeniedError.Error (1.15+): the anonymous token is named in words
    and followed by a sentence saying why it was used; any other token by its AccessorID."""
    who = "anonymous token" if anonymous else f"token with AccessorID '{accessor_id}'"
    text = f"Permission denied: {who} lacks permission '{resource}:{level}'"
    # ResourceDescriptor.ToString in CE: the name between plain double quotes, not %q.
    text += f' on "{name}"' if name is not None else ""
    return text + (ANONYMOUS_IMPLICIT if anonymous else "")


ANONYMOUS_IMPLICIT = (
    ". The anonymous token is used implicitly when a request does not specify a token."
)


def bootstrap_no_longer_allowed(reset_index: int) -> str:
    return f"Permission denied: ACL bootstrap no longer allowed (reset index: {reset_index})"


REQUEST_DECODING_FAILED = "Request decoding failed: {}"
POLICY_DECODING_FAILED = "Policy decoding failed: {}"
TOKEN_DECODING_FAILED = "Token decoding failed: {}"
MISSING_POLICY_ID = "Missing policy ID"
MISSING_POLICY_NAME = "Missing policy Name"
MISSING_TOKEN_ACCESSOR_ID = "Missing token AccessorID"
POLICY_ID_ON_CREATE = "Cannot specify the ID when creating a new policy"
POLICY_ID_MISMATCH = "Policy ID in URL and payload do not match"
TOKEN_ID_MISMATCH = "Token Accessor ID in URL and payload do not match"
SUPPLIED_TOKEN_MISSING = "Supplied token does not exist"
CANNOT_FIND_POLICY_TO_DELETE = "Cannot find policy to delete"
CANNOT_FIND_TOKEN_TO_DELETE = "Cannot find token to delete"


def acl_resource_missing(kind: str) -> str:
    return f"Requested {kind} does not exist: {ACL_NOT_FOUND}"


POLICY_NO_NAME = "Invalid Policy: no Name is set"
POLICY_INVALID_NAME = (
    "Invalid Policy: invalid Name. Only alphanumeric characters, '-' and '_' are allowed"
)
POLICY_ID_INVALID_UUID = "Policy ID invalid UUID"


def policy_name_taken(name: str) -> str:
    return f"Invalid Policy: A Policy with Name {go_quote(name)} already exists"


def policy_rename_taken(name: str) -> str:
    # The update path spells it with a lower-case "policy name" (PolicySet).
    return f"Invalid Policy: A policy with name {go_quote(name)} already exists"


def cannot_find_policy(policy_id: str) -> str:
    return f"cannot find policy {policy_id}"


MANAGEMENT_RULES_FIXED = (
    "Changing the Rules for the builtin global-management policy is not permitted"
)
MANAGEMENT_DATACENTERS_FIXED = (
    "Changing the Datacenters of the builtin global-management policy is not permitted"
)
MANAGEMENT_POLICY_UNDELETABLE = (
    "Delete operation not permitted on the builtin global-management policy"
)
# [uncertain] the detail after this prefix is hashicorp/hcl v1's parser message in Consul; the
# fake gives pyhcl's description of the same syntax error (see fakeconsul/acl/rules.py).
RULES_PARSE_FAILED = "Failed to parse ACL rules: {}"


def invalid_rule(kind: str, shown: str) -> str:
    """``Invalid <kind> policy: %#v`` of the offending rule (a quoted string or a Go struct)."""
    return f"Invalid {kind} policy: {shown}"


def invalid_intentions(kind: str, shown: str) -> str:
    return f"Invalid {kind} intentions policy: {shown}"


def token_id_problem(which: str, problem: str) -> str:
    return f"Invalid Token: {which} - {problem}"


def token_id_in_use(which: str) -> str:
    return f"Invalid Token: {which} is already in use"


TOKEN_ID_NOT_UUID = "not a valid UUID"


def token_id_reserved(prefix: str) -> str:
    return f"UUIDs with the prefix {go_quote(prefix)} are reserved"


ACCESSOR_NOT_UUID = "AccessorID is not a valid UUID"


def cannot_find_token(accessor_id: str) -> str:
    return f"Cannot find token {go_quote(accessor_id)}"


SECRET_ID_FIXED = "Changing a token's SecretID is not permitted"


def cannot_toggle_local(accessor_id: str) -> str:
    return f"Cannot toggle local mode of {accessor_id}"


def no_such_policy_name(name: str) -> str:
    return f"No such ACL policy with name {go_quote(name)}"


def no_such_policy_id(policy_id: str) -> str:
    return f"No such ACL policy with ID {go_quote(policy_id)}"


def no_such_role_name(name: str) -> str:
    return f"No such ACL role with name {go_quote(name)}"


def no_such_role_id(role_id: str) -> str:
    return f"No such ACL role with ID {go_quote(role_id)}"


DELETE_ACCESSOR_INVALID = "Accessor ID is missing or an invalid UUID"
ANONYMOUS_UNDELETABLE = "Delete operation not permitted on the anonymous token"
SELF_DELETION = "Deletion of the request's authorization token is not permitted"
CANNOT_MODIFY_ROOT = "Permission denied: Cannot modify root ACL"


# --- Contract and robustness (issue 7) ----------------------------------------------------------

# Consul's Index handler (agent/http.go) for a path outside the API: Fprintln adds the "\n".
INVALID_URL_PATH_NOT_API = (
    "Invalid URL path: if attempting to use the HTTP API, ensure the path starts with '/v1/'\n"
)


# --- Exports and discovery: config entries, catalog, health, agent services (spec §9) ---------
# agent/config_endpoint.go, structs/config_entry*.go, agent/catalog_endpoint.go,
# agent/consul/catalog_endpoint.go, agent/health_endpoint.go, agent/agent_endpoint.go.

# exported-services validation (§9.1 [exact]); "Services[i]: ..." / "Services[i].Consumers[j]: ..."
EXPORTED_SERVICES_NAME = 'exported-services Name must be "default"'
SERVICE_NAME_EMPTY = "service name cannot be empty"
NAMESPACE_WILDCARD = "service name must be wildcard if namespace is wildcard"
NO_CONSUMER = "must have at least one consumer"
CONSUMER_AT_MOST_ONE = "must define at most one of Peer, Partition, or SamenessGroup"
CONSUMER_ALL_PARTITIONS = "exporting to all partitions (wildcard) is not supported"
CONSUMER_ALL_PEERS = "exporting to all peers (wildcard) is not supported"
# CE's validateServicesEnterprise (config_entry_exports_ce.go).
PARTITIONS_ENTERPRISE_ONLY = "partitions are an enterprise-only feature"
SAMENESS_ENTERPRISE_ONLY = "sameness-groups are an enterprise-only feature"


def service_problem(i: int, text: str) -> str:
    return f"Services[{i}]: {text}"


def consumer_problem(i: int, j: int, text: str) -> str:
    return f"Services[{i}].Consumers[{j}]: {text}"


# validateConfigEntryMeta
def meta_too_many(limit: int) -> str:
    return f"Meta exceeds maximum element count {limit}"


def meta_key_too_long(key: str, limit: int) -> str:
    return f"Meta key {go_quote(key)} exceeds maximum length {limit}"


def meta_value_too_long(key: str, limit: int) -> str:
    return f"Meta value for key {go_quote(key)} exceeds maximum length {limit}"


# DecodeConfigEntry and validateUnusedKeys (CE)
CONFIG_DECODING_FAILED = "Request decoding failed: {}"
CONFIG_NO_KIND = "Payload does not contain a kind/Kind key at the top level"
CONFIG_KIND_NOT_STRING = "Kind value in payload is not a string"


def invalid_config_kind(kind: str) -> str:
    return f"invalid config entry kind: {kind}"


def invalid_config_key(key: str) -> str:
    lowered = key.lower()
    if lowered.endswith("namespace"):
        return f"invalid config key {go_quote(key)}, namespaces are a consul enterprise feature"
    if "jwt" in lowered:
        return (
            f"invalid config key {go_quote(key)}, api-gateway jwt validation is a consul "
            "enterprise feature"
        )
    return f"invalid config key {go_quote(key)}"


def config_body_not_object(raw: object) -> str:
    # [uncertain] the text when the body is JSON but not an object: encoding/json's, decoding
    # into the handler's map[string]interface{}.
    kind = (
        "array" if isinstance(raw, list) else "string" if isinstance(raw, str)
        else "bool" if isinstance(raw, bool) else "number"
    )
    return f"json: cannot unmarshal {kind} into Go value of type map[string]interface {{}}"


def config_not_found(kind: str, name: str) -> str:
    return f"Config entry not found for {go_quote(kind)} / {go_quote(name)}"


CONFIG_DELETE_NEEDS_BOTH = "Must provide both a kind and name to delete"

# Catalog and agent registration
REQUEST_DECODE_FAILED = "Request decode failed: {}"
MUST_PROVIDE_NODE = "Must provide node"
MUST_PROVIDE_ADDRESS = "Must provide address if SkipNodeUpdate is not set"
SERVICE_NAME_WITH_ID = "Must provide service name (Service.Service) with ID (Service.ID)"
INVALID_SERVICE_ADDRESS = "Invalid service address"
MISSING_NODE_REGISTRATION = "Missing node registration"
MISSING_SERVICE_REGISTRATION = "Missing service registration"
MISSING_SERVICE_NAME = "Missing service name"
MISSING_NODE_NAME = "Missing node name"
MISSING_CHECK_STATE = "Missing check state"
INVALID_PASSING = "Invalid value for ?passing"
INVALID_CHECK = "Invalid check: {}"
# CheckType.Validate (the three cases a registration without a running check can hit).
CHECK_INTERVAL_AND_TTL = "Interval and TTL cannot both be specified"
CHECK_NEEDS_INTERVAL = "Interval must be > 0 for Script, HTTP, H2PING, TCP or UDP checks"
CHECK_NEEDS_TTL = "TTL must be > 0 for TTL checks"


def bad_node_id(reason: str) -> str:
    return f"Bad node ID: {reason}"


# hashicorp/go-uuid ParseUUID
UUID_WRONG_LENGTH = "uuid string is wrong length"
UUID_IMPROPER = "uuid is improperly formatted"


def unknown_agent_service(service_id: str) -> str:
    return (
        f"Unknown service ID {go_quote(service_id)}. Ensure that the service ID is passed, "
        "not the service name."
    )


# Internal.ExportedServicesForPeer (the UI's exported-services tab)
MUST_PROVIDE_PEER_NAME = "must provide PeerName"
MARKER_ACL = "@pytest.mark.fakeconsul: acl must be an ACLConfig or None, not {!r}"


def hcl_unknown_type(key: str, node: str) -> str:
    # [uncertain] hcl v1's decoder error for a value of the wrong shape (without its "At L:C: "
    # position, which the fake's parser does not give).
    return f"{key}: unknown type for string *ast.{node}"


# --- the state file's catalog part (fakeconsul's own) ------------------------------------------


def state_no_node(where: str, node: str) -> str:
    return f'{where} is on node "{node}", which the catalog\'s Nodes do not hold'


# --- the fake's own failures (never Consul's) --------------------------------------------------


def internal_error(detail: str) -> str:
    # A bug in the fake: the test harness re-raises the original exception; this only names it.
    return f"fakeconsul internal error: {detail}"


def unserved_path(datacenter: str, method: str, path: str) -> str:
    # A warning in the fake's log, once per path: Consul's 404 text alone does not say that
    # real Consul may serve the path (py-consul turns some of these 404s into a silent None).
    return (f"{datacenter}: {method} {path} is not an endpoint fakeconsul serves (answered "
            "404 as Consul answers an unknown path); the README lists those it serves under "
            "Endpoints")


# --- `consul agent`: flags and config (command/agent/agent.go, agent/config/builder.go) ---------

# Go's flag package, as the agent's "error parsing flags: %v" wraps it.
AGENT_FLAG_ERROR = "error parsing flags: {}"
GO_TRUE = ("1", "t", "T", "TRUE", "true", "True")
GO_BOOLS = GO_TRUE + ("0", "f", "F", "FALSE", "false", "False")


def go_flag_undefined(name: str) -> str:
    return f"flag provided but not defined: {name}"


def go_flag_needs_argument(name: str) -> str:
    return f"flag needs an argument: {name}"


def go_flag_invalid_int(value: str, name: str) -> str:
    return f"invalid value {go_quote(value)} for flag {name}: parse error"


def go_flag_invalid_bool(value: str, name: str) -> str:
    return f"invalid boolean value {go_quote(value)} for {name}: parse error"


def agent_extra_arguments(args: list[str]) -> str:
    return f"Unexpected extra arguments: [{' '.join(args)}]"


def _go_os_error(op: str, path: str, err: OSError) -> str:
    # Go's *PathError: "open PATH: no such file or directory" (syscall texts are lower-case).
    reason = err.strerror or str(err)
    return f"{op} {path}: {reason[:1].lower()}{reason[1:]}"


def config_open_failed(path: str, err: OSError) -> str:
    return f"config: Open failed on {path}. {_go_os_error('open', path, err)}"


def config_read_failed(path: str, err: OSError) -> str:
    return f"config: failed to read {path}: {_go_os_error('read', path, err)}"


def config_unknown_extension(path: str) -> str:
    return (f"file {path} has unknown extension; must be .hcl or .json, or config format must "
            "be set")


def config_parse_failed(path: str, detail: str) -> str:
    return f"failed to parse {path}: {detail}"


def config_bad_value(key: str, value: object) -> str:
    # [uncertain] Consul's mapstructure decode error names the field and the value it refused.
    return f"'{key}' expected type 'int', got unconvertible type '{type(value).__name__}'"


CONFIG_FORMAT = "config: -config-format must be either 'hcl' or 'json'"
DATA_DIR_EMPTY = "data_dir cannot be empty"


def config_empty(field: str) -> str:
    return f"{field} cannot be empty"


def config_basic_name(field: str, value: str) -> str:
    return (f"{field} can only contain lowercase alphanumeric, - or _ characters. "
            f"received: {go_quote(value)}")


def acl_bad_default_policy(value: str) -> str:
    return f"unexpected ACL default policy value of {go_quote(value)}"


# ConnectCARoots (agent/connect_ca_endpoint.go)
PEM_NOT_BOOLEAN = "The 'pem' query parameter must be a boolean value"
