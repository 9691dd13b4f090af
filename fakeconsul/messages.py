"""Every text Consul answers with, in one place, copied byte for byte.

Sources: agent/peering_endpoint.go, agent/http.go, agent/rpc/peering/service.go and the state store,
as distilled in the project's spec (section numbers in comments). Where the spec marks a text
[uncertain], the choice is named here and nowhere else.
"""

from __future__ import annotations

from .errors import ConsulError
from .gocompat import go_quote

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
# Errors from the RPC reach the HTTP body as the gRPC status string. Status: 403 when the text
# names a permission problem or the code is PermissionDenied, else 500 (spec §2.0: validation
# failures are not 400 in real Consul; the spec marks 500 for InvalidArgument as [uncertain]).

PERMISSION_DENIED = "PermissionDenied"
UNKNOWN = "Unknown"
INVALID_ARGUMENT = "InvalidArgument"
FAILED_PRECONDITION = "FailedPrecondition"


def rpc_error(code: str, desc: str) -> ConsulError:
    text = f"rpc error: code = {code} desc = {desc}"
    forbidden = code == PERMISSION_DENIED or "Permission denied" in text or "ACL not found" in text
    return ConsulError(403 if forbidden else 500, text)


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
    # is grpc-go's for a refused TCP connection.
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
STREAM_ENDED = "stream ended unexpectedly"


def marked_as_deleted(peer_id: str) -> str:
    return f"peering is marked as deleted: {peer_id}"


def unknown_peer_id(peer_id: str) -> str:
    return f"initial subscription for unknown PeerID: {peer_id}"
