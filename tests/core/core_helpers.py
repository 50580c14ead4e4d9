"""Fixtures for the core: items, scored items, a fake clock, an Http over a MockTransport."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest

from collector.config import AggregationConfig
from collector.http import Http
from collector.models import Item, ScoredItem

NOW = 1_800_000_000.0


class FakeClock:
    """A clock the test moves by hand."""

    def __init__(self, now: float = NOW) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


class RecordingObserver:
    """Keeps every request outcome the HTTP edge reports."""

    def __init__(self) -> None:
        self.requests: list[tuple[str, bool, str | None]] = []
        self.backoffs: dict[str, float | None] = {}

    def request_done(self, api: str, ok: bool, reason: str | None, seconds: float) -> None:
        self.requests.append((api, ok, reason))

    def backoff_until(self, api: str, feed: str | None, until: float | None) -> None:
        self.backoffs[api if feed is None else f"{api}:{feed}"] = until


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def agg_cfg() -> AggregationConfig:
    return AggregationConfig(window=6 * 3600, half_life=2 * 3600, min_items=1, max_engagement_weight=3.0)


def make_item(title: str = "Headline", *, published: float = NOW, url: str = "https://news.example/a",
              source: str = "rss", feed: str = "example", kind: str = "news", engagement: float = 0.0,
              uid: str = "") -> Item:
    return Item(source=source, feed=feed, kind=kind, title=title, url=url, published=published,  # type: ignore[arg-type]
                engagement=engagement, uid=uid)


def scored(compound: float, symbols: set[str], *, published: float = NOW, engagement: float = 0.0,
           weight: float = 1.0, title: str = "t") -> ScoredItem:
    it = make_item(title, published=published, engagement=engagement, url=f"https://n.example/{title}")
    return ScoredItem(item=it, key=title, compound=compound, symbols=frozenset(symbols), weight=weight)


@pytest.fixture
def make_http(clock: FakeClock) -> Callable[..., tuple[Http, RecordingObserver]]:
    """Build an Http around a MockTransport handler, with a recording observer and the fake clock."""
    clients: list[httpx.AsyncClient] = []

    def build(handler: Callable[[httpx.Request], httpx.Response], **kw: object) -> tuple[Http, RecordingObserver]:
        obs = RecordingObserver()
        client = httpx.AsyncClient(transport=httpx.MockTransport(handler), follow_redirects=True)
        clients.append(client)
        return Http(client, observer=obs, clock=clock, **kw), obs  # type: ignore[arg-type]

    return build


@pytest.fixture
def upstream():
    """A running local fake of every upstream (see fake_upstream.py)."""
    from fake_upstream import FakeUpstream

    with FakeUpstream() as up:
        yield up


@pytest.fixture
def replay_config_path(upstream, tmp_path):
    """A config file pointing every source at the fake upstream."""
    from fake_upstream import replay_config

    path = tmp_path / "feeds.yaml"
    path.write_text(replay_config(upstream.base))
    return path


@pytest.fixture
def env():
    """The environment a user would set: only the CryptoPanic key."""
    return {"CRYPTOPANIC_API_KEY": "cp-test-key-0001"}


async def wait_until(predicate, timeout: float = 10.0, step: float = 0.05) -> bool:
    """Poll `predicate` until it is true; fail the test after `timeout` seconds."""
    import asyncio
    import time

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        await asyncio.sleep(step)
    raise AssertionError("condition not met in time")
