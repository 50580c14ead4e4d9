"""The `sources:` section: five upstream APIs, their common settings, own parameters and secrets.

Every source has `enabled`, `interval`, `base_url`, `timeout`; everything else is the source's own and lands
validated in `SourceConfig.params` (plain python values). A source not listed under `sources:` is disabled.
Secrets come only from the environment; a source whose required secret is missing is disabled with a notice.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from collector.config_checks import (
    Field,
    Problems,
    base_url,
    boolean,
    check_keys,
    join,
    kind_of,
    list_of,
    number,
    positive_duration,
    read_section,
    show,
    string,
    template,
)

SOURCE_NAMES: tuple[str, ...] = ("cryptopanic", "reddit", "coingecko", "feargreed", "whalealert")

#: Environment variable names (the only place secrets come from).
ENV_CRYPTOPANIC = "CRYPTOPANIC_API_KEY"
ENV_REDDIT_ID = "REDDIT_CLIENT_ID"
ENV_REDDIT_SECRET = "REDDIT_CLIENT_SECRET"  # noqa: S105  (a variable name, not a secret)
ENV_COINGECKO = "COINGECKO_API_KEY"
ENV_COINGECKO_PLAN = "COINGECKO_API_PLAN"
ENV_WHALE = "WHALE_ALERT_API_KEY"

SECRET_HINT: dict[str, str] = {
    "cryptopanic": f"set {ENV_CRYPTOPANIC} in the environment",
    "reddit": f"set {ENV_REDDIT_ID} and {ENV_REDDIT_SECRET} in the environment",
    "coingecko": f"set {ENV_COINGECKO} (and {ENV_COINGECKO_PLAN}=demo|pro) in the environment",
    "whalealert": f"set {ENV_WHALE} in the environment",
}
ANY_SECRET_HINT = (f"set it in the environment ({ENV_CRYPTOPANIC}, {ENV_REDDIT_ID}, {ENV_REDDIT_SECRET}, "
                   f"{ENV_COINGECKO}, {ENV_WHALE})")

#: Sources that cannot run without their key: (source, env var).
REQUIRED_SECRET: dict[str, str] = {"cryptopanic": ENV_CRYPTOPANIC, "whalealert": ENV_WHALE}

_SUBREDDIT = r"[A-Za-z0-9][A-Za-z0-9_]{1,20}"
_SUBREDDIT_HINT = "a subreddit name such as CryptoCurrency (without r/)"
subreddit = string(_SUBREDDIT, hint=_SUBREDDIT_HINT)
_CURRENCY_CODE = string(r"[A-Za-z0-9]{1,20}", hint="a currency code such as BTC")


def _common(interval: float, url: str) -> dict[str, Field]:
    return {
        "enabled": Field(boolean, True),
        "interval": Field(positive_duration, interval),
        "base_url": Field(base_url, url),
        "timeout": Field(positive_duration, 15.0),
    }


#: Source name -> (common fields with their defaults, own parameters).
SCHEMAS: dict[str, tuple[dict[str, Field], dict[str, Field]]] = {
    "cryptopanic": (
        _common(300.0, "https://cryptopanic.com/api/developer/v2"),
        {
            "public": Field(boolean, True),
            "filter": Field(string(choices=("rising", "hot", "bullish", "bearish", "important", "saved",
                                            "lol")), None, nullable=True),
            "kind": Field(string(choices=("news", "media", "all")), "news"),
            "currencies": Field(list_of(_CURRENCY_CODE, allow_empty=False), None, nullable=True),
            "regions": Field(string(r"[a-z]{2}(,[a-z]{2})*", hint="language codes such as en or en,de"),
                             "en"),
        },
    ),
    "reddit": (
        _common(120.0, "https://www.reddit.com"),
        {
            "oauth_base_url": Field(base_url, "https://oauth.reddit.com"),
            "token_url": Field(base_url, "https://www.reddit.com/api/v1/access_token"),
            "subreddits": Field(list_of(subreddit), ["CryptoCurrency"]),
            "listing": Field(string(choices=("new", "hot", "rising", "top")), "new"),
            "limit": Field(number(1, 100, integer=True), 50),
            "user_agent": Field(template, "linux:sigmax-collector:{version} (by /u/sigmax-collector)"),
        },
    ),
    "coingecko": (
        _common(300.0, "https://api.coingecko.com/api/v3"),
        {
            "pro_base_url": Field(base_url, "https://pro-api.coingecko.com/api/v3"),
            "vs_currency": Field(string(r"[a-z]{2,10}", hint="a lower-case currency code such as usd"),
                                 "usd"),
            "trending": Field(boolean, True),
            "global": Field(boolean, True),
        },
    ),
    "feargreed": (_common(3600.0, "https://api.alternative.me"), {}),
    "whalealert": (
        _common(300.0, "https://api.whale-alert.io/v1"),
        {
            "min_value_usd": Field(number(0, above=True), 500_000.0),
            "window": Field(positive_duration, 3600.0),
            "bullish_threshold_usd": Field(number(0, above=True), 10_000_000.0),
            "bearish_threshold_usd": Field(number(0, above=True), 10_000_000.0),
        },
    ),
}


def read_sources(problems: Problems, data: Any) -> dict[str, dict[str, Any]]:
    """Validate `sources:`; every source in SOURCE_NAMES gets its full settings (absent: enabled False)."""
    path = "sources"
    out: dict[str, dict[str, Any]] = {}
    if data is not None and not isinstance(data, Mapping):
        problems.add(path, f"must be a mapping of source name -> settings, got {kind_of(data)}")
        data = None
    data = data or {}
    if "rss" in data:
        problems.add(join(path, "rss"), "RSS feeds are configured in the top-level 'rss' section, "
                                        "not under 'sources'")
    check_keys(problems, path, {k: v for k, v in data.items() if k != "rss"}, SOURCE_NAMES, ANY_SECRET_HINT)
    for name in SOURCE_NAMES:
        common, own = SCHEMAS[name]
        present = name in data
        values = read_section(problems, join(path, name), data.get(name), {**common, **own},
                              SECRET_HINT.get(name, ANY_SECRET_HINT))
        if not present:
            values["enabled"] = False
        out[name] = values
    return out


def _env(env: Mapping[str, str], name: str) -> str | None:
    value = env.get(name)
    if value is None:
        return None
    value = value.strip()
    return value or None


def read_secrets(problems: Problems, env: Mapping[str, str]) -> dict[str, Any]:
    """Secret fields for `collector.config.Secrets`, from the environment."""
    plan = (_env(env, ENV_COINGECKO_PLAN) or "demo").lower()
    if plan not in ("demo", "pro"):
        problems.add(f"env {ENV_COINGECKO_PLAN}", f"must be demo or pro, got {show(plan)}")
        plan = "demo"
    return {
        "cryptopanic_api_key": _env(env, ENV_CRYPTOPANIC),
        "reddit_client_id": _env(env, ENV_REDDIT_ID),
        "reddit_client_secret": _env(env, ENV_REDDIT_SECRET),
        "coingecko_api_key": _env(env, ENV_COINGECKO),
        "coingecko_plan": plan,
        "whale_alert_api_key": _env(env, ENV_WHALE),
    }


def apply_secrets(sources: dict[str, dict[str, Any]], secrets: Mapping[str, Any]) -> list[str]:
    """Disable enabled sources whose required secret is missing; return one notice line per change."""
    notices: list[str] = []
    have = {
        ENV_CRYPTOPANIC: secrets.get("cryptopanic_api_key"),
        ENV_WHALE: secrets.get("whale_alert_api_key"),
    }
    for name, env_name in REQUIRED_SECRET.items():
        if sources[name]["enabled"] and not have[env_name]:
            sources[name]["enabled"] = False
            notices.append(f"{name}: disabled, {env_name} is not set")
    if sources["reddit"]["enabled"]:
        cid, csec = secrets.get("reddit_client_id"), secrets.get("reddit_client_secret")
        if bool(cid) != bool(csec):
            missing = ENV_REDDIT_SECRET if cid else ENV_REDDIT_ID
            notices.append(f"reddit: {missing} is not set, using the public JSON API without OAuth")
    if sources["coingecko"]["enabled"] and secrets.get("coingecko_plan") == "pro" \
            and not secrets.get("coingecko_api_key"):
        notices.append(f"coingecko: {ENV_COINGECKO_PLAN}=pro but {ENV_COINGECKO} is not set, "
                       "using the public API")
    return notices
