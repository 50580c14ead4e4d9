"""The issue's acceptance case and the YAML 1.1 traps it names."""

from __future__ import annotations

ISSUE_CASE = """\
symbols:
  BTC: {aliases: [Bitcoin, BTC]}
  NO: {aliases: [NO]}
sources:
  reddit: {interval: -5}
rss:
  feeds:
    - {name: a, url: "https://a.example/feed"}
    - {name: b, url: "https://b.example/feed"}
    - {name: c, url: "https://c.example/feed"}
    - {name: broken, url: not a url}
"""


def test_config_issue_case_reports_all_three_problems_with_paths(problems):
    """interval -5, feed URL 'not a url' and an unquoted ticker NO are reported together."""
    found = problems(ISSUE_CASE)
    assert found == [
        'symbols.NO: an unquoted NO means false to YAML 1.1 tools; quote the ticker: "NO":',
        "sources.reddit.interval: must be a positive duration, got -5",
        "rss.feeds[3].url: not an http(s) URL: 'not a url'",
    ]


def test_config_issue_case_quoted_no_is_the_ticker_no(parse):
    """Quoted, NO is a plain ticker string that stays "NO" (YAML 1.2), never the boolean false."""
    text = ISSUE_CASE.replace("  NO:", '  "NO":').replace("{interval: -5}", "{interval: 5m}")
    text = text.replace("not a url", "https://d.example/feed")
    config = parse(text)
    assert [s.symbol for s in config.symbols] == ["BTC", "NO"]
    assert config.symbols[1].aliases == ("NO",)


def test_config_issue_unquoted_on_off_yes_keys_are_refused(problems):
    """Every YAML 1.1 boolean word used as an unquoted ticker is refused, naming its 1.1 meaning."""
    found = problems("""
        symbols:
          ON: {aliases: [x1]}
          off: {aliases: [x2]}
          Yes: {aliases: [x3]}
    """)
    assert found == [
        'symbols.ON: an unquoted ON means true to YAML 1.1 tools; quote the ticker: "ON":',
        'symbols.off: an unquoted off means false to YAML 1.1 tools; quote the ticker: "off":',
        'symbols.Yes: an unquoted Yes means true to YAML 1.1 tools; quote the ticker: "Yes":',
    ]


def test_config_issue_boolean_and_number_tickers_must_be_quoted(problems):
    """A ticker YAML 1.2 reads as a boolean or number is refused with a 'quote it' hint."""
    found = problems("""
        symbols:
          BTC: {aliases: [BTC]}
          true: {aliases: [x]}
          2: {aliases: [y]}
    """)
    assert found == [
        'symbols[1]: ticker must be a string, but YAML read true as a boolean; quote it: "TRUE":',
        'symbols[2]: ticker must be a string, but YAML read 2 as a number; quote it: "2":',
    ]


def test_config_issue_yes_value_is_not_a_boolean(problems):
    """`enabled: yes` is the string 'yes' in YAML 1.2, refused with a true/false hint."""
    found = problems("""
        sources:
          feargreed: {enabled: yes}
    """)
    assert found == ["sources.feargreed.enabled: must be true or false, got 'yes' "
                     "(YAML 1.2: write true or false, not yes/no/on/off)"]


def test_config_issue_sexagesimal_is_not_ninety(problems):
    """`interval: 1:30` is neither 90 nor 5400: it is refused as not a duration."""
    found = problems("""
        sources:
          feargreed: {interval: 1:30}
    """)
    assert found == ["sources.feargreed.interval: not a duration: '1:30'; write seconds (90) "
                     'or a duration like "90s", "5m", "1h", "1h30m"']
