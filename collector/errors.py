"""The one error tree of the collector.

Every message says what failed, where (config path, source, feed) and, where it helps, what to do.
Messages never contain secrets: URLs are redacted before they reach an error (see `collector.redact`).
"""

from __future__ import annotations

from collections.abc import Sequence

from collector.redact import scrub

#: The fixed set of failure reasons used in `sigmax_research_api_errors_total{reason}` and in results.
REASONS: tuple[str, ...] = (
    "timeout",  # connect/read/overall deadline exceeded
    "connect",  # connection refused, DNS failure, reset
    "tls",  # certificate or handshake failure
    "redirect",  # redirect loop, too many redirects, or a redirect that is not allowed
    "rate_limited",  # HTTP 429, or still inside a Retry-After/backoff window
    "quota",  # plan quota exhausted (CryptoPanic says so in the body)
    "auth",  # 401/403: missing, wrong or unauthorised credentials
    "http_4xx",  # any other 4xx
    "http_5xx",  # any 5xx
    "too_large",  # body over the configured size cap (after decompression)
    "parse",  # the body is not what the source expects
    "internal",  # a bug in the collector; logged with a traceback, counted, never fatal
)


class CollectorError(Exception):
    """Base of every error the collector raises on purpose."""


class ConfigError(CollectorError):
    """The configuration is invalid. `problems` holds one line per problem, each starting with its path."""

    def __init__(self, problems: Sequence[str], *, path: str | None = None) -> None:
        self.problems = list(problems)
        self.path = path
        where = f"{path}: " if path else ""
        count = len(self.problems)
        head = f"{where}{count} configuration problem{'s' if count != 1 else ''}"
        super().__init__(head + "".join(f"\n  {p}" for p in self.problems))


class SourceError(CollectorError):
    """A source failed. `reason` is one of REASONS; `api` and `feed` say where."""

    reason: str = "internal"
    #: set by the HTTP edge once it has counted this failure in the request metrics
    counted: bool = False

    def __init__(self, message: str, *, api: str = "", feed: str | None = None, reason: str | None = None) -> None:
        if reason is not None:
            self.reason = reason
        assert self.reason in REASONS, self.reason
        self.api = api
        self.feed = feed
        self.message = message = scrub(message)  # no token in str(), repr() or args, whoever quoted what
        super().__init__(message)

    def __str__(self) -> str:
        where = self.api + (f" feed {self.feed!r}" if self.feed else "")
        return f"{where}: {self.message}" if where else self.message


class FetchError(SourceError):
    """The HTTP exchange failed (transport, status, size)."""

    reason = "connect"


class RateLimited(FetchError):
    """HTTP 429 or an active backoff window. `retry_after` is seconds from now, when known."""

    reason = "rate_limited"

    def __init__(self, message: str, *, retry_after: float | None = None, **kw: object) -> None:
        self.retry_after = retry_after
        super().__init__(message, **kw)  # type: ignore[arg-type]


class ParseError(SourceError):
    """The body could not be understood."""

    reason = "parse"
