"""``consul version`` through the shim, byte for byte as Consul's command/version prints it:
sdk/testutil parses the JSON form before it starts any server."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from fakeconsul.serve.shim import write_shim
from fakeconsul.version import CONSUL_VERSION


@pytest.fixture(scope="module")
def consul(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_shim(tmp_path_factory.mktemp("bin"))


def _run(consul: Path, *args: str) -> str:
    return subprocess.run([str(consul), *args], capture_output=True, text=True, check=True,
                          timeout=30).stdout


def test_version_format_json_is_consuls_indented_version_info(consul: Path) -> None:
    # json.MarshalIndent(info, "", "   ") of VersionInfo (HumanVersion is `json:"-"`, FIPS
    # omitempty), then the newline Ui.Output adds.
    assert _run(consul, "version", "-format=json") == (
        "{\n"
        f'   "Version": "{CONSUL_VERSION}",\n'
        '   "Revision": "fakeconsul",\n'
        '   "Prerelease": "",\n'
        '   "BuildDate": "2024-11-26T00:00:00Z",\n'
        '   "RPC": {\n'
        '      "Default": 2,\n'
        '      "Min": 2,\n'
        '      "Max": 3\n'
        "   }\n"
        "}\n")


def test_version_first_line_names_the_consul_release(consul: Path) -> None:
    assert _run(consul, "version").splitlines()[0] == f"Consul v{CONSUL_VERSION}"
