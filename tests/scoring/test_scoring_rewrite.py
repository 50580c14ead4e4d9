"""The money rule and the rewrite pre-check (the regex pass is skipped only when it cannot match)."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from collector import lexicon as lx
from collector.scoring import MONEY_VALENCE, Scorer

_SHARED = Scorer()  # hypothesis tests cannot take function-scoped fixtures; scoring is read-only anyway


@pytest.mark.parametrize(
    "text",
    [
        "Wallet startup raises $12 million to build for crypto traders",
        "Bitcoin miner orders $900 million worth of new machines",
        "Stablecoin volume tops $2.5 billion in a week",
        "NFT platform lands $30M from venture funds",
    ],
)
def test_scoring_money_in_crypto_news_reads_positive(scorer: Scorer, text: str) -> None:
    """A dollar amount of a million or more in crypto news reads as capital flowing in."""
    ex = scorer.explain(text)
    assert "money:$ millions or more" in ex.rules
    assert ex.label == "positive"


def test_scoring_money_outside_crypto_news_is_a_fact(scorer: Scorer) -> None:
    """Outside crypto news the same amount is a neutral deal report and the rule stays silent."""
    text = "Retailer prices $500 million of notes due 2030"
    ex = scorer.explain(text)
    assert not any(rule.startswith("money:") for rule in ex.rules)
    assert ex.label == "neutral"


def test_scoring_money_small_amounts_and_prices_do_not_count(scorer: Scorer) -> None:
    """Amounts under a million and price levels are not the money rule's business."""
    for text in ("Bitcoin trades at $64,000 on Monday", "Crypto tipping app pays out $800K", "Ether near $3k"):
        assert not any(rule.startswith("money:") for rule in scorer.explain(text).rules), text


def test_scoring_money_does_not_outweigh_bad_news(scorer: Scorer) -> None:
    """A hack or lawsuit stays negative although an amount is named."""
    assert 0 < MONEY_VALENCE < 1.5
    for text in ("DeFi protocol hacked for $115 million", "Crypto exchange sued over $40 million in losses"):
        assert scorer.label(scorer.score(text)) == "negative", text


def test_scoring_money_respects_negation(scorer: Scorer) -> None:
    """VADER's negation applies to the money token like to any word."""
    assert scorer.score("Bitcoin fund did not raise $50 million") < scorer.score("Bitcoin fund raised $50 million")


#: Words that exercise every rewrite rule and the pre-check's edge cases (punctuation, hyphens, non-ASCII).
_VOCAB = [
    *sorted({w for p in lx.PHRASES for w in re.split(r"[\s\-]+", p)}),
    *lx.BAD_NOUNS[:6], *lx.UP_VERBS[:6], *lx.DOWN_VERBS[:6], "up", "down", "by", "higher", "lower",
    "8%", "12", "%", "-4%", "+3%", "per", "cent", "percent", "pct", "$5", "$5m", "million", "bn", "$", "5",
    "bitcoin", "crypto", "the", "a", "of", ",", ".", "-", "—", "’s", "é", "(", ")", "/", "_", "isn't", "…",
]


@settings(max_examples=800, deadline=None)
@given(st.lists(st.sampled_from(_VOCAB), max_size=14), st.sampled_from([" ", "-", " - ", "  ", "\u00a0"]))
def test_scoring_rewrite_precheck_never_skips_a_match(words: list[str], sep: str) -> None:
    """The pre-check picks a pattern that finds exactly what the full rewrite pattern finds."""
    low = sep.join(words).lower()
    chosen = _SHARED._rewrite_pattern(low)
    full = [(m.span(), _SHARED._token_for(m)) for m in _SHARED._rewrite_re.finditer(low)]
    found = [] if chosen is None else [(m.span(), _SHARED._token_for(m)) for m in chosen.finditer(low)]
    assert found == full


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=120))
def test_scoring_rewrite_precheck_exact_on_any_text(text: str) -> None:
    """On arbitrary text, too, a skipped regex pass means there was nothing to rewrite."""
    low = text.lower()
    chosen = _SHARED._rewrite_pattern(low)
    full = [(m.span(), _SHARED._token_for(m)) for m in _SHARED._rewrite_re.finditer(low)]
    found = [] if chosen is None else [(m.span(), _SHARED._token_for(m)) for m in chosen.finditer(low)]
    assert found == full
