"""``fakeconsul agent``'s flags and config files, read as Consul's agent reads them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from fakeconsul.serve.agent_config import AgentConfigError, load


def _file(tmp_path: Path, name: str, text: str) -> str:
    path = tmp_path / name
    path.write_text(text)
    return str(path)


def test_testutil_json_config_sets_datacenter_node_and_ports(tmp_path: Path) -> None:
    config = load(["-config-file", _file(tmp_path, "c.json", json.dumps({
        "node_name": "node-1", "datacenter": "dc2", "data_dir": str(tmp_path),
        "ports": {"http": 18500, "grpc": 18502, "grpc_tls": 18503, "dns": -1},
        "bootstrap": True, "server": True, "performance": {"raft_multiplier": 1},
    }))])
    assert (config.datacenter, config.node_name, config.http_port, config.grpc_tls_port) == (
        "dc2", "node-1", 18500, 18503)


def test_unknown_keys_are_accepted_and_remembered(tmp_path: Path) -> None:
    config = load(["-dev", "-config-file", _file(tmp_path, "c.json", '{"enable_debug": true}')])
    assert config.ignored == ["enable_debug"]


def test_hcl_config_is_read(tmp_path: Path) -> None:
    path = _file(tmp_path, "c.hcl", 'datacenter = "east"\nports { http = 9500 }\n')
    config = load(["-dev", "-config-file", path])
    assert (config.datacenter, config.http_port) == ("east", 9500)


def test_flags_win_over_files(tmp_path: Path) -> None:
    path = _file(tmp_path, "c.json", '{"datacenter": "east"}')
    assert load(["-dev", "-config-file", path, "-datacenter=west"]).datacenter == "west"


def test_config_dir_reads_json_and_hcl_files_by_name(tmp_path: Path) -> None:
    _file(tmp_path, "a.json", '{"datacenter": "first"}')
    _file(tmp_path, "b.hcl", 'datacenter = "second"')
    _file(tmp_path, "c.txt", 'not read')
    assert load(["-dev", "-config-dir", str(tmp_path)]).datacenter == "second"


def test_acl_tokens_master_is_the_older_initial_management(tmp_path: Path) -> None:
    path = _file(tmp_path, "c.json", json.dumps(
        {"acl": {"enabled": True, "default_policy": "deny", "tokens": {"master": "root"}}}))
    config = load(["-dev", "-config-file", path])
    assert (config.acl_enabled, config.acl_default_policy, config.initial_management_token) == (
        True, "deny", "root")


def test_dev_mode_serves_grpc_tls_on_8503() -> None:
    assert load(["-dev"]).grpc_tls_port == 8503


def test_grpc_tls_port_names_the_advertised_bind_address() -> None:
    config = load(["-dev", "-bind", "10.0.0.5", "-client", "0.0.0.0"])
    assert config.advertised_host == "10.0.0.5"


@pytest.mark.parametrize(("args", "text"), [
    (["-foo"], "error parsing flags: flag provided but not defined: -foo"),
    (["-http-port"], "error parsing flags: flag needs an argument: -http-port"),
    (["-http-port", "x"], 'error parsing flags: invalid value "x" for flag -http-port: '
                          "parse error"),
    (["-dev", "extra"], "Unexpected extra arguments: [extra]"),
    (["-dev", "-datacenter", "DC_1!"], "datacenter can only contain lowercase alphanumeric, - "
                                       'or _ characters. received: "dc_1!"'),
    ([], "data_dir cannot be empty"),
    (["-dev", "-config-file", "/nonexistent/c.json"],
     "config: Open failed on /nonexistent/c.json. open /nonexistent/c.json: no such file or "
     "directory"),
])
def test_bad_flags_get_consuls_text(args: list[str], text: str) -> None:
    with pytest.raises(AgentConfigError) as err:
        load(args)
    assert str(err.value) == text


def test_a_bad_json_file_names_go_s_syntax_error(tmp_path: Path) -> None:
    path = _file(tmp_path, "c.json", '{"datacenter": }')
    with pytest.raises(AgentConfigError) as err:
        load(["-dev", "-config-file", path])
    assert str(err.value) == (
        f"failed to parse {path}: invalid character '}}' looking for beginning of value")


def test_a_file_without_a_known_extension_is_refused(tmp_path: Path) -> None:
    path = _file(tmp_path, "c.conf", "{}")
    with pytest.raises(AgentConfigError) as err:
        load(["-dev", "-config-file", path])
    assert str(err.value) == (f"file {path} has unknown extension; must be .hcl or .json, or "
                              "config format must be set")
