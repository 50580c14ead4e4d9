"""Dates and content: odd dates keep their item (with a documented fallback time) or drop it by a documented
rule, hostile titles come out as clean bounded text, duplicates count once within and across feeds."""

from __future__ import annotations

import email.utils
from collections.abc import Sequence

import pytest
from hostile_upstream import CP_POSTS, REDDIT_NEW, RSS_ALPHA, RSS_BETA, WHALES, answer, json_answer, rss_document

from collector.models import ScoredItem, SourceResult
from collector.text import TITLE_LIMIT

FAR_FUTURE = 253402300799.0  # 9999-12-31T23:59:59Z


class Recorder:
    """A pipeline listener that keeps the new items and passes everything on to the metrics."""

    def __init__(self, metrics) -> None:  # type: ignore[no-untyped-def]
        self.metrics = metrics
        self.items: list[ScoredItem] = []

    def source_done(self, result: SourceResult, new_items: Sequence[ScoredItem]) -> None:
        self.items.extend(new_items)
        self.metrics.source_done(result, new_items)

    def by_title(self, start: str) -> ScoredItem:
        [found] = [s for s in self.items if s.item.title.startswith(start)]
        return found


@pytest.fixture
def recorder(rig) -> Recorder:  # type: ignore[no-untyped-def]
    rec = Recorder(rig.metrics)
    rig.collector.listener = rec
    return rec


async def test_faults_cryptopanic_dates_fall_back_to_fetch_time(upstream, rig, recorder, clock):
    """Missing, unparseable, out-of-range and millisecond dates mean "now"; epoch strings and ISO are read;
    a far-future date is kept but counts at its arrival time, so it ages out of the window like any other."""
    posts = [("Solana A missing date", {}), ("Solana B words", {"published_at": "yesterday-ish"}),
             ("Solana C epoch string", {"published_at": str(int(clock.now) - 600)}),
             ("Solana D milliseconds", {"published_at": int(clock.now * 1000)}),
             ("Solana E bad calendar", {"published_at": "2026-13-45T99:00:00Z"}),
             ("Solana F far future", {"published_at": "9999-12-31T23:59:59Z"}),
             ("Solana G negative", {"published_at": -5}),
             ("Solana H created only", {"created_at": "2026-12-03T10:00:00+02:00"})]
    upstream.routes[CP_POSTS] = json_answer({"results": [{"title": t, "id": i, **d} for i, (t, d) in enumerate(posts)]})
    results = await rig.poll()
    assert results["cryptopanic"].ok and results["cryptopanic"].items == len(posts)
    now = clock.now
    for start in ("Solana A", "Solana B", "Solana D", "Solana E", "Solana G"):
        assert recorder.by_title(start).item.published == now, start
    assert recorder.by_title("Solana C").item.published == int(now) - 600
    assert recorder.by_title("Solana F").item.published == FAR_FUTURE
    assert recorder.by_title("Solana H").item.published == 1796284800.0
    assert rig.collector.snapshot().symbols["SOL"].news.items == len(posts) - 1  # H is from long ago
    clock.advance(6 * 3600 + 1)  # the window, and the far-future item counted at its arrival, have passed
    assert rig.collector.refresh().symbols["SOL"].news is None


async def test_faults_rss_dates_fall_back_to_the_channel_date_then_now(upstream, rig, recorder, clock):
    """Per entry: its date, else the channel's, else now; a bare epoch is an epoch; ancient entries are read
    but too old for any score (dropped from the window, by the window rule)."""
    def feed(channel_date: str) -> bytes:
        return rss_document("dates", [
            ("Cardano 1 no date", "https://d.example/1", ""), ("Cardano 2 garbage", "https://d.example/2", "soon"),
            ("Cardano 3 year 9999", "https://d.example/3", "Fri, 31 Dec 9999 23:59:59 GMT"),
            ("Cardano 4 epoch", "https://d.example/4", str(int(clock.now) - 60)),
            ("Cardano 5 ancient", "https://d.example/5", "Mon, 01 Jan 1900 00:00:00 GMT"),
        ], prolog="").replace(b"<description>d</description>", channel_date.encode())
    stamp = email.utils.formatdate(clock.now - 900, usegmt=True)
    upstream.routes[RSS_ALPHA] = answer(200, feed(f"<lastBuildDate>{stamp}</lastBuildDate>"),
                                        content_type="application/rss+xml")
    upstream.routes[RSS_BETA] = answer(200, feed("").replace(b"https://d.example", b"https://e.example")
                                       .replace(b"Cardano", b"Tezos"), content_type="application/rss+xml")
    results = await rig.poll()
    assert results["rss:alpha"].items == results["rss:beta"].items == 5
    channel = float(int(clock.now - 900))
    assert recorder.by_title("Cardano 1").item.published == channel
    assert recorder.by_title("Cardano 2").item.published == channel
    assert recorder.by_title("Tezos 1").item.published == clock.now
    assert recorder.by_title("Cardano 3").item.published == FAR_FUTURE
    assert recorder.by_title("Cardano 4").item.published == int(clock.now) - 60
    assert recorder.by_title("Cardano 5").item.published < 0
    assert rig.collector.snapshot().items_in_window["news"] == 2 + 2 * 4  # cryptopanic's, the feeds' but ancient


async def test_faults_reddit_and_whale_dates_fall_back_to_now(upstream, rig, recorder, clock):
    """Reddit created_utc and Whale Alert timestamps that are not unix seconds mean "now"."""
    upstream.routes[REDDIT_NEW] = json_answer({"kind": "Listing", "data": {"children": [
        {"kind": "t3", "data": {"title": "Reddit one", "created_utc": "abc"}},
        {"kind": "t3", "data": {"title": "Reddit two", "created_utc": 1e15}},
        {"kind": "t3", "data": {"title": "Reddit three", "created_utc": str(clock.now - 30)}}]}})
    upstream.routes[WHALES] = json_answer({"result": "success", "count": 1, "transactions": [
        {"symbol": "btc", "amount_usd": 9e7, "timestamp": "later", "from": {"owner_type": "exchange"}}]})
    results = await rig.poll()
    assert results["reddit"].items == 3 and results["whalealert"].ok
    assert recorder.by_title("Reddit one").item.published == clock.now
    assert recorder.by_title("Reddit two").item.published == clock.now
    assert recorder.by_title("Reddit three").item.published == pytest.approx(clock.now - 30)
    assert rig.collector.whales[0].timestamp == clock.now


HOSTILE_TITLES = {
    "html": ("<b>Bitcoin</b> <script>alert(1)</script>rallies <img src=x onerror=y>hard", "Bitcoin rallies hard"),
    "entities": ("Ether&#8217;s &amp; Solana&#x2019;s caf&eacute; &amp;amp; more", "Ether’s & Solana’s café & more"),
    "emoji": ("Dogecoin 🚀🚀 to the moon 🌕", "Dogecoin 🚀🚀 to the moon 🌕"),
    "rtl": ("بيتكوين يرتفع اليوم BTC", "بيتكوين يرتفع اليوم BTC"),
    "bidi-override": ("Ethereum \u202etxet desrever\u202c upgrade", "Ethereum txet desrever upgrade"),
    "zero-width": ("Bit\u200bcoin\u200d ETF\ufeff approved\u2060", "Bitcoin ETF approved"),
    "control": ("Cardano\x00\x07 \x1b[31mred\x1b[0m", "Cardano [31mred[0m"),
}


@pytest.mark.parametrize("name", sorted(HOSTILE_TITLES))
async def test_faults_hostile_titles_come_out_clean(name, upstream, rig, recorder):
    """HTML, entities, emoji, right-to-left, bidi overrides, zero-width and control characters."""
    raw, clean = HOSTILE_TITLES[name]
    upstream.routes[CP_POSTS] = json_answer({"results": [{"title": raw, "id": 1}]})
    results = await rig.poll()
    assert results["cryptopanic"].ok
    [item] = [s.item for s in recorder.items if s.item.source == "cryptopanic"]
    assert item.title == clean


async def test_faults_100kb_titles_are_cut(upstream, rig, recorder):
    """A 100 KB title (in JSON and in a feed) is cut to the title limit; the poll stays fast."""
    huge = "Bitcoin " + "very " * 20_000 + "long"
    upstream.routes[CP_POSTS] = json_answer({"results": [{"title": huge, "id": 1}]})
    upstream.routes[RSS_ALPHA] = answer(200, rss_document("huge", [(huge, "https://huge.example/1", "")]),
                                        content_type="application/rss+xml")
    results = await rig.poll()
    assert results["cryptopanic"].ok and results["rss:alpha"].ok
    long_ones = [s.item.title for s in recorder.items if s.item.title.startswith("Bitcoin very")]
    assert len(long_ones) == 1, "the same story from two upstreams counts once"
    assert len(long_ones[0]) <= TITLE_LIMIT and long_ones[0].endswith("…")
    assert max(r.duration_seconds for r in results.values()) < 2.0


async def test_faults_duplicates_count_once_within_and_across_feeds(upstream, rig):
    """A story repeated in one feed, in another feed (tracking parameters added) and on CryptoPanic (same
    headline, other case and punctuation) is one story."""
    story = ("Avalanche subnet goes live", "https://wire.example/avax?id=7", "")
    alpha = rss_document("a", [story, story, ("Alpha only", "https://a.example/1", "")])
    upstream.routes[RSS_ALPHA] = answer(200, alpha, content_type="application/rss+xml")
    upstream.routes[RSS_BETA] = answer(200, rss_document("b", [
        ("AVALANCHE SUBNET GOES LIVE!", "https://wire.example/avax?id=7&utm_source=rss&utm_medium=feed", ""),
        ("Beta only", "https://b.example/1", "")]), content_type="application/rss+xml")
    upstream.routes[CP_POSTS] = json_answer({"results": [
        {"title": "avalanche subnet goes live", "id": 5, "url": "https://cryptopanic.example/news/5"},
        {"title": "CryptoPanic only", "id": 6, "url": "https://cryptopanic.example/news/6"}]})
    def unique() -> float:
        return sum(rig.value("sigmax_news_articles_processed_total", source=s) for s in ("rss", "cryptopanic"))

    await rig.poll()
    assert unique() == 4  # the story (whoever brought it first), alpha only, beta only, CryptoPanic only
    await rig.poll()
    assert unique() == 4, "a re-poll adds nothing"
