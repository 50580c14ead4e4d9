"""The measurements of bench/run.py that run in the benchmark process: parse floor, polls, naive baseline,
scoring throughput and the `collector fetch` command."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import feedparser
import httpx
from common import PY, ROOT, Cpu, Span, Upstream, feed_urls, percentile
from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

from collector.config import Config, load_config
from collector.models import Item
from collector.offload import Processes, Threads
from collector.pipeline import Collector, open_collector
from collector.scoring import Scorer
from collector.sources import rss
from collector.tagging import Tagger

ENV = {**os.environ, "CRYPTOPANIC_API_KEY": "bench-key"}


def load(path: Path) -> Config:
    return load_config(path, ENV)


# -- the parse floor -------------------------------------------------------------------------------------
async def fetch_bodies(base: str, feeds: int) -> list[tuple[str, bytes, str, str]]:
    """(name, body, content type, url) of every feed, fetched concurrently once."""
    async with httpx.AsyncClient(limits=httpx.Limits(max_connections=256), timeout=60) as client:
        async def one(name: str, url: str) -> tuple[str, bytes, str, str]:
            r = await client.get(url)
            return name, r.content, r.headers.get("content-type", ""), url
        return list(await asyncio.gather(*(one(n, u) for n, u in feed_urls(base, feeds))))


def parse_cpu(bodies: list[tuple[str, bytes, str, str]], fn: Callable[..., list[Item]]) -> tuple[float, list[Item]]:
    """CPU seconds to turn every body into items with `fn` (one thread, serial), and the items."""
    items: list[Item] = []
    start = time.process_time()
    for name, body, ctype, url in bodies:
        items += fn(body, content_type=ctype, url=url, feed_name=name, now=time.time())
    return time.process_time() - start, items


def process_cpu(items: list[Item], config: Config) -> float:
    """CPU seconds to tag and score `items` the way the pipeline does (one thread)."""
    scorer, tagger = Scorer(), Tagger(config.symbols)
    start = time.process_time()
    for it in items:
        tagger.tag(f"{it.title}\n{it.summary}")
        scorer.score_item(it.title, it.summary)
    return time.process_time() - start


# -- polls of the collector ------------------------------------------------------------------------------
async def poll(coll: Collector, cpu: Cpu) -> dict[str, Any]:
    """One run of every source (what `collector fetch` does), with wall and CPU time."""
    with Span(cpu) as span:
        results = await coll.run_all()
    rss_results = [r for r in results if r.source == "rss"]
    return {
        "wall_s": span.wall, "cpu_s": span.cpu_s,
        "ok": sum(r.ok for r in results), "sources": len(results),
        "failed": sorted({f"{r.source}:{r.reason}" for r in results if not r.ok}),
        "rss_items": sum(r.items for r in rss_results), "new_items_scored": sum(r.new_items for r in results),
        "slowest_source_s": max(r.duration_seconds for r in results),
    }


async def polls(upstream: Upstream, config: Config, cpu: Cpu) -> dict[str, Any]:
    """First poll, an unchanged poll (304s), and a poll where only the validators changed (all items known)."""
    out: dict[str, Any] = {}
    async with open_collector(config) as coll:
        upstream.call("POST", "/-/reset-stats")
        out["first"] = await poll(coll, cpu)
        out["first"]["upstream"] = upstream.call("GET", "/-/stats")
        upstream.call("POST", "/-/reset-stats")
        out["unchanged"] = await poll(coll, cpu)
        out["unchanged"]["upstream"] = upstream.call("GET", "/-/stats")
        upstream.call("POST", "/-/new-etags")
        upstream.call("POST", "/-/reset-stats")
        out["same_items_new_etags"] = await poll(coll, cpu)
        out["same_items_new_etags"]["upstream"] = upstream.call("GET", "/-/stats")
    return out


async def one_poll(config: Config, cpu: Cpu) -> dict[str, Any]:
    async with open_collector(config) as coll:
        return await poll(coll, cpu)


async def _lag(stop: asyncio.Event, lags: list[float]) -> None:
    """How late a 5 ms timer fires: how long the event loop was busy with something else."""
    while not stop.is_set():
        t = time.perf_counter()
        await asyncio.sleep(0.005)
        lags.append(time.perf_counter() - t - 0.005)


async def offload_compare(config: Config, cpu: Cpu, rounds: int = 2) -> dict[str, Any]:
    """The first poll of everything with parsing (and scoring) in threads, in worker processes started with the
    poll (cold, as `collector fetch`), and in running ones (warm, as the service): wall, CPU of the whole
    process tree, and event-loop lag (what /metrics would wait)."""
    out: dict[str, Any] = {}
    for _ in range(rounds):
        for name in ("threads", "processes_cold", "processes_warm"):
            offload = Threads() if name == "threads" else Processes(preload=("collector.pipeline",))
            async with open_collector(config, offload=offload) as coll:
                offload.start()  # cold: workers start with the poll (`collector fetch`); warm: already running
                await asyncio.sleep(2.0 if name == "processes_warm" else 0.0)
                stop, lags = asyncio.Event(), []
                probe = asyncio.create_task(_lag(stop, lags))
                got = await poll(coll, cpu)
                stop.set()
                await probe
            offload.close()
            got["loop_lag_p99_ms"] = 1000 * percentile(lags, 99)
            got["loop_lag_max_ms"] = 1000 * max(lags)
            best = out.get(name)
            if best is None or got["wall_s"] < best["wall_s"]:
                out[name] = got
    return out


def samples_equivalence(paths: list[Path]) -> dict[str, Any]:
    """Recorded real feeds (if present): the fast path's items equal feedparser's, and it read them itself."""
    from collector.sources import rss_fast

    same = fast = 0
    for path in paths:
        body = path.read_bytes()
        before = rss_fast.STATS.get("fast", 0)
        kw = {"content_type": "application/rss+xml", "url": "https://feeds.example/rss", "feed_name": path.stem,
              "now": 1.9e9}
        same += rss_fast.parse(body, **kw) == rss.parse(body, **kw)
        fast += rss_fast.STATS.get("fast", 0) - before
    return {"feeds": len(paths), "identical": same, "read_by_lxml": fast}


# -- naive baseline --------------------------------------------------------------------------------------
def naive(base: str, feeds: int, cpu: Cpu) -> dict[str, Any]:
    """One request after another with httpx.get, feedparser.parse and plain VADER on every title."""
    vader = SentimentIntensityAnalyzer()
    slowest = 0.0
    scored = 0
    apis = [f"{base}/cryptopanic/api/v1/posts/?auth_token=x&public=true", f"{base}/reddit/r/CryptoCurrency/new.json",
            f"{base}/coingecko/api/v3/simple/price", f"{base}/coingecko/api/v3/search/trending",
            f"{base}/coingecko/api/v3/global", f"{base}/feargreed/fng/"]
    with Span(cpu) as span:
        for url in apis:
            t = time.perf_counter()
            doc = httpx.get(url).json()
            slowest = max(slowest, time.perf_counter() - t)
            for post in doc.get("results", []) if isinstance(doc, dict) else []:
                vader.polarity_scores(post["title"])
                scored += 1
            for child in (doc.get("data") or {}).get("children", []) if isinstance(doc.get("data"), dict) else []:
                vader.polarity_scores(child["data"]["title"])
                scored += 1
        for _, url in feed_urls(base, feeds):
            t = time.perf_counter()
            body = httpx.get(url).content
            slowest = max(slowest, time.perf_counter() - t)
            for entry in feedparser.parse(body).entries:
                vader.polarity_scores(entry.get("title", ""))
                scored += 1
    return {"wall_s": span.wall, "cpu_s": span.cpu_s, "scored": scored, "slowest_response_s": slowest}


# -- scoring throughput ----------------------------------------------------------------------------------
def scoring(texts: list[str], rounds: int) -> dict[str, Any]:
    """Texts per CPU second of raw VADER and of our Scorer on the same headlines: one CPU, after a warm-up,
    rounds interleaved (VADER, ours, VADER, ours, ...) so both see the same machine, best round of each."""
    pinned = None
    if hasattr(os, "sched_setaffinity"):
        pinned = os.sched_getaffinity(0)
        os.sched_setaffinity(0, {min(pinned)})
    try:
        vader, ours = SentimentIntensityAnalyzer(), Scorer()
        fns: dict[str, Callable[[str], object]] = {"vader": vader.polarity_scores, "ours": ours.score}
        best = {name: float("inf") for name in fns}
        for fn in fns.values():
            for t in texts[:500]:
                fn(t)
        for _ in range(rounds):
            for name, fn in fns.items():
                start = time.process_time()
                for t in texts:
                    fn(t)
                best[name] = min(best[name], time.process_time() - start)
    finally:
        if pinned is not None:
            os.sched_setaffinity(0, pinned)
    v, o = len(texts) / best["vader"], len(texts) / best["ours"]
    return {"texts": len(texts), "vader_per_s": v, "ours_per_s": o, "overhead_pct": 100 * (v / o - 1)}


# -- the command -----------------------------------------------------------------------------------------
def cli_fetch(config_path: Path) -> dict[str, Any]:
    """`collector fetch --json` as a subprocess: wall and CPU (its whole process tree), exit code, sources ok."""
    cpu = Cpu()
    with Span(cpu) as span:
        proc = subprocess.run([PY, "-m", "collector", "fetch", "--config", str(config_path), "--json"],
                              cwd=ROOT, env=ENV, capture_output=True, text=True, timeout=600, check=False)
    doc = json.loads(proc.stdout) if proc.stdout.strip().startswith("{") else {}
    sources = doc.get("sources", {})
    return {"wall_s": span.wall, "cpu_s": span.cpu_s, "exit_code": proc.returncode,
            "sources_ok": sorted(k for k, v in sources.items() if v.get("ok")),
            "rss_feeds_ok": sum(1 for f in sources.get("rss", {}).get("feeds", {}).values() if f.get("ok")),
            "stderr": proc.stderr[-500:]}


__all__ = ["cli_fetch", "fetch_bodies", "load", "naive", "offload_compare", "one_poll", "parse_cpu", "polls",
           "process_cpu", "rss", "samples_equivalence", "scoring"]
