"""`collector serve`: the long-running form. One asyncio loop runs the scheduler (a job per source and per RSS
feed), the HTTP endpoints (collector.web), config hot reload (SIGHUP and a content-hash poll) and shutdown.

Jobs: one per source, and one per RSS feed, so each feed keeps its own interval, ETag and failure state and one
slow feed never delays the others; the HTTP client's connection pool bounds how many run at once.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import os
import signal
import time
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
from aiohttp import web
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.interval import IntervalTrigger
from prometheus_client import CollectorRegistry

from collector.config import Config, load_config
from collector.config_diff import diff_configs
from collector.errors import ConfigError
from collector.http import Http, make_client
from collector.metrics import Metrics
from collector.pipeline import Collector, default_offload
from collector.redact import Redactor
from collector.snapshot import Snapshot
from collector.web import make_app

log = logging.getLogger("collector.service")

#: Seconds between the first runs of consecutive jobs at start-up (200 feeds: all started within 2 s).
FIRST_RUN_STAGGER = 0.01


def config_path_of(path: str | os.PathLike[str] | None, env: Mapping[str, str]) -> Path:
    return Path(path or env.get("COLLECTOR_CONFIG") or "feeds.yaml")


class Service:
    def __init__(
        self,
        config: Config,
        *,
        config_path: Path | None,
        env: Mapping[str, str],
        registry: CollectorRegistry | None = None,
        client: httpx.AsyncClient | None = None,
        clock: Callable[[], float] = time.time,
        host: str | None = None,
        port: int | None = None,
        shutdown_grace: float = 3.0,
    ) -> None:
        self.config = config
        self.config_path = config_path
        self.env = env
        self.clock = clock
        self.collector: Collector | None = None
        self.registry = registry or CollectorRegistry(auto_describe=True)
        self.metrics = Metrics(self.registry, state=self._state)
        self.host = host or config.service.host
        self.port = port if port is not None else config.service.port
        self.shutdown_grace = shutdown_grace
        self._own_client = client is None
        self.client = client or make_client(user_agent=config.http.user_agent,
                                            max_connections=config.http.max_connections,
                                            max_redirects=config.http.max_redirects)
        self.http = Http(self.client, observer=self.metrics, redactor=Redactor(config.secrets.redactables()),
                         max_body_bytes=config.http.max_body_bytes,
                    per_host=config.http.per_host, clock=clock)
        self.offload = default_offload(config)  # feed parsing off the event loop (README, "Performance")
        self.collector = Collector(config, http=self.http, clock=clock, listener=self.metrics, offload=self.offload)
        self.metrics.config_loaded(True, clock())
        self.scheduler = AsyncIOScheduler(timezone=UTC)
        self.heartbeat_limit = 10.0
        self._beat = time.monotonic()
        self._inflight: set[asyncio.Task[object]] = set()
        self._stop = asyncio.Event()
        self._runner: web.AppRunner | None = None
        self._file_hash = self._hash_file()
        self._reload_lock = asyncio.Lock()
        self.bound_port: int | None = None

    # -- state for metrics and endpoints ---------------------------------------------------------
    def _state(self) -> tuple[Snapshot | None, Config | None]:
        if self.collector is None:
            return None, None
        return self.collector.snapshot(), self.collector.config

    def heartbeat_age(self) -> float:
        return time.monotonic() - self._beat

    def reload_endpoint_enabled(self) -> bool:
        return self.config.service.enable_reload_endpoint

    # -- jobs ---------------------------------------------------------------------------------------
    def _trigger(self, interval: float) -> IntervalTrigger:
        return IntervalTrigger(seconds=interval, jitter=max(0.0, self.config.service.jitter * interval) or None,
                               timezone=UTC)

    def _schedule(self, key: str, interval: float, *, first_run: bool = True, delay: float = 0.0) -> None:
        self.scheduler.add_job(
            self._run_job, trigger=self._trigger(interval), args=[key], id=key, name=key,
            max_instances=1, coalesce=True, misfire_grace_time=max(1, int(interval / 2)),
            next_run_time=datetime.now(UTC) + timedelta(seconds=delay) if first_run else None,
            replace_existing=True,
        )

    async def _run_job(self, key: str) -> None:
        task = asyncio.current_task()
        if task is not None:
            self._inflight.add(task)
        coll = self.collector
        try:
            if coll is None or key not in coll.sources:
                return
            src = coll.sources[key]
            result = await coll.run(key)
            if result.ok:
                log.debug("source ok", extra={"source": src.api, "feed": src.feed, "items": result.items,
                                              "duration_seconds": round(result.duration_seconds, 3)})
            else:
                log.warning("source failed: %s", result.error,
                            extra={"source": src.api, "feed": src.feed, "reason": result.reason})
        except asyncio.CancelledError:  # shutdown cancelled an in-flight run: that is not a job failure
            log.info("run cancelled by shutdown", extra={"job": key})
        except Exception:  # never let a job die silently
            log.exception("job crashed", extra={"job": key})
        finally:
            if task is not None:
                self._inflight.discard(task)

    def _schedule_all(self) -> None:
        assert self.collector is not None
        # first runs start FIRST_RUN_STAGGER apart, not all in one event-loop turn: at start-up with hundreds of
        # feeds that burst would hold up /metrics (README, "Performance")
        spread = self.config.service.jitter
        for i, (key, src) in enumerate(self.collector.sources.items()):
            self._schedule(key, src.interval, delay=min(i * FIRST_RUN_STAGGER, src.interval * spread))

    # -- reload -------------------------------------------------------------------------------------
    def _hash_file(self) -> str | None:
        if self.config_path is None:
            return None
        try:
            return hashlib.sha256(self.config_path.read_bytes()).hexdigest()
        except OSError:
            return None

    async def reload(self, *, reason: str) -> tuple[bool, list[str]]:
        """Re-read the config; apply it if valid, else keep the old one. Returns (ok, problems)."""
        async with self._reload_lock:
            self._file_hash = self._hash_file()
            try:
                new = await asyncio.to_thread(load_config, self.config_path, self.env)
            except ConfigError as exc:
                log.error("config reload failed, keeping the previous config: %s", exc,
                          extra={"path": str(self.config_path), "problems": exc.problems})
                self.metrics.config_loaded(False, self.clock())
                return False, exc.problems
            change = diff_configs(self.config, new).summary()
            old_address = (self.config.service.host, self.config.service.port)
            try:
                self._apply(new)
            except Exception as exc:  # a bug or an unschedulable value: say so, never leave the watcher dead
                log.exception("config reload could not be applied: %s", exc, extra={"path": str(self.config_path)})
                self.metrics.config_loaded(False, self.clock())
                return False, [f"could not apply the new config: {type(exc).__name__}: {exc}"]
            self.metrics.config_loaded(True, self.clock())
            if (new.service.host, new.service.port) != old_address:
                log.warning("service.host/service.port changed in the config: restart the collector to listen "
                            "on the new address", extra={"path": str(self.config_path)})
            log.info("config reloaded (%s): %s", reason, change, extra={"path": str(self.config_path)})
            return True, []

    def _apply(self, new: Config) -> None:
        assert self.collector is not None
        before = {k: (s, s.interval) for k, s in self.collector.sources.items()}
        self.collector.apply_config(new)
        self.config = new
        after = self.collector.sources
        for key in set(before) - set(after):
            with contextlib.suppress(Exception):
                self.scheduler.remove_job(key)
        for key, src in after.items():
            old = before.get(key)
            if old is None:
                self._schedule(key, src.interval)
            elif old[0] is not src or old[1] != src.interval:
                self._schedule(key, src.interval, first_run=old[0] is not src)

    async def _watch_file(self) -> None:
        while not self._stop.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stop.wait(), timeout=self.config.service.reload_poll_seconds)
            if self._stop.is_set():
                return
            current = self._hash_file()
            if current is not None and current != self._file_hash:
                try:
                    await self.reload(reason="file changed")
                except Exception:  # keep watching whatever happened
                    log.exception("config reload crashed", extra={"path": str(self.config_path)})

    async def _heartbeat(self) -> None:
        while not self._stop.is_set():
            self._beat = time.monotonic()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stop.wait(), timeout=1.0)

    # -- lifecycle ----------------------------------------------------------------------------------
    async def start(self) -> None:
        self._runner = web.AppRunner(make_app(self), access_log=None, handle_signals=False, shutdown_timeout=1.0)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port)
        await site.start()
        server = getattr(site, "_server", None)
        sockets = getattr(server, "sockets", None) or []
        self.bound_port = sockets[0].getsockname()[1] if sockets else self.port
        self.offload.start()  # worker processes import while the first requests are in flight
        self.scheduler.start()
        self._schedule_all()
        log.info("serving on http://%s:%s (metrics at /metrics), %d jobs", self.host, self.bound_port,
                 len(self.collector.sources) if self.collector else 0)
        for notice in self.config.notices:
            log.warning("%s", notice)

    def request_stop(self) -> None:
        self._stop.set()

    async def run(self) -> None:
        """Start, serve until SIGTERM/SIGINT (or request_stop), then shut down cleanly."""
        loop = asyncio.get_running_loop()
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(signal.SIGTERM, self.request_stop)
            loop.add_signal_handler(signal.SIGINT, self.request_stop)
            loop.add_signal_handler(signal.SIGHUP, lambda: asyncio.ensure_future(self.reload(reason="SIGHUP")))
        await self.start()
        background = [asyncio.create_task(self._heartbeat()), asyncio.create_task(self._watch_file())]
        try:
            await self._stop.wait()
        finally:
            log.info("shutting down")
            await self.stop()
            for t in background:
                t.cancel()
            await asyncio.gather(*background, return_exceptions=True)

    async def stop(self) -> None:
        """Stop scheduling, give in-flight runs `shutdown_grace` seconds to finish, cancel the rest, close."""
        self._stop.set()
        if self.scheduler.running:
            self.scheduler.pause()  # no new runs; shutdown() would cancel the running ones at once
        inflight = list(self._inflight)
        if inflight:
            _, pending = await asyncio.wait(inflight, timeout=self.shutdown_grace)
            for t in pending:
                t.cancel()
            await asyncio.gather(*pending, return_exceptions=True)
        if self.scheduler.running:
            self.scheduler.shutdown(wait=False)
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
        if self._own_client:
            await self.client.aclose()
        self.offload.close()
