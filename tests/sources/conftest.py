"""Fixtures for tests/sources: defined in sources_helpers.py (importable by name, unlike conftest)."""

from sources_helpers import *  # noqa: F403  (pytest registers the imported fixtures)
