"""Sentiment scoring: VADER plus a crypto/finance lexicon and a few market-language rules. Pure.

How a text is scored (see `collector.lexicon` for the word lists):

1. Rewrite rules turn market expressions into single synthetic tokens that carry a valence, so VADER's own
   negation ("not", "never", "no", "n't" within three words), booster and "but" rules still apply to them:
   * direction flips: a bad noun with a move ("losses narrowed", "cut costs" -> good; "debt rose" -> bad);
   * phrases: "all-time high", "rug pull", "halts withdrawals", "51% attack", ... (space or hyphen);
   * signed percentages: "+8%", "-12%", "up 8%", "down 5 percent", "3% lower" (weight grows with size:
     under 2%, under 10%, 10% and more). A bare "8%" has no direction and is left alone.
2. VADER runs with its lexicon extended by `lexicon.WORDS` (market verbs, slang, enforcement, adoption) and
   with `lexicon.NEUTRALISE` words (profit, share, interest, trust, ...) set to 0. `_FastVader` computes
   VADER 3.3.2's compound with the same rules in the same order, only without re-lower-casing the sentence
   for every lexicon hit (tests/scoring/test_scoring_fast_vader.py checks they agree exactly).
3. Sentence rules, at most one applies:
   * question: a question or explainer ("...?", "Why ...", "How ...", "A closer look at ...") speculates;
     its compound is multiplied by `QUESTION_DAMPING`;
   * factual-neutral: a sentence in which no crypto/finance entry or rule fired and whose only sentiment
     comes from weak general-language words (|valence| <= `WEAK_VALENCE`) is a factual statement; its
     compound is multiplied by `FACTUAL_DAMPING`, so it normally lands in the neutral band.

Labels: compound >= `POSITIVE_THRESHOLD` (+0.15) -> positive; <= `NEGATIVE_THRESHOLD` (-0.10) -> negative;
else neutral. The thresholds were chosen on the dev sets (CryptoLin dev, PhraseBank AllAgree); VADER's own
+-0.05 reads too many factual sentences as opinions.
"""

from __future__ import annotations

import math
import re
import string
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from itertools import pairwise
from typing import Literal

from vaderSentiment import vaderSentiment as vs  # noqa: N813  (the module, for its rule constants)
from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

from collector import lexicon as lx

Label = Literal["positive", "neutral", "negative"]

#: Label thresholds on the compound score (inclusive).
POSITIVE_THRESHOLD = 0.15
NEGATIVE_THRESHOLD = -0.10
#: Factual-neutral rule: weak words are those with |valence| at most this; their compound is multiplied by
#: FACTUAL_DAMPING when nothing market-specific fired.
WEAK_VALENCE = 1.5
FACTUAL_DAMPING = 0.3
#: score_item: the summary only counts when the title is neutral, and then with this weight.
SUMMARY_WEIGHT = 0.5
#: Question rule: questions and explainers ("Why ...", "How ...", "A closer look at ...", "...?") speculate or
#: explain; their compound is multiplied by QUESTION_DAMPING.
QUESTION_DAMPING = 0.35
_QUESTION = re.compile(
    r"\s*(?:why|how|what|who|when|where|which|here'?s|here are|a (?:closer |quick |deep )?look|a dive|"
    r"inside|explainer|explained|opinion|analysis|podcast|watch|video|interview|q&a)\b",
    re.IGNORECASE,
)
SUMMARY_MAX_CHARS = 300
#: Money rule: in crypto news, a dollar amount of a million or more (funding, purchases, volume, valuation)
#: reads as capital flowing in; the amount becomes a token of this valence. Only when the text is about
#: crypto (`_CRYPTO`): in general financial news such amounts are mostly neutral deal reports.
MONEY_VALENCE = 1.0
_CRYPTO = re.compile(
    r"crypto|bitcoin|\bbtc\b|ether|blockchain|token|\bnfts?\b|defi|web3|stablecoin|coin\b|mining|\bminers?\b"
    r"|dao\b|\bdex\b|satoshi|binance|coinbase|a16z",
    re.IGNORECASE,
)

_PCT_TIERS = ((2.0, 1.2), (10.0, 1.8), (math.inf, 2.4))  # (upper bound of |x|%, valence)
_PCT_NAMES = ("under 2%", "2-10%", "10% or more")
_SEP = re.compile(r"[\s\-]+")
_PUNCT = string.punctuation
#: Pre-check of the rewrite rules: ASCII punctuation becomes a space, so that `split()` gives the words a
#: rewrite match can start with.
_PUNCT_TO_SPACE = bytes.maketrans(_PUNCT.encode(), b" " * len(_PUNCT))
_MONEY_RE = r"\$\s?\d[\d,]*(?:\.\d+)?\s?(?:million|billion|trillion|bn|[mb])\b"
_MONEY = re.compile(_MONEY_RE)
_PERCENT_UNIT_RE = r"(?:%|percent\b|per\s+cent\b|pct\b)"
_PERCENT_UNIT = re.compile(r"\d\s?" + _PERCENT_UNIT_RE)


@dataclass(frozen=True, slots=True)
class Explanation:
    """Why a text got its score: `entries` are the (word or phrase, valence) pairs that fired, `rules`
    the rules."""

    text: str
    compound: float
    label: Label
    entries: tuple[tuple[str, float], ...]
    rules: tuple[str, ...]


def _norm(phrase: str) -> str:
    """Lower case, hyphens as spaces, single spaces: the form phrase keys are stored in."""
    return " ".join(_SEP.sub(" ", phrase.lower()).split())


def _alt(words: Iterable[str]) -> str:
    """A trie-shaped regex alternation of lower-case phrases (fast: no backtracking over siblings).
    A space or hyphen between words matches any run of spaces and hyphens."""
    trie: dict[str, dict] = {}  # type: ignore[type-arg]
    for word in {_norm(w) for w in words}:
        node = trie
        for ch in word:
            node = node.setdefault(ch, {})
        node[""] = {}

    def emit(node: dict[str, dict]) -> str:  # type: ignore[type-arg]
        branches = [(r"[\s\-]+" if ch == " " else re.escape(ch)) + emit(sub) for ch, sub in sorted(node.items())
                    if ch]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        if "" in node:
            return f"(?:{body})?"
        return body

    return emit(trie)


class _FastVader:
    """VADER's `polarity_scores(text)["compound"]`, same arithmetic, faster: VADER re-lower-cases the whole
    sentence for every lexicon hit (three times), which makes it slow on text rich in lexicon words. Here
    the lower-cased words are computed once; every rule (negation, "no", boosters, ALL-CAPS emphasis,
    idioms, "least", "but", punctuation) is VADER 3.3.2's own, in its order. tests/scoring checks that
    both give identical compounds."""

    def __init__(self, analyzer: SentimentIntensityAnalyzer) -> None:
        self.analyzer = analyzer
        self.lexicon: dict[str, float] = analyzer.lexicon
        self._negate = frozenset(vs.NEGATE)
        self._boosters: dict[str, float] = vs.BOOSTER_DICT
        #: first two words of every multi-word idiom and booster phrase VADER's idiom check looks for
        self._idiom_pairs = frozenset(
            (key.split()[0], key.split()[1]) for key in (*vs.SPECIAL_CASES, *vs.BOOSTER_DICT) if " " in key
        )

    def _emoji_free(self, text: str) -> str:
        if text.isascii():  # every emoji in VADER's table is non-ASCII
            return text.strip()
        emojis = self.analyzer.emojis
        out: list[str] = []
        prev_space = True
        for ch in text:
            if ch in emojis:
                if not prev_space:
                    out.append(" ")
                out.append(emojis[ch])
                prev_space = False
            else:
                out.append(ch)
                prev_space = ch == " "
        return "".join(out).strip()

    def _negated(self, word: str) -> bool:
        return word in self._negate or "n't" in word

    def compound(self, raw: str) -> tuple[float, list[str]]:
        """(VADER compound of `raw`, the lower-cased tokens that are non-zero lexicon entries, in order)."""
        text = self._emoji_free(raw)
        punct = _PUNCT
        # VADER's token clean-up (strip surrounding punctuation unless two characters or fewer remain), inline
        words = [w if len(s := w.strip(punct)) <= 2 else s for w in text.split()]
        lower = [w.lower() for w in words]
        n = len(words)
        caps = sum(map(str.isupper, words))
        cap_diff = 0 < n - caps < n  # vs.allcap_differential
        lex, boosters = self.lexicon, self._boosters
        idioms: bool | None = None  # does the text hold the first two words of a VADER idiom? (computed lazily)
        sentiments: list[float] = []
        total = 0.0
        for i, low in enumerate(lower):
            if low in boosters or (low == "kind" and i < n - 1 and lower[i + 1] == "of"):
                sentiments.append(0)
            elif low in lex:
                if idioms is None:
                    idioms = not self._idiom_pairs.isdisjoint(pairwise(lower))
                valence = self._valence(i, words, lower, cap_diff, idioms)
                sentiments.append(valence)
                total += abs(valence)
            else:
                sentiments.append(0)
        fired = [low for low in lower if lex.get(low, 0.0) != 0.0]
        if not total:  # no sentiment at all: VADER's compound is 0.0 whatever the punctuation
            return 0.0, fired
        if "but" in lower:
            sentiments = self.analyzer._but_check(words, sentiments)
        # VADER's score_valence, compound only (the same arithmetic, without the pos/neg/neu proportions)
        sum_s = float(sum(sentiments))
        if sum_s > 0:
            sum_s += self.analyzer._punctuation_emphasis(text)
        elif sum_s < 0:
            sum_s -= self.analyzer._punctuation_emphasis(text)
        return round(vs.normalize(sum_s), 4), fired

    def _valence(self, i: int, words: list[str], lower: list[str], cap_diff: bool, idioms: bool) -> float:
        lex = self.lexicon
        low = lower[i]
        valence = lex[low]
        if low == "no" and i != len(words) - 1 and lower[i + 1] in lex:
            valence = 0.0
        if (i > 0 and lower[i - 1] == "no") or (i > 1 and lower[i - 2] == "no") or (
            i > 2 and lower[i - 3] == "no" and lower[i - 1] in ("or", "nor")
        ):
            valence = lex[low] * vs.N_SCALAR
        if words[i].isupper() and cap_diff:
            valence = valence + vs.C_INCR if valence > 0 else valence - vs.C_INCR
        for start_i in range(3):
            if i > start_i and lower[i - (start_i + 1)] not in lex:
                if lower[i - (start_i + 1)] in self._boosters:  # else vs.scalar_inc_dec is 0.0
                    scalar = vs.scalar_inc_dec(words[i - (start_i + 1)], valence, cap_diff)
                    if start_i == 1 and scalar != 0:
                        scalar = scalar * 0.95
                    if start_i == 2 and scalar != 0:
                        scalar = scalar * 0.9
                    valence = valence + scalar
                valence = self._negation(valence, lower, start_i, i)
                if start_i == 2 and idioms:  # without an idiom's first two words the check changes nothing
                    valence = vs.SentimentIntensityAnalyzer._special_idioms_check(valence, lower, i)
        if i > 1 and lower[i - 1] not in lex and lower[i - 1] == "least":
            if lower[i - 2] != "at" and lower[i - 2] != "very":
                valence = valence * vs.N_SCALAR
        elif i > 0 and lower[i - 1] not in lex and lower[i - 1] == "least":
            valence = valence * vs.N_SCALAR
        return float(valence)

    def _negation(self, valence: float, lower: list[str], start_i: int, i: int) -> float:
        if start_i == 0:
            if self._negated(lower[i - 1]):
                valence = valence * vs.N_SCALAR
        elif start_i == 1:
            if lower[i - 2] == "never" and lower[i - 1] in ("so", "this"):
                valence = valence * 1.25
            elif lower[i - 2] == "without" and lower[i - 1] == "doubt":
                pass
            elif self._negated(lower[i - 2]):
                valence = valence * vs.N_SCALAR
        else:
            if (lower[i - 3] == "never" and lower[i - 2] in ("so", "this")) or lower[i - 1] in ("so", "this"):
                valence = valence * 1.25
            elif lower[i - 3] == "without" and (lower[i - 2] == "doubt" or lower[i - 1] == "doubt"):
                pass
            elif self._negated(lower[i - 3]):
                valence = valence * vs.N_SCALAR
        return valence


class Scorer:
    """VADER + crypto lexicon. Build once; `score` and friends only read state, so one instance is
    safe to share between threads. Deterministic: the same text always gives the same compound."""

    def __init__(self, extra_words: Mapping[str, float] | None = None) -> None:
        self._vader = SentimentIntensityAnalyzer()
        lex = self._vader.lexicon  # this instance's own dict; VADER keeps no module-level copy
        for word in lx.NEUTRALISE:
            lex[word] = 0.0
        self._ours: dict[str, float] = dict(lx.WORDS)
        if extra_words:
            self._ours.update({k.lower(): v for k, v in extra_words.items()})
        self._display: dict[str, str] = {}  # synthetic token -> what the reader sees in an explanation
        self._rule_of: dict[str, str] = {}  # synthetic token -> rule name
        self._phrase_token: dict[str, str] = {}
        for i, (phrase, valence) in enumerate(sorted(lx.PHRASES.items())):
            token = f"zzphrase{i}x"
            self._phrase_token[_norm(phrase)] = token
            self._add_synthetic(token, valence, phrase, "phrase")
        for direction, sign in (("up", 1.0), ("down", -1.0)):
            for tier, (_bound, valence) in enumerate(_PCT_TIERS, start=1):
                token = f"zzpct{direction}{tier}x"
                self._add_synthetic(token, sign * valence, f"{direction} {_PCT_NAMES[tier - 1]}", "percent")
        self._add_synthetic("zzflipgoodx", 1.8, "bad noun falls (good)", "flip")
        self._add_synthetic("zzflipbadx", -1.8, "bad noun rises (bad)", "flip")
        self._add_synthetic("zzmoneyx", MONEY_VALENCE, "$ millions or more", "money")
        lex.update(self._ours)
        self._lex = lex
        self._fast = _FastVader(self._vader)

        nouns, ups, downs = _alt(lx.BAD_NOUNS), _alt(lx.UP_VERBS), _alt(lx.DOWN_VERBS)
        gap = r"(?:\s+(?:its|their|the|a|an|our|of|by|to|has|have|had|was|were|is|are|been|further|sharply"
        gap += r"|slightly|significantly|substantially|net|operating|pretax|pre-tax|quarterly|annual|total"
        gap += r"|\d[\d.,]*%?))"
        up_cues, down_cues = _alt(lx.PCT_UP_CUES), _alt(lx.PCT_DOWN_CUES)
        # Pre-check (see _rewrite_pattern): the words a flip or phrase match starts with (ASCII bytes).
        words: set[bytes] = {w.encode("ascii") for w in lx.BAD_NOUNS}
        pairs: set[tuple[bytes, bytes]] = set()
        for phrase in lx.PHRASES:
            first = _norm(phrase).encode("ascii").translate(_PUNCT_TO_SPACE).split()
            if len(first) == 1:
                words.add(first[0])
            else:
                pairs.add((first[0], first[1]))
        self._trigger_words, self._trigger_pairs = frozenset(words), frozenset(pairs)
        self._trigger_firsts = frozenset(a for a, _b in pairs)
        # One pass over the lower-cased text; the leftmost match wins, then flip > phrase > percentage.
        numeric = (
            rf"(?P<money>{_MONEY_RE})"
            rf"|(?<![\w.%])(?:(?:(?P<up>{up_cues})|(?P<down>{down_cues}))\s+(?:by\s+)?)?"
            rf"(?P<sign>[+\-−])?\s?(?P<num>\d{{1,4}}(?:[.,]\d+)?)\s?{_PERCENT_UNIT_RE}"
            r"(?:\s+(?:(?P<post_up>higher|up)|(?P<post_down>lower|down))\b)?"
        )
        # One pass over the lower-cased text; the leftmost match wins, then flip > phrase > money > percentage.
        self._rewrite_re = re.compile(
            rf"(?<![\w\-])(?:(?:{nouns}){gap}{{0,3}}\s+(?:(?P<nup>{ups})|(?P<ndown>{downs}))"
            rf"|(?:(?P<vup>{ups})|(?P<vdown>{downs})){gap}{{0,2}}\s+(?:{nouns}))(?![\w\-])"
            rf"|(?<![\w\-])(?P<phrase>{_alt(lx.PHRASES)})(?![\w\-])"
            rf"|{numeric}"
        )
        # The same without flips and phrases, for text that cannot hold one, and money alone, for text that
        # cannot hold a percentage either (see _rewrite_pattern). Never-matching groups keep the group names.
        never = "".join(f"(?P<{name}>(?!))" for name in ("nup", "ndown", "vup", "vdown", "phrase"))
        self._numeric_re = re.compile(f"{never}|{numeric}")
        never += "".join(f"(?P<{name}>(?!))" for name in ("up", "down", "sign", "num", "post_up", "post_down"))
        self._money_re = re.compile(f"(?P<money>{_MONEY_RE})|{never}")

    def _add_synthetic(self, token: str, valence: float, display: str, rule: str) -> None:
        self._ours[token] = valence
        self._display[token] = display
        self._rule_of[token] = rule

    # -- rewriting -------------------------------------------------------------------------------------
    def _token_for(self, m: re.Match[str]) -> str | None:
        """The synthetic token replacing a rewrite match, or None to keep the text as it is."""
        if m.group("phrase") is not None:
            return self._phrase_token.get(_norm(m.group("phrase")))
        if m.group("money") is not None:
            return "zzmoneyx" if _CRYPTO.search(m.string) else None
        if m.group("num") is None:
            good = m.group("ndown") is not None or m.group("vdown") is not None
            return "zzflipgoodx" if good else "zzflipbadx"
        sign = m.group("sign")
        if m.group("up") or m.group("post_up") or sign == "+":
            direction = "up"
        elif m.group("down") or m.group("post_down") or sign in ("-", "−"):
            direction = "down"
        else:
            return None
        size = float(m.group("num").replace(",", "."))
        tier = next(i for i, (bound, _v) in enumerate(_PCT_TIERS, start=1) if size < bound)
        return f"zzpct{direction}{tier}x"

    def _rewrite_pattern(self, low: str) -> re.Pattern[str] | None:
        """The cheapest pattern that finds every rewrite in the lower-cased text, or None when none can match.

        Exact, not a heuristic: a flip or phrase match starts and ends at word boundaries, so the text's words
        (runs of word characters) hold a bad noun (flip), or the phrase's only word, or its first two words
        side by side (phrase). A money amount needs "$" and a percentage "%", "pct" or "per(…)cent". Text with
        none of these is left as it is; text with only the numeric ones gets the smaller money/percentage
        pattern. Words are split on punctuation with a byte table, the fast way."""
        # Non-ASCII characters become "?" (punctuation): exact, as every trigger word is ASCII.
        words = low.encode("ascii", "replace").translate(_PUNCT_TO_SPACE).split()
        if not (self._trigger_words.isdisjoint(words) and (
            self._trigger_firsts.isdisjoint(words) or self._trigger_pairs.isdisjoint(pairwise(words))
        )):
            return self._rewrite_re
        if ("%" in low or "pct" in low or "cent" in low) and _PERCENT_UNIT.search(low) is not None:
            return self._numeric_re
        if "$" in low and _MONEY.search(low) is not None:
            return self._money_re
        return None

    def _rewrite(self, text: str) -> str:
        """Replace phrases, flips and signed percentages with synthetic tokens (original casing kept)."""
        low = text.lower()
        pattern = self._rewrite_pattern(low)
        if pattern is None:
            return text
        base = text if len(low) == len(text) else low  # a few Unicode letters change length when lowered
        pieces: list[str] = []
        last = 0
        for m in pattern.finditer(low):
            token = self._token_for(m)
            if token is not None:
                pieces.append(base[last : m.start()])
                pieces.append(f" {token} ")
                last = m.end()
        if not pieces:
            return text
        pieces.append(base[last:])
        return "".join(pieces)

    # -- scoring ---------------------------------------------------------------------------------------
    def _compound(self, text: str) -> tuple[float, list[str], list[str]]:
        """(compound, fired lexicon tokens, names of the sentence-level rules that applied)."""
        rewritten = self._rewrite(text)
        compound, fired = self._fast.compound(rewritten)
        rules: list[str] = []
        if compound != 0.0:
            if _QUESTION.match(text) or text.rstrip().endswith("?"):
                compound *= QUESTION_DAMPING
                rules.append("question")
            elif not any(t in self._ours for t in fired) and all(abs(self._lex[t]) <= WEAK_VALENCE for t in fired):
                compound *= FACTUAL_DAMPING
                rules.append("factual-neutral")
        return max(-1.0, min(1.0, round(compound, 4))), fired, rules

    def score(self, text: str) -> float:
        """Compound sentiment of `text` in [-1, 1]; 0.0 for empty text."""
        if not text or not text.strip():
            return 0.0
        return self._compound(text)[0]

    def score_item(self, title: str, summary: str = "") -> float:
        """Score a news item, title first. The title decides when it is polar; a neutral title lets the
        summary's first `SUMMARY_MAX_CHARS` characters speak, at `SUMMARY_WEIGHT`."""
        t = self.score(title)
        summary = summary.strip()
        if not summary or self.label(t) != "neutral" or summary.startswith(title.strip() or "\0"):
            return t
        s = self.score(summary[:SUMMARY_MAX_CHARS])
        return max(-1.0, min(1.0, round(t + SUMMARY_WEIGHT * s, 4)))

    @staticmethod
    def label(compound: float) -> Label:
        """positive if compound >= POSITIVE_THRESHOLD, negative if <= NEGATIVE_THRESHOLD, else neutral."""
        if compound >= POSITIVE_THRESHOLD:
            return "positive"
        if compound <= NEGATIVE_THRESHOLD:
            return "negative"
        return "neutral"

    def explain(self, text: str) -> Explanation:
        """Score `text` and say which lexicon entries and rules fired."""
        if not text or not text.strip():
            return Explanation(text, 0.0, "neutral", (), ())
        compound, fired, sentence_rules = self._compound(text)
        entries: list[tuple[str, float]] = []
        rules: list[str] = []
        for tok in fired:
            if tok in self._rule_of:
                rule = f"{self._rule_of[tok]}:{self._display[tok]}"
                if rule not in rules:
                    rules.append(rule)
                if self._rule_of[tok] == "phrase":
                    entries.append((self._display[tok], self._lex[tok]))
            else:
                origin = "crypto" if tok in self._ours else "vader"
                entries.append((f"{tok} ({origin})", self._lex[tok]))
        rules.extend(sentence_rules)
        return Explanation(text, compound, self.label(compound), tuple(entries), tuple(rules))
