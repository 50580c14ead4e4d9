"""collector.evaluation: parsers on tiny sets in the real formats, metrics, and the directory loader."""

from __future__ import annotations

import math
from collections.abc import Callable
from pathlib import Path

import pytest

from collector import evaluation as ev


def test_evaluation_phrasebank_splits_on_last_at(samples: dict[str, str]) -> None:
    """'sentence@label': the label follows the last '@', so an '@' inside the sentence survives."""
    rows = ev.parse_phrasebank(samples["phrasebank"])
    assert [r.label for r in rows] == ["positive", "negative", "neutral", "neutral"]
    assert rows[3].text == "Caf\xe9 chain said the deal closes @ noon ."


def test_evaluation_phrasebank_skips_bad_lines() -> None:
    """Lines without '@' or with an unknown label are skipped, not fatal."""
    assert ev.parse_phrasebank("no label here\nGood sentence .@positive\nOdd .@maybe\n@negative") == [
        ev.Example("Good sentence .", "positive")
    ]


def test_evaluation_cryptolin_uses_the_human_label_column(samples: dict[str, str]) -> None:
    """CryptoLin labels come from final_manual_labelling, never from the tool columns."""
    rows = ev.parse_cryptolin(samples["cryptolin"])
    assert [(r.text[:9], r.label) for r in rows] == [
        ("Exchange ", "positive"), ("Hackers d", "negative"), ("Developer", "neutral")
    ]


def test_evaluation_tfns_label_codes(samples: dict[str, str]) -> None:
    """Twitter financial news: 0 bearish, 1 bullish, 2 neutral."""
    assert [r.label for r in ev.parse_tfns(samples["tfns"])] == ["negative", "positive", "neutral"]


def test_evaluation_semeval_keeps_scores_and_bands_labels(samples: dict[str, str]) -> None:
    """SemEval continuous scores are kept; labels use the +-0.05 band."""
    rows = ev.parse_semeval_headlines(samples["semeval"])
    assert [(r.label, r.score) for r in rows] == [("positive", 0.7), ("negative", -0.6), ("neutral", 0.01)]


def test_evaluation_vader_groundtruth_scales_by_four() -> None:
    """VADER ground-truth ratings in [-4, 4] become scores in [-1, 1]."""
    rows = ev.parse_vader_groundtruth("1\t2.0\tnice day\n2\t-0.1\tmeh\nbroken line\n")
    assert [(r.score, r.label) for r in rows] == [(0.5, "positive"), (-0.025, "neutral")]


def test_evaluation_classification_metrics_by_hand() -> None:
    """Accuracy, per-class F1, macro-F1 and the confusion matrix on a case worked by hand."""
    gold = ["positive", "positive", "negative", "neutral", "neutral"]
    pred = ["positive", "neutral", "negative", "neutral", "positive"]
    acc, macro, f1s, cm = ev.classification(gold, pred)
    assert acc == pytest.approx(3 / 5)
    assert cm == [[1, 0, 0], [0, 1, 1], [0, 1, 1]]
    assert f1s == pytest.approx((1.0, 0.5, 0.5))
    assert macro == pytest.approx(2 / 3)


def test_evaluation_class_never_seen_has_f1_zero() -> None:
    """A class never predicted nor present scores F1 0 and still counts in the macro average."""
    acc, macro, f1s, _cm = ev.classification(["positive"], ["positive"])
    assert acc == 1.0
    assert f1s == (0.0, 0.0, 1.0)
    assert macro == pytest.approx(1 / 3)


def test_evaluation_pearson() -> None:
    """Pearson r: perfect, inverse and undefined cases."""
    assert ev.pearson([1, 2, 3], [2, 4, 6]) == pytest.approx(1.0)
    assert ev.pearson([1, 2, 3], [3, 2, 1]) == pytest.approx(-1.0)
    assert ev.pearson([1, 1, 1], [1, 2, 3]) is None
    assert ev.pearson([1], [1]) is None
    r = ev.pearson([0.1, -0.4, 0.3, 0.0], [0.2, -0.5, 0.1, 0.05])
    assert r is not None and -1 <= r <= 1 and not math.isnan(r)


def test_evaluation_evaluate_reports_r_only_for_scored_sets(samples: dict[str, str]) -> None:
    """evaluate() gives Pearson r when every example has a gold score, None otherwise."""
    scored = ev.parse_semeval_headlines(samples["semeval"])
    table = {"Acme": 0.5, "Beta": -0.5, "Gamm": 0.0}

    def score(text: str) -> float:
        return table[text[:4]]

    result = ev.evaluate(scored, score, ev.band_label)
    assert result.n == 3 and result.accuracy == 1.0
    assert result.pearson is not None and result.pearson > 0.9
    assert ev.evaluate(ev.parse_tfns(samples["tfns"]), lambda _t: 0.0, ev.band_label).pearson is None


def test_evaluation_result_as_dict_is_json_ready(samples: dict[str, str]) -> None:
    """as_dict() names the confusion layout and rounds the figures."""
    result = ev.evaluate(ev.parse_tfns(samples["tfns"]), lambda _t: 0.0, ev.band_label)
    d = result.as_dict()
    assert d["n"] == 3
    assert d["confusion"] == {"labels": ["negative", "neutral", "positive"],
                              "rows_gold_cols_predicted": [[0, 1, 0], [0, 1, 0], [0, 1, 0]]}
    assert d["pearson_r"] is None


def test_evaluation_load_sets_all_present(eval_dir: Callable[..., Path]) -> None:
    """Every known set present is loaded; 75Agree minus AllAgree appears as a held-out set."""
    sets, missing = ev.load_sets(eval_dir())
    names = [s.name for s in sets]
    assert names == ["cryptolin_dev", "cryptolin_dev_a", "cryptolin_dev_b", "fpb_allagree", "fpb_75agree",
                     "fpb_75only", "semeval17_headlines_test", "tfns_valid"]
    assert len(missing) == 1 and missing[0].startswith("vader_tweets: ")  # only VADER's own set is absent
    only = next(s for s in sets if s.name == "fpb_75only")
    assert [e.text for e in only.examples] == ["A second plant opens in Oulu ."]
    assert {s.name for s in sets if s.tuned} == {"cryptolin_dev", "cryptolin_dev_a", "fpb_allagree"}


def test_evaluation_load_sets_reports_missing(eval_dir: Callable[..., Path]) -> None:
    """Absent sets are listed with their expected path, present ones load."""
    sets, missing = ev.load_sets(eval_dir("cryptolin_dev"))
    assert [s.name for s in sets] == ["cryptolin_dev", "cryptolin_dev_a", "cryptolin_dev_b"]
    assert any(m.startswith("fpb_allagree: ") and "not found" in m for m in missing)


def test_evaluation_load_sets_bad_file_is_skipped(eval_dir: Callable[..., Path]) -> None:
    """A file in the wrong format is skipped with a reason, not a traceback."""
    root = eval_dir("cryptolin_dev")
    bad = root / "semeval2017_task5" / "Headlines_Testdata_withscores.json"
    bad.parent.mkdir(parents=True)
    bad.write_text("{not json", encoding="utf-8")
    sets, missing = ev.load_sets(root)
    assert [s.name for s in sets] == ["cryptolin_dev", "cryptolin_dev_a", "cryptolin_dev_b"]
    assert any(m.startswith("semeval17_headlines_test:") and "format" in m for m in missing)


def test_evaluation_load_sets_empty_directory(tmp_path: Path) -> None:
    """No set at all: nothing loaded and one line per known set."""
    sets, missing = ev.load_sets(tmp_path)
    assert sets == []
    assert len(missing) == len(ev.SPECS)


def test_evaluation_load_sets_empty_file_is_skipped(eval_dir: Callable[..., Path]) -> None:
    """A set file with no labelled rows is skipped with a reason instead of scoring n=0."""
    root = eval_dir("cryptolin_dev")
    empty = root / "twitter_financial_news_sentiment" / "sent_valid.csv"
    empty.parent.mkdir(parents=True)
    empty.write_text("text,label\n", encoding="utf-8")
    sets, missing = ev.load_sets(root)
    assert [s.name for s in sets] == ["cryptolin_dev", "cryptolin_dev_a", "cryptolin_dev_b"]
    assert any(m.startswith("tfns_valid:") and "no labelled rows" in m for m in missing)


def test_evaluation_cryptolin_halves_split_by_id_parity(samples: dict[str, str]) -> None:
    """Even ids form half A (tuned on), odd ids half B (held out); together they are the whole set."""
    even, odd = ev.split_cryptolin(samples["cryptolin"])
    assert [e.text[:9] for e in even] == ["Exchange ", "Developer"]
    assert [e.text[:9] for e in odd] == ["Hackers d"]
    assert sorted(even + odd, key=lambda e: e.text) == sorted(ev.parse_cryptolin(samples["cryptolin"]),
                                                              key=lambda e: e.text)


def test_evaluation_cryptolin_halves_skip_rows_without_integer_id() -> None:
    """A row whose id is missing or not an integer is in neither half; unlabelled rows are skipped too."""
    text = ("id,news,final_manual_labelling\n"
            "x1,Token lists on a new venue,1\n"
            ",Wallet ships an update,0\n"
            "4,Bridge loses funds,-1\n"
            "5,Unlabelled headline,\n"
            "7,Chain upgrade lands,1\n")
    even, odd = ev.split_cryptolin(text)
    assert [(e.text, e.label) for e in even] == [("Bridge loses funds", "negative")]
    assert [(e.text, e.label) for e in odd] == [("Chain upgrade lands", "positive")]


def test_evaluation_load_sets_marks_half_b_held_out(eval_dir: Callable[..., Path]) -> None:
    """The derived halves are listed after the whole set: A tuned on, B held out and described so."""
    sets, _missing = ev.load_sets(eval_dir("cryptolin_dev"))
    by_name = {s.name: s for s in sets}
    assert by_name["cryptolin_dev_a"].tuned and not by_name["cryptolin_dev_b"].tuned
    assert "held out" in by_name["cryptolin_dev_b"].description
    assert len(by_name["cryptolin_dev_a"].examples) + len(by_name["cryptolin_dev_b"].examples) == 3
