"""Secrets: from the environment only; missing required ones disable their source with a notice."""

from __future__ import annotations

import pytest

ALL_SOURCES = """
sources:
  cryptopanic: {}
  reddit: {}
  coingecko: {}
  feargreed: {}
  whalealert: {}
"""


def test_config_secrets_missing_keys_disable_sources_with_notices(parse):
    """Without keys, cryptopanic and whalealert are disabled, each with a one-line notice."""
    config = parse(ALL_SOURCES, {})
    assert config.notices == ("cryptopanic: disabled, CRYPTOPANIC_API_KEY is not set",
                              "whalealert: disabled, WHALE_ALERT_API_KEY is not set")
    assert not config.sources["cryptopanic"].enabled
    assert not config.sources["whalealert"].enabled
    assert config.sources["reddit"].enabled and config.sources["coingecko"].enabled


def test_config_secrets_from_env_enable_sources(parse):
    """With every variable set, nothing is disabled and the values land in Secrets."""
    env = {"CRYPTOPANIC_API_KEY": "cp-token-1", "WHALE_ALERT_API_KEY": "wa-token-2",
           "REDDIT_CLIENT_ID": "rid", "REDDIT_CLIENT_SECRET": "rsecret", "COINGECKO_API_KEY": "cg-key-3",
           "COINGECKO_API_PLAN": "PRO"}
    config = parse(ALL_SOURCES, env)
    assert config.notices == ()
    assert all(s.enabled for s in config.sources.values())
    s = config.secrets
    assert (s.cryptopanic_api_key, s.whale_alert_api_key) == ("cp-token-1", "wa-token-2")
    assert (s.reddit_client_id, s.reddit_client_secret) == ("rid", "rsecret")
    assert (s.coingecko_api_key, s.coingecko_plan) == ("cg-key-3", "pro")
    assert set(s.redactables()) == {"cp-token-1", "wa-token-2", "rid", "rsecret", "cg-key-3"}


def test_config_secrets_blank_env_values_count_as_unset(parse):
    """A variable set to whitespace is treated as missing."""
    config = parse(ALL_SOURCES, {"CRYPTOPANIC_API_KEY": "  "})
    assert not config.sources["cryptopanic"].enabled
    assert config.secrets.cryptopanic_api_key is None


def test_config_secrets_disabled_source_needs_no_key(parse):
    """A source switched off in the file gives no notice about its key."""
    config = parse("sources:\n  cryptopanic: {enabled: false}\n  feargreed: {}\n", {})
    assert config.notices == ()


def test_config_secrets_half_reddit_credentials_fall_back_with_notice(parse):
    """Only one of the Reddit variables: reddit stays on (public API) and says why."""
    config = parse("sources:\n  reddit: {}\n", {"REDDIT_CLIENT_ID": "abc"})
    assert config.sources["reddit"].enabled
    assert config.notices == ("reddit: REDDIT_CLIENT_SECRET is not set, using the public JSON API without OAuth",)


def test_config_secrets_pro_plan_without_key_notice(parse):
    """COINGECKO_API_PLAN=pro without a key falls back to the public API with a notice."""
    config = parse("sources:\n  coingecko: {}\n", {"COINGECKO_API_PLAN": "pro"})
    assert config.notices == ("coingecko: COINGECKO_API_PLAN=pro but COINGECKO_API_KEY is not set, "
                              "using the public API",)


def test_config_secrets_bad_plan_is_a_problem(problems):
    """An unknown COINGECKO_API_PLAN value is reported under its variable name."""
    assert problems("sources: {}\n", {"COINGECKO_API_PLAN": "enterprise"}) == [
        "env COINGECKO_API_PLAN: must be demo or pro, got 'enterprise'"]


@pytest.mark.parametrize(
    ("yaml", "message"),
    [
        ("sources:\n  cryptopanic: {auth_token: abc123}\n",
         "sources.cryptopanic.auth_token: secrets must not be written in the config file; remove this key "
         "and set CRYPTOPANIC_API_KEY in the environment"),
        ("sources:\n  whalealert: {api_key: abc123}\n",
         "sources.whalealert.api_key: secrets must not be written in the config file; remove this key "
         "and set WHALE_ALERT_API_KEY in the environment"),
        ("sources:\n  reddit: {client_secret: abc123}\n",
         "sources.reddit.client_secret: secrets must not be written in the config file; remove this key "
         "and set REDDIT_CLIENT_ID and REDDIT_CLIENT_SECRET in the environment"),
        ("sources:\n  coingecko: {x-cg-demo-api-key: abc123}\n",
         "sources.coingecko.x-cg-demo-api-key: secrets must not be written in the config file; remove this "
         "key and set COINGECKO_API_KEY (and COINGECKO_API_PLAN=demo|pro) in the environment"),
        ("secrets: {cryptopanic: abc123}\n",
         "secrets: secrets must not be written in the config file; remove this key and set it in the "
         "environment (CRYPTOPANIC_API_KEY, REDDIT_CLIENT_ID, REDDIT_CLIENT_SECRET, COINGECKO_API_KEY, "
         "WHALE_ALERT_API_KEY)"),
    ],
)
def test_config_secrets_in_yaml_are_refused(problems, yaml, message):
    """A secret-looking key anywhere is an error naming the environment variable to use instead."""
    found = problems(yaml)
    assert found == [message]
    assert "abc123" not in " ".join(found)


def test_config_secrets_in_url_are_refused_and_not_echoed(problems):
    """A token in a URL's query or userinfo is refused, and the message shows it redacted."""
    found = problems("""
        sources:
          cryptopanic: {base_url: "https://cryptopanic.com/api/v1?auth_token=s3cr3tvalue"}
        rss:
          feeds: [{name: a, url: "https://user:pa55word@a.example/feed"}]
    """)
    assert len(found) == 2
    assert found[0].startswith("sources.cryptopanic.base_url: URL carries credentials (")
    assert found[1].startswith("rss.feeds[0].url: URL carries credentials (")
    assert "environment variables only" in found[0]
    text = " ".join(found)
    assert "s3cr3tvalue" not in text and "pa55word" not in text


def test_config_secrets_repr_never_shows_values(parse):
    """Printing the config (or its Secrets) never shows a token."""
    config = parse(ALL_SOURCES, {"CRYPTOPANIC_API_KEY": "cp-visible-if-leaked"})
    assert "cp-visible-if-leaked" not in repr(config)


def test_config_secrets_ticker_named_key_is_allowed(parse):
    """A symbol whose ticker looks like a secret word (KEY) is a ticker, not a secret."""
    config = parse("symbols:\n  KEY: {aliases: [SelfKey, KEY]}\n")
    assert config.symbols[0].symbol == "KEY"
