"""Every validation message, with its path; all problems of a file come out in one pass."""

from __future__ import annotations

import pytest

from collector.errors import ConfigError


def test_config_messages_minimal_config_is_valid(parse, minimal):
    """The small fixture config loads, with its values converted."""
    config = parse(minimal)
    assert [s.symbol for s in config.symbols] == ["BTC", "ETH"]
    assert config.symbols[0].aliases == ("Bitcoin", "BTC", "$BTC")
    assert config.symbols[0].exclude == ("Bitcoin Cash",)
    assert config.sources["reddit"].interval == 120.0
    assert config.rss.feeds[1].weight == 2.0 and config.rss.feeds[1].interval == 600.0
    assert config.rss.feeds[0].interval is None and config.rss.feeds[0].enabled is True


def test_config_messages_unknown_top_level_key_suggests_nearest(problems):
    """A misspelt section is an error that names the nearest section."""
    assert problems("symbol:\n  BTC: {aliases: [BTC]}\n") == ["symbol: unknown key; did you mean 'symbols'?"]


def test_config_messages_unknown_source_suggests_nearest(problems):
    """`sources.redit` suggests 'reddit'."""
    assert problems("sources:\n  redit: {}\n") == ["sources.redit: unknown key; did you mean 'reddit'?"]


def test_config_messages_unknown_key_without_close_match_lists_known(problems):
    """An unknown key with no near match lists the keys allowed there."""
    found = problems("service:\n  zzz: 1\n")
    assert found == ["service.zzz: unknown key; known keys here: host, port, jitter, reload_poll_seconds, "
                     "enable_reload_endpoint"]


def test_config_messages_unknown_nested_keys_in_source_feed_and_symbol(problems):
    """Unknown keys are found in sources, feeds and symbols, each with its own path."""
    found = problems("""
        symbols:
          BTC: {aliases: [BTC], coingeko_id: bitcoin}
        sources:
          reddit: {intervall: 5m}
        rss:
          feeds:
            - {name: a, url: "https://a.example/", wieght: 2}
    """)
    assert found == [
        "symbols.BTC.coingeko_id: unknown key; did you mean 'coingecko_id'?",
        "sources.reddit.intervall: unknown key; did you mean 'interval'?",
        "rss.feeds[0].wieght: unknown key; did you mean 'weight'?",
    ]


def test_config_messages_rss_under_sources_points_to_top_level(problems):
    """RSS written under sources is redirected to the top-level section."""
    assert problems("sources:\n  rss: {}\n") == [
        "sources.rss: RSS feeds are configured in the top-level 'rss' section, not under 'sources'"]


@pytest.mark.parametrize(
    ("yaml", "message"),
    [
        ("sources:\n  reddit: {limit: 500}\n", "sources.reddit.limit: must be an integer >= 1 and <= 100, got 500"),
        ("sources:\n  reddit: {limit: 2.5}\n", "sources.reddit.limit: must be an integer, got 2.5"),
        ("sources:\n  reddit: {listing: newest}\n",
         "sources.reddit.listing: must be one of new, hot, rising, top; got 'newest'"),
        ("sources:\n  reddit: {subreddits: CryptoCurrency}\n",
         "sources.reddit.subreddits: must be a list, got a string 'CryptoCurrency'; write [a, b]"),
        ("sources:\n  reddit: {subreddits: [r/Bitcoin]}\n",
         "sources.reddit.subreddits[0]: invalid value 'r/Bitcoin'; a subreddit name such as CryptoCurrency "
         "(without r/)"),
        ("sources:\n  reddit: {user_agent: 'app {name}'}\n",
         "sources.reddit.user_agent: only the placeholder {version} is allowed, got 'app {name}'"),
        ("sources:\n  reddit: {base_url: ftp://reddit.com}\n",
         "sources.reddit.base_url: not an http(s) URL: 'ftp://reddit.com'"),
        ("sources:\n  reddit: {timeout: 0}\n", "sources.reddit.timeout: must be a positive duration, got 0"),
        ("sources:\n  reddit: {enabled: 1}\n", "sources.reddit.enabled: must be true or false, got 1"),
        ("sources:\n  reddit: {interval: }\n",
         "sources.reddit.interval: has no value; give one, or remove the key to use the default (120.0)"),
        ("sources:\n  cryptopanic: {kind: video}\n",
         "sources.cryptopanic.kind: must be one of news, media, all; got 'video'"),
        ("sources:\n  cryptopanic: {currencies: []}\n",
         "sources.cryptopanic.currencies: must list at least one entry"),
        ("sources:\n  cryptopanic: {regions: English}\n",
         "sources.cryptopanic.regions: invalid value 'English'; language codes such as en or en,de"),
        ("sources:\n  coingecko: {vs_currency: USD$}\n",
         "sources.coingecko.vs_currency: invalid value 'USD$'; a lower-case currency code such as usd"),
        ("sources:\n  coingecko: {trending: maybe}\n",
         "sources.coingecko.trending: must be true or false, got 'maybe' "
         "(YAML 1.2: write true or false, not yes/no/on/off)"),
        ("sources:\n  whalealert: {min_value_usd: 0}\n",
         "sources.whalealert.min_value_usd: must be a number > 0, got 0"),
        ("sources:\n  whalealert: {window: forever}\n",
         "sources.whalealert.window: not a duration: 'forever'; write seconds (90) or a duration like "
         '"90s", "5m", "1h", "1h30m"'),
        ("sources: [reddit]\n", "sources: must be a mapping of source name -> settings, got a list"),
        ("sources:\n  reddit: 5m\n", "sources.reddit: must be a mapping of settings, got a string '5m'"),
        ("aggregation: {window: 0}\n", "aggregation.window: must be a positive duration, got 0"),
        ("aggregation: {min_items: 0}\n", "aggregation.min_items: must be an integer >= 1, got 0"),
        ("aggregation: {max_engagement_weight: 0.5}\n",
         "aggregation.max_engagement_weight: must be a number >= 1, got 0.5"),
        ("aggregation: {future_tolerance: -1}\n",
         "aggregation.future_tolerance: must be a non-negative duration, got -1"),
        ("http: {max_body_bytes: 10}\n", "http.max_body_bytes: must be an integer >= 1024, got 10"),
        ("http: {max_connections: 2, per_host: 4}\n", "http.per_host: must not exceed http.max_connections (2)"),
        ("http: {user_agent: ''}\n", "http.user_agent: must not be empty"),
        ("service: {port: 70000}\n", "service.port: must be an integer >= 0 and <= 65535, got 70000"),
        ("service: {jitter: 2}\n", "service.jitter: must be a number >= 0 and <= 1, got 2"),
        ("service: {jitter: .nan}\n", "service.jitter: must be a finite number, got nan"),
        ("service: {enable_reload_endpoint: on}\n",
         "service.enable_reload_endpoint: must be true or false, got 'on' "
         "(YAML 1.2: write true or false, not yes/no/on/off)"),
        ("- a\n- b\n", None),
    ],
)
def test_config_messages_field_checks(problems, yaml, message):
    """Each bad value is reported at its path with what is wrong and what is expected."""
    found = problems(yaml)
    if message is None:  # a document that is not a mapping at all
        assert found == ["the file must hold a mapping of sections (symbols, sources, rss, aggregation, "
                         "http, service), got a list"]
    else:
        assert found == [message]


def test_config_messages_symbol_checks(problems):
    """Symbols: reserved MARKET, cashtag keys, missing aliases, bad ids, clashes, duplicates."""
    found = problems("""
        symbols:
          BTC: {aliases: [Bitcoin, BTC], coingecko_id: bitcoin}
          btc: {aliases: [XBT]}
          market: {aliases: [everything]}
          $SOL: {aliases: [Solana]}
          ETH: {coingecko_id: ethereum}
          WBTC: {aliases: [bitcoin], coingecko_id: bitcoin}
          ADA: {aliases: [Cardano], coingecko_id: Cardano Coin}
          DOT: null
          "BAD TICKER": {aliases: [x]}
          LINK: {aliases: [Chainlink, Chainlink]}
          AVAX: {aliases: []}
    """)
    assert found == [
        "symbols.btc: duplicate symbol 'BTC' (also written as 'BTC')",
        "symbols[2]: 'MARKET' is reserved for the market-wide score; choose another ticker",
        "symbols[3]: write the bare ticker 'SOL' as the key; put '$SOL' in its aliases",
        "symbols.ETH.aliases: required: the names, tickers and cashtags to match, e.g. [ETH, $ETH]",
        "symbols.WBTC.aliases[0]: alias 'bitcoin' is already an alias of BTC",
        "symbols.WBTC.coingecko_id: 'bitcoin' is already the coingecko_id of BTC",
        "symbols.ADA.coingecko_id: invalid value 'Cardano Coin'; a CoinGecko API id such as bitcoin",
        "symbols.DOT: must be a mapping with at least 'aliases', got null; e.g. DOT: {aliases: [DOT]}",
        "symbols[8]: not a ticker: 'BAD TICKER'; use letters and digits, e.g. BTC",
        "symbols.LINK.aliases[1]: duplicate entry 'Chainlink' (same as symbols.LINK.aliases[0])",
        "symbols.AVAX.aliases: must list at least one entry",
    ]


def test_config_messages_symbols_are_upper_cased(parse):
    """A lower-case ticker key becomes the upper-case symbol label."""
    config = parse("symbols:\n  sol: {aliases: [Solana, SOL]}\n")
    assert config.symbols[0].symbol == "SOL"


def test_config_messages_symbols_must_be_a_mapping(problems):
    """A list of tickers is refused with an example of the mapping form."""
    assert problems("symbols: [BTC, ETH]\n") == [
        "symbols: must be a mapping of ticker -> settings, got a list; e.g. BTC: {aliases: [Bitcoin, BTC]}"]


def test_config_messages_feed_checks(problems):
    """Feeds: required keys, name charset, weight, interval, type of the entry and of the list."""
    found = problems("""
        rss:
          feeds:
            - {url: "https://a.example/feed"}
            - {name: "b c", url: "https://b.example/feed"}
            - {name: c, url: "https://c.example/feed", weight: 0}
            - {name: d, url: "https://d.example/feed", interval: 1:30}
            - https://e.example/feed
            - {name: f}
    """)
    assert found == [
        "rss.feeds[0].name: required",
        "rss.feeds[1].name: invalid value 'b c'; use letters, digits, '.', '_' or '-' (it becomes a metric label)",
        "rss.feeds[2].weight: must be a number > 0 and <= 100, got 0",
        "rss.feeds[3].interval: not a duration: '1:30'; write seconds (90) or a duration like "
        '"90s", "5m", "1h", "1h30m"',
        "rss.feeds[4]: must be a mapping with name and url, got a string 'https://e.example/feed'",
        "rss.feeds[5].url: required",
    ]


def test_config_messages_feeds_not_a_list(problems):
    """`rss.feeds` given as a mapping is refused."""
    assert problems("rss:\n  feeds: {a: 1}\n") == [
        "rss.feeds: must be a list of feeds, got a mapping; e.g. - {name: coindesk, url: https://...}"]


def test_config_messages_duplicate_feed_names_and_urls(problems):
    """Feed names are unique (any case); URLs are unique after normalisation."""
    found = problems("""
        rss:
          feeds:
            - {name: alpha, url: "https://alpha.example/feed/"}
            - {name: ALPHA, url: "https://other.example/feed"}
            - {name: gamma, url: "HTTPS://Alpha.Example/feed?utm_source=x&utm_medium=rss"}
            - {name: delta, url: "https://alpha.example:443/feed#top"}
            - {name: eps, url: "https://alpha.example/feed?page=2"}
    """)
    assert found == [
        "rss.feeds[1].name: duplicate feed name 'ALPHA' (also rss.feeds[0])",
        "rss.feeds[2].url: duplicate feed URL 'HTTPS://Alpha.Example/feed?utm_source=x&utm_medium=rss' "
        "(same feed as rss.feeds[0])",
        "rss.feeds[3].url: duplicate feed URL 'https://alpha.example:443/feed#top' (same feed as rss.feeds[0])",
    ]


def test_config_messages_many_problems_in_one_pass(problems):
    """Problems from every section are collected, none stops the others."""
    found = problems("""
        symbols:
          MARKET: {aliases: [m]}
        sources:
          feargreed: {interval: -1}
        rss:
          feeds: [{name: x, url: nope}]
        aggregation: {half_life: 0}
        http: {max_redirects: -1}
        service: {port: x}
    """)
    assert [line.split(":")[0] for line in found] == [
        "symbols[0]", "sources.feargreed.interval", "rss.feeds[0].url", "aggregation.half_life",
        "http.max_redirects", "service.port"]


def test_config_messages_error_header_names_file_and_count(parse):
    """The exception text starts with the file and the number of problems, then one line each."""
    with pytest.raises(ConfigError) as info:
        parse("service: {port: x, jitter: 5}\n")
    text = str(info.value)
    assert text.splitlines()[0] == "test.yaml: 2 configuration problems"
    assert text.splitlines()[1].startswith("  service.port:")
