"""Dedup: a story counts once across polls and feeds; memory bounded by TTL and size."""

from __future__ import annotations

from core_helpers import make_item

from collector.dedup import Deduper, story_keys


def test_dedup_same_link_with_tracking_params_is_same_story(clock):
    """Links that differ only by utm_* parameters are one story."""
    d = Deduper(ttl=3600, clock=clock)
    assert d.is_new(story_keys(make_item("A", url="https://n.example/x?utm_source=rss")))
    assert not d.is_new(story_keys(make_item("B", url="https://n.example/x")))


def test_dedup_same_title_other_link_is_same_story(clock):
    """The same headline from two sites counts once."""
    d = Deduper(ttl=3600, clock=clock)
    assert d.is_new(story_keys(make_item("Bitcoin tops $100k", url="https://a.example/1")))
    assert not d.is_new(story_keys(make_item("BITCOIN TOPS $100K!", url="https://b.example/2")))


def test_dedup_emoji_only_titles_are_not_one_story(clock):
    """Titles without letters or digits do not collapse into one key."""
    d = Deduper(ttl=3600, clock=clock)
    assert d.is_new(story_keys(make_item("🚀🚀", url="https://r.example/1")))
    assert d.is_new(story_keys(make_item("🌕", url="https://r.example/2")))


def test_dedup_forgets_after_ttl(clock):
    """After the TTL a key is forgotten."""
    d = Deduper(ttl=60, clock=clock)
    keys = story_keys(make_item("A"))
    assert d.is_new(keys)
    clock.advance(61)
    assert d.is_new(keys)


def test_dedup_bounded_size(clock):
    """The memory never holds more than max_size keys."""
    d = Deduper(ttl=3600, max_size=100, clock=clock)
    for i in range(1000):
        d.is_new([f"k{i}"])
    assert len(d) <= 100
