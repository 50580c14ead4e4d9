"""Fixtures of the fault suite: distinctive fake secrets, the hostile upstream(s), a collector wired the way the
service wires it (fresh registry, Metrics as observer and listener), captured JSON logs, and a spy that checks
every SourceError raised during a test for secrets."""

from __future__ import annotations

import io
import logging
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from faults_support import SECRETS, FakeClock, Rig, assert_no_secret
from hostile_upstream import HostileUpstream, config_yaml

from collector.config import load_config
from collector.errors import SourceError
from collector.logs import setup_logging


@pytest.fixture
def env() -> dict[str, str]:
    return dict(SECRETS)


@pytest.fixture
def upstream() -> Iterator[HostileUpstream]:
    """The hostile upstream on 127.0.0.1, every route answering well until a test says otherwise."""
    with HostileUpstream(secrets=SECRETS) as up:
        yield up


@pytest.fixture
def other_host() -> Iterator[HostileUpstream]:
    """A second server on 127.0.0.2: "another host" for redirects (it only records what reaches it)."""
    with HostileUpstream(host="127.0.0.2", secrets={}) as up:
        yield up


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def write_config(tmp_path: Path, upstream: HostileUpstream):  # type: ignore[no-untyped-def]
    """write_config(**config_yaml options) -> path of a feeds.yaml pointing at the hostile upstream."""
    def write(**kw: object) -> Path:
        path = tmp_path / "feeds.yaml"
        path.write_text(config_yaml(upstream.base, **kw))  # type: ignore[arg-type]
        return path
    return write


@pytest.fixture
async def make_rig(write_config, env, clock):  # type: ignore[no-untyped-def]
    """make_rig(**config_yaml options) -> a Rig; closed after the test."""
    rigs: list[Rig] = []

    def build(**kw: object) -> Rig:
        rig = Rig(load_config(write_config(**kw), env), clock)
        rigs.append(rig)
        return rig

    yield build
    for rig in rigs:
        await rig.close()


@pytest.fixture
async def rig(make_rig) -> Rig:  # type: ignore[no-untyped-def]
    return make_rig()


@pytest.fixture(autouse=True)
def raised_errors(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[SourceError]]:
    """Every SourceError constructed during the test; none may carry a secret in str() or repr()."""
    seen: list[SourceError] = []
    original = SourceError.__init__

    def spy(self: SourceError, *args: object, **kw: object) -> None:
        original(self, *args, **kw)  # type: ignore[arg-type]
        seen.append(self)

    monkeypatch.setattr(SourceError, "__init__", spy)
    yield seen
    for exc in seen:
        assert_no_secret(str(exc), f"str() of {type(exc).__name__}")
        assert_no_secret(repr(exc), f"repr() of {type(exc).__name__}")


@pytest.fixture
def json_logs(monkeypatch: pytest.MonkeyPatch) -> Iterator[io.StringIO]:
    """The collector's own logging setup (JSON lines, redacting filter), writing into a buffer."""
    buf = io.StringIO()
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    monkeypatch.setattr(sys, "stderr", buf)
    setup_logging(secrets=SECRETS.values(), json_lines=True, level="DEBUG")
    yield buf
    for h in list(root.handlers):
        root.removeHandler(h)
    for h in handlers:
        root.addHandler(h)
    root.setLevel(level)
