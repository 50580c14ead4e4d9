"""Byte-preserving text surgery on YAML documents, guided by ruamel's line/column marks.

ruamel.yaml keeps comments on a round trip, but re-serialising a whole file still changes bytes the user
wrote (`null` becomes empty, spacing after colons, indentation). CLI edits therefore splice text: they find
the lines of the one entry they touch (with the positions ruamel records while loading) and replace, delete
or insert only those lines. Everything here is pure string work.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from typing import Any

_PLAIN = re.compile(r"[A-Za-z0-9$_./][A-Za-z0-9 $_./+-]*")
_DATEISH = re.compile(r"\d{4}-\d")
_YAML_WORDS = {"true", "false", "null", "~", "y", "n", "yes", "no", "on", "off"}
_NUMBERISH = re.compile(r"[-+]?(\.?\d[\d_]*\.?\d*([eE][-+]?\d+)?|\.inf|\.nan|0x[0-9a-fA-F]+|0o[0-7]+)",
                        re.I)


class Lines:
    """A document split into lines that keep their own line endings, so joining gives the text back."""

    def __init__(self, text: str) -> None:
        self.lines = text.splitlines(keepends=True)
        self.newline = "\r\n" if "\r\n" in text else "\n"

    def text(self) -> str:
        return "".join(self.lines)

    def indent(self, i: int) -> int:
        line = self.lines[i]
        return len(line) - len(line.lstrip(" "))

    def is_filler(self, i: int) -> bool:
        """Blank or comment-only line."""
        stripped = self.lines[i].strip()
        return not stripped or stripped.startswith("#")

    def block_end(self, start: int, parent_col: int) -> int:
        """Exclusive end line of the block starting on line `start`: the following lines indented deeper
        than `parent_col` (comments too). Blank lines and shallower comments count only when more of the
        block follows them."""
        end = start + 1
        i = start + 1
        while i < len(self.lines):
            if not self.lines[i].strip() or (self.is_filler(i) and self.indent(i) <= parent_col):
                i += 1
                continue
            if self.indent(i) <= parent_col:
                break
            i += 1
            end = i
        return end

    def ensure_final_newline(self) -> None:
        if self.lines and not self.lines[-1].endswith(("\n", "\r")):
            self.lines[-1] += self.newline

    def insert(self, at: int, new: Sequence[str]) -> None:
        """Insert lines (given without endings) before line `at`."""
        if at >= len(self.lines):
            self.ensure_final_newline()
        self.lines[at:at] = [s + self.newline for s in new]

    def delete(self, start: int, end: int) -> None:
        del self.lines[start:end]

    def offset(self, line: int, col: int) -> int:
        return sum(len(x) for x in self.lines[:line]) + col


def flow_end(text: str, start: int) -> int:
    """Offset just past the flow collection (`{...}` or `[...]`) that opens at `text[start]`."""
    depth = 0
    i = start
    while i < len(text):
        c = text[i]
        if c in "{[":
            depth += 1
        elif c in "}]":
            depth -= 1
            if depth == 0:
                return i + 1
        elif c == '"':
            i += 1
            while i < len(text) and text[i] != '"':
                i += 2 if text[i] == "\\" else 1
        elif c == "'":
            i += 1
            while i < len(text):
                if text[i] == "'" and text[i + 1: i + 2] == "'":
                    i += 2
                    continue
                if text[i] == "'":
                    break
                i += 1
        elif c == "#" and i > 0 and text[i - 1] in " \t":
            while i < len(text) and text[i] not in "\r\n":
                i += 1
            continue
        i += 1
    raise ValueError("unterminated flow collection")


def scalar(value: Any) -> str:
    """One YAML 1.2 scalar (str, int, float, bool, None) as text that reads back as the same value."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    text = str(value)
    if (_PLAIN.fullmatch(text) and not text.endswith(" ") and text.lower() not in _YAML_WORDS
            and not _NUMBERISH.fullmatch(text) and not _DATEISH.match(text)
            and ": " not in text and " #" not in text):
        return text
    return json.dumps(text, ensure_ascii=False)  # a JSON string is a valid YAML double-quoted scalar


def flow(value: Any) -> str:
    """A value in YAML flow style on one line: `{a: 1, b: [x, y]}`."""
    if isinstance(value, Mapping):
        return "{" + ", ".join(f"{scalar(k)}: {flow(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(flow(v) for v in value) + "]"
    return scalar(value)


def block_mapping(value: Mapping[str, Any], indent: int) -> list[str]:
    """A mapping as block lines (`key: value`, values in flow style) indented by `indent` spaces."""
    pad = " " * indent
    return [f"{pad}{scalar(k)}: {flow(v)}" for k, v in value.items()]


_NULL_VALUE = re.compile(r"^(?P<key>[^#]*?:)(?P<gap>[ \t]*)(?P<null>null|Null|NULL|~)?(?P<rest>[ \t]*(#.*)?)$")


def clear_null_value(lines: Lines, line: int) -> bool:
    """On a `key: null` / `key: ~` / `key:` line, remove the null (keeping a trailing comment).
    False when the line does not look like that."""
    raw = lines.lines[line]
    body = raw.rstrip("\r\n")
    ending = raw[len(body):]
    m = _NULL_VALUE.match(body)
    if m is None:
        return False
    if m.group("null"):
        rest = m.group("rest")
        lines.lines[line] = m.group("key") + (m.group("gap") + rest.lstrip() if rest.strip() else "") + ending
    return True
