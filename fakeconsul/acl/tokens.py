"""ACL token operations with the checks of Consul's ACL.TokenSet/Read/Delete/List RPCs and its
TokenWriter, in order. Roles, service and node identities and expiry are not modelled."""

from __future__ import annotations

from .. import messages
from ..model.errors import ConsulError
from .records import ANONYMOUS_ACCESSOR_ID, RESERVED_ID_PREFIX, Token
from .tables import ACLDenied, ACLTables, is_uuid, new_id

# acl.RootAuthorizer names: a SecretID that spells one of them may not be modified.
_ROOT_NAMES = ("allow", "deny", "manage")


def set_token(
    acl: ACLTables, secret: str | None, *, create: bool, accessor_id: str, secret_id: str,
    description: str, policies: list[tuple[str, str]], roles: list[tuple[str, str]], local: bool,
) -> Token:
    """Create or update a token. ``policies`` and ``roles`` are (ID, Name) links; a link with
    no ID is looked up by name."""
    with acl.lock:
        acl.require_enabled()
        acl.require(secret, "acl", "write")
        if not accessor_id or create:
            token = _new_token(acl, accessor_id, secret_id, description, local)
        else:
            token = _updated_token(acl, accessor_id, secret_id, description, local)
        for role_id, role_name in roles:  # no roles exist in the fake
            if not role_id:
                raise ConsulError(500, messages.no_such_role_name(role_name))
            raise ConsulError(500, messages.no_such_role_id(role_id))
        token.policy_ids = _policy_ids(acl, policies)
        return acl.write_token(token)


def _check_new_id(acl: ACLTables, value: str, which: str) -> None:
    if value.startswith(RESERVED_ID_PREFIX):
        raise ConsulError(500, messages.token_id_problem(
            which, messages.token_id_reserved(RESERVED_ID_PREFIX)))
    if not is_uuid(value):
        raise ConsulError(500, messages.token_id_problem(which, messages.TOKEN_ID_NOT_UUID))
    # tokenIDInUse: a new ID may be neither a known accessor nor a known secret.
    if value in acl.tokens or acl.token_by_secret(value) is not None:
        raise ConsulError(500, messages.token_id_in_use(which))


def _new_token(
    acl: ACLTables, accessor_id: str, secret_id: str, description: str, local: bool
) -> Token:
    if accessor_id:
        _check_new_id(acl, accessor_id, "AccessorID")
    else:
        accessor_id = new_id()
    if secret_id:
        _check_new_id(acl, secret_id, "SecretID")
    else:
        secret_id = new_id()
    return Token(accessor_id, secret_id, description, local=local, create_time=acl.now())


def _updated_token(
    acl: ACLTables, accessor_id: str, secret_id: str, description: str, local: bool
) -> Token:
    if not is_uuid(accessor_id):
        raise ConsulError(500, messages.ACCESSOR_NOT_UUID)
    if secret_id in _ROOT_NAMES:
        raise ACLDenied(messages.CANNOT_MODIFY_ROOT)
    match = acl.tokens.get(accessor_id)
    if match is None:
        raise ConsulError(500, messages.cannot_find_token(accessor_id))
    if secret_id and secret_id != match.secret_id:
        raise ConsulError(500, messages.SECRET_ID_FIXED)
    if local != match.local:
        raise ConsulError(500, messages.cannot_toggle_local(accessor_id))
    return Token(
        accessor_id, match.secret_id, description, local=local, create_time=match.create_time,
        create_index=match.create_index,
    )


def _policy_ids(acl: ACLTables, links: list[tuple[str, str]]) -> list[str]:
    """normalizePolicyLinks: names to IDs, every link must exist, duplicates dropped."""
    ids: list[str] = []
    for policy_id, name in links:
        if not policy_id:
            found = acl.policy_by_name(name)
            if found is None:
                raise ConsulError(500, messages.no_such_policy_name(name))
            policy_id = found.id
        elif policy_id not in acl.policies:
            raise ConsulError(500, messages.no_such_policy_id(policy_id))
        if policy_id not in ids:
            ids.append(policy_id)
    return ids


def read_token(acl: ACLTables, secret: str | None, accessor_id: str) -> tuple[Token | None, bool]:
    """The token (None where Consul answers 404) and whether its SecretID is to be redacted
    (the reader has acl:read but not acl:write)."""
    with acl.lock:
        acl.require_enabled()
        reader = acl.require(secret, "acl", "read")
        assert reader is not None
        return acl.tokens.get(accessor_id), not acl.permits(reader, "acl", "write")


def read_self(acl: ACLTables, secret: str | None) -> Token | None:
    """``GET /v1/acl/token/self``: whoever holds a secret may read its token; no ACL check."""
    with acl.lock:
        acl.require_enabled()
        return acl.token_by_secret(secret) if secret else None


def delete_token(acl: ACLTables, secret: str | None, accessor_id: str) -> None:
    with acl.lock:
        acl.require_enabled()
        acl.require(secret, "acl", "write")
        if not is_uuid(accessor_id):
            raise ConsulError(500, messages.DELETE_ACCESSOR_INVALID)
        if accessor_id == ANONYMOUS_ACCESSOR_ID:
            raise ConsulError(500, messages.ANONYMOUS_UNDELETABLE)
        token = acl.tokens.get(accessor_id)
        if token is None:
            raise ConsulError(404, messages.CANNOT_FIND_TOKEN_TO_DELETE)
        if secret == token.secret_id:
            raise ConsulError(500, messages.SELF_DELETION)
        acl.delete_token_record(accessor_id)


def list_tokens(
    acl: ACLTables, secret: str | None, *, policy_id: str = ""
) -> tuple[list[Token], bool, int]:
    """Tokens by AccessorID (optionally only those linking ``policy_id``), whether secrets are
    redacted, and the tokens table's index."""
    with acl.lock:
        acl.require_enabled()
        reader = acl.require(secret, "acl", "read")
        assert reader is not None
        tokens = [acl.tokens[k] for k in sorted(acl.tokens)]
        if policy_id:
            tokens = [t for t in tokens if policy_id in t.policy_ids]
        return tokens, not acl.permits(reader, "acl", "write"), acl.tokens_index
