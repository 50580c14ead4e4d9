"""Evaluation of sentiment scorers on labelled sets: parsers, metrics and a directory loader.

The parsers are pure (text in, examples out); `load_sets` is the only function that reads files. The sets
themselves live outside the package (../shared/eval) and are never shipped or copied into tests.

Known sets (file paths relative to the eval directory):

=========================  ===================================================  ==========================
name                       file                                                 labels
=========================  ===================================================  ==========================
cryptolin_dev              cryptolin/CryptoLin_dev.csv                          final_manual_labelling -1/0/1
cryptolin_dev_a            CryptoLin dev rows with an even id                   derived, tuned on
cryptolin_dev_b            CryptoLin dev rows with an odd id                    derived, held out
fpb_allagree               financial_phrasebank/Sentences_AllAgree.txt          sentence@label, latin-1
fpb_75agree                financial_phrasebank/Sentences_75Agree.txt           same (a superset of AllAgree)
fpb_75only                 75Agree rows that are not in AllAgree                derived, never tuned on
semeval17_headlines_test   semeval2017_task5/Headlines_Testdata_withscores.json continuous [-1, 1]
tfns_valid                 twitter_financial_news_sentiment/sent_valid.csv      0 bearish 1 bullish 2 neutral
vader_tweets               vader_icwsm2014/tweets_GroundTruth.txt               mean rating [-4, 4] / 4
=========================  ===================================================  ==========================

Continuous gold scores become classes with the band used by the set's published baseline: >= 0.05 positive,
<= -0.05 negative, else neutral; Pearson r is computed on the raw scores.
"""

from __future__ import annotations

import csv
import io
import json
import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

LABELS: tuple[str, str, str] = ("negative", "neutral", "positive")
GOLD_BAND = 0.05


@dataclass(frozen=True, slots=True)
class Example:
    text: str
    label: str  # one of LABELS
    score: float | None = None  # continuous gold score in [-1, 1], when the set has one


@dataclass(frozen=True, slots=True)
class EvalSet:
    name: str
    description: str
    tuned: bool  # True: the lexicon and thresholds were tuned on this set (a dev set)
    examples: tuple[Example, ...]


@dataclass(frozen=True, slots=True)
class Result:
    """Metrics of one scorer on one set. `confusion[g][p]`: gold LABELS[g] predicted as LABELS[p]."""

    n: int
    accuracy: float
    macro_f1: float
    f1: tuple[float, float, float]  # per class, in LABELS order
    confusion: tuple[tuple[int, int, int], ...]
    pearson: float | None

    def as_dict(self) -> dict[str, object]:
        return {
            "n": self.n,
            "accuracy": round(self.accuracy, 4),
            "macro_f1": round(self.macro_f1, 4),
            "f1": dict(zip(LABELS, (round(f, 4) for f in self.f1), strict=True)),
            "confusion": {"labels": list(LABELS), "rows_gold_cols_predicted": [list(r) for r in self.confusion]},
            "pearson_r": None if self.pearson is None else round(self.pearson, 4),
        }


def band_label(score: float, band: float = GOLD_BAND) -> str:
    """Class of a continuous score: >= band positive, <= -band negative, else neutral."""
    if score >= band:
        return "positive"
    if score <= -band:
        return "negative"
    return "neutral"


# -- parsers (pure) ------------------------------------------------------------------------------------
def parse_phrasebank(text: str) -> list[Example]:
    """Financial PhraseBank: one `sentence@label` per line (split on the last '@')."""
    out = []
    for line in text.splitlines():
        sentence, sep, label = line.rpartition("@")
        label = label.strip()
        if sep and sentence.strip() and label in LABELS:
            out.append(Example(sentence.strip(), label))
    return out


def parse_cryptolin(text: str) -> list[Example]:
    """CryptoLin CSV: title in `news`, human label -1/0/1 in `final_manual_labelling`."""
    return [e for e in _cryptolin_rows(text) if e is not None]


def split_cryptolin(text: str) -> tuple[list[Example], list[Example]]:
    """CryptoLin rows split deterministically by the parity of their `id`: (even ids, odd ids). Rows
    without an integer id are in neither half. Rules are tuned on the even half; the odd half is held out."""
    halves: tuple[list[Example], list[Example]] = ([], [])
    for row, example in zip(csv.DictReader(io.StringIO(text)), _cryptolin_rows(text), strict=True):
        if example is None:
            continue
        try:
            ident = int((row.get("id") or "").strip())
        except ValueError:
            continue
        halves[ident % 2].append(example)
    return halves


def _cryptolin_rows(text: str) -> list[Example | None]:
    """One entry per CSV row: its Example, or None when the row has no usable label or title."""
    names = {"-1": "negative", "0": "neutral", "1": "positive"}
    out: list[Example | None] = []
    for row in csv.DictReader(io.StringIO(text)):
        label = names.get((row.get("final_manual_labelling") or "").strip())
        news = (row.get("news") or "").strip()
        out.append(Example(news, label) if label and news else None)
    return out


def parse_tfns(text: str) -> list[Example]:
    """Twitter financial news CSV `text,label`: 0 bearish, 1 bullish, 2 neutral."""
    names = {"0": "negative", "1": "positive", "2": "neutral"}
    out = []
    for row in csv.DictReader(io.StringIO(text)):
        label = names.get((row.get("label") or "").strip())
        body = (row.get("text") or "").strip()
        if label and body:
            out.append(Example(body, label))
    return out


def parse_semeval_headlines(text: str) -> list[Example]:
    """SemEval-2017 task 5 headlines JSON: a list of {title, "sentiment score"} (or "sentiment")."""
    out = []
    for entry in json.loads(text):
        if not isinstance(entry, dict):
            continue
        raw = entry.get("sentiment score", entry.get("sentiment"))
        title = entry.get("title")
        if isinstance(title, str) and title.strip() and raw is not None:
            score = float(raw)
            out.append(Example(title.strip(), band_label(score), score))
    return out


def parse_vader_groundtruth(text: str) -> list[Example]:
    """VADER ground truth: `id<TAB>mean rating in [-4, 4]<TAB>text`; scores divided by 4."""
    out = []
    for line in text.splitlines():
        parts = line.split("\t", 2)
        if len(parts) == 3 and parts[2].strip():
            score = float(parts[1]) / 4.0
            out.append(Example(parts[2].strip(), band_label(score), score))
    return out


# -- metrics (pure) ------------------------------------------------------------------------------------
def pearson(xs: Sequence[float], ys: Sequence[float]) -> float | None:
    """Pearson correlation; None when undefined (fewer than two points or a constant series)."""
    n = len(xs)
    if n < 2 or n != len(ys):
        return None
    mx, my = math.fsum(xs) / n, math.fsum(ys) / n
    sxy = math.fsum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True))
    sxx = math.fsum((x - mx) ** 2 for x in xs)
    syy = math.fsum((y - my) ** 2 for y in ys)
    if sxx == 0 or syy == 0:
        return None
    return sxy / math.sqrt(sxx * syy)


def classification(
    gold: Sequence[str], predicted: Sequence[str]
) -> tuple[float, float, tuple[float, ...], list[list[int]]]:
    """Accuracy, macro-F1 over LABELS, per-class F1 and the confusion matrix (rows gold, columns predicted)."""
    idx = {lab: i for i, lab in enumerate(LABELS)}
    cm = [[0, 0, 0] for _ in LABELS]
    for g, p in zip(gold, predicted, strict=True):
        cm[idx[g]][idx[p]] += 1
    n = len(gold)
    accuracy = sum(cm[i][i] for i in range(3)) / n if n else 0.0
    f1s = []
    for i in range(3):
        tp = cm[i][i]
        fp = sum(cm[g][i] for g in range(3)) - tp
        fn = sum(cm[i]) - tp
        f1s.append(2 * tp / (2 * tp + fp + fn) if tp else 0.0)
    return accuracy, sum(f1s) / 3, tuple(f1s), cm


def evaluate(examples: Iterable[Example], score: Callable[[str], float], label: Callable[[float], str]) -> Result:
    """Score every example and compare with the gold labels (and gold scores, where present)."""
    exs = list(examples)
    scores = [score(e.text) for e in exs]
    predicted = [label(s) for s in scores]
    accuracy, macro, f1s, cm = classification([e.label for e in exs], predicted)
    r = None
    if exs and all(e.score is not None for e in exs):
        r = pearson(scores, [e.score for e in exs if e.score is not None])
    return Result(len(exs), accuracy, macro, (f1s[0], f1s[1], f1s[2]), tuple((a, b, c) for a, b, c in cm), r)


# -- loading (the only I/O) ----------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class _Spec:
    name: str
    path: str
    encoding: str
    parse: Callable[[str], list[Example]]
    tuned: bool
    description: str


SPECS: tuple[_Spec, ...] = (
    _Spec("cryptolin_dev", "cryptolin/CryptoLin_dev.csv", "utf-8", parse_cryptolin, True,
          "CryptoLin dev split, crypto headlines (dev: tuned on)"),
    _Spec("fpb_allagree", "financial_phrasebank/Sentences_AllAgree.txt", "latin-1", parse_phrasebank, True,
          "Financial PhraseBank, 100% annotator agreement (dev: tuned on)"),
    _Spec("fpb_75agree", "financial_phrasebank/Sentences_75Agree.txt", "latin-1", parse_phrasebank, False,
          "Financial PhraseBank, >=75% agreement (contains all AllAgree rows)"),
    _Spec("semeval17_headlines_test", "semeval2017_task5/Headlines_Testdata_withscores.json", "utf-8",
          parse_semeval_headlines, False, "SemEval-2017 task 5 headlines, test (held out)"),
    _Spec("tfns_valid", "twitter_financial_news_sentiment/sent_valid.csv", "utf-8", parse_tfns, False,
          "Twitter financial news, validation (held out)"),
    _Spec("vader_tweets", "vader_icwsm2014/tweets_GroundTruth.txt", "utf-8", parse_vader_groundtruth, False,
          "VADER's own tweets ground truth (regression guard: general language)"),
)


def load_sets(directory: Path) -> tuple[list[EvalSet], list[str]]:
    """Load every known set present under `directory`. Returns (sets, one line per missing set)."""
    sets: list[EvalSet] = []
    missing: list[str] = []
    texts: dict[str, str] = {}
    for spec in SPECS:
        path = directory / spec.path
        try:
            text = path.read_text(encoding=spec.encoding)
        except FileNotFoundError:
            missing.append(f"{spec.name}: {path} not found, skipped")
            continue
        except (OSError, UnicodeDecodeError) as exc:
            missing.append(f"{spec.name}: {path} unreadable ({exc.__class__.__name__}: {exc}), skipped")
            continue
        try:
            examples = spec.parse(text)
        except (ValueError, KeyError, TypeError) as exc:
            missing.append(f"{spec.name}: {path} not in the expected format ({exc}), skipped")
            continue
        if not examples:
            missing.append(f"{spec.name}: {path} has no labelled rows, skipped")
            continue
        sets.append(EvalSet(spec.name, spec.description, spec.tuned, tuple(examples)))
        texts[spec.name] = text
    if "cryptolin_dev" in texts:
        even, odd = split_cryptolin(texts["cryptolin_dev"])
        at = next(i for i, s in enumerate(sets) if s.name == "cryptolin_dev") + 1
        sets[at:at] = [
            EvalSet("cryptolin_dev_a", "CryptoLin dev, even ids: the half rules are tuned on", True, tuple(even)),
            EvalSet("cryptolin_dev_b", "CryptoLin dev, odd ids (held out from rule changes since the split)",
                    False, tuple(odd)),
        ]
    names = {s.name: s for s in sets}
    if "fpb_75agree" in names and "fpb_allagree" in names:
        seen = {e.text for e in names["fpb_allagree"].examples}
        only = tuple(e for e in names["fpb_75agree"].examples if e.text not in seen)
        sets.insert(sets.index(names["fpb_75agree"]) + 1,
                    EvalSet("fpb_75only", "PhraseBank 75Agree rows not in AllAgree (held out)", False, only))
    return sets, missing
