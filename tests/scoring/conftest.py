"""Fixtures for scoring, tagging, evaluation and the score/eval commands. No test reads ../shared."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from collector.config import SymbolConfig
from collector.scoring import Scorer
from collector.tagging import DEFAULT_SYMBOLS, Tagger

HERE = Path(__file__).resolve().parent

#: The symbol set the tagging evaluation is written for: the shipped defaults plus five coins whose tickers
#: or names are everyday English words.
EVAL_SYMBOLS: tuple[SymbolConfig, ...] = (
    *DEFAULT_SYMBOLS,
    SymbolConfig("NEAR", ("NEAR Protocol", "NEAR", "$NEAR"), "near"),
    SymbolConfig("ONE", ("Harmony", "ONE", "$ONE"), "harmony"),
    SymbolConfig("OP", ("Optimism", "OP", "$OP"), "optimism"),
    SymbolConfig("ATOM", ("Cosmos", "ATOM", "$ATOM"), "cosmos"),
    SymbolConfig("UNI", ("Uniswap", "UNI", "$UNI"), "uniswap"),
)


@pytest.fixture(scope="session")
def scorer() -> Scorer:
    return Scorer()


@pytest.fixture(scope="session")
def tagger() -> Tagger:
    return Tagger(EVAL_SYMBOLS)


@pytest.fixture(scope="session")
def tagging_cases() -> list[tuple[str, frozenset[str]]]:
    """(headline, expected symbols) rows of tagging_cases.tsv; '#' lines are comments."""
    rows = []
    for line in (HERE / "tagging_cases.tsv").read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        text, _tab, expected = line.partition("\t")
        rows.append((text, frozenset(s for s in expected.split(",") if s)))
    return rows


# -- tiny evaluation sets in the real file formats (our own sentences) -------------------------------------
PHRASEBANK = (
    "The company reported a sharp rise in quarterly sales .@positive\n"
    "Net profit fell to EUR 2 mn from EUR 5 mn .@negative\n"
    "The office is located in Espoo .@neutral\n"
    "Caf\xe9 chain said the deal closes @ noon .@neutral"
)
CRYPTOLIN = (
    "id,date,news,final_manual_labelling,vader\n"
    "0,2021-01-01,Exchange raises $20 million in Series A,1,0.0\n"
    '1,2021-01-02,"Hackers drain $5 million from a bridge, team says",-1,0.9\n'
    "2,2021-01-03,Developers publish the network roadmap,0,0.0\n"
)
TFNS = 'text,label\n"$XYZ shares plunge after guidance cut",0\n$ABC beats estimates and jumps,1\nMarket opens today,2\n'
SEMEVAL = (
    '[{"id": 1, "company": "Acme", "title": "Acme profit soars on record demand", "sentiment score": 0.7},'
    ' {"id": 2, "company": "Beta", "title": "Beta shares slump after warning", "sentiment score": -0.6},'
    ' {"id": 3, "company": "Gamma", "title": "Gamma names a new chairman", "sentiment score": 0.01}]'
)


@pytest.fixture
def samples() -> dict[str, str]:
    """The tiny evaluation sets above, by name, as text."""
    return {"phrasebank": PHRASEBANK, "cryptolin": CRYPTOLIN, "tfns": TFNS, "semeval": SEMEVAL}


@pytest.fixture
def eval_dir(tmp_path: Path) -> Callable[..., Path]:
    """Build an eval directory holding the named sets (default: all of them) in their wire formats."""

    def build(*names: str) -> Path:
        files = {
            "fpb_allagree": ("financial_phrasebank/Sentences_AllAgree.txt", PHRASEBANK.encode("latin-1")),
            "fpb_75agree": (
                "financial_phrasebank/Sentences_75Agree.txt",
                (PHRASEBANK + "\nA second plant opens in Oulu .@neutral").encode("latin-1"),
            ),
            "cryptolin_dev": ("cryptolin/CryptoLin_dev.csv", CRYPTOLIN.encode()),
            "tfns_valid": ("twitter_financial_news_sentiment/sent_valid.csv", TFNS.encode()),
            "semeval17_headlines_test": ("semeval2017_task5/Headlines_Testdata_withscores.json", SEMEVAL.encode()),
        }
        for name in names or tuple(files):
            rel, data = files[name]
            path = tmp_path / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
        return tmp_path

    return build
