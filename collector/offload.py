"""Where CPU-heavy pure work runs: feed parsing leaves the event loop, so /metrics and the scheduler stay
responsive during a big poll, and a process pool lets two cores parse at once.

An `Offload` is awaited with a module-level function and its arguments: `await offload(fn, *args, **kw)`.
- `inline`: runs it right here (sources built without an offload: tests, library use, tiny configs).
- `Threads`: `asyncio.to_thread`. Off the loop, but feedparser and our item code hold the GIL, so it does
  not add throughput; the loop only gets the GIL back between switch intervals.
- `Processes`: a pool of worker processes (start method "spawn": a process that runs an event loop and
  threads is never forked). Workers start on first use and import the parser once; `fn` and its arguments
  must pickle (module-level functions, bytes, str, dataclasses). `close()` shuts the pool down.
Which one `collector fetch` and `collector serve` use is decided by bench/run.py (README, "Performance").
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import multiprocessing
import os
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any, Protocol, TypeVar

T = TypeVar("T")


class Offload(Protocol):
    async def __call__(self, fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> T: ...

    def start(self) -> None: ...

    def close(self) -> None: ...


class _Inline:
    async def __call__(self, fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> T:
        return fn(*args, **kwargs)

    def start(self) -> None:
        return None

    def close(self) -> None:
        return None


inline: Offload = _Inline()


class Threads:
    async def __call__(self, fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> T:
        return await asyncio.to_thread(fn, *args, **kwargs)

    def start(self) -> None:
        return None

    def close(self) -> None:
        return None


def _warm(modules: tuple[str, ...]) -> None:
    """Worker initializer: Ctrl-C is the parent's business (it shuts the pool down), the parent's event loop
    has priority over parsing, and what the tasks need is imported once, before the first task arrives."""
    import importlib
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    with contextlib.suppress(OSError):
        os.nice(10)  # the parent's event loop (HTTP, /metrics) comes first; workers take the CPU it leaves

    for name in modules:
        importlib.import_module(name)


def _ready() -> int:
    return os.getpid()


class Processes:
    remote = True  # tasks run in other processes: they get copies, and build their own heavy objects

    def __init__(self, workers: int | None = None, *, preload: tuple[str, ...] = ()) -> None:
        self.workers = workers or max(1, min(4, os.cpu_count() or 1))
        self.preload = preload
        self._pool: ProcessPoolExecutor | None = None

    def _executor(self) -> ProcessPoolExecutor:
        if self._pool is None:
            self._pool = ProcessPoolExecutor(self.workers, mp_context=multiprocessing.get_context("spawn"),
                                             initializer=_warm, initargs=(self.preload,))
        return self._pool

    def start(self) -> None:
        """Start every worker now (they import in parallel with whatever the caller does next)."""
        pool = self._executor()
        for _ in range(self.workers):
            pool.submit(_ready)

    async def __call__(self, fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> T:
        loop = asyncio.get_running_loop()
        call = functools.partial(fn, *args, **kwargs) if kwargs else fn
        try:
            return await loop.run_in_executor(self._executor(), call, *([] if kwargs else args))
        except BrokenProcessPool:  # a worker died (killed, out of memory): start a new pool and retry once
            self.close()
            return await loop.run_in_executor(self._executor(), call, *([] if kwargs else args))

    def close(self) -> None:
        pool, self._pool = self._pool, None
        if pool is not None:
            with contextlib.suppress(Exception):
                pool.shutdown(wait=True, cancel_futures=True)
