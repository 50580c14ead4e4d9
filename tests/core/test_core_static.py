"""Static checks are part of the test run: ruff and mypy must be clean on collector/."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", *args], cwd=ROOT, capture_output=True, text=True, timeout=600)


def test_static_ruff_clean():
    """`ruff check collector` reports nothing."""
    out = _run("ruff", "check", "collector")
    assert out.returncode == 0, out.stdout + out.stderr


def test_static_mypy_clean():
    """`mypy` (strict, configured in pyproject.toml) reports nothing on collector/."""
    out = _run("mypy")
    assert out.returncode == 0, out.stdout + out.stderr
