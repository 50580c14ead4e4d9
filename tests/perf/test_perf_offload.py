"""Parsing and scoring off the event loop: worker processes, threads and inline give the same results; a
304 is never parsed; a dead worker does not take the collector down; the production choice by feed count."""

from __future__ import annotations

import os
from concurrent.futures.process import BrokenProcessPool

import httpx
import pytest
from perf_feeds import PORTAL_ITEMS, WIRE_ITEMS, rss

from collector.config import parse_config
from collector.dedup import story_keys
from collector.http import Http
from collector.offload import Processes, Threads, inline
from collector.pipeline import PROCESS_POOL_FEEDS, Collector, default_offload

NOW = 1_741_000_000.0
MANY = "".join(f"<item><title>{title} ({n})</title><link>https://many.example/{n}</link></item>" for n, title in
               enumerate(["Bitcoin rallies to a record", "Solana outage halts blocks", "ETH fees plunge 40%",
                          "Exchange hack drains hot wallet", "BTC miners sell reserves", "Solana DeFi grows",
                          "Ether ETF sees inflows", "Regulators weigh stablecoin rules", "Bitcoin slips 3%",
                          "SOL and ETH lead rebound", "Market calm ahead of CPI", "Bitcoin whales accumulate"]))
FEEDS = {"wire": rss(WIRE_ITEMS), "portal": rss(PORTAL_ITEMS), "many": rss(MANY)}  # many: scored off the loop


def config(feeds: int = 3):
    names = list(FEEDS) + [f"extra{i}" for i in range(feeds - len(FEEDS))]
    return parse_config({
        "symbols": {"BTC": {"aliases": ["Bitcoin", "BTC"]}, "SOL": {"aliases": ["Solana", "SOL"]},
                    "ETH": {"aliases": ["Ether", "ETH"]}},
        "sources": {name: {"enabled": False} for name in ("cryptopanic", "reddit", "coingecko", "feargreed",
                                                           "whalealert")},
        "rss": {"feeds": [{"name": n, "url": f"https://{n}.example/rss"} for n in names[:feeds]]},
    }, {})


class Upstream:
    """Every feed by host name; answers 304 to a matching If-None-Match."""

    def __init__(self) -> None:
        self.statuses: list[int] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        name = request.url.host.split(".")[0]
        etag = f'"{name}-1"'
        status = 304 if request.headers.get("if-none-match") == etag else 200
        self.statuses.append(status)
        body = b"" if status == 304 else FEEDS.get(name, rss(""))
        return httpx.Response(status, content=body, headers={"ETag": etag, "Content-Type": "application/rss+xml"})


class Recorder:
    """The pipeline listener: keeps every newly scored item."""

    def __init__(self) -> None:
        self.scored: list = []

    def source_done(self, result, new_items) -> None:
        self.scored.extend(new_items)


async def poll_twice(offload):
    up, seen = Upstream(), Recorder()
    async with httpx.AsyncClient(transport=httpx.MockTransport(up)) as client:
        coll = Collector(config(), http=Http(client), clock=lambda: NOW, offload=offload, listener=seen)
        first = await coll.run_all()
        second = await coll.run_all()
    scored = sorted(((s.key, s.compound, tuple(sorted(s.symbols)), s.weight, s.item) for s in seen.scored),
                    key=lambda t: t[0])
    return first, second, scored, up.statuses


@pytest.mark.parametrize("kind", ["threads", "processes"])
async def test_perf_offload_same_results_as_inline(kind):
    """Items, keys, compounds and symbols are the same whether parsed and scored inline, in threads or in
    worker processes."""
    offload = Threads() if kind == "threads" else Processes(1, preload=("collector.pipeline",))
    offload.start()
    try:
        *_, reference, _ = await poll_twice(inline)
        *_, got, _ = await poll_twice(offload)
    finally:
        offload.close()
    assert got == reference
    assert len(reference) == 16
    assert {sym for _, _, syms, _, _ in reference for sym in syms} >= {"BTC", "SOL"}


async def test_perf_offload_unchanged_feed_is_not_parsed():
    """The second poll gets 304s: every feed succeeds with no items and nothing new is scored."""
    first, second, _, statuses = await poll_twice(inline)
    assert statuses == [200, 200, 200, 304, 304, 304]
    assert all(r.ok for r in first + second)
    assert sum(r.new_items for r in first) >= 4
    assert [(r.items, r.new_items) for r in second] == [(0, 0)] * 3


async def test_perf_offload_source_keys_are_the_story_keys():
    """The keys a feed run brings (computed where it parsed) are exactly dedup.story_keys of its items."""
    up = Upstream()
    async with httpx.AsyncClient(transport=httpx.MockTransport(up)) as client:
        coll = Collector(config(), http=Http(client), clock=lambda: NOW)
        got = await coll.sources["rss:portal"].collect(coll.http, NOW)
    assert got.keys == tuple(story_keys(it) for it in got.items)
    assert len(got.items) == 2


async def test_perf_offload_dead_worker_is_replaced():
    """A worker that dies fails its own task only; the next task runs in a fresh pool."""
    pool = Processes(1)
    try:
        with pytest.raises(BrokenProcessPool):
            await pool(os._exit, 3)
        assert await pool(os.getpid) != os.getpid()
    finally:
        pool.close()


def test_perf_offload_production_choice_by_feed_count():
    """Many feeds: worker processes; a few: threads (a pool's start-up would cost more than it saves)."""
    assert isinstance(default_offload(config(PROCESS_POOL_FEEDS)), Processes)
    assert isinstance(default_offload(config(3)), Threads)
