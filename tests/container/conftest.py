"""Fixtures for the container checks: the repository root and the Dockerfile text."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def root() -> Path:
    return ROOT


@pytest.fixture(scope="session")
def dockerfile(root: Path) -> str:
    return (root / "Dockerfile").read_text()
