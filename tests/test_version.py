"""The package's version and the Consul release it imitates, as a user asks for them."""

from __future__ import annotations

import importlib.metadata

import pytest

import fakeconsul
from fakeconsul.serve.cli import main


def test_the_cli_prints_both_versions(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["--version"])

    assert (exited.value.code, capsys.readouterr().out) == (
        0, f"fakeconsul {fakeconsul.__version__} (imitates Consul 1.21.5)\n"
    )


def test_the_package_version_is_the_installed_one() -> None:
    assert fakeconsul.__version__ == importlib.metadata.version("fakeconsul")


def test_the_imitated_consul_version_is_exported() -> None:
    assert fakeconsul.CONSUL_VERSION == "1.21.5"
