"""Pinned headline -> label table. A lexicon or rule change that breaks one of these fails CI.

The headlines are written for this project; each label is what a market reader would say. If a change is
meant to move one of them, update the row in the same commit and say why.
"""

from __future__ import annotations

import pytest

from collector.scoring import Scorer

PINNED: list[tuple[str, str]] = [
    # -- positive
    ("Bitcoin surges past $70,000 as ETF inflows pile up", "positive"),
    ("Ether soars 15% after the upgrade ships without a hitch", "positive"),
    ("Solana rebounds as network activity recovers", "positive"),
    ("Spot bitcoin ETF approval sparks a broad rally", "positive"),
    ("Chainlink jumps after a major bank adopts its oracle network", "positive"),
    ("Crypto lender narrows its quarterly loss", "positive"),
    ("Exchange raises $40 million in a Series B round", "positive"),
    ("Bitcoin hits a fresh all-time high", "positive"),
    ("Traders turn bullish as funding rates stay calm", "positive"),
    ("Dogecoin up 12% on the day", "positive"),
    ("Payments giant now accepts bitcoin at checkout", "positive"),
    ("Record inflows into digital asset funds for a third week", "positive"),
    ("Short squeeze sends the token to a new high", "positive"),
    ("Regulator gives the green light to crypto custody at banks", "positive"),
    ("Miner swings to a profit from a loss a year earlier", "positive"),
    ("Net sales increased by 14% to EUR 80 mn", "positive"),
    ("Stablecoin issuer partners with a card network", "positive"),
    ("Layer-two network goes live on mainnet", "positive"),
    ("Bitcoin miner orders $200 million of new rigs", "positive"),  # money rule (crypto news)
    # -- negative
    ("Bitcoin plunges below $50,000 as liquidations mount", "negative"),
    ("Exchange halts withdrawals amid fears of a bank run", "negative"),
    ("DeFi protocol drained of $30 million in an exploit", "negative"),
    ("SEC sues a major crypto exchange", "negative"),
    ("Investors lose millions in a rug pull", "negative"),
    ("Token delisted from two large exchanges", "negative"),
    ("Ether tumbles 9% after the hack", "negative"),
    ("Small proof-of-work chain suffers a 51% attack", "negative"),
    ("Crypto lender files for bankruptcy", "negative"),
    ("Solana down 6 percent as the outage drags on", "negative"),
    ("Stablecoin loses its peg and sinks to 90 cents", "negative"),
    ("Operating profit fell to EUR 3 mn from EUR 7 mn", "negative"),
    ("Analysts are not bullish on altcoins this quarter", "negative"),
    ("Country bans crypto mining nationwide", "negative"),
    ("Bearish signals pile up for bitcoin", "negative"),
    ("Exchange debt rose sharply in the quarter", "negative"),
    ("Miner issues a profit warning", "negative"),
    ("Bitcoin slides -4% overnight", "negative"),
    # -- neutral
    ("The exchange publishes its quarterly transparency report", "neutral"),
    ("Developers schedule a community call for Thursday", "neutral"),
    ("The foundation names a new chief technology officer", "neutral"),
    ("Bitcoin trades at $64,000 on Monday morning", "neutral"),
    ("The company has 250 employees in four countries", "neutral"),
    ("Operating profit was EUR 5 mn in the period", "neutral"),
    ("What is a blockchain oracle and why does it matter?", "neutral"),
    ("Will ether outperform bitcoin this year?", "neutral"),
    ("The report covers market share and trust structures", "neutral"),
    ("Token unlock schedule published for March", "neutral"),
    ("Retailer prices $500 million of notes due 2030", "neutral"),  # money rule stays out of non-crypto news
]


@pytest.mark.parametrize(("headline", "label"), PINNED, ids=[h[:40] for h, _l in PINNED])
def test_scoring_pinned_headline_label(scorer: Scorer, headline: str, label: str) -> None:
    """Each pinned headline keeps its label."""
    ex = scorer.explain(headline)
    assert ex.label == label, f"{headline!r}: {ex.compound:+.4f} entries={ex.entries} rules={ex.rules}"


def test_scoring_pinned_table_is_balanced() -> None:
    """The table pins all three labels, with a fair share of each."""
    counts = {lab: sum(1 for _h, x in PINNED if x == lab) for lab in ("positive", "negative", "neutral")}
    assert min(counts.values()) >= 10
