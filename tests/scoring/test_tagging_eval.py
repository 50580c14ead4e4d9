"""Tagging quality over tagging_cases.tsv, and the tagging rules one by one."""

from __future__ import annotations

import pytest

from collector.config import SymbolConfig
from collector.tagging import DEFAULT_SYMBOLS, Tagger


def test_tagging_eval_file_is_big_and_covers_the_traps(tagging_cases: list[tuple[str, frozenset[str]]]) -> None:
    """The evaluation file has at least 150 headlines and exercises every ambiguous ticker."""
    assert len(tagging_cases) >= 150
    expected = set().union(*(e for _t, e in tagging_cases))
    assert {"SOL", "ADA", "LINK", "ETH", "DOT", "NEAR", "ONE", "OP", "ATOM", "UNI"} <= expected
    texts = " ".join(t for t, _e in tagging_cases)
    for needle in ("Bitcoin Cash", "Ethereum Classic", "Wrapped bitcoin", "$", "'s ", "-based", "SURGES"):
        assert needle in texts, needle


def test_tagging_precision_and_recall_at_least_095(
    tagger: Tagger, tagging_cases: list[tuple[str, frozenset[str]]]
) -> None:
    """Micro precision and recall over the evaluation file are both >= 0.95."""
    tp = fp = fn = 0
    misses = []
    for text, expected in tagging_cases:
        got = tagger.tag(text)
        tp += len(got & expected)
        fp += len(got - expected)
        fn += len(expected - got)
        if got != expected:
            misses.append(f"{text!r}: expected {sorted(expected)}, got {sorted(got)}")
    precision = tp / (tp + fp)
    recall = tp / (tp + fn)
    assert precision >= 0.95, misses
    assert recall >= 0.95, misses


@pytest.mark.parametrize(
    "text",
    [
        "A new solution for custody",
        "Canada's regulator speaks",
        "Banks work together on rules",
        "Please link your wallet",
        "Prices fell near the end of the day",
        "wBTC and stETH liquidity grows",
        "ETHUSD and BTCUSDT pairs are quiet",
    ],
)
def test_tagging_words_containing_tickers_do_not_tag(tagger: Tagger, text: str) -> None:
    """Tickers inside words, or written in lower case, do not tag."""
    assert tagger.tag(text) == frozenset()


@pytest.mark.parametrize(
    "text",
    ["Bitcoin Cash forks again", "Ethereum Classic rallies", "wrapped bitcoin supply shrinks", "Wrapped Ether on L2s"],
)
def test_tagging_default_exclusions(tagger: Tagger, text: str) -> None:
    """Excluded phrases never count as BTC or ETH."""
    assert tagger.tag(text) == frozenset()


def test_tagging_exclusions_apply_without_config_excludes() -> None:
    """The built-in exclusions hold even when the config lists none."""
    bare = Tagger([SymbolConfig("BTC", ("Bitcoin", "BTC")), SymbolConfig("ETH", ("Ethereum", "ETH"))])
    assert bare.tag("Bitcoin Cash and Ethereum Classic slide") == frozenset()
    assert bare.tag("Bitcoin Cash slides while Bitcoin holds") == {"BTC"}


def test_tagging_config_exclude_blanks_the_phrase() -> None:
    """A phrase listed in SymbolConfig.exclude is blanked out for that symbol."""
    tagger = Tagger([SymbolConfig("SOL", ("Solana", "SOL"), exclude=("Solana Beach",))])
    assert tagger.tag("Surf report from Solana Beach") == frozenset()
    assert tagger.tag("Solana validators vote") == {"SOL"}


def test_tagging_alias_of_another_symbol_beats_an_exclusion() -> None:
    """'Bitcoin Cash' tags BCH when BCH is configured with that alias, never BTC."""
    tagger = Tagger([*DEFAULT_SYMBOLS, SymbolConfig("BCH", ("Bitcoin Cash", "BCH"))])
    assert tagger.tag("Bitcoin Cash rallies") == {"BCH"}
    assert tagger.tag("Bitcoin Cash rallies as Bitcoin dips") == {"BCH", "BTC"}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Bitcoin's hashrate climbs", {"BTC"}),
        ("Bitcoin-backed loans return", {"BTC"}),
        ("ETH-based tokens lead", {"ETH"}),
        ("BTC/USD holds support", {"BTC"}),
        ("bitcoins move off exchanges", {"BTC"}),
        ("(ETH) and [SOL] both rise", {"ETH", "SOL"}),
    ],
)
def test_tagging_possessives_hyphens_and_punctuation(tagger: Tagger, text: str, expected: set[str]) -> None:
    """Punctuation around an alias does not block it."""
    assert tagger.tag(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("$sol breaks out", {"SOL"}),
        ("#btc trends", {"BTC"}),
        ("$LINK and $UNI", {"LINK", "UNI"}),
        ("$PEPE pumps", set()),
    ],
)
def test_tagging_cashtags_any_case(tagger: Tagger, text: str, expected: set[str]) -> None:
    """Cashtags and hashtags of configured tickers match in any case; unknown ones are ignored."""
    assert tagger.tag(text) == expected


def test_tagging_names_case_insensitive_weak_names_case_sensitive(tagger: Tagger) -> None:
    """Coin names match in any case, names that are English words only as written."""
    assert tagger.tag("CHAINLINK and chainlink") == {"LINK"}
    assert tagger.tag("Optimism mainnet upgrade") == {"OP"}
    assert tagger.tag("traders show optimism") == frozenset()
    assert tagger.tag("an avalanche of sell orders") == frozenset()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("SOLANA SURGES AS LINK RALLIES", {"SOL", "LINK"}),
        ("LINK AND DOT LEAD GAINS", {"LINK", "DOT"}),
        ("DOT PLOT SIGNALS TWO CUTS", set()),
        ("ONE MORE RATE HIKE COULD HIT BITCOIN", {"BTC"}),
        ("ETHEREUM NEAR RECORD AS STAKING GROWS", {"ETH"}),
        ("OP-ED: WHY BITCOIN STILL MATTERS", {"BTC"}),
        ("$OP AND $NEAR RALLY", {"OP", "NEAR"}),
        ("ETH AND BTC SLIDE", {"ETH", "BTC"}),
    ],
)
def test_tagging_all_caps_rule(tagger: Tagger, text: str, expected: set[str]) -> None:
    """In ALL-CAPS lines, function-word tickers need a cashtag and content-word tickers a second symbol."""
    assert tagger.tag(text) == expected


def test_tagging_all_caps_rule_is_per_line(tagger: Tagger) -> None:
    """An ALL-CAPS title does not change how the summary on the next line is read."""
    assert tagger.tag("MARKETS WRAP UP THE WEEK\nNEAR and LINK led the gains") == {"NEAR", "LINK"}


def test_tagging_hyphen_and_space_are_the_same_in_aliases() -> None:
    """An alias written with a hyphen matches with a space, and the other way round."""
    tagger = Tagger([SymbolConfig("SHIB", ("Shiba-Inu",)), SymbolConfig("NEAR", ("NEAR Protocol",))])
    assert tagger.tag("Shiba Inu burns tokens") == {"SHIB"}
    assert tagger.tag("shiba-inu burns tokens") == {"SHIB"}
    assert tagger.tag("Near-Protocol grants") == {"NEAR"}


def test_tagging_symbol_itself_is_an_alias() -> None:
    """The configured ticker matches even when the aliases leave it out."""
    tagger = Tagger([SymbolConfig("ATOM", ("Cosmos",))])
    assert tagger.tag("ATOM stakers vote") == {"ATOM"}


def test_tagging_empty_inputs() -> None:
    """No symbols or no text: nothing is tagged and nothing breaks."""
    assert Tagger([]).tag("Bitcoin $BTC") == frozenset()
    assert Tagger(DEFAULT_SYMBOLS).tag("") == frozenset()
