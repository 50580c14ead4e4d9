"""diff_configs: which jobs, feeds and symbols a reload adds, removes, changes or reschedules."""

from __future__ import annotations

from collector.config_diff import diff_configs

BASE = """
symbols:
  BTC: {aliases: [Bitcoin, BTC], coingecko_id: bitcoin, subreddits: [Bitcoin]}
  ETH: {aliases: [Ethereum, ETH], coingecko_id: ethereum}
sources:
  reddit: {interval: 2m}
  coingecko: {interval: 5m}
  feargreed: {interval: 1h}
rss:
  interval: 5m
  feeds:
    - {name: alpha, url: "https://alpha.example/feed"}
    - {name: beta, url: "https://beta.example/feed", interval: 10m}
"""


def test_config_diff_identical_is_empty(parse):
    """The same config twice: nothing to do."""
    d = diff_configs(parse(BASE), parse(BASE))
    assert d.empty and d.summary() == "no changes"


def test_config_diff_feed_added_and_removed(parse):
    """A new feed is a new rss job; a dropped one is a removed job and a removed feed."""
    new = BASE.replace('    - {name: beta, url: "https://beta.example/feed", interval: 10m}\n',
                       '    - {name: gamma, url: "https://gamma.example/feed"}\n')
    d = diff_configs(parse(BASE), parse(new))
    assert d.added == ("rss:gamma",) and d.removed == ("rss:beta",) and d.changed == ()
    assert d.feeds_added == ("gamma",) and d.feeds_removed == ("beta",)
    assert d.summary() == "added rss:gamma; removed rss:beta"


def test_config_diff_interval_change_is_a_reschedule(parse):
    """Only the interval differs: changed and rescheduled."""
    d = diff_configs(parse(BASE), parse(BASE.replace("reddit: {interval: 2m}", "reddit: {interval: 1m}")))
    assert d.changed == ("reddit",) and d.rescheduled == ("reddit",)


def test_config_diff_inherited_interval_reschedules_only_inheriting_feeds(parse):
    """rss.interval changes reschedule alpha (inherits) but not beta (own interval)."""
    d = diff_configs(parse(BASE), parse(BASE.replace("  interval: 5m\n  feeds", "  interval: 2m\n  feeds")))
    assert d.changed == ("rss:alpha",) and d.rescheduled == ("rss:alpha",)


def test_config_diff_setting_change_is_not_only_a_reschedule(parse):
    """A URL change rebuilds the job (changed) and is not a mere reschedule."""
    d = diff_configs(parse(BASE), parse(BASE.replace("alpha.example/feed", "alpha.example/rss")))
    assert d.changed == ("rss:alpha",) and d.rescheduled == () and d.feeds_changed == ("alpha",)


def test_config_diff_disabling_removes_the_job_but_keeps_the_feed(parse):
    """A feed switched off: its job is removed; the feed itself is 'changed', not removed."""
    new = BASE.replace('{name: alpha, url: "https://alpha.example/feed"}',
                       '{name: alpha, url: "https://alpha.example/feed", enabled: false}')
    d = diff_configs(parse(BASE), parse(new))
    assert d.removed == ("rss:alpha",) and d.feeds_changed == ("alpha",) and d.feeds_removed == ()


def test_config_diff_symbols_and_their_dependent_sources(parse):
    """A new symbol with a CoinGecko id and subreddit changes coingecko and reddit jobs."""
    new = BASE.replace("sources:", "  SOL: {aliases: [Solana], coingecko_id: solana, subreddits: [solana]}\nsources:")
    d = diff_configs(parse(BASE), parse(new))
    assert d.symbols_added == ("SOL",)
    assert set(d.changed) == {"reddit", "coingecko"} and d.rescheduled == ()
    assert d.summary() == "changed reddit, coingecko; symbols +SOL"


def test_config_diff_secret_change_rebuilds_source(parse):
    """A new key for a source counts as a change of that source only; the key is never in the summary."""
    text = BASE.replace("sources:", "sources:\n  cryptopanic: {}")
    old = parse(text, {"CRYPTOPANIC_API_KEY": "first-token"})
    new = parse(text, {"CRYPTOPANIC_API_KEY": "second-token"})
    d = diff_configs(old, new)
    assert d.changed == ("cryptopanic",)
    assert "token" not in d.summary() and "token" not in repr(d)


def test_config_diff_source_enabled_by_secret_is_added(parse):
    """Setting the missing key turns a disabled source into an added job."""
    text = BASE.replace("sources:", "sources:\n  cryptopanic: {}")
    d = diff_configs(parse(text, {}), parse(text, {"CRYPTOPANIC_API_KEY": "k1"}))
    assert d.added == ("cryptopanic",)


def test_config_diff_other_sections(parse):
    """aggregation/http/service changes are flagged on their own."""
    new = BASE + "aggregation: {window: 3h}\nhttp: {max_redirects: 2}\nservice: {port: 9999}\n"
    d = diff_configs(parse(BASE), parse(new))
    assert d.aggregation_changed and d.http_changed and d.service_changed
    assert d.added == d.removed == d.changed == ()
    assert d.summary() == "aggregation changed; http changed; service changed"
