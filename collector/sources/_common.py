"""Small pure helpers the JSON sources share: decode a body, read loosely typed values, read `params`.

Upstream JSON is hostile input: every reader here accepts any value and returns a typed value or None,
never raising. `load_json` is the only function that raises, and only `ParseError`.
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Mapping
from datetime import UTC, datetime

from collector.errors import FetchError, ParseError
from collector.text import clean_text


def load_json(body: bytes, *, api: str, feed: str | None = None) -> object:
    """Decode a JSON body (UTF-8, bad bytes replaced) or raise a ParseError that says what came instead."""
    text = body.decode("utf-8", "replace").lstrip("\ufeff")
    head = text.lstrip()[:200].lower()
    if not head:
        raise ParseError("empty body where JSON was expected", api=api, feed=feed)
    if head.startswith("<"):
        what = "an HTML page" if ("<html" in head or "<!doctype" in head or "<head" in head) else "markup"
        raise ParseError(f"got {what} instead of JSON (a block page, proxy or error page?)",
                         api=api, feed=feed)
    try:
        return json.loads(text)
    except RecursionError:
        raise ParseError("JSON nested too deeply", api=api, feed=feed) from None
    except ValueError as exc:  # JSONDecodeError, and int strings over the digit limit
        raise ParseError(f"invalid JSON ({str(exc)[:80]})", api=api, feed=feed) from None


def as_dict(value: object) -> dict[str, object] | None:
    return value if isinstance(value, dict) else None


def as_list(value: object) -> list[object] | None:
    return value if isinstance(value, list) else None


def as_str(value: object) -> str:
    """A string value, or "" for anything else (numbers are not ids here unless the caller says so)."""
    return value if isinstance(value, str) else ""


def as_id(value: object) -> str:
    """An id that may arrive as a string or an integer ("" otherwise)."""
    if isinstance(value, bool):
        return ""
    if isinstance(value, int):
        return str(value)
    return clean_text(value, 200) if isinstance(value, str) else ""


def as_float(value: object) -> float | None:
    """A finite number from a JSON number or a numeric string; None for anything else (bools included)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        try:
            out = float(value)
        except OverflowError:
            return None
    elif isinstance(value, str) and 0 < len(value) <= 64:
        try:
            out = float(value.strip())
        except ValueError:
            return None
    else:
        return None
    return out if math.isfinite(out) else None


def as_timestamp(value: object) -> float | None:
    """Unix seconds from a number, a numeric string or an ISO 8601 string (naive means UTC)."""
    num = as_float(value)
    if num is not None:
        return num if 0 <= num < 1e11 else None
    if not isinstance(value, str) or not value or len(value) > 64:
        return None
    text = value.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    try:
        return parsed.timestamp()
    except (OverflowError, ValueError, OSError):
        return None


def upstream_message(value: object, limit: int = 160) -> str:
    """An upstream's own error text, cleaned and cut, safe to quote in a one-line message."""
    return clean_text(value if isinstance(value, str) else json.dumps(value)[:limit], limit)


# -- params ----------------------------------------------------------------------------------------
def p_str(params: Mapping[str, object], key: str, default: str) -> str:
    value = params.get(key, default)
    return value if isinstance(value, str) and value else default


def p_opt_str(params: Mapping[str, object], key: str, default: str | None = None) -> str | None:
    value = params.get(key, default)
    return value if isinstance(value, str) and value else default


def p_bool(params: Mapping[str, object], key: str, default: bool) -> bool:
    value = params.get(key, default)
    return value if isinstance(value, bool) else default


def p_num(params: Mapping[str, object], key: str, default: float) -> float:
    value = params.get(key, default)
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else default


def p_list(params: Mapping[str, object], key: str, default: list[str] | None) -> list[str] | None:
    value = params.get(key, default)
    if value is None:
        return None
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list | tuple):
        return default
    return [v for v in value if isinstance(v, str) and v]


class Deadline:
    """The whole-run deadline of a source with several requests: each request gets what is left."""

    def __init__(self, seconds: float, *, api: str, feed: str | None = None) -> None:
        self.seconds = seconds
        self.api = api
        self.feed = feed
        self._end = time.monotonic() + seconds

    def left(self) -> float:
        """Seconds left for the next request; FetchError(timeout) when none are."""
        rest = self._end - time.monotonic()
        if rest <= 0.05:
            raise FetchError(f"run deadline of {self.seconds:g}s used up before the next request",
                             api=self.api, feed=self.feed, reason="timeout")
        return rest
