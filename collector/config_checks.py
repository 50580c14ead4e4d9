"""Validation primitives for the config: pure, each records problems instead of raising.

A check takes (problems, path, value) and returns the converted value, or `INVALID` after recording one
problem at `path`. `read_section` applies a table of `Field`s to one mapping, reporting unknown keys with the
nearest known key, and secrets written into the file with the environment variable to use instead.
"""

from __future__ import annotations

import difflib
import math
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from collector.redact import redact_url


class _Invalid:
    def __repr__(self) -> str:
        return "INVALID"


#: Returned by a check that recorded a problem.
INVALID: Any = _Invalid()


class Problems:
    """Collects `path: message` lines, in the order found."""

    def __init__(self) -> None:
        self.lines: list[str] = []

    def add(self, path: str, message: str) -> None:
        self.lines.append(f"{path}: {message}")

    def __bool__(self) -> bool:
        return bool(self.lines)


Check = Callable[[Problems, str, Any], Any]


def join(path: str, key: object) -> str:
    """`a` + `b` -> `a.b`; `a` + 3 -> `a[3]`."""
    if isinstance(key, int) and not isinstance(key, bool):
        return f"{path}[{key}]"
    return f"{path}.{key}" if path else str(key)


def show(value: object, limit: int = 60) -> str:
    """A short repr of a user value for a message."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def kind_of(value: object) -> str:
    """What YAML made of a value, in words."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, Mapping):
        return "a mapping"
    if isinstance(value, list | tuple):
        return "a list"
    return type(value).__name__


# -- durations -------------------------------------------------------------------------------------------

_UNITS = {"d": 86400.0, "h": 3600.0, "m": 60.0, "s": 1.0, "ms": 0.001}
_PART = re.compile(r"(\d+(?:\.\d+)?)(ms|d|h|m|s)")
_DURATION_HELP = 'write seconds (90) or a duration like "90s", "5m", "1h", "1h30m"'


def parse_duration(value: object) -> float | None:
    """Seconds from a number or a string like "90s", "5m", "1h30m", "250ms"; None if it is neither."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    if not isinstance(value, str):
        return None
    text = value.strip()
    if re.fullmatch(r"\d+(?:\.\d+)?", text):
        return float(text)
    pos, total, last_rank = 0, 0.0, -1
    order = ["d", "h", "m", "s", "ms"]
    while pos < len(text):
        m = _PART.match(text, pos)
        if m is None:
            return None
        rank = order.index(m.group(2))
        if rank <= last_rank:  # each unit once, largest first: "1h30m", not "30m1h" or "1m1m"
            return None
        last_rank = rank
        total += float(m.group(1)) * _UNITS[m.group(2)]
        pos = m.end()
    return total if text else None


#: The longest duration any setting accepts: beyond it a schedule is meaningless and date arithmetic overflows.
MAX_DURATION = 366 * 86400.0


def _duration(minimum: float, strict: bool) -> Check:
    def check(problems: Problems, path: str, value: Any) -> Any:
        seconds = parse_duration(value)
        word = "positive" if strict else "non-negative"
        if seconds is None:
            if isinstance(value, int | float | str) and not isinstance(value, bool):
                problems.add(path, f"not a duration: {show(value)}; {_DURATION_HELP}")
            else:
                problems.add(path, f"must be a {word} duration, got {kind_of(value)}; {_DURATION_HELP}")
            return INVALID
        if not math.isfinite(seconds) or seconds < minimum or (strict and seconds <= minimum):
            problems.add(path, f"must be a {word} duration, got {show(value)}")
            return INVALID
        if seconds > MAX_DURATION:
            problems.add(path, f"must be at most 366d (a schedule cannot run less often), got {show(value)}")
            return INVALID
        return seconds

    return check


positive_duration = _duration(0.0, strict=True)
nonneg_duration = _duration(0.0, strict=False)


# -- scalars ---------------------------------------------------------------------------------------------


def boolean(problems: Problems, path: str, value: Any) -> Any:
    if isinstance(value, bool):
        return value
    hint = " (YAML 1.2: write true or false, not yes/no/on/off)" if isinstance(value, str) else ""
    problems.add(path, f"must be true or false, got {show(value)}{hint}")
    return INVALID


def number(minimum: float | None = None, maximum: float | None = None, *, above: bool = False,
           integer: bool = False) -> Check:
    """A number (never a bool) in [minimum, maximum]; `above`: strictly greater than minimum."""

    def check(problems: Problems, path: str, value: Any) -> Any:
        what = "an integer" if integer else "a number"
        ok_type = isinstance(value, int) if integer else isinstance(value, int | float)
        if isinstance(value, bool) or not ok_type:
            problems.add(path, f"must be {what}, got {show(value)}")
            return INVALID
        if not math.isfinite(value):
            problems.add(path, f"must be a finite number, got {show(value)}")
            return INVALID
        low_bad = minimum is not None and (value <= minimum if above else value < minimum)
        high_bad = maximum is not None and value > maximum
        if low_bad or high_bad:
            lo = "" if minimum is None else (f"> {minimum:g}" if above else f">= {minimum:g}")
            hi = "" if maximum is None else f"<= {maximum:g}"
            problems.add(path, f"must be {what} {' and '.join(p for p in (lo, hi) if p)}, got {show(value)}")
            return INVALID
        return int(value) if integer else float(value)

    return check


def string(pattern: str | None = None, *, hint: str = "", choices: Iterable[str] = ()) -> Check:
    """A non-empty string (stripped), optionally matching `pattern` or one of `choices`."""
    allowed = tuple(choices)
    rx = re.compile(pattern) if pattern else None

    def check(problems: Problems, path: str, value: Any) -> Any:
        if not isinstance(value, str):
            problems.add(path, f"must be a string, got {kind_of(value)} {show(value)}")
            return INVALID
        text = value.strip()
        if not text:
            problems.add(path, "must not be empty")
            return INVALID
        if allowed and text not in allowed:
            problems.add(path, f"must be one of {', '.join(allowed)}; got {show(text)}")
            return INVALID
        if rx is not None and not rx.fullmatch(text):
            problems.add(path, f"invalid value {show(text)}{'; ' + hint if hint else ''}")
            return INVALID
        return text

    return check


def template(problems: Problems, path: str, value: Any) -> Any:
    """A non-empty string that may contain `{version}` and no other placeholder."""
    text = string()(problems, path, value)
    if text is INVALID:
        return INVALID
    try:
        text.format(version="0")
    except (KeyError, IndexError, ValueError):
        problems.add(path, f"only the placeholder {{version}} is allowed, got {show(text)}")
        return INVALID
    return text


def list_of(item: Check, *, allow_empty: bool = True, unique: bool = True) -> Check:
    """A list whose items pass `item`; a single scalar is an error (write `[x]`)."""

    def check(problems: Problems, path: str, value: Any) -> Any:
        if not isinstance(value, list):
            problems.add(path, f"must be a list, got {kind_of(value)} {show(value)}; write [a, b]")
            return INVALID
        if not value and not allow_empty:
            problems.add(path, "must list at least one entry")
            return INVALID
        out: list[Any] = []
        bad = False
        seen: dict[Any, int] = {}
        for i, raw in enumerate(value):
            got = item(problems, join(path, i), raw)
            if got is INVALID:
                bad = True
                continue
            key = got.casefold() if isinstance(got, str) else got
            if unique and key in seen:
                problems.add(join(path, i), f"duplicate entry {show(got)} (same as {join(path, seen[key])})")
                bad = True
                continue
            seen[key] = i
            out.append(got)
        return INVALID if bad else out

    return check


# -- URLs ------------------------------------------------------------------------------------------------

_SECRET_QUERY = re.compile(r"(token|key|secret|password|passwd|signature|sig|session)", re.I)


def http_url(problems: Problems, path: str, value: Any) -> Any:
    """An absolute http(s) URL with a host, no credentials in it. Returned as written (stripped)."""
    if not isinstance(value, str):
        problems.add(path, f"must be an http(s) URL string, got {kind_of(value)} {show(value)}")
        return INVALID
    text = value.strip()
    try:
        parts = urlsplit(text)
        host = parts.hostname
        _ = parts.port  # raises ValueError for a bad port
    except ValueError:
        problems.add(path, f"not an http(s) URL: {show(redact_url(text))}")
        return INVALID
    if parts.scheme.lower() not in ("http", "https") or not host or any(c.isspace() for c in text):
        problems.add(path, f"not an http(s) URL: {show(redact_url(text))}")
        return INVALID
    secret_params = [k for k, _v in parse_qsl(parts.query) if _SECRET_QUERY.search(k)]
    if "@" in parts.netloc or secret_params:
        problems.add(path, f"URL carries credentials ({show(redact_url(text))}); remove them, secrets come "
                           "from environment variables only (see the comments in feeds.yaml)")
        return INVALID
    return text


def base_url(problems: Problems, path: str, value: Any) -> Any:
    """An http(s) URL, returned without its trailing slash (sources append "/path")."""
    url = http_url(problems, path, value)
    return INVALID if url is INVALID else url.rstrip("/")


_TRACKING = re.compile(r"^(utm_.*|mtm_.*|pk_.*|fbclid|gclid|dclid|msclkid|mc_cid|mc_eid|_hsenc|_hsmi|"
                       r"igshid|yclid|ref|ref_src|cmpid|ncid)$", re.I)


def normalize_url(url: str) -> str:
    """A URL's identity for duplicate detection: scheme and host lower-cased, default port, fragment,
    trailing slash and tracking parameters (utm_*, fbclid, ...) dropped, remaining parameters sorted."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        return url.strip()
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    if port is not None and (scheme, port) not in (("http", 80), ("https", 443)):
        host = f"{host}:{port}"
    path = parts.path.rstrip("/")
    query = parse_qsl(parts.query, keep_blank_values=True)
    pairs = sorted((k, v) for k, v in query if not _TRACKING.match(k))
    return urlunsplit((scheme, host, path, urlencode(pairs), ""))


# -- sections --------------------------------------------------------------------------------------------

_SECRET_KEY = re.compile(r"(?:^|_)(?:api_?key|apikey|key|token|secrets?|password|passwd|client_id)$")


def looks_secret(key: str) -> bool:
    """True for setting names that hold credentials: api_key, auth_token, client_secret, password, ..."""
    return bool(_SECRET_KEY.search(key.lower().replace("-", "_")))


@dataclass(frozen=True, slots=True)
class Field:
    check: Check
    default: Any = None
    nullable: bool = False  # null is a valid value (it means "not set")


def check_keys(problems: Problems, path: str, data: Mapping[Any, Any], known: Iterable[str],
               secret_hint: str = "") -> None:
    """Report keys not in `known`, suggesting the nearest; a secret-looking key gets `secret_hint`."""
    names = list(known)
    for key in data:
        if isinstance(key, str) and key in names:
            continue
        where = join(path, key)
        if not isinstance(key, str):
            problems.add(where, f"unknown key {show(key)} (keys here are names: {', '.join(names)})")
            continue
        if looks_secret(key):
            hint = secret_hint or "set the matching environment variable"
            problems.add(where, f"secrets must not be written in the config file; remove this key and {hint}")
            continue
        close = difflib.get_close_matches(key, names, n=1, cutoff=0.6)
        if close:
            problems.add(where, f"unknown key; did you mean {close[0]!r}?")
        else:
            problems.add(where, f"unknown key; known keys here: {', '.join(names)}")


def read_section(problems: Problems, path: str, data: Any, fields: Mapping[str, Field],
                 secret_hint: str = "") -> dict[str, Any]:
    """Validate one mapping against `fields`: a dict of every field (defaults for absent or bad values)."""
    out = {name: f.default for name, f in fields.items()}
    if data is None:
        return out
    if not isinstance(data, Mapping):
        problems.add(path, f"must be a mapping of settings, got {kind_of(data)} {show(data)}")
        return out
    check_keys(problems, path, data, fields, secret_hint)
    for name, f in fields.items():
        if name not in data:
            continue
        value = data[name]
        where = join(path, name)
        if value is None:
            if not f.nullable:
                problems.add(where, "has no value; give one, or remove the key to use the default "
                                    f"({show(f.default)})")
            else:
                out[name] = None
            continue
        got = f.check(problems, where, value)
        if got is not INVALID:
            out[name] = got
    return out
