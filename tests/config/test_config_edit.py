"""Round-trip edits of feeds.yaml: only the edited entry's lines change; bad edits are refused."""

from __future__ import annotations

import difflib

import pytest

from collector.errors import ConfigError
from collector.feeds_edit import EditError, add_feed, add_symbol, remove_feed, remove_symbol, set_feed_enabled
from collector.yamlio import dump_roundtrip, load_roundtrip

ENV: dict[str, str] = {}


def change(old: str, new: str) -> tuple[list[str], list[str]]:
    """The one contiguous block of lines that differs: (lines removed, lines added). Fails on more."""
    a, b = old.splitlines(keepends=True), new.splitlines(keepends=True)
    blocks = [op for op in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes() if op[0] != "equal"]
    assert len(blocks) == 1, blocks
    _, i1, i2, j1, j2 = blocks[0]
    return a[i1:i2], b[j1:j2]


def test_config_edit_fixture_is_not_ruamel_stable(commented):
    """The fixture really is one that a plain ruamel dump would change (so the tests below mean something)."""
    assert dump_roundtrip(load_roundtrip(commented)) != commented


def test_config_edit_add_feed_appends_one_line_after_last_entry(commented):
    """Adding a flow-style feed inserts one line after gamma, before the list's trailing comment."""
    edit = add_feed(commented, "delta", "https://delta.example/feed", interval="10m", weight=1.5, env=ENV)
    removed, added = change(commented, edit.text)
    assert removed == []
    assert added == ['    - {name: delta, url: "https://delta.example/feed", interval: 10m, weight: 1.5}\n']
    assert edit.text.index("delta") < edit.text.index("# trailing comment of the list")
    assert edit.changed and not edit.reformatted
    assert edit.config.rss.feeds[-1].interval == 600.0
    assert edit.summary == "added feed 'delta' (https://delta.example/feed)"


def test_config_edit_add_feed_disabled(commented):
    """--disabled writes enabled: false into the new entry."""
    edit = add_feed(commented, "delta", "https://delta.example/feed", enabled=False, env=ENV)
    assert not edit.config.rss.feeds[-1].enabled


def test_config_edit_add_feed_after_block_entry_uses_block_style():
    """When the last entry is a block mapping, the new one is written as a block mapping too."""
    text = "rss:\n  feeds:\n  - name: a\n    url: https://a.example/\n# end\n"
    edit = add_feed(text, "b", "https://b.example/", env=ENV)
    assert edit.text == ("rss:\n  feeds:\n  - name: a\n    url: https://a.example/\n"
                         '  - name: b\n    url: "https://b.example/"\n# end\n')


def test_config_edit_remove_block_entry_removes_its_lines_only(commented):
    """Removing beta deletes its four lines (comment inside included), nothing else."""
    edit = remove_feed(commented, "beta", env=ENV)
    removed, added = change(commented, edit.text)
    assert added == []
    assert removed == ["    - name: beta            # block style entry\n",
                       "      url: 'https://beta.example/rss.xml'\n",
                       "      # inside beta\n",
                       "      weight: 2\n"]
    assert [f.name for f in edit.config.rss.feeds] == ["alpha", "gamma"]


def test_config_edit_remove_flow_entry_with_trailing_comment(commented):
    """Removing alpha deletes its line and its trailing comment, keeping the blank line and comments around."""
    edit = remove_feed(commented, "ALPHA", env=ENV)
    removed, added = change(commented, edit.text)
    assert removed == ['    - {name: alpha, url: "https://alpha.example/feed"}  # alpha!\n'] and added == []
    assert "# feed list starts" in edit.text


def test_config_edit_remove_last_feed_leaves_empty_list(commented):
    """Removing every feed leaves `feeds:` with its comments, which loads as no feeds."""
    text = commented
    for name in ("alpha", "beta", "gamma"):
        text = remove_feed(text, name, env=ENV).text
    edit_config = add_feed(text, "again", "https://again.example/", env=ENV)
    assert "# feed list starts" in text and "# trailing comment of the list" in text
    assert [f.name for f in edit_config.config.rss.feeds] == ["again"]


def test_config_edit_disable_flow_entry_adds_key_in_place(commented):
    """Disabling alpha adds `enabled: false` inside its braces, keeping the trailing comment."""
    edit = set_feed_enabled(commented, "alpha", False, env=ENV)
    removed, added = change(commented, edit.text)
    assert added == ['    - {name: alpha, url: "https://alpha.example/feed", enabled: false}  # alpha!\n']
    assert len(removed) == 1


def test_config_edit_disable_block_entry_adds_a_line(commented):
    """Disabling beta adds one `enabled: false` line at the entry's key column."""
    edit = set_feed_enabled(commented, "beta", False, env=ENV)
    removed, added = change(commented, edit.text)
    assert removed == [] and added == ["      enabled: false\n"]
    assert not edit.config.rss.feeds[1].enabled


def test_config_edit_enable_flips_existing_value_only(commented):
    """Enabling gamma rewrites just the word false on its line."""
    edit = set_feed_enabled(commented, "gamma", True, env=ENV)
    removed, added = change(commented, edit.text)
    assert removed == ['    - {name: gamma, url: "https://gamma.example/atom.xml", enabled: false}\n']
    assert added == ['    - {name: gamma, url: "https://gamma.example/atom.xml", enabled: true}\n']


def test_config_edit_enable_already_enabled_is_a_no_op(commented):
    """Enabling a feed without an enabled key changes nothing and says so."""
    edit = set_feed_enabled(commented, "alpha", True, env=ENV)
    assert not edit.changed and edit.text == commented
    assert edit.summary == "feed 'alpha' is already enabled"


def test_config_edit_add_symbol_block_after_flow_symbol_uses_flow(commented):
    """The last symbol (ETH) is flow style, so NEAR is added as one flow line after ETH's block."""
    edit = add_symbol(commented, "near", aliases=["NEAR Protocol", "$NEAR"], coingecko_id="near",
                      subreddits=["nearprotocol"], env=ENV)
    removed, added = change(commented, edit.text)
    assert removed == []
    assert added == ["  NEAR: {aliases: [NEAR Protocol, $NEAR], coingecko_id: near, subreddits: [nearprotocol]}\n"]
    assert [s.symbol for s in edit.config.symbols] == ["BTC", "ETH", "NEAR"]


def test_config_edit_add_symbol_after_block_symbol_uses_block():
    """After a block-style symbol, the new one is written in block style, quoted where YAML needs it."""
    text = "symbols:\n  BTC:\n    aliases: [BTC]\n\nrss: {}\n"
    edit = add_symbol(text, "on", aliases=["Orion", "yes", "1:30"], exclude=["Orion Protocol"], env=ENV)
    assert edit.text == ('symbols:\n  BTC:\n    aliases: [BTC]\n  "ON":\n    aliases: [Orion, "yes", "1:30"]\n'
                         "    exclude: [Orion Protocol]\n\nrss: {}\n")
    assert edit.config.symbols[1].aliases == ("Orion", "yes", "1:30")


def test_config_edit_remove_symbol_block_with_inner_comment(commented):
    """Removing BTC deletes its lines up to ETH (its inner comment too); the blank line before ETH stays."""
    edit = remove_symbol(commented, "btc", env=ENV)
    removed, added = change(commented, edit.text)
    assert added == []
    assert removed == ["  BTC:\n", "    aliases: [Bitcoin, BTC, '$BTC']     # single quotes on purpose\n",
                       "    coingecko_id:   bitcoin\n", "    # a comment inside BTC\n"]


def test_config_edit_remove_flow_symbol_keeps_following_comment(commented):
    """Removing ETH deletes its one line; the indented comment after it stays."""
    edit = remove_symbol(commented, "ETH", env=ENV)
    removed, _ = change(commented, edit.text)
    assert removed == ['  ETH: {aliases: ["Ethereum", ETH], coingecko_id: ethereum}   # flow style\n']
    assert "  # comment after the last symbol, indented\n" in edit.text


def test_config_edit_sections_created_when_missing():
    """A file without rss/symbols gets the sections appended; a null section is filled in place."""
    edit = add_feed("aggregation: {window: 6h}\n", "a", "https://a.example/", env=ENV)
    assert edit.text == 'aggregation: {window: 6h}\nrss:\n  feeds:\n    - {name: a, url: "https://a.example/"}\n'
    edit = add_feed("rss:\n  interval: 5m\n  feeds: null   # none yet\n", "a", "https://a.example/", env=ENV)
    assert edit.text == 'rss:\n  interval: 5m\n  feeds: # none yet\n    - {name: a, url: "https://a.example/"}\n'
    edit = add_symbol("symbols:\nrss: {}\n", "SOL", aliases=["Solana"], env=ENV)
    assert edit.text == "symbols:\n  SOL:\n    aliases: [Solana]\nrss: {}\n"


def test_config_edit_flow_list_falls_back_to_reserialising():
    """A flow-style feed list cannot be spliced: ruamel re-serialises and the edit says so."""
    text = "# keep\nrss:\n  feeds: [{name: a, url: 'https://a.example/'}]\n"
    edit = add_feed(text, "b", "https://b.example/", env=ENV)
    assert edit.reformatted
    assert "# keep" in edit.text
    assert [f.name for f in edit.config.rss.feeds] == ["a", "b"]
    assert [f.name for f in remove_feed(edit.text, "a", env=ENV).config.rss.feeds] == ["b"]


def test_config_edit_crlf_file_keeps_crlf():
    """A file with Windows line endings gets CRLF on the inserted line too."""
    text = "rss:\r\n  feeds:\r\n    - {name: a, url: 'https://a.example/'}\r\n"
    edit = add_feed(text, "b", "https://b.example/", env=ENV)
    assert edit.text == text + '    - {name: b, url: "https://b.example/"}\r\n'


def test_config_edit_duplicate_name_refused(commented):
    """A feed name already present (any case) is refused with the existing entry's path."""
    with pytest.raises(ConfigError) as info:
        add_feed(commented, "Beta", "https://new.example/feed", env=ENV)
    assert info.value.problems == ["rss.feeds[3].name: a feed named 'beta' already exists (rss.feeds[1]); "
                                   "choose another name or remove that feed first"]


@pytest.mark.parametrize("url", ["https://ALPHA.example/feed/", "HTTPS://alpha.example/feed?utm_source=x",
                                 "https://alpha.example:443/feed#frag", "https://alpha.example/feed?fbclid=1"])
def test_config_edit_duplicate_url_after_normalising_refused(commented, url):
    """Scheme/host case, trailing slash, default port, fragment and tracking parameters don't make a new feed."""
    with pytest.raises(ConfigError) as info:
        add_feed(commented, "delta", url, env=ENV)
    (problem,) = info.value.problems
    assert problem.startswith(f"rss.feeds[3].url: {url!r} is already in the config as feed 'alpha' "
                              "(rss.feeds[0]); URLs are compared ignoring")


def test_config_edit_invalid_add_refused_with_every_problem(commented):
    """A bad name, URL, interval and weight are all reported at the new entry's path."""
    with pytest.raises(ConfigError) as info:
        add_feed(commented, "bad name", "ftp://x.example/", interval="1:30", weight=-1, env=ENV)
    assert info.value.problems == [
        "rss.feeds[3].name: invalid value 'bad name'; use letters, digits, '.', '_' or '-' "
        "(it becomes a metric label)",
        "rss.feeds[3].url: not an http(s) URL: 'ftp://x.example/'",
        'rss.feeds[3].interval: not a duration: \'1:30\'; write seconds (90) or a duration like "90s", '
        '"5m", "1h", "1h30m"',
        "rss.feeds[3].weight: must be a number > 0 and <= 100, got -1",
    ]


def test_config_edit_result_validated_as_a_whole(commented):
    """An edit whose result breaks another rule (alias clash) is refused by the whole-file validation."""
    with pytest.raises(ConfigError) as info:
        add_symbol(commented, "WBTC", aliases=["Bitcoin"], env=ENV)
    assert info.value.problems == ["symbols.WBTC.aliases[0]: alias 'Bitcoin' is already an alias of BTC"]


def test_config_edit_existing_problem_blocks_every_edit():
    """An already invalid file is not written by an unrelated edit; its problems are reported."""
    text = "sources:\n  reddit: {interval: -5}\nrss:\n  feeds: []\n"
    with pytest.raises(ConfigError) as info:
        add_feed(text, "a", "https://a.example/", env=ENV)
    assert info.value.problems == ["sources.reddit.interval: must be a positive duration, got -5"]


def test_config_edit_unknown_names_refused(commented):
    """Removing or toggling what is not there is an EditError naming what is."""
    with pytest.raises(EditError, match=r"no feed named 'zeta' in the config \(feeds: alpha, beta, gamma\)"):
        remove_feed(commented, "zeta", env=ENV)
    with pytest.raises(EditError, match="no feed named 'zeta'"):
        set_feed_enabled(commented, "zeta", False, env=ENV)
    with pytest.raises(EditError, match=r"no symbol DOGE in the config \(symbols: BTC, ETH\)"):
        remove_symbol(commented, "doge", env=ENV)


def test_config_edit_duplicate_symbol_and_missing_aliases_refused(commented):
    """A symbol already there, or one without aliases, is refused."""
    with pytest.raises(ConfigError, match=r"symbols\.BTC: BTC is already configured"):
        add_symbol(commented, "btc", aliases=["x"], env=ENV)
    with pytest.raises(ConfigError, match=r"symbols\.NEAR\.aliases: give at least one alias"):
        add_symbol(commented, "near", aliases=[], env=ENV)


def test_config_edit_syntax_error_in_file_is_a_config_error():
    """A file that is not YAML cannot be edited; the error has the position."""
    with pytest.raises(ConfigError, match=r"x\.yaml:3:1: YAML syntax error"):
        add_feed("rss:\n  feeds: [\n", "a", "https://a.example/", env=ENV, path="x.yaml")


@pytest.mark.parametrize("value", ["plain", "Bitcoin Cash", "$BTC", "yes", "NO", "null", "~", "true", "1:30", "017",
                                   "1e5", "0x1F", ".inf", "2024-01-01", "#tag", "a: b", "x #y", " lead", "trail ",
                                   "Ünïcödé", 'quote"d', "back\\slash", "[list]", "{map}", "a,b", "-dash", "@at",
                                   "", 12, 2.5, True, None])
def test_config_edit_scalars_read_back_as_written(value):
    """Every value the edits write reads back as the same value, inside a flow list and as a block value."""
    from collector.yamlio import load_yaml
    from collector.yamltext import flow, scalar

    assert load_yaml(f"k: {scalar(value)}\n") == {"k": value}
    assert load_yaml(f"k: {flow([value, value])}\n") == {"k": [value, value]}
