"""Keep secrets out of everything we print, log or export.

`redact_url` drops credentials from the userinfo and masks the value of every query parameter whose name
looks secret (auth_token, api_key, key, token, secret, ...). `Redactor` additionally replaces every known
secret value wherever it appears in a string (headers, bodies quoted in errors, exception text).

Every secret a `Redactor` is built with is also remembered for the process, so that `scrub` can clean text
produced where no redactor is at hand: `SourceError` scrubs its own message (an upstream may echo a token in
an error body that a pure `parse` quotes). Credentials made or received at run time (HTTP Basic values, OAuth
bearer tokens) are registered with `remember`; every Redactor hides the last 64 of them too.
"""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Iterable
from urllib.parse import parse_qsl, quote, quote_plus, urlencode, urlsplit, urlunsplit

MASK = "REDACTED"
SECRET_PARAM = re.compile(r"(token|key|secret|password|passwd|auth|signature|sig|session)", re.I)
_SECRET_PARAM = SECRET_PARAM
_KNOWN: set[str] = set()  # every secret any Redactor was built with (see `scrub`)
_LEARNT: deque[str] = deque(maxlen=64)  # credentials learnt at run time (see `remember`)
_learnt_pattern: re.Pattern[str] | None = None


def _encodings(secret: str) -> set[str]:
    """The forms a secret takes in URLs and logs: raw, percent-encoded (once and twice), form-encoded."""
    once = quote(secret, safe="")
    return {secret, once, quote(once, safe=""), quote_plus(secret), quote(secret)}


def _alternation(secrets: Iterable[str]) -> re.Pattern[str] | None:
    ordered = sorted({form for s in secrets for form in _encodings(s)}, key=len, reverse=True)
    return re.compile("|".join(re.escape(s) for s in ordered)) if ordered else None


def remember(secret: str) -> None:
    """Hide `secret` everywhere from now on: a credential made or received at run time (an OAuth token)."""
    global _learnt_pattern
    if not secret or len(secret) < 4 or secret in _LEARNT:
        return
    _LEARNT.append(secret)
    _learnt_pattern = _alternation(_LEARNT)


def redact_url(url: str) -> str:
    """Return `url` without userinfo and with secret-looking query values replaced by REDACTED."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return "<unparsable url>"
    netloc = parts.netloc
    if "@" in netloc:
        netloc = netloc.rsplit("@", 1)[1]
    query = parts.query
    if query:
        pairs = parse_qsl(query, keep_blank_values=True)
        query = urlencode([(k, MASK if _SECRET_PARAM.search(k) else v) for k, v in pairs], safe=",")
    return urlunsplit((parts.scheme, netloc, parts.path, query, ""))


class Redactor:
    """Replaces known secret values (and secret-looking URL parameters) in any text."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        self._secrets = sorted({s for s in secrets if s and len(s) >= 4}, key=len, reverse=True)
        _KNOWN.update(self._secrets)
        self._pattern = _alternation(self._secrets)

    def __call__(self, text: str) -> str:
        if self._pattern is not None:
            text = self._pattern.sub(MASK, text)
        learnt = _learnt_pattern
        if learnt is not None:
            text = learnt.sub(MASK, text)
        return _URL_SECRET_PARAM.sub(lambda m: m.group(1) + MASK, text)


_URL_SECRET_PARAM = re.compile(
    r"([?&](?:auth_token|api_key|apikey|access_token|token|key|client_secret|x-cg-[a-z]+-api-key)=)[^&\s\"'<>]+",
    re.I,
)


_scrubber: tuple[frozenset[str], Redactor] = (frozenset(), Redactor())


def scrub(text: str) -> str:
    """`text` without any secret this process knows of (see module doc) or secret-looking URL parameter."""
    global _scrubber
    if _scrubber[0] != _KNOWN:
        known = frozenset(_KNOWN)
        _scrubber = (known, Redactor(known))
    return _scrubber[1](text)
