"""The collection pipeline, shared by `collector fetch` (run every source once) and `collector serve`
(run each source on its schedule): source -> dedup -> tagging -> scoring -> windows -> snapshot.

`Collector.run(key)` never raises for an expected failure: it returns a `SourceResult` with a redacted error
and a reason, and tells the listener. Only cancellation propagates.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator, Callable, Iterable, Sequence
from dataclasses import replace
from typing import Protocol

import httpx

from collector.aggregate import Window, whale_activity
from collector.config import Config, SymbolConfig
from collector.dedup import Deduper, story_keys
from collector.errors import SourceError
from collector.http import Http, make_client
from collector.models import MARKET, Collected, FearGreed, Item, MarketData, ScoredItem, SourceResult, WhaleTx
from collector.offload import Offload, Processes, Threads, inline
from collector.redact import Redactor
from collector.scoring import Scorer
from collector.snapshot import Snapshot, SourceStatus, SymbolView
from collector.sources import build_sources
from collector.sources.base import APIS, Source
from collector.tagging import Tagger

log = logging.getLogger("collector.pipeline")


class Listener(Protocol):
    def source_done(self, result: SourceResult, new_items: Sequence[ScoredItem]) -> None: ...


class Collector:
    """Holds the collection state (dedup memory, windows, latest readings) across runs and config reloads."""

    def __init__(
        self,
        config: Config,
        *,
        http: Http,
        scorer: Scorer | None = None,
        clock: Callable[[], float] = time.time,
        listener: Listener | None = None,
        offload: Offload = inline,
    ) -> None:
        self.http = http
        self.offload = offload  # where RSS bodies are parsed (collector.offload)
        self.clock = clock
        self.listener = listener
        self._standard_scorer = scorer is None
        self.scorer = scorer or Scorer()
        self.results: dict[str, SourceResult] = {}
        self.last_success: dict[str, float] = {}
        self.market: MarketData | None = None
        self.fear_greed: FearGreed | None = None
        self.whales: tuple[WhaleTx, ...] | None = None
        self.config = config
        agg = config.aggregation
        self.dedup = Deduper(ttl=max(agg.window * 2, 24 * 3600.0), clock=clock)
        self.windows = {"news": Window("news", agg), "social": Window("social", agg)}
        self.sources: dict[str, Source] = {}
        self._snapshot: Snapshot | None = None
        self.apply_config(config)

    # -- configuration -----------------------------------------------------------------------------
    def apply_config(self, config: Config) -> None:
        """Take a new config, keeping the state of every source whose settings did not change."""
        fresh = {s.key: s for s in build_sources(config, offload=self.offload)}
        kept = {}
        for key, src in fresh.items():
            old = self.sources.get(key)
            same = old is not None and source_settings(self.config, key) == source_settings(config, key)
            kept[key] = old if same and old is not None else src
        for key in set(self.results) - set(kept):
            del self.results[key]
        self.sources = kept
        self.config = config
        self.tagger = Tagger(config.symbols)
        self.feed_weights = {f.name: f.weight for f in config.rss.feeds}
        symbols = {s.symbol for s in config.symbols}
        for w in self.windows.values():
            w.cfg = config.aggregation
            w.retain(symbols)
        self._snapshot = None

    # -- running -----------------------------------------------------------------------------------
    async def run(self, key: str) -> SourceResult:
        """Run one source once, bounded by its deadline; ingest what it brought; never raise."""
        src = self.sources[key]
        started = time.perf_counter()
        collected: Collected | None = None
        error: str | None = None
        reason: str | None = None
        counted = True
        try:
            async with asyncio.timeout(src.timeout + 5.0):
                collected = await src.collect(self.http, self.clock())
        except SourceError as exc:
            error, reason, counted = self.http.redact(str(exc)), exc.reason, exc.counted
        except TimeoutError:
            error, reason = f"{key}: no answer within the run deadline of {src.timeout + 5:g}s", "timeout"
            counted = False
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # a bug: count it, log it, keep the job alive
            log.exception("source run failed unexpectedly", extra={"source": src.api, "feed": src.feed})
            error = f"{key}: internal error {type(exc).__name__}: {self.http.redact(str(exc))[:200]}"
            reason, counted = "internal", False
        now = self.clock()
        new: list[ScoredItem] = []
        items = 0
        if collected is not None:
            items, new = await self._ingest(src, collected, now)
            self.last_success[src.api] = now
        result = SourceResult(
            source=src.api, feed=src.feed, ok=collected is not None, items=items,
            duration_seconds=time.perf_counter() - started, finished_at=now, error=error, reason=reason,
            new_items=len(new), counted=counted,
        )
        self.results[key] = result
        self._snapshot = None
        if self.listener is not None:
            self.listener.source_done(result, new)
        return result

    async def run_all(
        self, keys: Iterable[str] | None = None, *, on_done: Callable[[SourceResult], None] | None = None
    ) -> list[SourceResult]:
        """Run the given sources (default: all) once, concurrently."""
        async def one(k: str) -> SourceResult:
            r = await self.run(k)
            if on_done is not None:
                on_done(r)
            return r

        return list(await asyncio.gather(*(one(k) for k in (keys or list(self.sources)))))

    async def _ingest(self, src: Source, got: Collected, now: float) -> tuple[int, list[ScoredItem]]:
        if got.market is not None:
            self.market = got.market
        if got.fear_greed is not None:
            self.fear_greed = got.fear_greed
        if got.whales is not None:
            self.whales = got.whales
        given = got.keys if got.keys is not None and len(got.keys) == len(got.items) else None
        keyed = list(zip(got.items, given, strict=True)) if given else [(it, story_keys(it)) for it in got.items]
        fresh = [(it, keys) for it, keys in keyed if self.dedup.is_new(keys)]  # seen items are never scored
        scored = await self._score_off_loop(fresh) if len(fresh) > 8 else self._score(fresh)
        for s in scored:
            self.windows[s.item.kind].add(s, now)
        count = len(got.items) if got.items else (len(got.market.quotes) if got.market else 0)
        if got.fear_greed is not None:
            count = 1
        if got.whales is not None:
            count = len(got.whales)
        return count, scored

    async def _score_off_loop(self, fresh: Sequence[Keyed]) -> list[ScoredItem]:
        """Tag and score in the offload's worker processes when it has them (and the scorer is the standard
        one, which the workers build themselves), else in a thread."""
        if getattr(self.offload, "remote", False) and self._standard_scorer:
            got = await self.offload(score_items, fresh, self.config.symbols, self.feed_weights)
            return [ScoredItem(item=it, key=key, compound=c, symbols=syms, weight=w)
                    for (it, _), (key, c, syms, w) in zip(fresh, got, strict=True)]
        return await asyncio.to_thread(self._score, fresh)

    def _score(self, fresh: Sequence[Keyed]) -> list[ScoredItem]:
        return [ScoredItem(item=it, key=key, compound=c, symbols=syms, weight=w)
                for (it, _), (key, c, syms, w) in zip(fresh, tag_and_score(
                    fresh, self.scorer, self.tagger, self.config.symbols, self.feed_weights), strict=True)]

    # -- reading -----------------------------------------------------------------------------------
    def ready(self) -> bool:
        """True once every enabled source has finished at least one run (success or failure)."""
        return all(k in self.results for k in self.sources)

    def snapshot(self) -> Snapshot:
        if self._snapshot is None:
            self._snapshot = self._build_snapshot(self.clock())
        return self._snapshot

    def refresh(self) -> Snapshot:
        self._snapshot = None
        return self.snapshot()

    def _build_snapshot(self, now: float) -> Snapshot:
        cfg = self.config
        news = self.windows["news"].scores(now)
        social = self.windows["social"].scores(now)
        quotes = self.market.quotes if self.market else {}
        trending = set(self.market.trending) if self.market else None
        whales = None
        wa = cfg.sources.get("whalealert")
        if self.whales is not None and wa is not None and wa.enabled:
            p = wa.params
            whales = whale_activity(
                self.whales, symbols=[s.symbol for s in cfg.symbols], now=now,
                window=float(p.get("window", 3600)),  # type: ignore[arg-type]
                bullish_threshold_usd=float(p.get("bullish_threshold_usd", 1e7)),  # type: ignore[arg-type]
                bearish_threshold_usd=float(p.get("bearish_threshold_usd", 1e7)),  # type: ignore[arg-type]
            )
        symbols: dict[str, SymbolView] = {}
        for sc in cfg.symbols:
            q = quotes.get(sc.coingecko_id) if sc.coingecko_id else None
            symbols[sc.symbol] = SymbolView(
                news=news.get(sc.symbol), social=social.get(sc.symbol),
                price_usd=q.price_usd if q else None,
                change_24h_percent=q.change_24h_percent if q else None,
                market_cap_usd=q.market_cap_usd if q else None,
                trending=(sc.coingecko_id in trending) if trending is not None and sc.coingecko_id else None,
                whale_activity=whales.get(sc.symbol) if whales is not None else None,
            )
        symbols[MARKET] = SymbolView(news=news.get(MARKET), social=social.get(MARKET))
        return Snapshot(
            at=now, symbols=symbols, sources=self._statuses(),
            fear_greed=self.fear_greed,
            market_cap_change_24h_percent=self.market.market_cap_change_24h_percent if self.market else None,
            items_in_window={k: len(w) for k, w in self.windows.items()},
        )

    def _statuses(self) -> dict[str, SourceStatus]:
        by_api: dict[str, list[tuple[Source, SourceResult | None]]] = {}
        for key, src in self.sources.items():
            by_api.setdefault(src.api, []).append((src, self.results.get(key)))
        out = {}
        for api in APIS:
            runs = by_api.get(api)
            if not runs:
                continue
            done = [r for _, r in runs if r is not None]
            failed = [r for r in done if not r.ok]
            first = failed[0] if failed else None
            out[api] = SourceStatus(
                api=api, ok=bool(done) and not failed and len(done) == len(runs),
                items=sum(r.items for r in done),
                duration_seconds=max((r.duration_seconds for r in done), default=0.0),
                error=(first.error if first else None) if done else "not run yet",
                reason=first.reason if first else None,
                last_success=self.last_success.get(api),
                feeds={s.feed: r for s, r in runs if s.feed is not None and r is not None} if api == "rss" else {},
            )
        return out


Keyed = tuple[Item, tuple[str, ...]]  # an item and its story keys


def tag_and_score(fresh: Sequence[Keyed], scorer: Scorer, tagger: Tagger, symbols: Sequence[SymbolConfig],
                  feed_weights: dict[str, float]) -> list[tuple[str, float, frozenset[str], float]]:
    """(key, compound, symbols, weight) of each new item. Pure."""
    known = {s.symbol for s in symbols}
    out = []
    for it, keys in fresh:
        tagged = tagger.tag(f"{it.title}\n{it.summary}") | (it.tags & known)
        weight = feed_weights.get(it.feed, 1.0) if it.source == "rss" else 1.0
        out.append((keys[0] if keys else it.uid, scorer.score_item(it.title, it.summary), frozenset(tagged), weight))
    return out


_WORKER_SCORING: dict[tuple[SymbolConfig, ...], tuple[Scorer, Tagger]] = {}


def score_items(fresh: Sequence[Keyed], symbols: tuple[SymbolConfig, ...],
                feed_weights: dict[str, float]) -> list[tuple[str, float, frozenset[str], float]]:
    """`tag_and_score` in a worker process, with a Scorer and Tagger built once per process and symbol set."""
    made = _WORKER_SCORING.get(symbols)
    if made is None:
        _WORKER_SCORING.clear()
        made = _WORKER_SCORING[symbols] = (Scorer(), Tagger(symbols))
    return tag_and_score(fresh, made[0], made[1], symbols, feed_weights)


def source_settings(config: Config, key: str) -> object:
    """Everything a source instance is built from; equal settings mean the old instance can stay."""
    if key.startswith("rss:"):
        name = key[4:]
        feed = next((f for f in config.rss.feeds if f.name == name), None)
        return (feed, config.rss.interval, config.rss.timeout, config.http)
    return (config.sources.get(key), config.symbols, config.secrets, config.http)


async def fetch_once(
    config: Config,
    *,
    client: httpx.AsyncClient | None = None,
    only: Sequence[str] = (),
    on_done: Callable[[SourceResult], None] | None = None,
    scorer: Scorer | None = None,
) -> tuple[Snapshot, list[SourceResult]]:
    """Run every enabled source (or those whose api is in `only`) once, concurrently; the `collector fetch` core."""
    async with open_collector(config, client=client, scorer=scorer) as coll:
        keys = [k for k, s in coll.sources.items() if not only or s.api in only]
        results = await coll.run_all(keys, on_done=on_done)
        snap = coll.snapshot()
        ran = {r.source for r in results}
        return replace(snap, sources={api: st for api, st in snap.sources.items() if api in ran}), results


@contextlib.asynccontextmanager
async def open_collector(
    config: Config, *, client: httpx.AsyncClient | None = None, scorer: Scorer | None = None,
    offload: Offload | None = None,
) -> AsyncIterator[Collector]:
    """A Collector with the production HTTP edge (a client of its own unless one is given) and the production
    offload for parsing (`default_offload`, unless one is given); both closed on exit."""
    own_offload = offload is None
    offload = offload or default_offload(config)
    offload.start()
    own = client is None
    client = client or make_client(user_agent=config.http.user_agent, max_connections=config.http.max_connections,
                                   max_redirects=config.http.max_redirects)
    try:
        http = Http(client, redactor=Redactor(config.secrets.redactables()),
                    max_body_bytes=config.http.max_body_bytes,
                    per_host=config.http.per_host)
        yield Collector(config, http=http, scorer=scorer, offload=offload)
    finally:
        if own:
            await client.aclose()
        if own_offload:
            offload.close()


#: From this many enabled feeds on, feeds are parsed (and new items scored) in worker processes.
PROCESS_POOL_FEEDS = 20


def default_offload(config: Config) -> Offload:
    """Where `collector fetch` and `collector serve` parse feeds and score new items: a pool of worker processes
    (one per core, at most 4) for many feeds, threads for a few, where a pool's start-up would cost more than it
    saves. Measured by bench/run.py (README, "Performance")."""
    feeds = sum(f.enabled for f in config.rss.feeds) if config.rss.enabled else 0
    if feeds >= PROCESS_POOL_FEEDS:
        return Processes(preload=("collector.pipeline",))
    return Threads()
