"""Fixtures for the source tests: fixture files, a fake upstream behind httpx.MockTransport, configs."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from pathlib import Path

import httpx
import pytest

from collector.config import SourceConfig, SymbolConfig
from collector.http import Http

FIXTURES = Path(__file__).parent / "fixtures"
NOW = 1_796_200_000.0  # 2026-12-02, after every fixture date


def fixture_bytes(name: str) -> bytes:
    """The bytes of tests/sources/fixtures/<name>."""
    return (FIXTURES / name).read_bytes()


Handler = Callable[[httpx.Request], httpx.Response]


class FakeUpstream:
    """Answers requests from a handler and keeps every request it saw."""

    def __init__(self) -> None:
        self.requests: list[httpx.Request] = []
        self.handler: Handler = lambda request: httpx.Response(404, json={"error": "no route"})

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        return self.handler(request)

    def paths(self) -> list[str]:
        return [f"{r.method} {r.url.path}" for r in self.requests]


@pytest.fixture
def upstream() -> FakeUpstream:
    return FakeUpstream()


@pytest.fixture
async def http(upstream: FakeUpstream) -> AsyncIterator[Http]:
    """An Http over the fake upstream, with the library-default client headers (no User-Agent override)."""
    async with httpx.AsyncClient(transport=httpx.MockTransport(upstream)) as client:
        yield Http(client, clock=lambda: NOW)


def source_config(name: str, base_url: str, **params: object) -> SourceConfig:
    return SourceConfig(name=name, enabled=True, interval=60.0, base_url=base_url, timeout=5.0, params=params)


SYMBOLS = (
    SymbolConfig("BTC", ("bitcoin", "BTC"), "bitcoin", ("Bitcoin",)),
    SymbolConfig("ETH", ("ethereum", "ETH"), "ethereum", ("ethereum", "cryptocurrency")),
    SymbolConfig("ZZZ", ("zzz",), "not-a-real-coin"),
)
