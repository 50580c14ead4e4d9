"""The shared pipeline on real HTTP against the local fake upstream."""

from __future__ import annotations

import httpx
import pytest

from collector.config import load_config
from collector.http import Http
from collector.models import MARKET
from collector.pipeline import Collector, fetch_once


async def test_pipeline_fetch_once_every_source_ok(replay_config_path, env):
    """One run of every source: all ok, scores for tagged symbols, prices and F&G present."""
    config = load_config(replay_config_path, env)
    snap, results = await fetch_once(config)
    assert all(r.ok for r in results), [r.error for r in results if not r.ok]
    assert {r.source for r in results} == {"cryptopanic", "reddit", "coingecko", "feargreed", "rss"}
    btc = snap.symbols["BTC"]
    assert btc.news is not None and -1 <= btc.news.score <= 1
    assert btc.social is not None and btc.social.items == 1  # the stickied thread is skipped
    assert btc.price_usd == 64250.5 and btc.change_24h_percent == 2.15
    assert snap.symbols["ETH"].trending is True and btc.trending is False
    assert snap.fear_greed is not None and snap.fear_greed.value == 26
    assert snap.symbols[MARKET].news is not None
    assert snap.market_cap_change_24h_percent == 1.25


async def test_pipeline_symbol_without_items_has_no_score(replay_config_path, env):
    """SOL has news (RSS) but no Reddit post mentions it: no social score, not 0."""
    snap, _ = await fetch_once(load_config(replay_config_path, env))
    assert snap.symbols["SOL"].news is not None
    assert snap.symbols["SOL"].social is None
    assert snap.symbols["SOL"].price_usd is None  # the fake has no SOL price: unknown, not 0


async def test_pipeline_second_poll_counts_nothing_new(replay_config_path, env):
    """Items already seen are not scored again on the next poll."""
    config = load_config(replay_config_path, env)
    async with httpx.AsyncClient() as client:
        coll = Collector(config, http=Http(client))
        first = await coll.run_all()
        second = await coll.run_all()
    assert sum(r.new_items for r in first) > 0
    assert sum(r.new_items for r in second) == 0
    assert coll.snapshot().symbols["BTC"].news is not None


async def test_pipeline_failing_source_is_reported_not_raised(upstream, replay_config_path, env):
    """A 503 from one feed fails that feed only, with a reason; the others are unaffected."""
    upstream.fail.add("/rss/beta")
    snap, results = await fetch_once(load_config(replay_config_path, env))
    failed = [r for r in results if not r.ok]
    assert [(r.source, r.feed, r.reason) for r in failed] == [("rss", "beta", "http_5xx")]
    assert snap.sources["rss"].ok is False
    assert snap.sources["rss"].feeds["alpha"].ok is True
    assert snap.sources["cryptopanic"].ok is True


async def test_pipeline_same_story_in_two_feeds_counts_once(replay_config_path, env):
    """The miners story, carried by both feeds with the same link, is scored once."""
    config = load_config(replay_config_path, env)
    async with httpx.AsyncClient() as client:
        coll = Collector(config, http=Http(client))
        await coll.run_all()
        news_items = len(coll.windows["news"])
    # cryptopanic: 3 stories; alpha and beta: their own Solana story each, plus one shared story
    assert news_items == 3 + 1 + 1 + 1


async def test_pipeline_unexpected_bug_is_counted_not_raised(replay_config_path, env):
    """A bug inside a source becomes a failed result with reason internal; the run goes on."""
    config = load_config(replay_config_path, env)

    class Broken:
        key, api, feed, interval, timeout = "feargreed", "feargreed", None, 60.0, 5.0

        async def collect(self, http, now):
            raise KeyError("surprise")

    async with httpx.AsyncClient() as client:
        coll = Collector(config, http=Http(client))
        coll.sources["feargreed"] = Broken()  # type: ignore[assignment]
        results = await coll.run_all()
    bad = [r for r in results if r.source == "feargreed"][0]
    assert not bad.ok and bad.reason == "internal" and not bad.counted
    assert all(r.ok for r in results if r.source != "feargreed")


@pytest.mark.parametrize("only", [("feargreed",), ("rss", "coingecko")])
async def test_pipeline_fetch_once_only_selected_sources(replay_config_path, env, only):
    """`only` limits the run to the named sources."""
    _, results = await fetch_once(load_config(replay_config_path, env), only=only)
    assert {r.source for r in results} == set(only)
