"""`fakeconsul serve --acl-default-policy deny --acl-initial-management-token SECRET`."""

from __future__ import annotations

import os
import subprocess
import sys
import urllib.error
import urllib.request

import pytest

from fakeconsul.acl import ACLConfig
from fakeconsul.serve.cli import _acl_config, build_parser


def _config(*flags: str) -> ACLConfig | None:
    return _acl_config(build_parser().parse_args(["serve", *flags]))


def test_no_acl_flag_keeps_acls_off() -> None:
    assert _config() is None


def test_both_flags_turn_acls_on() -> None:
    assert _config("--acl-default-policy", "deny", "--acl-initial-management-token", "s3") == \
        ACLConfig(default_policy="deny", initial_management_token="s3")


def test_a_management_token_alone_keeps_consul_s_allow_default() -> None:
    assert _config("--acl-initial-management-token", "s3") == ACLConfig(
        default_policy="allow", initial_management_token="s3")


def test_an_unknown_default_policy_is_a_flag_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as caught:
        _config("--acl-default-policy", "block")

    assert caught.value.code == 2
    assert capsys.readouterr().err.endswith(
        "argument --acl-default-policy: invalid choice: 'block' (choose from 'allow', 'deny')\n")


def test_a_served_cluster_enforces_the_flags() -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "fakeconsul", "serve", "--cluster", "dc1=127.0.0.1:0", "--quiet",
         "--no-control-api", "--acl-default-policy", "deny",
         "--acl-initial-management-token", "SECRET"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        assert proc.stdout is not None
        url = proc.stdout.readline().strip().partition(": ")[2]
        with pytest.raises(urllib.error.HTTPError) as caught:
            urllib.request.urlopen(url + "/v1/peerings", timeout=5)
        denied = (caught.value.code, caught.value.read().decode(),
                  caught.value.headers["X-Consul-Default-Acl-Policy"])
        request = urllib.request.Request(url + "/v1/peerings", headers={"X-Consul-Token": "SECRET"})
        with urllib.request.urlopen(request, timeout=5) as allowed:
            assert (allowed.status, allowed.read()) == (200, b"[]")
    finally:
        proc.kill()
        proc.communicate()

    assert denied == (
        403,
        "Permission denied: anonymous token lacks permission 'peering:read'. The anonymous "
        "token is used implicitly when a request does not specify a token.",
        "deny",
    )
