"""One cluster's ACL tables (policies, tokens, bootstrap), token resolution and enforcement.

The rules of the ACL endpoints (policies.py, tokens.py) work on these tables; ``ACLSystem``
(system.py) puts them together as the Python API a cluster offers.

Each fake cluster is its own primary datacenter, so it holds every ACL table itself. Writes take
the cluster's next raft index (the store's), as every Consul write does, and wake blocking
queries. Everything here runs under the network's lock.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING

from .. import messages
from ..model.errors import ConsulError
from .authorizer import Authorizer, allowed
from .config import ACLConfig
from .records import (
    ANONYMOUS_ACCESSOR_ID,
    ANONYMOUS_DESCRIPTION,
    ANONYMOUS_SECRET_ID,
    BOOTSTRAP_DESCRIPTION,
    GLOBAL_MANAGEMENT_DESCRIPTION,
    GLOBAL_MANAGEMENT_ID,
    GLOBAL_MANAGEMENT_NAME,
    GLOBAL_MANAGEMENT_RULES,
    INITIAL_MANAGEMENT_DESCRIPTION,
    Policy,
    Token,
)
from .rules import parse

if TYPE_CHECKING:
    from threading import RLock

    from ..model.store import Store

_UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")


def is_uuid(text: str) -> bool:
    """hashicorp/go-uuid's ParseUUID: 36 characters, hex in the 8-4-4-4-12 layout."""
    return bool(_UUID.match(text))


def new_id() -> str:
    return str(uuid.uuid4())


class ACLDenied(ConsulError):
    """A request the ACL system refuses: 403 with Consul's text (``Permission denied: ...`` or
    ``ACL not found``)."""

    def __init__(self, message: str) -> None:
        super().__init__(403, message)


class ACLTables:
    """ACLs of one cluster; ``enabled`` is False (and everything allowed) without a config."""

    def __init__(
        self, config: ACLConfig | None, store: Store, lock: RLock, now: Callable[[], datetime]
    ) -> None:
        self.config = config
        self.store = store
        self.lock = lock
        self.now = now
        self.policies: dict[str, Policy] = {}
        self.tokens: dict[str, Token] = {}
        self.policies_index = 0
        self.tokens_index = 0
        self.bootstrap_index = 0  # the raft index of the bootstrap; 0 while it is still allowed
        self._fresh()

    @property
    def enabled(self) -> bool:
        return self.config is not None

    @property
    def default_policy(self) -> str:
        """What ``X-Consul-Default-ACL-Policy`` says: ``allow`` while ACLs are off."""
        return self.config.default_policy if self.config is not None else "allow"

    def reset(self) -> None:
        """Back to what a freshly started leader writes: the global-management policy, the
        anonymous token and, when configured, the initial management token (which bootstraps).

        A bootstrap stays done: the token ``PUT /v1/acl/bootstrap`` minted survives, and
        bootstrapping again is still refused. A reset must never hand a new management token
        to whoever asks first (the real admin already holds one)."""
        with self.lock:
            minted = self._bootstrap_token()
            self._fresh()
            if minted is not None and self.bootstrap_index == 0:
                # Written again, so it takes the next index, which stays the bootstrap's.
                self.bootstrap_index = self.write_token(minted).create_index

    def _bootstrap_token(self) -> Token | None:
        """The token the bootstrap endpoint minted, if it did (not the configured one)."""
        if not self.bootstrap_index:
            return None
        for token in self.tokens.values():
            if token.create_index == self.bootstrap_index and token.description == (
                BOOTSTRAP_DESCRIPTION
            ):
                return token
        return None

    def _fresh(self) -> None:
        with self.lock:
            self.policies.clear()
            self.tokens.clear()
            self.bootstrap_index = 0
            if self.config is None:
                return
            self.write_policy(Policy(
                GLOBAL_MANAGEMENT_ID, GLOBAL_MANAGEMENT_NAME, GLOBAL_MANAGEMENT_DESCRIPTION,
                GLOBAL_MANAGEMENT_RULES,
            ))
            self.write_token(Token(
                ANONYMOUS_ACCESSOR_ID, ANONYMOUS_SECRET_ID, ANONYMOUS_DESCRIPTION,
                create_time=self.now(),
            ))
            secret = self.config.initial_management_token
            if secret is not None:
                self._bootstrap(new_id(), secret, INITIAL_MANAGEMENT_DESCRIPTION)

    # --- resolution and enforcement ----------------------------------------------------------

    def resolve(self, secret: str | None) -> Token:
        """The token a request's secret names; an empty secret is the anonymous token."""
        if not secret:
            return self.tokens[ANONYMOUS_ACCESSOR_ID]
        found = self.token_by_secret(secret)
        if found is None:
            raise ACLDenied(messages.ACL_NOT_FOUND)
        return found

    def resolve_first(self, secret: str | None) -> None:
        """Consul resolves the token before it validates a request: with ACLs on, an unknown
        secret is refused first ("ACL not found"). Nothing happens while ACLs are off."""
        if self.config is not None:
            self.resolve(secret)

    def authorizer(self, token: Token) -> Authorizer:
        return Authorizer(
            parse(self.policies[pid].rules) for pid in token.policy_ids if pid in self.policies
        )

    def require(
        self, secret: str | None, resource: str, level: str, name: str | None = None
    ) -> Token | None:
        """Raise ACLDenied unless the secret's token holds ``resource:level`` (on ``name``).
        With ACLs off everything is allowed and no token is resolved (None is returned)."""
        if self.config is None:
            return None
        with self.lock:
            token = self.resolve(secret)
            if not self.permits(token, resource, level, name):
                raise ACLDenied(
                    messages.permission_denied(
                        token.accessor_id, resource, level, name,
                        anonymous=token.accessor_id == ANONYMOUS_ACCESSOR_ID,
                    )
                )
            return token

    def permits(self, token: Token, resource: str, level: str, name: str | None = None) -> bool:
        if self.config is None:
            return True
        return allowed(self.authorizer(token), self.config.default_policy, resource, level, name)

    def can(self, secret: str | None, resource: str, level: str, name: str | None = None) -> bool:
        """Whether the secret may; an unknown secret raises ACLDenied (``ACL not found``)."""
        if self.config is None:
            return True
        with self.lock:
            return self.permits(self.resolve(secret), resource, level, name)

    # --- tables ------------------------------------------------------------------------------

    def token_by_secret(self, secret: str) -> Token | None:
        for token in self.tokens.values():
            if token.secret_id == secret:
                return token
        return None

    def policy_by_name(self, name: str) -> Policy | None:
        # memdb's name index of acl-policies is case-insensitive.
        for policy in self.policies.values():
            if policy.name.lower() == name.lower():
                return policy
        return None

    def write_policy(self, policy: Policy) -> Policy:
        index = self.store.write_elsewhere()
        if policy.id not in self.policies:
            policy.create_index = index
        policy.modify_index = self.policies_index = index
        self.policies[policy.id] = policy
        return policy

    def delete_policy_record(self, policy_id: str) -> None:
        self.policies_index = self.store.write_elsewhere()
        del self.policies[policy_id]

    def write_token(self, token: Token) -> Token:
        index = self.store.write_elsewhere()
        if token.accessor_id not in self.tokens:
            token.create_index = index
        token.modify_index = self.tokens_index = index
        self.tokens[token.accessor_id] = token
        return token

    def delete_token_record(self, accessor_id: str) -> None:
        self.tokens_index = self.store.write_elsewhere()
        del self.tokens[accessor_id]

    # --- bootstrap ---------------------------------------------------------------------------

    def bootstrap(self, bootstrap_secret: str = "") -> Token:
        """``PUT /v1/acl/bootstrap``: the first management token, once per cluster."""
        with self.lock:
            self.require_enabled()
            if self.bootstrap_index:
                raise ACLDenied(messages.bootstrap_no_longer_allowed(self.bootstrap_index))
            return self._bootstrap(new_id(), bootstrap_secret or new_id(), BOOTSTRAP_DESCRIPTION)

    def _bootstrap(self, accessor_id: str, secret: str, description: str) -> Token:
        token = self.write_token(Token(
            accessor_id, secret, description, [GLOBAL_MANAGEMENT_ID], create_time=self.now()
        ))
        self.bootstrap_index = token.create_index
        return token

    def require_enabled(self) -> None:
        if self.config is None:
            raise ConsulError(401, messages.ACL_DISABLED)
