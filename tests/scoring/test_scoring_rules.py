"""Scorer behaviour: contract (range, determinism, labels) and each market-language rule."""

from __future__ import annotations

import threading

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

from collector import scoring
from collector.scoring import Scorer

_SHARED = Scorer()  # hypothesis tests cannot take function-scoped fixtures; scoring is read-only anyway


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=300))
def test_scoring_compound_in_range_for_any_text(text: str) -> None:
    """Any text, however odd, scores within [-1, 1] without raising."""
    assert -1.0 <= _SHARED.score(text) <= 1.0
    assert -1.0 <= _SHARED.score_item(text, text[::-1]) <= 1.0


@settings(max_examples=100, deadline=None)
@given(st.lists(st.sampled_from(["surges", "plunges", "not", "bullish", "-12%", "up 8%", "rug pull", "the",
                                 "BTC", "!!!", "?", "losses", "narrowed", "all-time high", "no"]), max_size=25))
def test_scoring_extreme_word_piles_stay_in_range(words: list[str]) -> None:
    """Piling up lexicon words, rules and punctuation never leaves [-1, 1]."""
    assert -1.0 <= _SHARED.score(" ".join(words)) <= 1.0


def test_scoring_is_deterministic_across_instances(scorer: Scorer) -> None:
    """The same text gives the same compound on every call and in every Scorer."""
    text = "Bitcoin surges 9% as ETF approval lifts the market, but miners warn of losses"
    other = Scorer()
    assert {scorer.score(text) for _ in range(5)} == {other.score(text)}


def test_scoring_is_thread_safe_for_reads(scorer: Scorer) -> None:
    """Scoring from many threads at once gives the single-threaded results."""
    texts = [f"Token {i} plunges after exploit" if i % 2 else f"Token {i} rallies to a record high" for i in range(200)]
    expected = [scorer.score(t) for t in texts]
    results: list[list[float]] = []

    def work() -> None:
        results.append([scorer.score(t) for t in texts])

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == [expected] * 4


def test_scoring_empty_and_blank_text_is_zero(scorer: Scorer) -> None:
    """Empty or whitespace-only text is neutral 0.0."""
    assert scorer.score("") == 0.0
    assert scorer.score("   \n\t") == 0.0
    assert scorer.explain("").label == "neutral"


def test_scoring_does_not_change_vader_module_state() -> None:
    """Building a Scorer leaves a fresh plain VADER analyser exactly as it was."""
    Scorer()
    plain = SentimentIntensityAnalyzer()
    assert "bullish" not in plain.lexicon
    assert plain.lexicon["profit"] > 0


@pytest.mark.parametrize(
    ("compound", "label"),
    [
        (scoring.POSITIVE_THRESHOLD, "positive"),
        (scoring.POSITIVE_THRESHOLD - 0.0001, "neutral"),
        (0.0, "neutral"),
        (scoring.NEGATIVE_THRESHOLD + 0.0001, "neutral"),
        (scoring.NEGATIVE_THRESHOLD, "negative"),
        (1.0, "positive"),
        (-1.0, "negative"),
    ],
)
def test_scoring_label_thresholds_are_inclusive(compound: float, label: str) -> None:
    """Labels switch exactly at the documented thresholds."""
    assert Scorer.label(compound) == label


def test_scoring_crypto_words_fix_plain_vader(scorer: Scorer) -> None:
    """Market slang VADER ignores or misreads now points the right way."""
    assert scorer.score("Crypto market is bullish") > scoring.POSITIVE_THRESHOLD
    assert scorer.score("SEC sues exchange") < scoring.NEGATIVE_THRESHOLD
    assert scorer.score("Traders got rekt as the token tanked") < scoring.NEGATIVE_THRESHOLD


@pytest.mark.parametrize("word", ["surges", "soars", "jumps", "rebounds"])
def test_scoring_up_market_verbs_are_positive(scorer: Scorer, word: str) -> None:
    """Upward market verbs make a headline positive."""
    assert scorer.label(scorer.score(f"Token {word} after the announcement")) == "positive"


@pytest.mark.parametrize("word", ["plunges", "slides", "tumbles", "sinks"])
def test_scoring_down_market_verbs_are_negative(scorer: Scorer, word: str) -> None:
    """Downward market verbs make a headline negative."""
    assert scorer.label(scorer.score(f"Token {word} after the announcement")) == "negative"


def test_scoring_negation_flips_or_weakens(scorer: Scorer) -> None:
    """'not bullish' reads below 'bullish' and below zero; negated phrases are weakened too."""
    assert scorer.score("Analysts are not bullish on ether") < 0 < scorer.score("Analysts are bullish on ether")
    assert scorer.score("This is not a rug pull, the team says") > scorer.score("This is a rug pull, the team says")
    assert scorer.score("Bitcoin never plunges on Sundays") > scorer.score("Bitcoin plunges on Sundays")


@pytest.mark.parametrize(
    ("text", "sign"),
    [
        ("Solana up 8% this week", 1),
        ("Solana +8% this week", 1),
        ("Solana -12% this week", -1),
        ("Solana down 5 percent this week", -1),
        ("Solana trades 3% higher", 1),
        ("Solana closes 4 per cent lower", -1),
        ("Solana −7% after the outage", -1),
    ],
)
def test_scoring_signed_percentages_have_direction(scorer: Scorer, text: str, sign: int) -> None:
    """Signed percentages and up/down cues move the score in their direction."""
    assert scorer.score(text) * sign > 0
    direction = "up" if sign > 0 else "down"
    assert any(rule.startswith(f"percent:{direction} ") for rule in scorer.explain(text).rules)


def test_scoring_bigger_moves_score_stronger(scorer: Scorer) -> None:
    """A 25% move weighs more than a 5% one, which weighs more than a 1% one."""
    small, mid, big = (scorer.score(f"Token up {n}% today") for n in (1, 5, 25))
    assert 0 < small < mid < big


def test_scoring_bare_percentage_has_no_direction(scorer: Scorer) -> None:
    """A percentage without sign or cue is a fact, not a move."""
    text = "The fund holds 40% of its assets in stablecoins"
    assert scorer.score(text) == 0.0
    assert not scorer.explain(text).rules


@pytest.mark.parametrize(
    ("text", "phrase"),
    [
        ("Bitcoin hits an all-time high", "all time high"),
        ("Bitcoin hits an all time high", "all time high"),
        ("Investors lose millions in a rug pull", "rug pull"),
        ("Short squeeze lifts the token", "short squeeze"),
        ("Fears of a bank run at the lender", "bank run"),
        ("Small chain suffers a 51% attack", "51% attack"),
        ("Traders cheer ETF approval", "etf approval"),
        ("Exchange halts withdrawals", "halts withdrawals"),
        ("Funds see record inflows", "record inflows"),
    ],
)
def test_scoring_phrases_fire_as_one_entry(scorer: Scorer, text: str, phrase: str) -> None:
    """Multi-word phrases match with spaces or hyphens and are reported as one entry."""
    ex = scorer.explain(text)
    assert f"phrase:{phrase}" in ex.rules
    assert any(term == phrase for term, _v in ex.entries)


def test_scoring_phrase_signs(scorer: Scorer) -> None:
    """Good-news phrases score positive, bad-news phrases negative."""
    for good in ("Bitcoin hits an all-time high", "Funds see record inflows", "Traders cheer ETF approval"):
        assert scorer.label(scorer.score(good)) == "positive", good
    for bad in ("Investors lose money in a rug pull", "Exchange halts withdrawals", "Small chain suffers a 51% attack"):
        assert scorer.label(scorer.score(bad)) == "negative", bad


def test_scoring_delisted_is_negative(scorer: Scorer) -> None:
    """Delisting news is bad news."""
    assert scorer.label(scorer.score("Token delisted from a major exchange")) == "negative"


def test_scoring_direction_flip_for_bad_nouns(scorer: Scorer) -> None:
    """Shrinking losses are good news; growing debt is bad news."""
    assert scorer.label(scorer.score("The miner narrowed its net loss")) == "positive"
    assert scorer.label(scorer.score("The company cut costs")) == "positive"
    assert scorer.label(scorer.score("Exchange debt rose sharply")) == "negative"
    assert "flip:bad noun falls (good)" in scorer.explain("Operating losses decreased").rules
    assert "flip:bad noun rises (bad)" in scorer.explain("Net debt increased").rules


def test_scoring_factual_sentence_reads_neutral(scorer: Scorer) -> None:
    """A purely factual sentence with only weak general words stays neutral."""
    text = "The company has the ability to produce 500 units a day"
    assert SentimentIntensityAnalyzer().polarity_scores(text)["compound"] > 0.05  # VADER calls it positive
    ex = scorer.explain(text)
    assert ex.label == "neutral"
    assert "factual-neutral" in ex.rules


def test_scoring_factual_rule_spares_market_words(scorer: Scorer) -> None:
    """The factual-neutral rule does not damp a sentence where a market entry fired."""
    ex = scorer.explain("The company has 120 employees and its shares surged")
    assert "factual-neutral" not in ex.rules
    assert ex.label == "positive"


def test_scoring_questions_are_damped(scorer: Scorer) -> None:
    """Questions and explainers speculate: they score much weaker than the statement."""
    statement = scorer.score("Bitcoin will crash")
    assert abs(scorer.score("Will Bitcoin crash?")) < abs(statement)
    assert abs(scorer.score("Why Bitcoin will crash")) < abs(statement)
    assert "question" in scorer.explain("How the rally could fade").rules


def test_scoring_neutralised_words_do_not_count(scorer: Scorer) -> None:
    """Factual finance words VADER rates positive (profit, share, trust) score nothing on their own."""
    assert scorer.score("Operating profit was EUR 5 mn") == 0.0
    assert scorer.score("The trust holds shares of the fund") == 0.0


def test_scoring_item_title_leads(scorer: Scorer) -> None:
    """A polar title decides; the summary cannot overturn it."""
    title = "Bitcoin plunges after exchange hack"
    assert scorer.score_item(title, "Analysts are very bullish and happy about the great rally") == scorer.score(title)


def test_scoring_item_summary_breaks_a_neutral_title(scorer: Scorer) -> None:
    """A neutral title lets the summary speak, at reduced weight."""
    title = "What happened in crypto this week"
    summary = "Prices plunged after a major exchange was hacked."
    combined = scorer.score_item(title, summary)
    assert combined < scoring.NEGATIVE_THRESHOLD
    assert abs(combined) < abs(scorer.score(summary))


def test_scoring_item_ignores_summary_repeating_title(scorer: Scorer) -> None:
    """A summary that only repeats the title adds nothing."""
    title = "Weekly market notes"
    assert scorer.score_item(title, "Weekly market notes: prices plunged") == scorer.score(title)


def test_scoring_explain_names_entries_and_origin(scorer: Scorer) -> None:
    """explain() reports each fired entry with its valence and where it comes from."""
    ex = scorer.explain("Bitcoin surges, a great day")
    terms = dict(ex.entries)
    assert terms["surges (crypto)"] > 0
    assert terms["great (vader)"] > 0
    assert ex.compound == scorer.score("Bitcoin surges, a great day")
    assert ex.label == scorer.label(ex.compound)


def test_scoring_extra_words_extend_the_lexicon() -> None:
    """Extra words given to the constructor take part in scoring."""
    custom = Scorer(extra_words={"Wagmi": 2.5})
    assert custom.score("wagmi") > 0
    assert Scorer().score("wagmi") == 0.0


def test_scoring_unicode_that_changes_length_when_lowered(scorer: Scorer) -> None:
    """Letters whose lower case is longer (İ) do not break the rewrite rules."""
    value = scorer.score("İstanbul exchange halts withdrawals")
    assert value < scoring.NEGATIVE_THRESHOLD
