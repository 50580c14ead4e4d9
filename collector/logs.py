"""Logging: one JSON object per line when stderr is not a terminal (the container), readable lines on a
terminal. Lines about a source carry `source` (and `feed`) fields. A filter redacts every known secret and
every secret-looking URL parameter from the final text, whatever code produced it."""

from __future__ import annotations

import json
import logging
import sys
import time
from collections.abc import Iterable

from collector.redact import Redactor

_CONTEXT = ("source", "feed", "api", "reason", "duration_seconds", "items", "job", "problems", "path")


class RedactingFilter(logging.Filter):
    def __init__(self, redactor: Redactor) -> None:
        super().__init__()
        self.redactor = redactor

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = self.redactor(record.getMessage())
        record.args = None
        if record.exc_info and record.exc_info[1] is not None:
            record.exc_text = self.redactor(logging.Formatter().formatException(record.exc_info))
            record.exc_info = None
        for key in _CONTEXT:
            val = getattr(record, key, None)
            if isinstance(val, str):
                setattr(record, key, self.redactor(val))
        return True


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        doc: dict[str, object] = {
            "ts": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created)) + f".{int(record.msecs):03d}Z",
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": record.getMessage(),
        }
        for key in _CONTEXT:
            val = getattr(record, key, None)
            if val is not None:
                doc[key] = val
        if record.exc_text:
            doc["exc"] = record.exc_text
        return json.dumps(doc, default=str, ensure_ascii=False)


class TextFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        ctx = " ".join(f"{k}={getattr(record, k)}" for k in _CONTEXT if getattr(record, k, None) is not None)
        line = f"{time.strftime('%H:%M:%S', time.localtime(record.created))} {record.levelname:<7} " \
               f"{record.getMessage()}" + (f"  [{ctx}]" if ctx else "")
        if record.exc_text:
            line += "\n" + record.exc_text
        return line


def setup_logging(*, secrets: Iterable[str] = (), json_lines: bool | None = None, level: str = "INFO") -> None:
    """Configure the root logger once. `json_lines` None: JSON unless stderr is a terminal."""
    use_json = (not sys.stderr.isatty()) if json_lines is None else json_lines
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter() if use_json else TextFormatter())
    handler.addFilter(RedactingFilter(Redactor(secrets)))
    root = logging.getLogger()
    for h in list(root.handlers):
        root.removeHandler(h)
    root.addHandler(handler)
    root.setLevel(level.upper())
    for noisy in ("httpx", "httpcore", "apscheduler", "aiohttp.access"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
