"""The faster VADER core inside the scorer gives exactly VADER 3.3.2's compound."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

from collector.scoring import Scorer, _FastVader

_PLAIN = SentimentIntensityAnalyzer()
_FAST = _FastVader(SentimentIntensityAnalyzer())

#: Words that drive VADER's rules: negations, boosters, dampeners, idioms, "least", "but", "no", caps, emoji.
VOCAB = [
    "good", "GOOD", "bad", "BAD", "great", "terrible", "not", "isn't", "never", "no", "nor", "or", "without",
    "doubt", "so", "this", "very", "VERY", "kind", "of", "sort", "barely", "least", "at", "but", "BUT", "the",
    "shit", "bomb", "bus", "stop", "kiss", "death", "yeah", "right", "cut", "mustard", "hand", "to", "mouth",
    "nothing", "uh-uh", "don't", "rarely", "despite", "rally", "love", "hate", "okay", ":)", ":(", "!", "?",
    "!!!", "??", "wow!", "good.", "(bad)", "a", "is", "it", "was", "😁", "💘", "🙁", "lol", "sux", "HAPPY",
]


@settings(max_examples=600, deadline=None)
@given(st.lists(st.sampled_from(VOCAB), max_size=18))
def test_scoring_fast_vader_matches_vader_on_rule_heavy_text(words: list[str]) -> None:
    """Any sequence of rule-triggering words scores exactly as VADER scores it."""
    text = " ".join(words)
    assert _FAST.compound(text)[0] == _PLAIN.polarity_scores(text)["compound"]


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=120))
def test_scoring_fast_vader_matches_vader_on_any_text(text: str) -> None:
    """Arbitrary text (emoji, control characters, odd spacing) scores exactly as VADER scores it."""
    assert _FAST.compound(text)[0] == _PLAIN.polarity_scores(text)["compound"]


@pytest.mark.parametrize(
    "text",
    [
        "VADER is VERY SMART, handsome, and FUNNY!!!",
        "The plot was good, but the characters are uncompelling and the dialog is not great.",
        "At least it isn't a horrible book.",
        "Sentiment analysis has never been this good!",
        "Roger Dodger is one of the least compelling variations on this theme.",
        "Without a doubt, an excellent idea.",
        "Not bad at all",
        "Today only kinda sux! But I'll get by, lol",
        "Catch utf-8 emoji such as 💘 and 💋 and 😁",
        "no good, no bad or no ugly",
    ],
)
def test_scoring_fast_vader_matches_vader_examples(text: str) -> None:
    """VADER's own demonstration sentences score identically."""
    assert _FAST.compound(text)[0] == _PLAIN.polarity_scores(text)["compound"]


def test_scoring_fast_vader_uses_the_extended_lexicon(scorer: Scorer) -> None:
    """With our lexicon loaded, the fast core still agrees with VADER running on the same lexicon."""
    slow = SentimentIntensityAnalyzer()
    slow.lexicon = scorer._lex
    for text in ("Bitcoin is not bullish but miners are", "ETH surges; never tumbles", "no rekt, no moon"):
        assert scorer._fast.compound(text)[0] == slow.polarity_scores(text)["compound"]
