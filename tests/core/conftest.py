"""Fixtures for tests/core: defined in core_helpers.py (importable by name, unlike conftest)."""

from core_helpers import *  # noqa: F403  (pytest registers the imported fixtures)
