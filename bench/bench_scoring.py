"""Throughput of scoring and tagging on one core: plain VADER vs our Scorer, and the Tagger.

Usage (from the repo root):
    /work/venv/bin/python bench/bench_scoring.py [--data ../shared/eval] [--rounds 5] [--json]

Headlines: CryptoLin dev titles and SemEval headlines from --data when present (falls back to generated
headlines otherwise). The process is pinned to one CPU where the OS allows it. Each figure is the median of
`--rounds` timed passes over the whole corpus (after one warm-up pass), in CPU seconds of this process; the
functions are interleaved within every round. The overhead against plain VADER is the median of the
per-round ratios (ours / VADER in the same round), so a burst of load on a shared machine cancels out.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

from collector.scoring import Scorer, _FastVader
from collector.tagging import DEFAULT_SYMBOLS, Tagger


def corpus(data: Path) -> tuple[list[str], str]:
    texts: list[str] = []
    crypto = data / "cryptolin" / "CryptoLin_dev.csv"
    if crypto.exists():
        with crypto.open(encoding="utf-8") as fh:
            texts += [row["news"] for row in csv.DictReader(fh) if row.get("news")]
    semeval = data / "semeval2017_task5" / "Headlines_Testdata_withscores.json"
    if semeval.exists():
        texts += [e["title"] for e in json.loads(semeval.read_text(encoding="utf-8"))]
    if texts:
        return texts, f"{len(texts)} real headlines from {data}"
    rng = random.Random(7)
    coins = ["Bitcoin", "Ethereum", "Solana", "XRP", "$LINK", "Cardano (ADA)", "Polkadot", "BTC", "ETH"]
    verbs = ["surges", "plunges", "slides 4%", "rallies to all-time high", "is flat", "tumbles after hack",
             "gains 12% as ETF approval nears", "drops below $30K", "rebounds", "holds steady"]
    tails = ["as traders turn bullish", "amid bank run fears", "after exchange halts withdrawals", "",
             "on record inflows", "while regulators weigh rules", "despite macro headwinds"]
    texts = [f"{rng.choice(coins)} {rng.choice(verbs)} {rng.choice(tails)}".strip() for _ in range(2000)]
    return texts, f"{len(texts)} generated headlines (no eval data under {data})"


def timings(fns: dict[str, Callable[[str], object]], texts: Sequence[str], rounds: int) -> dict[str, list[float]]:
    """CPU seconds per pass over `texts` for each function, one list entry per round. The functions are
    interleaved within a round so that a burst of load on a shared machine hits all of them alike. CPU time
    (not wall time) of this process is measured, so time spent waiting for a busy core does not count."""
    for fn in fns.values():  # warm-up
        for t in texts:
            fn(t)
    seconds: dict[str, list[float]] = {name: [] for name in fns}
    for _ in range(rounds):
        for name, fn in fns.items():
            start = time.process_time()
            for t in texts:
                fn(t)
            seconds[name].append(time.process_time() - start)
    return seconds


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=Path(os.environ.get("COLLECTOR_EVAL_DIR", "../shared/eval")))
    ap.add_argument("--rounds", type=int, default=9)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    pinned = False
    if hasattr(os, "sched_setaffinity"):
        try:
            os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
            pinned = True
        except OSError:
            pass
    texts, what = corpus(args.data)
    t0 = time.perf_counter()
    scorer = Scorer()
    build = time.perf_counter() - t0
    vader = SentimentIntensityAnalyzer()
    tagger = Tagger(DEFAULT_SYMBOLS)
    seconds = timings(
        {
            "vader_per_s": vader.polarity_scores,
            "fast_vader_core_plain_lexicon_per_s": _FastVader(SentimentIntensityAnalyzer()).compound,
            "ours_score_per_s": scorer.score,
            "ours_score_item_title_only_per_s": scorer.score_item,
            "tagger_per_s": tagger.tag,
            "score_and_tag_per_s": lambda t: (scorer.score(t), tagger.tag(t)),
        },
        texts,
        args.rounds,
    )
    results = {name: len(texts) / statistics.median(s) for name, s in seconds.items()}
    ratios = [o / v for o, v in zip(seconds["ours_score_per_s"], seconds["vader_per_s"], strict=True)]
    overhead = statistics.median(ratios) - 1.0
    spread = (min(ratios) - 1.0, max(ratios) - 1.0)
    report = {"corpus": what, "pinned_to_one_cpu": pinned, "rounds": args.rounds,
              "scorer_build_seconds": round(build, 3), **{k: round(v) for k, v in results.items()},
              "overhead_vs_vader_percent": round(100 * overhead, 1),
              "overhead_vs_vader_percent_range": [round(100 * x, 1) for x in spread]}
    if args.json:
        print(json.dumps(report, indent=2))
        return
    print(f"corpus: {what}; pinned to one CPU: {pinned}; Scorer() build {build * 1000:.0f} ms; "
          f"median of {args.rounds} rounds, CPU time")
    for key, value in results.items():
        print(f"{key:<36} {value:>10,.0f} texts/s   ({1e6 / value:6.1f} us each)")
    print(f"{'scoring overhead vs plain VADER':<36} {100 * overhead:>+9.1f} %   "
          f"(per-round range {100 * spread[0]:+.1f} % .. {100 * spread[1]:+.1f} %)")


if __name__ == "__main__":
    main()
