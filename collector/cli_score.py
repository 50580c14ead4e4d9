"""The `collector score` and `collector eval` commands: thin wrappers over scoring, tagging and evaluation."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path

import click

from collector.config import SymbolConfig, config_path, load_config
from collector.errors import ConfigError
from collector.evaluation import LABELS, EvalSet, Result, band_label, evaluate, load_sets
from collector.scoring import NEGATIVE_THRESHOLD, POSITIVE_THRESHOLD, Explanation, Scorer
from collector.tagging import DEFAULT_SYMBOLS, Tagger

EXIT_NO_DATA = 1
EXIT_CONFIG = 3  # same code as `collector fetch` uses for an invalid config
ENV_EVAL_DIR = "COLLECTOR_EVAL_DIR"
DEFAULT_EVAL_DIR = Path("..") / "shared" / "eval"


def _symbols(path: str | None) -> Sequence[SymbolConfig]:
    """Symbols from the config file; the built-in set when no path was given and ./feeds.yaml is absent."""
    explicit = path is not None and path != ""
    where = config_path(path, os.environ)
    if not explicit and not os.environ.get("COLLECTOR_CONFIG") and not where.exists():
        click.echo(f"notice: no config file ({where}); tagging with the built-in symbol set "
                   f"({', '.join(s.symbol for s in DEFAULT_SYMBOLS)})", err=True)
        return DEFAULT_SYMBOLS
    try:
        return load_config(where, os.environ).symbols
    except ConfigError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(EXIT_CONFIG)


def _inputs(texts: Sequence[str]) -> Iterable[str]:
    if list(texts) == ["-"]:
        raw = getattr(sys.stdin, "buffer", None)  # bytes, so that invalid UTF-8 is replaced, never fatal
        lines: Iterable[str] = (b.decode("utf-8", "replace") for b in raw) if raw is not None else sys.stdin
        for line in lines:
            if line.strip():
                yield line.rstrip("\r\n")
    else:
        yield from texts


def _record(ex: Explanation, symbols: frozenset[str]) -> dict[str, object]:
    return {
        "text": ex.text,
        "compound": ex.compound,
        "label": ex.label,
        "symbols": sorted(symbols),
        "rules": list(ex.rules),
        "entries": [{"term": term, "valence": valence} for term, valence in ex.entries],
    }


@click.command("score")
@click.argument("texts", nargs=-1, required=True)
@click.option("--config", "config", metavar="PATH",
              help="Config file for the symbol set (default: $COLLECTOR_CONFIG, else ./feeds.yaml, "
                   "else the built-in symbols).")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per input line.")
def score_command(texts: tuple[str, ...], config: str | None, as_json: bool) -> None:
    """Score TEXT... (or one text per line from standard input with `-`).

    Prints compound, label, matched symbols and the lexicon entries and rules that fired. Labels:
    positive at compound >= POSITIVE_THRESHOLD, negative at <= NEGATIVE_THRESHOLD, else neutral.
    Blank input lines are skipped.
    """
    tagger = Tagger(_symbols(config))
    scorer = Scorer()
    for text in _inputs(texts):
        ex = scorer.explain(text)
        symbols = tagger.tag(text)
        if as_json:
            click.echo(json.dumps(_record(ex, symbols), ensure_ascii=False))
            continue
        click.echo(f"{ex.compound:+.4f}  {ex.label:<8}  {','.join(sorted(symbols)) or '-':<12}  {text}")
        parts = [f"{term} {valence:+.1f}" for term, valence in ex.entries]
        detail = "entries: " + (", ".join(parts) or "none")
        if ex.rules:
            detail += " | rules: " + ", ".join(ex.rules)
        click.echo(f"          {detail}")


# The help text states the thresholds the code uses (collector.scoring), never a copy that can go stale.
if score_command.help:
    score_command.help = score_command.help.replace("POSITIVE_THRESHOLD", f"{POSITIVE_THRESHOLD:+.2f}").replace(
        "NEGATIVE_THRESHOLD", f"{NEGATIVE_THRESHOLD:+.2f}")


# -- eval ----------------------------------------------------------------------------------------------
def _fmt(r: Result) -> str:
    f1 = "/".join(f"{f:.2f}" for f in r.f1)
    corr = f"{r.pearson:.3f}" if r.pearson is not None else "-"
    return f"{r.accuracy:6.3f} {r.macro_f1:8.3f}  {f1:<14} {corr:>7}"


def _confusion(name: str, r: Result) -> list[str]:
    head = f"    {name:<6} gold\\pred " + " ".join(f"{lab[:3]:>6}" for lab in LABELS)
    rows = [f"    {'':<6} {lab:<9} " + " ".join(f"{c:6d}" for c in row) for lab, row in zip(LABELS, r.confusion,
                                                                                       strict=True)]
    return [head, *rows]


def _print_set(es: EvalSet, vader: Result, ours: Result) -> None:
    tag = "dev, tuned on" if es.tuned else "not tuned on"
    click.echo(f"\n{es.name}  n={ours.n}  ({tag}) {es.description}")
    click.echo(f"    {'scorer':<12} {'acc':>6} {'macro-F1':>8}  {'F1 neg/neu/pos':<14} {'r':>7}")
    click.echo(f"    {'plain VADER':<12} {_fmt(vader)}")
    click.echo(f"    {'ours':<12} {_fmt(ours)}")
    for line in _confusion("VADER", vader) + _confusion("ours", ours):
        click.echo(line)


@click.command("eval")
@click.option("--data", "data", metavar="DIR", type=click.Path(path_type=Path),
              help=f"Eval directory (default: ${ENV_EVAL_DIR}, else ../shared/eval from the current directory).")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object instead of the tables.")
def eval_command(data: Path | None, as_json: bool) -> None:
    """Measure plain VADER and our scorer side by side on the labelled sets found in DIR.

    Sets: CryptoLin dev, Financial PhraseBank AllAgree / 75Agree (and 75Agree minus AllAgree), SemEval-2017
    headlines test (Pearson r on continuous scores), Twitter financial news valid, VADER's tweets. Missing
    sets are skipped with a line saying so; exit 1 when none is found.
    """
    directory = data if data is not None else Path(os.environ.get(ENV_EVAL_DIR) or DEFAULT_EVAL_DIR)
    sets, skipped = load_sets(directory)
    if not as_json:
        for line in skipped:
            click.echo(f"skipped {line}", err=True)
    if not sets:
        click.echo(f"error: no evaluation set found under {directory}; pass --data DIR or set "
                   f"{ENV_EVAL_DIR} (expected e.g. cryptolin/CryptoLin_dev.csv)", err=True)
        sys.exit(EXIT_NO_DATA)
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    vader = SentimentIntensityAnalyzer()
    scorer = Scorer()
    out: dict[str, object] = {}
    summary: list[tuple[EvalSet, Result, Result]] = []
    for es in sets:
        rv = evaluate(es.examples, lambda t: float(vader.polarity_scores(t)["compound"]), band_label)
        ro = evaluate(es.examples, scorer.score, scorer.label)
        summary.append((es, rv, ro))
        out[es.name] = {"description": es.description, "tuned": es.tuned, "n": ro.n,
                        "vader": rv.as_dict(), "ours": ro.as_dict()}
        if not as_json:
            _print_set(es, rv, ro)
    if as_json:
        click.echo(json.dumps({"data_dir": str(directory), "skipped": skipped, "sets": out,
                               "thresholds": {"positive": POSITIVE_THRESHOLD, "negative": NEGATIVE_THRESHOLD,
                                              "vader": 0.05}}, indent=2))
        return
    click.echo(f"\nsummary (labels: ours positive >= {POSITIVE_THRESHOLD}, negative <= {NEGATIVE_THRESHOLD};"
               " VADER +-0.05)")
    click.echo(f"{'set':<26} {'tuned':<5} {'n':>5}  {'VADER acc':>9} {'F1':>6} {'r':>6}  "
               f"{'ours acc':>8} {'F1':>6} {'r':>6}")
    for es, rv, ro in summary:
        rvr = f"{rv.pearson:.3f}" if rv.pearson is not None else "-"
        ror = f"{ro.pearson:.3f}" if ro.pearson is not None else "-"
        click.echo(f"{es.name:<26} {'yes' if es.tuned else 'no':<5} {ro.n:5d}  {rv.accuracy:9.3f} "
                   f"{rv.macro_f1:6.3f} {rvr:>6}  {ro.accuracy:8.3f} {ro.macro_f1:6.3f} {ror:>6}")
