"""The package's version and the Consul release whose HTTP API it imitates.

Apart from the package root so that any layer can read them without importing the root (which
imports the model, which imports the catalog: reading them from there needs a late import).
"""

from __future__ import annotations

__version__ = "0.1.0"  # pyproject.toml reads it from here (tool.setuptools.dynamic)

# The Consul release whose answers, texts and /v1/agent/self the fake imitates.
CONSUL_VERSION = "1.21.5"
