"""The one version number: pyproject.toml's, as installed (CHANGELOG.md, /healthz, footer)."""

from importlib.metadata import version

__version__ = version("cjm-workshop")
