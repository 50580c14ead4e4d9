"""Symbol tagging: which configured coins a text talks about. Pure; one compiled regex per Tagger.

Alias kinds, decided from how the alias is written in the config (the symbol itself is always a ticker alias):

* cashtag / hashtag ("$SOL", "#sol", and automatically "$X"/"#X" for every ticker X): case-insensitive.
* ticker (an all-upper-case alias of letters and digits, like "BTC", "LINK"): case-sensitive, exactly as
  written, so "link your wallet" or "near the end" never tag LINK or NEAR.
* name ("Bitcoin", "Chainlink", "Near Protocol"): case-insensitive, plural "s" allowed ("bitcoins").
* weak name (a name that is an everyday English word: "Optimism", "Harmony", "Cosmos", "Avalanche",
  "Ripple", "Polygon", ...; see `ENGLISH_WORDS`): case-sensitive as written, so "market optimism" is no OP.

Every alias matches on word boundaries: letters and digits around it block a match ("solution", "Canada",
"together", "wBTC"), while punctuation does not ("Bitcoin's", "Bitcoin-backed", "ETH-based", "BTC/USD").

Exclusions: `SymbolConfig.exclude` phrases plus `DEFAULT_EXCLUDES` ("Bitcoin Cash", "wrapped bitcoin",
"Ethereum Classic", ...) are matched case-insensitively and blank the span out; a longer match always wins
over a shorter one that starts at the same place, so "Bitcoin Cash" is never read as "Bitcoin". If another
configured symbol lists the excluded phrase as its alias (BCH: "Bitcoin Cash"), the span tags that symbol.

ALL-CAPS rule: in a line whose letters are (almost) all upper case, every word looks like a ticker, so a
ticker that is also an English word (`AMBIGUOUS_TICKERS`) needs support: a function-word ticker
(`FUNCTION_WORD_TICKERS`: ONE, NEAR, OP, ...: "ONE MORE RATE HIKE", "NEAR-TERM", "OP-ED") counts only as a
cashtag; a content-word ticker (LINK, DOT, SOL, ADA, ATOM, UNI) counts when the line mentions at least two
different symbols ("SOLANA SURGES AS LINK RALLIES" -> {SOL, LINK}; "DOT PLOT SIGNALS CUTS" -> {}).
Weak names are case-sensitive, so "OPTIMISM" or "AVALANCHE" in capitals count for nothing. Other tickers
(BTC, ETH, XRP, ...) and full names ("CHAINLINK") count as usual. Rules apply per line, so an ALL-CAPS title
does not change how its summary on the next line is read.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from collector.config import SymbolConfig

#: Tickers that are also English words or common abbreviations; ambiguous in an ALL-CAPS line.
AMBIGUOUS_TICKERS: frozenset[str] = frozenset(
    {"SOL", "ADA", "LINK", "DOT", "NEAR", "ONE", "OP", "ATOM", "UNI", "GAS", "FLOW", "SAND", "RAY", "MASK",
     "GRT", "ICP", "HOT", "TIME", "MANA", "ANY", "BOND", "CAKE", "RUNE", "OM", "AR", "IT", "ME", "ON", "NO"}
)
#: Ambiguous tickers that are function words: in an ALL-CAPS line they count only as cashtags.
FUNCTION_WORD_TICKERS: frozenset[str] = frozenset(
    {"ONE", "NEAR", "OP", "IT", "ME", "ON", "NO", "ANY", "TIME", "HOT", "GAS", "BOND", "MASK", "AR", "OM"}
)
#: Coin names that are everyday English words; matched case-sensitively, as written in the config.
ENGLISH_WORDS: frozenset[str] = frozenset(
    {"optimism", "harmony", "cosmos", "avalanche", "ripple", "polygon", "near", "one", "link", "dot", "atom",
     "uni", "sol", "ada", "flow", "sand", "gas", "maker", "compound", "graph", "the graph", "stellar",
     "theta", "immutable", "render", "ocean", "helium", "oasis", "internet computer", "mask", "bond"}
)
#: Phrases that must not count as the symbol, whatever the config says (added to SymbolConfig.exclude).
DEFAULT_EXCLUDES: dict[str, tuple[str, ...]] = {
    "BTC": ("Bitcoin Cash", "Bitcoin SV", "Bitcoin Gold", "Bitcoin Diamond", "wrapped bitcoin",
            "wrapped BTC", "Bitcoin ABC"),
    "ETH": ("Ethereum Classic", "Ethereum PoW", "Ethereum Name Service", "wrapped ether",
            "wrapped ethereum", "wrapped ETH"),
    "DOGE": ("Doge Killer",),
    "LTC": ("Litecoin Cash",),
}

#: A built-in symbol set (the same as the shipped feeds.yaml), used by `collector score` without a config file.
DEFAULT_SYMBOLS: tuple[SymbolConfig, ...] = (
    SymbolConfig("BTC", ("Bitcoin", "BTC", "$BTC", "XBT"), "bitcoin",
                 exclude=("Bitcoin Cash", "Bitcoin SV", "Bitcoin Gold", "wrapped bitcoin")),
    SymbolConfig("ETH", ("Ethereum", "Ether", "ETH", "$ETH"), "ethereum",
                 exclude=("Ethereum Classic", "Ethereum Name Service", "wrapped ether", "Ethereum PoW")),
    SymbolConfig("SOL", ("Solana", "SOL", "$SOL"), "solana", exclude=("wrapped SOL",)),
    SymbolConfig("XRP", ("XRP", "$XRP", "Ripple"), "ripple"),
    SymbolConfig("ADA", ("Cardano", "ADA", "$ADA"), "cardano"),
    SymbolConfig("DOGE", ("Dogecoin", "DOGE", "$DOGE"), "dogecoin"),
    SymbolConfig("BNB", ("BNB", "$BNB", "Binance Coin"), "binancecoin"),
    SymbolConfig("LINK", ("Chainlink", "LINK", "$LINK"), "chainlink"),
    SymbolConfig("AVAX", ("Avalanche", "AVAX", "$AVAX"), "avalanche-2"),
    SymbolConfig("DOT", ("Polkadot", "DOT", "$DOT"), "polkadot"),
    SymbolConfig("POL", ("Polygon", "POL", "$POL", "MATIC", "$MATIC"), "polygon-ecosystem-token",
                 exclude=("Polygon zkEVM",)),
    SymbolConfig("LTC", ("Litecoin", "LTC", "$LTC"), "litecoin"),
)

_TICKER = re.compile(r"[A-Z0-9]+")
_CASHTAG = re.compile(r"[$#][A-Za-z0-9]+")


@dataclass(frozen=True, slots=True)
class _Alias:
    symbol: str | None  # None: an exclusion, the span counts for nothing
    weak: bool  # ambiguous in an ALL-CAPS line (or a weak name)


def _norm(alias: str) -> str:
    """Hyphens as spaces, single spaces: "Shiba-Inu" and "Shiba  Inu" are the same alias."""
    return " ".join(alias.replace("-", " ").split())


def _is_all_caps(line: str) -> bool:
    """At least 8 cased letters and at most 10% of them lower case."""
    upper = lower = 0
    for ch in line:
        if ch.isupper():
            upper += 1
        elif ch.islower():
            lower += 1
    return upper >= 8 and lower * 10 <= upper + lower


class Tagger:
    """Find the configured symbols a text mentions. Build once per symbol set; `tag` is read-only."""

    def __init__(self, symbols: Sequence[SymbolConfig]) -> None:
        names: dict[str, _Alias] = {}  # lower-cased name or excluded phrase -> alias
        exact: dict[str, _Alias] = {}  # case-sensitive tickers and weak names, as written
        tags: dict[str, _Alias] = {}  # lower-cased cashtag/hashtag body -> alias
        for sc in symbols:
            sym = sc.symbol.upper()
            for raw in (sym, *sc.aliases):
                alias = _norm(raw)
                if _CASHTAG.fullmatch(alias):
                    tags.setdefault(alias[1:].lower(), _Alias(sym, False))
                elif _TICKER.fullmatch(alias):
                    exact.setdefault(alias, _Alias(sym, alias in AMBIGUOUS_TICKERS))
                    tags.setdefault(alias.lower(), _Alias(sym, False))
                elif alias.lower() in ENGLISH_WORDS:
                    exact.setdefault(alias, _Alias(sym, True))
                elif alias:
                    names.setdefault(alias.lower(), _Alias(sym, False))
        for sc in symbols:
            for phrase in (*sc.exclude, *DEFAULT_EXCLUDES.get(sc.symbol.upper(), ())):
                key = _norm(phrase).lower()
                if key:
                    names.setdefault(key, _Alias(None, False))  # another symbol's alias keeps its meaning
        self._names, self._exact, self._tags = names, exact, tags
        alts: list[tuple[int, str]] = []
        for key in names:
            body = r"[\s\-]+".join(re.escape(w) for w in key.split())
            alts.append((len(key), f"(?i:{body}s?)" if key[-1].isalpha() else f"(?i:{body})"))
        for key in exact:
            alts.append((len(key), r"[\s\-]+".join(re.escape(w) for w in key.split())))
        alts.sort(key=lambda a: (-a[0], a[1]))
        body = "|".join(a for _n, a in alts)
        cashtag = r"[$#](?P<tag>[A-Za-z][A-Za-z0-9]{0,19})"
        alternatives = f"{cashtag}|{body}" if body else cashtag
        self._re = re.compile(rf"(?<![\w$#])(?:{alternatives})(?!\w)")

    def _lookup(self, m: re.Match[str]) -> _Alias | None:
        tag = m.group("tag")
        if tag is not None:
            low = tag.lower()
            return self._tags.get(low) or self._names.get(low)
        span = _norm(m.group(0))
        hit = self._exact.get(span)
        if hit is not None:
            return hit
        low = span.lower()
        hit = self._names.get(low)
        if hit is None and low.endswith("s"):
            hit = self._names.get(low[:-1])
        return hit

    def tag(self, text: str) -> frozenset[str]:
        """Upper-case tickers of the configured symbols that `text` mentions."""
        found: set[str] = set()
        for line in text.splitlines():
            weak: list[str] = []
            strong: set[str] = set()
            for m in self._re.finditer(line):
                hit = self._lookup(m)
                if hit is None or hit.symbol is None:
                    continue
                if hit.weak:
                    weak.append(hit.symbol)
                else:
                    strong.add(hit.symbol)
            if weak and _is_all_caps(line):
                if len(strong | set(weak)) < 2:
                    weak = []
                weak = [w for w in weak if w not in FUNCTION_WORD_TICKERS]
            found |= strong
            found.update(weak)
        return frozenset(found)
