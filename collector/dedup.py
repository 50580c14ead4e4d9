"""Bounded memory of stories already seen, so a story counts once across polls and across feeds.

A story is known by two keys: its canonical URL and a hash of its normalised title. Two feeds that carry the
same story (same link after removing tracking parameters, or the same headline) therefore count once. The
memory is bounded by a TTL (longer than the aggregation window, so a re-polled item is never re-counted while
it could still be in a score) and by a maximum size (oldest keys go first).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable

from cachetools import TTLCache

from collector.models import Item
from collector.text import canonical_url, title_key


def story_keys(item: Item) -> tuple[str, ...]:
    """The keys that identify `item`'s story: canonical link and title hash (whichever exist)."""
    keys = []
    if item.url:
        keys.append("u:" + canonical_url(item.url))
    tkey = title_key(item.title) if item.title else ""
    if tkey:  # a title with no letters or digits (emoji only) identifies nothing
        keys.append("t:" + tkey)
    if not keys and item.uid:
        keys.append(f"i:{item.source}:{item.uid}")
    return tuple(keys)


class Deduper:
    """Remembers story keys for `ttl` seconds, at most `max_size` of them."""

    def __init__(self, *, ttl: float, max_size: int = 200_000, clock: Callable[[], float] = time.time) -> None:
        self._seen: TTLCache[str, bool] = TTLCache(maxsize=max_size, ttl=ttl, timer=clock)

    def __len__(self) -> int:
        return len(self._seen)

    def is_new(self, keys: Iterable[str]) -> bool:
        """True (and remember every key) when none of `keys` was seen; False when any was."""
        keys = tuple(keys)
        if not keys:
            return True  # nothing to recognise it by: it cannot be a known duplicate
        if any(k in self._seen for k in keys):
            for k in keys:  # an alias of a known story: remember its other keys too
                self._seen[k] = True
            return False
        for k in keys:
            self._seen[k] = True
        return True
