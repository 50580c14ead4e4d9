"""YAML at the edge: read and write config files with ruamel.yaml, YAML 1.2 only.

YAML 1.2 keeps the YAML 1.1 traps shut: `NO`, `ON`, `yes` stay strings, `1:30` is the string "1:30" (not
the sexagesimal 90), `017` is 17. Duplicate keys are an error. Every failure becomes a `ConfigError` whose
one line says file:line:col, what is wrong and what to do.

`load_roundtrip` keeps comments, key order and quoting (for CLI edits); `to_plain` turns that tree into plain
dicts, lists and scalars for `collector.config.parse_config`; `dump_roundtrip` writes it back.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap
from ruamel.yaml.constructor import DuplicateKeyError
from ruamel.yaml.error import MarkedYAMLError, YAMLError

from collector.errors import ConfigError

#: A config file larger than this is refused (a typo'd path to a log file should not eat memory).
MAX_CONFIG_BYTES = 1024 * 1024

_DUP = re.compile(r'found duplicate key "(.*?)"')
_OLD_DIRECTIVE = re.compile(r"^%YAML\s+1\.[01]\b", re.M)


def _yaml() -> YAML:
    y = YAML(typ="rt")  # ruamel's round-trip loader reads YAML 1.2 unless a document says otherwise
    y.allow_duplicate_keys = False
    y.preserve_quotes = True
    y.width = 4096  # never re-wrap long lines on dump
    y.indent(mapping=2, sequence=4, offset=2)
    y.explicit_start = False
    return y


def read_text(path: str | Path) -> str:
    """The file's text (UTF-8). Missing, unreadable, too large or not UTF-8: a ConfigError saying so."""
    p = Path(path)
    where = str(path)
    try:
        raw = p.read_bytes()
    except FileNotFoundError:
        raise ConfigError(
            [f"{where}: file not found; pass --config PATH, set COLLECTOR_CONFIG, "
             "or copy the shipped feeds.yaml here"],
            path=where,
        ) from None
    except IsADirectoryError:
        raise ConfigError([f"{where}: is a directory; pass the path of the YAML file"], path=where) from None
    except OSError as exc:
        raise ConfigError([f"{where}: cannot read the file: {exc.strerror or exc}; check its permissions"],
                          path=where) from None
    if len(raw) > MAX_CONFIG_BYTES:
        raise ConfigError(
            [f"{where}: file is {len(raw)} bytes, more than the {MAX_CONFIG_BYTES} a config may have"],
            path=where)
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ConfigError([f"{where}: not UTF-8 text (byte {exc.start}); save the file as UTF-8"],
                          path=where) from None


def _mark(exc: MarkedYAMLError, path: str) -> str:
    mark = exc.problem_mark or exc.context_mark
    if mark is None:
        return path
    return f"{path}:{mark.line + 1}:{mark.column + 1}"


def _yaml_error(exc: YAMLError, path: str | None) -> ConfigError:
    where = path or "<config>"
    if isinstance(exc, DuplicateKeyError):
        found = _DUP.search(str(exc.problem or ""))
        key = found.group(1) if found else "?"
        first = exc.context_mark.line + 1 if exc.context_mark is not None else None
        line = exc.problem_mark.line + 1 if exc.problem_mark is not None else None
        col = exc.problem_mark.column + 1 if exc.problem_mark is not None else None
        origin = f" (the mapping starts on line {first})" if first else ""
        problem = (f"{where}:{line}:{col}: duplicate key {key!r}{origin}; "
                   "a key may appear once per mapping, remove or rename one of them")
        return ConfigError([problem], path=path)
    if isinstance(exc, MarkedYAMLError):
        what = (exc.problem or exc.context or "invalid YAML").strip()
        problem = (f"{_mark(exc, where)}: YAML syntax error: {what}; "
                   "check the indentation, colons and quotes around this point")
        return ConfigError([problem], path=path)
    return ConfigError([f"{where}: YAML error: {str(exc).strip() or type(exc).__name__}"], path=path)


def load_roundtrip(text: str, path: str | None = None) -> Any:
    """Parse YAML 1.2 text into ruamel's round-trip tree (CommentedMap/Seq); None for an empty file."""
    directive = _OLD_DIRECTIVE.search(text)
    if directive:
        line = text.count("\n", 0, directive.start()) + 1
        raise ConfigError([f"{path or '<config>'}:{line}:1: the file asks for YAML 1.1; the collector reads "
                           "YAML 1.2 only, remove the %YAML directive"], path=path)
    try:
        return _yaml().load(text)
    except YAMLError as exc:
        raise _yaml_error(exc, path) from None
    except (ValueError, TypeError) as exc:  # e.g. an out-of-range date or a bad tag that the constructor hits
        raise ConfigError([f"{path or '<config>'}: YAML error: {exc}"], path=path) from None


def to_plain(node: Any) -> Any:
    """A plain copy of a loaded tree: dict, list, str, int, float, bool, None (dates etc. are kept as is)."""
    if isinstance(node, Mapping):
        return {to_plain(k): to_plain(v) for k, v in node.items()}
    if isinstance(node, list | tuple):
        return [to_plain(v) for v in node]
    if isinstance(node, bool) or node is None:
        return node
    if isinstance(node, str):
        return str(node)
    if isinstance(node, int):
        return int(node)
    if isinstance(node, float):
        return float(node)
    if isinstance(node, dt.date):
        return node
    return node


def load_yaml(text: str, path: str | None = None) -> Any:
    """Parse YAML 1.2 text into plain Python data (see `to_plain`)."""
    return to_plain(load_roundtrip(text, path))


def dump_roundtrip(doc: Any) -> str:
    """Serialise a round-trip tree back to text, keeping comments, order and quoting."""
    buf = io.StringIO()
    _yaml().dump(doc, buf)
    return buf.getvalue()


def new_map(items: Mapping[str, Any] | None = None, *, flow: bool = False) -> CommentedMap:
    """A round-trip mapping for new entries; `flow` renders it on one line, `{a: 1, b: 2}`."""
    m = CommentedMap(items or {})
    if flow:
        m.fa.set_flow_style()
    return m
