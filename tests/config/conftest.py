"""Fixtures for config tests: YAML text in, Config or the list of problems out."""

from __future__ import annotations

import textwrap
from collections.abc import Callable, Mapping
from pathlib import Path

import pytest

from collector.config import Config, validate_tree
from collector.errors import ConfigError
from collector.yamlio import load_roundtrip

REPO = Path(__file__).resolve().parents[2]

#: A small valid config that the tests extend or break.
MINIMAL = """\
symbols:
  BTC: {aliases: [Bitcoin, BTC, $BTC], coingecko_id: bitcoin, exclude: [Bitcoin Cash]}
  ETH: {aliases: [Ethereum, ETH], coingecko_id: ethereum}
sources:
  reddit: {interval: 2m, subreddits: [CryptoCurrency]}
  feargreed: {}
rss:
  feeds:
    - {name: alpha, url: "https://alpha.example/feed"}
    - {name: beta, url: "https://beta.example/rss.xml", weight: 2, interval: 10m}
"""


def parse_text(text: str, env: Mapping[str, str] | None = None) -> Config:
    """Load YAML text the way load_config does (round-trip tree, then validate)."""
    text = textwrap.dedent(text)
    return validate_tree(load_roundtrip(text, "test.yaml"), env or {}, path="test.yaml")


def problems_of(text: str, env: Mapping[str, str] | None = None) -> list[str]:
    """The problem lines the config error reports; fails the test if the text is valid."""
    with pytest.raises(ConfigError) as info:
        parse_text(text, env)
    return info.value.problems


@pytest.fixture
def minimal() -> str:
    return MINIMAL


@pytest.fixture
def parse() -> Callable[..., Config]:
    return parse_text


@pytest.fixture
def problems() -> Callable[..., list[str]]:
    return problems_of


@pytest.fixture
def write(tmp_path: Path) -> Callable[[str, str], Path]:
    """Write text to a file in tmp_path and return its path."""

    def _write(text: str, name: str = "feeds.yaml") -> Path:
        p = tmp_path / name
        p.write_text(textwrap.dedent(text), encoding="utf-8")
        return p

    return _write


@pytest.fixture
def repo() -> Path:
    return REPO


#: A hand-written config full of comments, odd spacing and both quoting styles. ruamel's own dump would
#: change bytes here (`null`, the spacing after colons, the tab-free alignment), so edits must splice text.
COMMENTED = """\
# Top comment: keep me.
#   indented comment line

symbols:   # the coins
  BTC:
    aliases: [Bitcoin, BTC, '$BTC']     # single quotes on purpose
    coingecko_id:   bitcoin
    # a comment inside BTC

  ETH: {aliases: ["Ethereum", ETH], coingecko_id: ethereum}   # flow style
  # comment after the last symbol, indented

# -- sources --
sources:
  feargreed:
    interval:    1h   # extra spaces
    enabled: true
  cryptopanic: {enabled: false, filter: null}

rss:
  interval: 5m
  feeds:
    # feed list starts
    - {name: alpha, url: "https://alpha.example/feed"}  # alpha!

    - name: beta            # block style entry
      url: 'https://beta.example/rss.xml'
      # inside beta
      weight: 2
    - {name: gamma, url: "https://gamma.example/atom.xml", enabled: false}
    # trailing comment of the list

# -- the end --
aggregation:
  window: 6h   # keep
"""


@pytest.fixture
def commented() -> str:
    return COMMENTED
