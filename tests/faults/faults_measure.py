"""Resource measurements of the fault suite, shared by its tests (which assert bounds) and runnable as a script
that prints the figures:

    cd /work/main && /work/venv/bin/python tests/faults/faults_measure.py

- `bomb_peak`: tracemalloc peak while Http reads a decompression bomb served by the hostile upstream;
- `polls_memory`: traced memory while a Collector ingests fresh items poll after poll (fake source, no HTTP);
- `failing_polls`: open file descriptors and asyncio tasks before and after many failing polls over real HTTP.
"""

from __future__ import annotations

import asyncio
import gc
import os
import sys
import time
import tracemalloc
from dataclasses import dataclass
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from hostile_upstream import (
    CG_PRICE,
    CP_POSTS,
    FNG,
    REDDIT_TOKEN,
    RSS_ALPHA,
    RSS_BETA,
    WHALES,
    HostileUpstream,
    answer,
    brotli_bomb,
    chunked,
    config_yaml,
    deflate_bomb,
    every_nth,
    gzip_bomb,
    hang,
    redirect,
    reset_mid_body,
)

from collector.config import AggregationConfig, Config, RssConfig, load_config
from collector.errors import FetchError
from collector.http import Http, make_client
from collector.models import Collected, Item
from collector.pipeline import Collector

MiB = 1 << 20
BOMBS = {"gzip": gzip_bomb, "deflate": deflate_bomb, "br": brotli_bomb}


async def bomb_peak(up: HostileUpstream, encoding: str, bomb: bytes, cap: int = MiB) -> tuple[str, int, float]:
    """(failure reason, tracemalloc peak bytes, seconds) of one GET of `bomb` with a body cap of `cap`."""
    # chunked, so no Content-Length gives it away: the cap must catch it while decompressing
    up.routes["/bomb"] = chunked([bomb[i:i + 65_536] for i in range(0, len(bomb), 65_536)],
                                 content_type="application/json", headers={"Content-Encoding": encoding})
    async with make_client() as client:
        http = Http(client, max_body_bytes=cap)
        gc.collect()
        tracemalloc.start()
        started = time.perf_counter()
        try:
            await http.get("feargreed", f"{up.base}/bomb", timeout=20)
            reason = "none"
        except FetchError as exc:
            reason = exc.reason
        finally:
            _, peak = tracemalloc.get_traced_memory()
            tracemalloc.stop()
    return reason, peak, time.perf_counter() - started


class FreshItems:
    """A source (no HTTP) that brings `per_poll` items never seen before on every run, dated `now`."""

    api = "rss"
    feed: str | None = "fake"
    key = "rss:fake"
    interval = 60.0
    timeout = 5.0

    def __init__(self, per_poll: int) -> None:
        self.per_poll = per_poll
        self.n = 0

    async def collect(self, http: Http, now: float) -> Collected:
        items = []
        for _ in range(self.per_poll):
            self.n += 1
            items.append(Item(source="rss", feed="fake", kind="news", url=f"https://fresh.example/story/{self.n}",
                              title=f"Story number {self.n}: Bitcoin and Ethereum move as traders weigh news",
                              published=now, uid=f"guid-{self.n}"))
        return Collected(items=tuple(items))


@dataclass
class PollsMemory:
    polls: int
    samples: list[tuple[int, int]]  # (poll, traced bytes)
    dedup_keys: int
    window_items: int
    seconds: float


async def polls_memory(polls: int = 10_000, per_poll: int = 2, every: float = 120.0,
                       sample_every: int = 1000, scrape_every: int = 20) -> PollsMemory:
    """Ingest `per_poll` fresh items per poll, the clock moving `every` seconds, with a snapshot every
    `scrape_every` polls (as Prometheus scrapes would); traced memory after every `sample_every` polls. Each
    poll yields to the event loop once, as a real poll (HTTP) does, so the loop can drop cancelled timers."""
    clock = _Clock()
    config = Config(symbols=(), sources={}, rss=RssConfig(False, 60.0, 5.0, ()),
                    aggregation=AggregationConfig(window=6 * 3600, half_life=2 * 3600, min_items=1))
    async with httpx.AsyncClient() as client:
        coll = Collector(config, http=Http(client), clock=clock)
        coll.sources = {"rss:fake": FreshItems(per_poll)}
        samples: list[tuple[int, int]] = []
        gc.collect()
        tracemalloc.start()
        started = time.perf_counter()
        try:
            for i in range(1, polls + 1):
                await coll.run("rss:fake")
                await asyncio.sleep(0)
                if i % scrape_every == 0:
                    coll.snapshot()
                clock.now += every
                if i % sample_every == 0:
                    gc.collect()
                    samples.append((i, tracemalloc.get_traced_memory()[0]))
        finally:
            tracemalloc.stop()
        return PollsMemory(polls, samples, len(coll.dedup), len(coll.windows["news"]),
                           time.perf_counter() - started)


class _Clock:
    def __init__(self) -> None:
        self.now = time.time()

    def __call__(self) -> float:
        return self.now


def open_fds() -> int:
    return len(os.listdir("/proc/self/fd"))


#: A fast failure for every upstream, several kinds (transport, status, size, parse, redirect, timeout).
FAILING_ROUTES = {
    CP_POSTS: reset_mid_body(),
    REDDIT_TOKEN: answer(500, b"oops"),
    CG_PRICE: answer(200, b"<html><body>blocked</body></html>", content_type="text/html"),
    FNG: redirect(FNG),
    WHALES: answer(429, b"", headers={"Retry-After": "5"}),
    RSS_ALPHA: chunked([b" " * 65_536] * 8),
    RSS_BETA: every_nth(20, hang(0.5), answer(404, b"")),  # a timeout (150 ms deadline) on every 20th poll
}


async def failing_polls(up: HostileUpstream, config_dir: Path, polls: int = 1000,
                        warmup: int = 20) -> dict[str, int]:
    """Every source of a Collector (production client) fails on every poll; the clock moves an hour per poll
    so backoff never holds a request back. Open fds and asyncio tasks after `warmup` polls and at the end."""
    up.routes.update(FAILING_ROUTES)
    path = config_dir / "feeds.yaml"
    path.write_text(config_yaml(up.base, timeout="150ms", max_body_bytes=131_072))
    config = load_config(path, up.secrets)
    clock = _Clock()
    async with make_client(max_redirects=config.http.max_redirects) as client:
        coll = Collector(config, http=Http(client, clock=clock, max_body_bytes=config.http.max_body_bytes),
                         clock=clock)

        async def poll() -> int:
            results = await coll.run_all()
            clock.now += 3600
            return sum(1 for r in results if not r.ok)

        async def settle() -> None:  # the server's side of hanging connections lives in this process too
            await asyncio.sleep(0.8)
            gc.collect()

        for _ in range(warmup):
            await poll()
        await settle()
        fds, tasks = open_fds(), len(asyncio.all_tasks())
        failed = sum([await poll() for _ in range(polls)])
        await settle()
        return {"fds_before": fds, "fds_after": open_fds(), "tasks_before": tasks,
                "tasks_after": len(asyncio.all_tasks()), "failed_runs": failed, "runs": polls * len(coll.sources)}


async def _main() -> None:
    import tempfile

    from faults_support import SECRETS

    with HostileUpstream(secrets=SECRETS) as up, tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        figures = await failing_polls(up, Path(tmp))
        print(f"1000 failing polls ({figures['failed_runs']} of {figures['runs']} runs failed) in "
              f"{time.perf_counter() - started:.1f}s: fds {figures['fds_before']} -> {figures['fds_after']}, "
              f"asyncio tasks {figures['tasks_before']} -> {figures['tasks_after']}")
    with HostileUpstream() as up:
        for name, make in BOMBS.items():
            bomb = make(1 << 30)
            reason, peak, took = await bomb_peak(up, name, bomb)
            print(f"{name} bomb: {len(bomb) / 1024:.0f} KiB -> 1 GiB; cap 1 MiB; reason {reason}; "
                  f"tracemalloc peak {peak / MiB:.2f} MiB; {took:.2f}s")
    mem = await polls_memory()
    print(f"{mem.polls} polls x 2 fresh items in {mem.seconds:.1f}s: dedup keys {mem.dedup_keys}, "
          f"window items {mem.window_items}")
    for poll, traced in mem.samples:
        print(f"  after poll {poll:>6}: traced {traced / MiB:.2f} MiB")


if __name__ == "__main__":
    asyncio.run(_main())
