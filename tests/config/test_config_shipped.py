"""The shipped feeds.yaml and examples/replay.yaml load cleanly and say what they promise."""

from __future__ import annotations

from collector.config import load_config
from collector.config_sources import SOURCE_NAMES
from collector.models import MARKET

REQUIRED_SYMBOLS = {"BTC": "bitcoin", "ETH": "ethereum", "SOL": "solana", "XRP": "ripple", "ADA": "cardano",
                    "DOGE": "dogecoin", "BNB": "binancecoin", "LINK": "chainlink", "AVAX": "avalanche-2",
                    "DOT": "polkadot", "POL": "polygon-ecosystem-token", "LTC": "litecoin"}


def test_config_shipped_feeds_yaml_loads(repo):
    """feeds.yaml is valid; without keys only cryptopanic and whalealert are off, with notices."""
    config = load_config(repo / "feeds.yaml", {})
    assert set(config.sources) == set(SOURCE_NAMES)
    assert {n for n, s in config.sources.items() if s.enabled} == {"reddit", "coingecko", "feargreed"}
    assert config.notices == ("cryptopanic: disabled, CRYPTOPANIC_API_KEY is not set",
                              "whalealert: disabled, WHALE_ALERT_API_KEY is not set")
    assert config.sources["whalealert"].params["min_value_usd"] == 500000


def test_config_shipped_feeds_yaml_with_keys_enables_everything(repo):
    """With the two required keys set, every source and about ten feeds are on."""
    config = load_config(repo / "feeds.yaml", {"CRYPTOPANIC_API_KEY": "x1", "WHALE_ALERT_API_KEY": "x2"})
    assert all(s.enabled for s in config.sources.values())
    assert config.rss.enabled and 10 <= len(config.rss.feeds) <= 12
    assert {"coindesk", "cointelegraph", "decrypt", "theblock", "bitcoinmagazine", "cryptoslate"} <= {
        f.name for f in config.rss.feeds}
    assert all(f.url.startswith("https://") for f in config.rss.feeds)


def test_config_shipped_feeds_yaml_symbols(repo):
    """The default symbols, their CoinGecko ids, and the traps' excludes are present."""
    config = load_config(repo / "feeds.yaml", {})
    by = {s.symbol: s for s in config.symbols}
    assert {k: by[k].coingecko_id for k in REQUIRED_SYMBOLS} == REQUIRED_SYMBOLS
    assert MARKET not in by
    assert "MATIC" in by["POL"].aliases
    assert "Bitcoin Cash" in by["BTC"].exclude and "Ethereum Classic" in by["ETH"].exclude
    assert all(s.aliases for s in config.symbols)


def test_config_shipped_feeds_yaml_is_documented(repo):
    """Every section of the reference file carries comments, and every env variable is named."""
    text = (repo / "feeds.yaml").read_text(encoding="utf-8")
    for section in ("symbols", "sources", "rss", "aggregation", "http", "service"):
        assert f"# -- {section} " in text
    for var in ("CRYPTOPANIC_API_KEY", "REDDIT_CLIENT_ID", "REDDIT_CLIENT_SECRET", "COINGECKO_API_KEY",
                "COINGECKO_API_PLAN", "WHALE_ALERT_API_KEY"):
        assert var in text


def test_config_shipped_replay_points_everything_at_the_replay_server(repo):
    """examples/replay.yaml: every source and feed on 127.0.0.1:8765, short intervals."""
    config = load_config(repo / "examples" / "replay.yaml", {"CRYPTOPANIC_API_KEY": "any"})
    assert config.notices == ("whalealert: disabled, WHALE_ALERT_API_KEY is not set",)
    base = "http://127.0.0.1:8765"
    assert config.sources["cryptopanic"].base_url == f"{base}/cryptopanic/api/v1"
    assert config.sources["reddit"].base_url == f"{base}/reddit"
    assert config.sources["reddit"].params["oauth_base_url"] == f"{base}/reddit-oauth"
    assert config.sources["reddit"].params["token_url"] == f"{base}/reddit/api/v1/access_token"
    assert config.sources["coingecko"].base_url == f"{base}/coingecko/api/v3"
    assert config.sources["feargreed"].base_url == f"{base}/feargreed"
    assert config.sources["whalealert"].base_url == f"{base}/whalealert/v1"
    assert [(f.name, f.url) for f in config.rss.feeds] == [
        ("cointelegraph", f"{base}/rss/cointelegraph.xml"),
        ("coindesk", f"{base}/rss/coindesk.xml"),
        ("decrypt", f"{base}/rss/decrypt.xml?feed=decrypt")]
    assert all(s.interval <= 10 for s in config.sources.values()) and config.rss.interval <= 10
    assert {s.symbol for s in config.symbols} >= set(REQUIRED_SYMBOLS)


def test_config_shipped_replay_with_whale_key_enables_all(repo):
    """With both keys, every source of the replay config runs."""
    config = load_config(repo / "examples" / "replay.yaml",
                         {"CRYPTOPANIC_API_KEY": "any", "WHALE_ALERT_API_KEY": "any"})
    assert all(s.enabled for s in config.sources.values()) and config.notices == ()
