"""Pure edits of a feeds.yaml text: add/remove/enable/disable a feed, add/remove a symbol.

Each function takes the document text and returns an `Edit` with the new text; nothing is read or written.
Only the lines of the edited entry change: the entry is located with ruamel's line marks and spliced in as
text (see collector.yamltext), so comments, blank lines, quoting and key order elsewhere keep every byte.
Where the layout cannot be spliced (a flow-style list such as `feeds: [...]`), ruamel re-serialises the
document instead (comments kept) and `Edit.reformatted` says so.

Every edit is checked twice before it is returned: the new text must load to exactly the data intended
(a splice that went wrong is an internal error, never a write), and the whole document must pass
`collector.config.validate_tree`, which raises ConfigError with every problem and its path.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ruamel.yaml.comments import CommentedMap, CommentedSeq

from collector.config import Config, validate_tree
from collector.config_checks import (
    Problems,
    http_url,
    normalize_url,
    number,
    positive_duration,
    string,
)
from collector.errors import CollectorError, ConfigError
from collector.yamlio import dump_roundtrip, load_roundtrip, new_map, to_plain
from collector.yamltext import Lines, block_mapping, clear_null_value, flow, flow_end, scalar

_feed_name = string(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}",
                    hint="use letters, digits, '.', '_' or '-' (it becomes a metric label)")
_weight = number(0, 100, above=True)


class EditError(CollectorError):
    """An edit that cannot be made as asked (no such feed or symbol). Nothing was written."""


@dataclass(frozen=True, slots=True)
class Edit:
    text: str  # the whole new document
    changed: bool  # False: the document already said this (text is the old text)
    summary: str  # one line for the user: "added feed 'x' (https://...)"
    config: Config  # the validated new config
    reformatted: bool = False  # True: ruamel re-serialised the file (layout that cannot be spliced)


def _load(text: str, path: str | None) -> Any:
    tree = load_roundtrip(text, path)
    if tree is None:
        return CommentedMap()
    if not isinstance(tree, CommentedMap):
        raise ConfigError(["the file must hold a mapping of sections (symbols, sources, rss, ...)"], path=path)
    return tree


def _finish(new_text: str, expected: Any, env: Mapping[str, str], path: str | None, summary: str,
            *, changed: bool = True, reformatted: bool = False) -> Edit:
    new_tree = load_roundtrip(new_text, path)
    if to_plain(new_tree) != expected:
        raise EditError("internal error: the edited file would not say what was intended; nothing was "
                        "written (please report this with the file)")
    config = validate_tree(new_tree, env, path=path)
    return Edit(text=new_text, changed=changed, summary=summary, config=config, reformatted=reformatted)


def _is_block(node: Any) -> bool:
    return isinstance(node, CommentedMap | CommentedSeq) and not node.fa.flow_style()


def _dash_line(lines: Lines, seq: CommentedSeq, i: int) -> int:
    """The line holding the `-` of item i (the item itself may start on a later line)."""
    line: int = seq.lc.item(i)[0]
    col: int = seq.lc.col
    while line > 0 and lines.lines[line][col: col + 1] != "-":
        line -= 1
    return line


def _append_section(lines: Lines, head: Sequence[str]) -> None:
    if lines.lines and lines.lines[-1].strip():
        lines.ensure_final_newline()
    lines.insert(len(lines.lines), list(head))


# -- feeds -----------------------------------------------------------------------------------------------


def _feeds(tree: CommentedMap) -> tuple[Any, Any]:
    rss = tree.get("rss")
    return rss, rss.get("feeds") if isinstance(rss, Mapping) else None


def _find_feed(tree: CommentedMap, name: str, path: str | None) -> int:
    _, feeds = _feeds(tree)
    names = [f.get("name") if isinstance(f, Mapping) else None for f in (feeds or [])]
    for i, n in enumerate(names):
        if isinstance(n, str) and n.casefold() == name.casefold():
            return i
    known = ", ".join(str(n) for n in names if n) or "none"
    raise EditError(f"no feed named {name!r} in {path or 'the config'} (feeds: {known})")


def _check_new_feed(tree: CommentedMap, entry: Mapping[str, Any], path: str | None) -> None:
    _, feeds = _feeds(tree)
    existing = [f for f in (feeds or []) if isinstance(f, Mapping)]
    where = f"rss.feeds[{len(feeds or [])}]"
    problems = Problems()
    name = _feed_name(problems, f"{where}.name", entry["name"])
    for i, other in enumerate(existing):
        other_name = other.get("name")
        if isinstance(name, str) and isinstance(other_name, str) and other_name.casefold() == name.casefold():
            problems.add(f"{where}.name", f"a feed named {other_name!r} already exists (rss.feeds[{i}]); "
                                          "choose another name or remove that feed first")
    url = http_url(problems, f"{where}.url", entry["url"])
    for i, other in enumerate(existing):
        other_url = other.get("url")
        if isinstance(url, str) and isinstance(other_url, str) and normalize_url(other_url) == normalize_url(url):
            problems.add(f"{where}.url", f"{url!r} is already in the config as feed {other.get('name')!r} "
                                         f"(rss.feeds[{i}]); URLs are compared ignoring scheme/host case, "
                                         "a trailing slash and tracking parameters")
    if "interval" in entry:
        positive_duration(problems, f"{where}.interval", entry["interval"])
    if "weight" in entry:
        _weight(problems, f"{where}.weight", entry["weight"])
    if problems:
        raise ConfigError(problems.lines, path=path)


def add_feed(text: str, name: str, url: str, *, interval: float | str | None = None,
             weight: float | None = None, enabled: bool = True, env: Mapping[str, str],
             path: str | None = None) -> Edit:
    """Append a feed to rss.feeds (creating the section if needed)."""
    tree = _load(text, path)
    entry: dict[str, Any] = {"name": name.strip(), "url": url.strip()}
    if not enabled:
        entry["enabled"] = False
    if interval is not None:
        entry["interval"] = interval
    if weight is not None:
        entry["weight"] = weight
    _check_new_feed(tree, entry, path)
    expected = to_plain(tree)
    rss_plain = expected.get("rss") or {}
    expected["rss"] = rss_plain
    rss_plain["feeds"] = [*(rss_plain.get("feeds") or []), dict(entry)]
    summary = f"added feed {entry['name']!r} ({entry['url']})"
    lines = Lines(text)
    rss, feeds = _feeds(tree)
    if "rss" not in tree:
        _append_section(lines, ["rss:", "  feeds:", "    - " + flow(entry)])
    elif rss is None and clear_null_value(lines, tree.lc.key("rss")[0]):
        lines.insert(tree.lc.key("rss")[0] + 1, ["  feeds:", "    - " + flow(entry)])
    elif _is_block(rss) and "feeds" not in rss and len(rss):
        col = rss.lc.key(next(iter(rss)))[1]
        end = lines.block_end(rss.lc.key(next(reversed(rss)))[0], col)
        lines.insert(end, [" " * col + "feeds:", " " * col + "  - " + flow(entry)])
    elif _is_block(rss) and "feeds" in rss and feeds is None and clear_null_value(lines, rss.lc.key("feeds")[0]):
        col = rss.lc.key("feeds")[1]
        lines.insert(rss.lc.key("feeds")[0] + 1, [" " * col + "  - " + flow(entry)])
    elif _is_block(feeds) and len(feeds):
        col = feeds.lc.col
        last = len(feeds) - 1
        end = lines.block_end(_dash_line(lines, feeds, last), col)
        prev = feeds[last]
        if _is_block(prev) and len(prev):  # block-style entries: write the new one the same way
            body = block_mapping(entry, prev.lc.col)
            body[0] = " " * col + "-" + " " * max(1, prev.lc.col - col - 1) + body[0].lstrip()
            lines.insert(end, body)
        else:
            lines.insert(end, [" " * col + "- " + flow(entry)])
    else:
        return _reformat(tree, expected, env, path, summary,
                         lambda t: _rt_feeds(t).append(new_map(entry, flow=True)))
    return _finish(lines.text(), expected, env, path, summary)


def remove_feed(text: str, name: str, *, env: Mapping[str, str], path: str | None = None) -> Edit:
    """Delete the feed called `name` (any case) and only its lines."""
    tree = _load(text, path)
    i = _find_feed(tree, name, path)
    _, feeds = _feeds(tree)
    expected = to_plain(tree)
    removed = expected["rss"]["feeds"].pop(i)
    if not expected["rss"]["feeds"]:
        expected["rss"]["feeds"] = None
    summary = f"removed feed {removed.get('name')!r} ({removed.get('url')})"
    if not _is_block(feeds):
        return _reformat(tree, expected, env, path, summary, lambda t: _rt_feeds(t).pop(i))
    lines = Lines(text)
    start = _dash_line(lines, feeds, i)
    lines.delete(start, lines.block_end(start, feeds.lc.col))
    return _finish(lines.text(), expected, env, path, summary)


def set_feed_enabled(text: str, name: str, enabled: bool, *, env: Mapping[str, str],
                     path: str | None = None) -> Edit:
    """Set a feed's `enabled`; a feed without the key is enabled already (true is the default)."""
    tree = _load(text, path)
    i = _find_feed(tree, name, path)
    _, feeds = _feeds(tree)
    item = feeds[i]
    word = "enabled" if enabled else "disabled"
    expected = to_plain(tree)
    if item.get("enabled", True) is enabled:
        return _finish(text, expected, env, path, f"feed {item.get('name')!r} is already {word}", changed=False)
    expected["rss"]["feeds"][i]["enabled"] = enabled
    summary = f"{word} feed {item.get('name')!r}"
    if not _is_block(feeds):
        return _reformat(tree, expected, env, path, summary,
                         lambda t: _rt_feeds(t)[i].__setitem__("enabled", enabled))
    if "enabled" in item:
        line, col = item.lc.value("enabled")
        lines = Lines(text)
        raw = lines.lines[line]
        stop = col
        while stop < len(raw) and raw[stop] not in " \t\r\n,}]#":
            stop += 1
        lines.lines[line] = raw[:col] + scalar(enabled) + raw[stop:]
        return _finish(lines.text(), expected, env, path, summary)
    if not _is_block(item):  # a flow mapping: add the key before its closing brace
        lines = Lines(text)
        close = flow_end(text, lines.offset(item.lc.line, item.lc.col)) - 1
        new_text = text[:close].rstrip(" ") + ", enabled: false" + text[close:]
        return _finish(new_text, expected, env, path, summary)
    lines = Lines(text)
    end = lines.block_end(_dash_line(lines, feeds, i), feeds.lc.col)
    lines.insert(end, [" " * item.lc.col + "enabled: false"])
    return _finish(lines.text(), expected, env, path, summary)


# -- symbols ---------------------------------------------------------------------------------------------


def add_symbol(text: str, symbol: str, *, aliases: Sequence[str], coingecko_id: str | None = None,
               subreddits: Sequence[str] = (), exclude: Sequence[str] = (), env: Mapping[str, str],
               path: str | None = None) -> Edit:
    """Add `symbol: {aliases, coingecko_id, subreddits, exclude}` after the last symbol."""
    tree = _load(text, path)
    ticker = symbol.strip().upper()
    symbols = tree.get("symbols")
    if isinstance(symbols, Mapping):
        for key in symbols:
            if str(key).upper() == ticker:
                raise ConfigError([f"symbols.{key}: {ticker} is already configured; remove it first "
                                   "or edit it by hand"], path=path)
    if not aliases:
        raise ConfigError([f"symbols.{ticker}.aliases: give at least one alias (--alias)"], path=path)
    settings: dict[str, Any] = {"aliases": [a.strip() for a in aliases]}
    if coingecko_id:
        settings["coingecko_id"] = coingecko_id.strip()
    if subreddits:
        settings["subreddits"] = [s.strip() for s in subreddits]
    if exclude:
        settings["exclude"] = [e.strip() for e in exclude]
    expected = to_plain(tree)
    expected["symbols"] = {**(expected.get("symbols") or {}), ticker: copy.deepcopy(settings)}
    summary = f"added symbol {ticker} (aliases: {', '.join(settings['aliases'])})"
    lines = Lines(text)
    key = scalar(ticker)
    if "symbols" not in tree:
        _append_section(lines, ["symbols:", f"  {key}:", *block_mapping(settings, 4)])
    elif symbols is None and clear_null_value(lines, tree.lc.key("symbols")[0]):
        lines.insert(tree.lc.key("symbols")[0] + 1, [f"  {key}:", *block_mapping(settings, 4)])
    elif _is_block(symbols) and len(symbols):
        last = next(reversed(symbols))
        line, col = symbols.lc.key(last)
        end = lines.block_end(line, col)
        prev = symbols[last]
        if _is_block(prev) and len(prev):
            lines.insert(end, [" " * col + f"{key}:", *block_mapping(settings, prev.lc.col)])
        else:
            lines.insert(end, [" " * col + f"{key}: {flow(settings)}"])
    else:
        def mutate(t: CommentedMap) -> None:
            if not isinstance(t.get("symbols"), CommentedMap):
                t["symbols"] = CommentedMap()
            t["symbols"][ticker] = new_map(settings, flow=True)

        return _reformat(tree, expected, env, path, summary, mutate)
    return _finish(lines.text(), expected, env, path, summary)


def remove_symbol(text: str, symbol: str, *, env: Mapping[str, str], path: str | None = None) -> Edit:
    """Delete a symbol (any case) and only its lines."""
    tree = _load(text, path)
    symbols = tree.get("symbols")
    wanted = symbol.strip().upper()
    keys = list(symbols) if isinstance(symbols, Mapping) else []
    key = next((k for k in keys if str(k).upper() == wanted), None)
    if key is None:
        known = ", ".join(str(k) for k in keys) or "none"
        raise EditError(f"no symbol {wanted} in {path or 'the config'} (symbols: {known})")
    expected = to_plain(tree)
    del expected["symbols"][to_plain(key)]
    if not expected["symbols"]:
        expected["symbols"] = None
    summary = f"removed symbol {wanted}"
    if not _is_block(symbols):
        return _reformat(tree, expected, env, path, summary, lambda t: t["symbols"].pop(key))
    lines = Lines(text)
    line, col = symbols.lc.key(key)
    lines.delete(line, lines.block_end(line, col))
    return _finish(lines.text(), expected, env, path, summary)


# -- fallback: let ruamel re-serialise -------------------------------------------------------------------


def _rt_feeds(tree: CommentedMap) -> CommentedSeq:
    if not isinstance(tree.get("rss"), CommentedMap):
        tree["rss"] = CommentedMap()
    if not isinstance(tree["rss"].get("feeds"), CommentedSeq):
        tree["rss"]["feeds"] = CommentedSeq()
    feeds: CommentedSeq = tree["rss"]["feeds"]
    return feeds


def _reformat(tree: CommentedMap, expected: Any, env: Mapping[str, str], path: str | None, summary: str,
              mutate: Callable[[CommentedMap], object]) -> Edit:
    mutate(tree)
    if isinstance(expected.get("rss"), dict) and expected["rss"].get("feeds") is None \
            and isinstance(tree.get("rss"), CommentedMap) and tree["rss"].get("feeds") == []:
        expected["rss"]["feeds"] = []  # ruamel writes an emptied flow list as []
    if "symbols" in expected and expected["symbols"] is None and tree.get("symbols") == {}:
        expected["symbols"] = {}
    return _finish(dump_roundtrip(tree), expected, env, path, summary, reformatted=True)
