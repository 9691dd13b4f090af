"""``fakeconsul agent``'s flags and config files, read the way Consul's agent reads them.

Consul's ``agent/config`` loads every ``-config-file`` and ``-config-dir`` source in order (a
directory's ``.json`` and ``.hcl`` files by name), merges them key by key, then applies the
flags over them. The fake keeps the keys that decide what it serves and ignores the rest (a
debug line each), so any config sdk/testutil or a user writes is accepted. Errors carry
Consul's texts (``command/agent/agent.go``, ``agent/config/builder.go``).
"""

from __future__ import annotations

import ipaddress
import os
import re
import socket
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from .. import messages
from ..golang.gojson import ANY, GoJSONError
from ..golang.gojson.walk import decode as go_decode
from .logs import get as get_logger

log = get_logger("agent")

# Keys the fake reads; any other top-level key is accepted and ignored.
USED_KEYS = {"datacenter", "node_name", "ports", "addresses", "acl", "peering", "connect",
             "data_dir", "bind_addr", "client_addr", "advertise_addr"}
_BASIC_NAME = re.compile(r"^[a-z0-9_-]+$")


class AgentConfigError(Exception):
    """A flag or config source Consul refuses: the text its agent prints, then exit 1."""


@dataclass
class AgentConfig:
    """What one agent serves: its datacenter, node, ports and ACL/peering switches."""

    datacenter: str = "dc1"
    node_name: str = ""
    dev: bool = False
    data_dir: str = ""
    bind_addr: str = ""
    client_addr: str = "127.0.0.1"
    advertise_addr: str = ""
    http_addr: str = ""
    http_port: int = 8500
    grpc_port: int = -1
    grpc_tls_port: int = -1
    acl_enabled: bool = False
    acl_default_policy: str = "allow"
    initial_management_token: str = ""
    peering_enabled: bool = True
    connect_enabled: bool = True
    ignored: list[str] = field(default_factory=list)

    @property
    def http_host(self) -> str:
        return self.http_addr or self.client_addr

    @property
    def advertised_host(self) -> str:
        """The host tokens name: Consul advertises its bind address; an unspecified one (the
        ``0.0.0.0`` default) falls back to where the HTTP API listens, or loopback."""
        for host in (self.advertise_addr, self.bind_addr, self.http_host):
            if host and not _unspecified(host):
                return host
        return "127.0.0.1"


def _unspecified(host: str) -> bool:
    try:
        return ipaddress.ip_address(host.strip("[]")).is_unspecified
    except ValueError:
        return False


# --- flags (Go's flag package: -name value, -name=value, --name; bools take no value) --------

_STRING_FLAGS = {"-config-file", "-config-dir", "-config-format", "-datacenter", "-node",
                 "-bind", "-client", "-data-dir", "-log-level", "-advertise", "-node-id",
                 "-encrypt", "-join", "-retry-join", "-serf-lan-bind", "-serf-wan-bind",
                 "-hcl", "-log-file", "-pid-file", "-ui-dir", "-domain", "-alt-domain"}
_INT_FLAGS = {"-http-port", "-https-port", "-grpc-port", "-grpc-tls-port", "-dns-port",
              "-serf-lan-port", "-serf-wan-port", "-server-port", "-bootstrap-expect"}
_BOOL_FLAGS = {"-dev", "-server", "-bootstrap", "-ui", "-disable-host-node-id",
               "-enable-script-checks", "-log-json", "-syslog", "-rejoin", "-disable-keyring-file"}


def _flag_error(detail: str) -> AgentConfigError:
    return AgentConfigError(messages.AGENT_FLAG_ERROR.format(detail))


def parse_flags(args: Sequence[str]) -> list[tuple[str, str]]:
    """The flags as (name, value) pairs in order; Consul's errors for unknown or bad ones."""
    pairs: list[tuple[str, str]] = []
    rest = list(args)
    while rest:
        arg = rest.pop(0)
        if arg == "--" or not arg.startswith("-") or arg == "-":
            extra = rest if arg == "--" else [arg, *rest]
            if extra:
                raise AgentConfigError(messages.agent_extra_arguments(extra))
            break
        name, eq, value = ("-" + arg.lstrip("-")).partition("=")
        if name in _BOOL_FLAGS:
            text = value if eq else "true"
            if text not in messages.GO_BOOLS:
                raise _flag_error(messages.go_flag_invalid_bool(text, name))
            pairs.append((name, "true" if text in messages.GO_TRUE else "false"))
            continue
        if name not in _STRING_FLAGS and name not in _INT_FLAGS:
            raise _flag_error(messages.go_flag_undefined(name))
        if not eq:
            if not rest:
                raise _flag_error(messages.go_flag_needs_argument(name))
            value = rest.pop(0)
        if name in _INT_FLAGS and not re.fullmatch(r"[+-]?\d+", value):
            raise _flag_error(messages.go_flag_invalid_int(value, name))
        pairs.append((name, value))
    return pairs


# --- config sources -------------------------------------------------------------------------


def _sources(path: str, config_format: str) -> list[str]:
    """sourcesFromPath: a file as it is, a directory's .json/.hcl files by name."""
    try:
        is_dir = os.path.isdir(path)
        os.stat(path)
    except OSError as err:
        raise AgentConfigError(messages.config_open_failed(path, err)) from None
    if not is_dir:
        if not config_format and not path.endswith((".json", ".hcl")):
            raise AgentConfigError(messages.config_unknown_extension(path))
        return [path]
    found = []
    for name in sorted(os.listdir(path)):
        full = os.path.realpath(os.path.join(path, name))
        if os.path.isdir(full):
            continue
        if not config_format and not name.endswith((".json", ".hcl")):
            log.warning("skipping file %s, extension must be .hcl or .json, or config format "
                        "must be set", full)
            continue
        found.append(full)
    return found


def _parse_source(path: str, config_format: str) -> dict[str, Any]:
    try:
        with open(path, "rb") as f:
            data = f.read()
    except OSError as err:
        raise AgentConfigError(messages.config_read_failed(path, err)) from None
    kind = config_format or ("json" if path.endswith(".json") else "hcl")
    try:
        if kind == "json":
            value = go_decode(data, ANY, stream=False, disallow=False)
        else:
            import hcl  # type: ignore[import-untyped]

            value = hcl.loads(data.decode("utf-8", "replace"))
    except GoJSONError as err:
        raise AgentConfigError(messages.config_parse_failed(path, err.message)) from None
    except ValueError as err:
        # [uncertain] pyhcl's description of the syntax error, not hashicorp/hcl's.
        raise AgentConfigError(messages.config_parse_failed(path, str(err))) from None
    if not isinstance(value, dict):
        raise AgentConfigError(messages.config_parse_failed(path, "not an object"))
    return value


def _merge(base: dict[str, Any], extra: dict[str, Any]) -> None:
    """Later sources win key by key; nested objects merge (Consul's builder merges fields)."""
    for key, value in extra.items():
        if isinstance(value, list) and value and all(isinstance(v, dict) for v in value) \
                and key in ("ports", "addresses", "acl", "peering", "connect", "tokens"):
            # HCL blocks arrive as a list of objects when repeated.
            merged: dict[str, Any] = {}
            for item in value:
                _merge(merged, item)
            value = merged
        if isinstance(value, dict) and isinstance(base.get(key), dict):
            _merge(base[key], value)
        else:
            base[key] = value


# --- building the config --------------------------------------------------------------------


def _port(value: Any, key: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise AgentConfigError(messages.config_bad_value(key, value))
    try:
        return int(value)
    except ValueError:
        raise AgentConfigError(messages.config_bad_value(key, value)) from None


def _bool(value: Any) -> bool:
    if isinstance(value, str):
        return value in messages.GO_TRUE
    return bool(value)


def _apply_file_keys(config: AgentConfig, raw: dict[str, Any]) -> None:
    for key in sorted(set(raw) - USED_KEYS):
        config.ignored.append(key)
    config.datacenter = str(raw.get("datacenter", config.datacenter))
    config.node_name = str(raw.get("node_name", config.node_name))
    config.data_dir = str(raw.get("data_dir", config.data_dir))
    config.bind_addr = str(raw.get("bind_addr", config.bind_addr))
    config.client_addr = str(raw.get("client_addr", config.client_addr))
    config.advertise_addr = str(raw.get("advertise_addr", config.advertise_addr))
    ports = raw.get("ports") or {}
    if isinstance(ports, dict):
        config.http_port = _port(ports.get("http", config.http_port), "ports.http")
        config.grpc_port = _port(ports.get("grpc", config.grpc_port), "ports.grpc")
        config.grpc_tls_port = _port(ports.get("grpc_tls", config.grpc_tls_port),
                                     "ports.grpc_tls")
    addresses = raw.get("addresses") or {}
    if isinstance(addresses, dict) and addresses.get("http"):
        config.http_addr = str(addresses["http"])
    acl = raw.get("acl") or {}
    if isinstance(acl, dict):
        config.acl_enabled = _bool(acl.get("enabled", config.acl_enabled))
        config.acl_default_policy = str(acl.get("default_policy", config.acl_default_policy))
        tokens = acl.get("tokens") or {}
        if isinstance(tokens, dict):
            # ``master`` is the name before 1.11; Consul still reads it.
            token = tokens.get("initial_management") or tokens.get("master")
            if token:
                config.initial_management_token = str(token)
    for key, attr in (("peering", "peering_enabled"), ("connect", "connect_enabled")):
        block = raw.get(key) or {}
        if isinstance(block, dict) and "enabled" in block:
            setattr(config, attr, _bool(block["enabled"]))


def load(args: Sequence[str]) -> AgentConfig:
    """The agent's config from its command line (flags, then the sources they name)."""
    pairs = parse_flags(args)
    flags = dict(pairs)
    config = AgentConfig(dev=flags.get("-dev") == "true")
    if config.dev:
        # -dev: Consul's dev defaults (in memory, gRPC on 8502, gRPC TLS on 8503).
        config.grpc_port, config.grpc_tls_port = 8502, 8503
    config_format = flags.get("-config-format", "")
    if config_format not in ("", "json", "hcl"):
        raise AgentConfigError(messages.CONFIG_FORMAT)
    raw: dict[str, Any] = {}
    for name, value in pairs:
        if name in ("-config-file", "-config-dir"):
            for path in _sources(value, config_format):
                _merge(raw, _parse_source(path, config_format))
    _apply_file_keys(config, raw)
    for name, attr in (("-datacenter", "datacenter"), ("-node", "node_name"),
                       ("-bind", "bind_addr"), ("-client", "client_addr"),
                       ("-data-dir", "data_dir"), ("-advertise", "advertise_addr")):
        if name in flags:
            setattr(config, attr, flags[name])
    for name, attr in (("-http-port", "http_port"), ("-grpc-port", "grpc_port"),
                       ("-grpc-tls-port", "grpc_tls_port")):
        if name in flags:
            setattr(config, attr, int(flags[name]))
    _validate(config)
    for key in config.ignored:
        log.debug("config key %s is accepted and ignored", key)
    return config


def _validate(config: AgentConfig) -> None:
    """The checks of builder.validate that concern what the fake reads, in Consul's order."""
    config.datacenter = config.datacenter.lower()  # Consul lower-cases the datacenter
    if not config.datacenter:
        raise AgentConfigError(messages.config_empty("datacenter"))
    if not _BASIC_NAME.match(config.datacenter):
        raise AgentConfigError(messages.config_basic_name("datacenter", config.datacenter))
    if not config.dev and not config.data_dir:
        raise AgentConfigError(messages.DATA_DIR_EMPTY)
    if not config.node_name:
        config.node_name = socket.gethostname()
    if config.acl_default_policy not in ("allow", "deny"):
        raise AgentConfigError(messages.acl_bad_default_policy(config.acl_default_policy))
