"""Kept for old ``-p conftest_plugin`` command lines: the plugin is ``fakeconsul.pytest_plugin``."""

from fakeconsul.pytest_plugin import *  # noqa: F401,F403
