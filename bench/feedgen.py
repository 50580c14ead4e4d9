"""Deterministic generator of realistic crypto-news feeds and API answers for the benchmark server.

Everything is generated from templates here (no article text is copied from anywhere). Feeds come in the
shapes real publishers use:

- "wire":   RSS 2.0, CDATA titles and descriptions, uuid guids (isPermaLink="false"), dc:creator, media:content,
            several categories, an empty content:encoded (the layout of a large news wire);
- "portal": RSS 2.0, titles with entities (&#8217; &amp;), HTML descriptions in CDATA (<p> with an <img>),
            permalink guids, links with utm_* tracking parameters, atom:updated per item;
- "blog":   RSS 2.0 with lots of whitespace, plain descriptions with &#39;, enclosures, media:thumbnail,
            no guid on some items;
- "atom":   Atom 1.0 with html summaries, dates with offsets (+02:00, Z).
Dates use several time zones (+0000, GMT, -0400, +0530). About 5% of the stories are "syndicated": the same
title and link appear in several feeds (the deduplication has something to do).
"""

from __future__ import annotations

import email.utils
import json
import random
import time
import uuid
from dataclasses import dataclass
from xml.sax.saxutils import escape

#: (ticker, name, coingecko id): 50 symbols for the benchmark config.
COINS: tuple[tuple[str, str, str], ...] = (
    ("BTC", "Bitcoin", "bitcoin"), ("ETH", "Ethereum", "ethereum"), ("SOL", "Solana", "solana"),
    ("XRP", "XRP", "ripple"), ("ADA", "Cardano", "cardano"), ("DOGE", "Dogecoin", "dogecoin"),
    ("BNB", "BNB", "binancecoin"), ("LINK", "Chainlink", "chainlink"), ("AVAX", "Avalanche", "avalanche-2"),
    ("DOT", "Polkadot", "polkadot"), ("POL", "Polygon", "polygon-ecosystem-token"), ("LTC", "Litecoin", "litecoin"),
    ("TRX", "Tron", "tron"), ("TON", "Toncoin", "the-open-network"), ("SHIB", "Shiba Inu", "shiba-inu"),
    ("XLM", "Stellar", "stellar"), ("ATOM", "Cosmos", "cosmos"), ("UNI", "Uniswap", "uniswap"),
    ("NEAR", "Near Protocol", "near"), ("APT", "Aptos", "aptos"), ("ARB", "Arbitrum", "arbitrum"),
    ("OP", "Optimism", "optimism"), ("FIL", "Filecoin", "filecoin"), ("ICP", "Internet Computer", "internet-computer"),
    ("HBAR", "Hedera", "hedera-hashgraph"), ("VET", "VeChain", "vechain"), ("ALGO", "Algorand", "algorand"),
    ("AAVE", "Aave", "aave"), ("MKR", "Maker", "maker"), ("INJ", "Injective", "injective-protocol"),
    ("SUI", "Sui", "sui"), ("SEI", "Sei", "sei-network"), ("TIA", "Celestia", "celestia"),
    ("RENDER", "Render", "render-token"), ("GRT", "The Graph", "the-graph"), ("IMX", "Immutable", "immutable-x"),
    ("STX", "Stacks", "blockstack"), ("EGLD", "MultiversX", "elrond-erd-2"), ("SAND", "The Sandbox", "the-sandbox"),
    ("MANA", "Decentraland", "decentraland"), ("AXS", "Axie Infinity", "axie-infinity"), ("XTZ", "Tezos", "tezos"),
    ("EOS", "EOS", "eos"), ("KAS", "Kaspa", "kaspa"), ("FTM", "Fantom", "fantom"),
    ("RUNE", "THORChain", "thorchain"), ("LDO", "Lido DAO", "lido-dao"), ("CRV", "Curve DAO", "curve-dao-token"),
    ("PEPE", "Pepe", "pepe"), ("BCH", "Bitcoin Cash", "bitcoin-cash"),
)

EXCHANGES = ("Binance", "Coinbase", "Kraken", "OKX", "Bybit", "Bitstamp", "Gemini", "KuCoin", "Bitfinex", "Upbit")
REGULATORS = ("the SEC", "the CFTC", "the FCA", "ESMA", "the Monetary Authority of Singapore", "BaFin",
              "Hong Kong's SFC", "the Fed", "the OCC", "Japan's FSA")
FIRMS = ("BlackRock", "Fidelity", "MicroStrategy", "Grayscale", "VanEck", "Galaxy Digital", "Franklin Templeton",
         "a Swiss private bank", "a Texas pension fund", "a Nasdaq-listed miner", "Circle", "Tether", "Ripple Labs")
COUNTRIES = ("El Salvador", "Brazil", "South Korea", "Nigeria", "Argentina", "the UAE", "Thailand", "Germany",
             "Australia", "Turkey", "India", "Canada")
PEOPLE = ("analysts", "traders", "on-chain data", "options markets", "derivatives desks", "miners",
          "long-term holders", "retail investors", "market makers", "funding rates")

HEADLINES = (
    "{coin} climbs {pct}% as ETF inflows top ${amt}M",
    "{coin} slides {pct}% after {exchange} halts withdrawals",
    "{coin} rallies to a {weeks}-week high as {people} turn bullish",
    "{coin} tumbles {pct}% in hours as leveraged longs get liquidated",
    "{regulator} delays decision on spot {coin} ETF again",
    "{regulator} sues {exchange} over unregistered {coin} staking product",
    "{firm} adds ${amt}M of {coin} to its balance sheet",
    "{firm} files for a spot {coin} ETF",
    "Why {people} are watching the ${price} level on {coin} this week",
    "{coin} whales moved {amt}M tokens to {exchange}, data shows",
    "{coin} developers ship long-awaited upgrade after testnet delays",
    "Exploit drains ${amt}M from {coin} lending protocol; team pauses contracts",
    "{coin} and {coin2} lead altcoin rebound as market sentiment improves",
    "{coin} underperforms {coin2} for a {nth} straight week",
    "{country} moves to regulate {coin} trading with new licensing regime",
    "{country} central bank warns banks about exposure to {coin}",
    "{exchange} lists {coin} perpetual futures with up to {lev}x leverage",
    "{exchange} to delist {coin} trading pairs in {country}",
    "{coin} network activity hits record as fees fall {pct}%",
    "{coin} hashrate drops {pct}% as miners power down in heat wave",
    "Is {coin} about to break out? {people} are split",
    "{coin} price prediction: {people} eye ${price} after weekly close",
    "{firm} says {coin} could reach ${price} by year-end",
    "{coin} stablecoin supply on {coin2} grows {pct}% in a month",
    "Court rejects {exchange}'s motion to dismiss {regulator} case",
    "{coin} foundation unveils ${amt}M ecosystem fund for developers",
    "{coin} slips below ${price} as Treasury yields climb",
    "{coin} holds steady near ${price} ahead of CPI data",
    "{coin} ETF sees ${amt}M outflows, the largest since launch",
    "Hackers target {coin} users with fake wallet updates, {exchange} warns",
    "{coin} open interest jumps {pct}% as {people} pile into calls",
    "{coin} gains {pct}% after {firm} partnership announcement",
    "{coin} drops {pct}% as token unlock adds supply pressure",
    "{exchange} reports record {coin} trading volume in {country}",
    "{coin} co-founder steps down amid governance dispute",
    "Bank of {country2} pilots {coin}-based settlement with {firm}",
)
SUMMARIES = (
    "The move came as {people} repositioned ahead of the {event}, according to figures compiled by {exchange}.",
    "{firm} said in a filing that it expects demand for {coin} products to keep growing through the quarter.",
    "Trading volumes on {exchange} rose {pct}% on the day, while funding rates stayed {mood}.",
    "A spokesperson for {regulator} declined to comment on the timing of any decision.",
    "The protocol's team said user funds were safe and promised a full post-mortem within {weeks} days.",
    "Data from on-chain analytics firms show {amt}M {coin} leaving exchanges over the past week.",
    "{people} say the ${price} area has acted as support several times since the spring.",
    "The upgrade cuts transaction fees & speeds up block times, developers said.",
    "Officials in {country} said the rules would take effect next year after a consultation.",
)
EVENTS = ("FOMC meeting", "jobs report", "quarterly options expiry", "halving", "network upgrade", "CPI release")
MOODS = ("neutral", "slightly positive", "negative", "elevated", "muted")
AUTHORS = ("Dana Whitfield", "Marco Ruiz", "Priya Natarajan", "Tom Becker", "Aiko Tanaka", "Staff Writer",
           "Lena Novak", "Samuel Osei")
CATEGORIES = ("Markets", "Policy", "Tech", "Finance", "Business", "DeFi", "Regulation", "Opinion", "Web3")
ZONES = (("+0000", 0), ("GMT", 0), ("-0400", -4 * 3600), ("+0530", 5 * 3600 + 1800), ("+0200", 7200))
STYLES = ("wire", "portal", "blog")  # and "atom" for every fifth feed


@dataclass(frozen=True, slots=True)
class Story:
    title: str
    summary: str
    slug: str
    published: float
    coin: str


def _fill(rng: random.Random, template: str) -> str:
    c1, c2 = rng.sample(COINS, 2)
    return template.format(
        coin=rng.choice((c1[1], c1[0], f"${c1[0]}", c1[1])), coin2=c2[1],
        pct=rng.choice((f"{rng.uniform(0.5, 9.9):.1f}", str(rng.randint(2, 35)))),
        amt=rng.choice((12, 40, 75, 120, 250, 480, 900)),
        price=f"{rng.choice((0.5, 1.2, 3, 18, 45, 120, 640, 2_400, 3_900, 68_000, 105_000)):,}",
        exchange=rng.choice(EXCHANGES), regulator=rng.choice(REGULATORS), firm=rng.choice(FIRMS),
        country=rng.choice(COUNTRIES), country2=rng.choice(("Thailand", "Korea", "Italy", "Chile", "Kenya")),
        people=rng.choice(PEOPLE), weeks=rng.randint(2, 30), nth=rng.choice(("third", "fourth", "fifth")),
        lev=rng.choice((20, 50, 75, 100)), event=rng.choice(EVENTS), mood=rng.choice(MOODS),
    ).replace("$$", "$")


def _story(rng: random.Random, feed: int, n: int, now: float) -> Story:
    title = _fill(rng, rng.choice(HEADLINES))
    if rng.random() < 0.3:
        title += rng.choice((": report", " — analysis", " (updated)", ", sources say", ""))
    summary = " ".join(_fill(rng, rng.choice(SUMMARIES)) for _ in range(rng.randint(1, 3)))
    slug = "-".join(w.strip("$%,.'?:()—").lower() for w in title.split()[:9] if w.strip("$%,.'?:()—"))
    published = now - 60 * (3 + n * rng.uniform(2, 6)) - rng.uniform(0, 50)
    return Story(title, summary, f"{slug}-{feed}-{n}", published, title.split()[0])


def stories(feed: int, count: int, now: float, shared: list[Story]) -> list[Story]:
    """`count` stories of feed number `feed`; some are taken from `shared` (the same story in many feeds)."""
    rng = random.Random(feed * 7919 + 11)
    out = []
    for n in range(count):
        if shared and rng.random() < 0.05:
            out.append(rng.choice(shared))
        else:
            out.append(_story(rng, feed, n, now))
    return out


def shared_stories(now: float) -> list[Story]:
    rng = random.Random(4242)
    return [_story(rng, 0, n, now) for n in range(40)]


def _rfc822(ts: float, zone: tuple[str, int]) -> str:
    name, offset = zone
    text = email.utils.formatdate(ts + offset, usegmt=True)[:-4]
    return f"{text} {name}"


def _iso(ts: float, offset: int) -> str:
    tm = time.gmtime(ts + offset)
    sign, minutes = ("+" if offset > 0 else "-"), abs(offset) // 60
    zone = "Z" if offset == 0 else f"{sign}{minutes // 60:02d}:{minutes % 60:02d}"
    return time.strftime("%Y-%m-%dT%H:%M:%S", tm) + zone


def _host(feed: int) -> str:
    return f"news{feed:03d}.example"


def _link(feed: int, s: Story, shared: bool) -> str:
    host = "wire.example" if shared else _host(feed)
    return f"https://{host}/markets/{s.slug}"


def render_feed(feed: int, items: list[Story], shared: set[str], now: float) -> tuple[bytes, str]:
    """(body, content type) of feed number `feed` in its style."""
    style = "atom" if feed % 5 == 4 else STYLES[feed % 3]
    if style == "atom":
        return _atom(feed, items, shared, now), "application/atom+xml; charset=utf-8"
    rng = random.Random(feed)
    zone = ZONES[feed % len(ZONES)]
    head = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:atom="http://www.w3.org/2005/Atom" '
        'xmlns:sy="http://purl.org/rss/1.0/modules/syndication/" xmlns:media="http://search.yahoo.com/mrss/">\n'
        f"  <channel>\n    <title>Crypto Desk {feed}: markets, policy and tech</title>\n"
        f"    <link>https://{_host(feed)}/</link>\n"
        f'    <atom:link href="https://{_host(feed)}/feed" rel="self" type="application/rss+xml"/>\n'
        f"    <description>Daily coverage of digital assets from desk {feed}.</description>\n"
        f"    <lastBuildDate>{_rfc822(now - 120, zone)}</lastBuildDate>\n    <language>en-US</language>\n"
        "    <sy:updatePeriod>hourly</sy:updatePeriod>\n    <sy:updateFrequency>1</sy:updateFrequency>\n"
    )
    parts = [head]
    for s in items:
        link = _link(feed, s, s.slug in shared)
        cats = "".join(f"      <category><![CDATA[{c}]]></category>\n" for c in rng.sample(CATEGORIES, 3))
        if style == "wire":
            parts.append(
                f"    <item>\n      <title><![CDATA[{s.title}]]></title>\n      <link>{link}</link>\n"
                f'      <media:content url="https://cdn.{_host(feed)}/img/{s.slug}.jpg?w=1200&amp;h=630" '
                'type="image/*" medium="image"/>\n'
                f'      <guid isPermaLink="false">{uuid.UUID(int=rng.getrandbits(128))}</guid>\n'
                f"      <pubDate>{_rfc822(s.published, zone)}</pubDate>\n"
                f"      <description><![CDATA[{s.summary}]]></description>\n"
                f"      <dc:creator>{rng.choice(AUTHORS)}</dc:creator>\n      <content:encoded/>\n{cats}    </item>\n"
            )
        elif style == "portal":
            title = escape(s.title).replace("'", "&#8217;")
            parts.append(
                f"    <item>\n      <title>{title}</title>\n"
                f"      <pubDate>{_rfc822(s.published, zone)}</pubDate>\n"
                f"      <atom:updated>{_rfc822(s.published + 240, zone)}</atom:updated>\n"
                f'      <guid isPermaLink="true">{link}</guid>\n'
                f"      <link><![CDATA[{link}?utm_source=rss&utm_medium=rss&utm_campaign=partner]]></link>\n"
                f'      <description><![CDATA[<p style="float:right; margin:0 0 10px 15px;"><img '
                f'src="https://cdn.{_host(feed)}/covers/{s.slug}.jpg" alt="{escape(s.title, {chr(34): "&quot;"})}"></p>'
                f"<p>{escape(s.summary)}</p>]]></description>\n"
                f"      <dc:creator>Desk {feed} by {rng.choice(AUTHORS)}</dc:creator>\n{cats}    </item>\n"
            )
        else:  # blog
            guid = f'\n      <guid isPermaLink="false">https://{_host(feed)}/?p={rng.randint(10**5, 10**6)}</guid>\n' \
                if rng.random() < 0.7 else "\n"
            parts.append(
                f"    <item>\n  <title>{escape(s.title)}</title>\n  <link>{link}</link>\n"
                f"  <pubDate>{_rfc822(s.published, zone)}</pubDate>\n\n    "
                f"<description>{escape(s.summary).replace(chr(39), '&#39;')}</description>\n\n"
                f"  <dc:creator>{rng.choice(AUTHORS)}</dc:creator>\n{guid}"
                f'    <enclosure url="https://img.{_host(feed)}/{s.slug}.png" length="100000" type="image/png" />\n'
                f'      <media:thumbnail url="https://img.{_host(feed)}/{s.slug}.jpg" height="720" width="1280"/>\n'
                f"{cats}\n\n</item>\n"
            )
    parts.append("  </channel>\n</rss>\n")
    return "".join(parts).encode("utf-8"), "application/rss+xml; charset=utf-8"


def _atom(feed: int, items: list[Story], shared: set[str], now: float) -> bytes:
    rng = random.Random(feed)
    offset = (0, 7200, -14400)[feed % 3]
    parts = [
        '<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="en">\n'
        f"  <title>Ledger Notes {feed}</title>\n  <id>tag:{_host(feed)},2024:feed</id>\n"
        f'  <link rel="alternate" type="text/html" href="https://{_host(feed)}/"/>\n'
        f'  <link rel="self" href="https://{_host(feed)}/atom.xml"/>\n  <updated>{_iso(now - 60, offset)}</updated>\n'
    ]
    for s in items:
        link = _link(feed, s, s.slug in shared)
        parts.append(
            f"  <entry>\n    <title type=\"html\">{escape(escape(s.title))}</title>\n"
            f'    <link rel="alternate" type="text/html" href="{link}"/>\n'
            f"    <id>tag:{_host(feed)},2024:{s.slug}</id>\n"
            f"    <published>{_iso(s.published, offset)}</published>\n"
            f"    <updated>{_iso(s.published + 300, offset)}</updated>\n"
            f"    <author><name>{rng.choice(AUTHORS)}</name></author>\n"
            f'    <category term="{rng.choice(CATEGORIES)}"/>\n'
            f'    <summary type="html">{escape("<p>" + escape(s.summary) + "</p>")}</summary>\n  </entry>\n'
        )
    parts.append("</feed>\n")
    return "".join(parts).encode("utf-8")


# -- JSON APIs -------------------------------------------------------------------------------------------
def cryptopanic(now: float, count: int = 20) -> bytes:
    rng = random.Random(99)
    results = []
    for i in range(count):
        s = _story(rng, 900, i, now)
        code = next((c[0] for c in COINS if c[1] in s.title or c[0] in s.title), None)
        results.append({
            "kind": "news", "domain": f"outlet{i % 7}.example",
            "source": {"title": f"Outlet {i % 7}", "region": "en", "domain": f"outlet{i % 7}.example", "path": None},
            "title": s.title, "published_at": _iso(s.published, 0), "slug": s.slug, "id": 50_000 + i,
            "url": f"https://cryptopanic.com/news/{50_000 + i}/{s.slug}", "created_at": _iso(s.published, 0),
            "votes": {"negative": rng.randint(0, 5), "positive": rng.randint(0, 30), "important": rng.randint(0, 4),
                      "liked": rng.randint(0, 9), "disliked": 0, "lol": 0, "toxic": 0, "saved": 0, "comments": 1},
            **({"currencies": [{"code": code, "title": code, "slug": code.lower(), "url": "https://cryptopanic.com/"}]}
               if code else {}),
        })
    return json.dumps({"count": count, "next": None, "previous": None, "results": results}).encode()


def reddit(now: float, sub: str, count: int = 25) -> bytes:
    rng = random.Random(hash(sub) & 0xFFFF)
    children = []
    for i in range(count):
        s = _story(rng, 800, i, now)
        pid = f"x{rng.getrandbits(32):08x}"
        children.append({"kind": "t3", "data": {
            "subreddit": sub, "selftext": s.summary if rng.random() < 0.5 else "", "title": s.title,
            "stickied": i == 0, "name": f"t3_{pid}", "id": pid, "score": rng.randint(0, 900),
            "upvote_ratio": round(rng.uniform(0.5, 1.0), 2), "num_comments": rng.randint(0, 300),
            "created_utc": int(s.published), "permalink": f"/r/{sub}/comments/{pid}/{s.slug[:40]}/",
            "url": f"https://www.reddit.com/r/{sub}/comments/{pid}/", "author": f"user{i}", "over_18": False}})
    return json.dumps({"kind": "Listing", "data": {"after": None, "dist": count, "children": children}}).encode()


def simple_price() -> bytes:
    rng = random.Random(5)
    return json.dumps({cg: {"usd": round(rng.uniform(0.01, 70_000), 4), "usd_market_cap": rng.uniform(1e8, 1e12),
                            "usd_24h_change": rng.uniform(-9, 9)} for _, _, cg in COINS}).encode()


def trending() -> bytes:
    return json.dumps({"coins": [{"item": {"id": cg, "name": name, "symbol": sym, "score": i}}
                                 for i, (sym, name, cg) in enumerate(COINS[5:12])],
                       "nfts": [], "categories": []}).encode()


def global_() -> bytes:
    return json.dumps({"data": {"total_market_cap": {"usd": 2.4e12}, "market_cap_change_percentage_24h_usd": -1.7,
                                "updated_at": 1_800_000_000}}).encode()


def fear_greed(now: float) -> bytes:
    return json.dumps({"name": "Fear and Greed Index", "data": [{
        "value": "41", "value_classification": "Fear", "timestamp": str(int(now) // 86400 * 86400),
        "time_until_update": "3600"}], "metadata": {"error": None}}).encode()
