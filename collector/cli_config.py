"""`collector feeds ...`, `collector symbols ...` and `collector config check`: edit and check feeds.yaml.

Edits keep every comment and byte outside the edited entry (collector.feeds_edit), validate the whole new
file first and write it atomically (collector.atomic). Exit codes: 0 done (or nothing to do), 1 refused
(no such feed or symbol, a `--check` that failed, the file changed meanwhile, cannot write), 3 the config is
invalid or the edit would make it invalid (every problem printed with its path, nothing written).
Tests inject an HTTP client factory for `feeds add --check` through click's `obj` ({"client_factory": ...}).
"""

from __future__ import annotations

import asyncio
import io
import json
import os
import sys
import time
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, NoReturn

import click
import httpx

from collector.atomic import ConcurrentEdit, edit_file
from collector.config import Config, config_path, load_config
from collector.config_checks import parse_duration
from collector.errors import ConfigError, SourceError
from collector.feeds_edit import Edit, EditError, add_feed, add_symbol, remove_feed, remove_symbol, set_feed_enabled
from collector.redact import redact_url
from collector.yamlio import read_text

EXIT_OK = 0
EXIT_REFUSED = 1
EXIT_CONFIG = 3  # the same code as collector.cli.EXIT_CONFIG (not imported: cli imports this module)

config_option = click.option(
    "--config", "config_file", metavar="PATH", envvar="COLLECTOR_CONFIG",
    help="Config file (default: $COLLECTOR_CONFIG, else ./feeds.yaml).")


def _path(config_file: str | None) -> Path:
    return config_path(config_file, os.environ)


def _fail(message: str, code: int) -> NoReturn:
    click.echo(f"error: {message}", err=True)
    sys.exit(code)


def _load(config_file: str | None) -> Config:
    try:
        return load_config(_path(config_file), os.environ)
    except ConfigError as exc:
        _fail(str(exc), EXIT_CONFIG)


def _run_edit(config_file: str | None, edit: Callable[[str], Edit]) -> Edit:
    path = _path(config_file)
    try:
        result = edit_file(path, edit)
    except ConfigError as exc:
        _fail(f"{exc}\nnothing was written", EXIT_CONFIG)
    except (EditError, ConcurrentEdit) as exc:
        _fail(str(exc), EXIT_REFUSED)
    except OSError as exc:
        _fail(f"cannot write {path}: {exc.strerror or exc}; the file was not changed", EXIT_REFUSED)
    if result.changed:
        click.echo(f"{result.summary} in {path}")
        if result.reformatted:
            click.echo("note: this layout (a flow-style list or mapping) could not be edited in place, so the "
                       "file was re-serialised; comments are kept, some spacing may differ")
    else:
        click.echo(f"{result.summary}; {path} not changed")
    return result


def format_duration(seconds: float) -> str:
    """90 -> "1m30s", 3600 -> "1h", 0.25 -> "250ms"."""
    if seconds < 1:
        return f"{seconds * 1000:g}ms"
    out, rest = "", seconds
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if rest >= size:
            count = int(rest // size)
            out += f"{count}{unit}"
            rest -= count * size
    if rest or not out:
        out += f"{rest:g}s"
    return out


def _table(header: tuple[str, ...], rows: Iterable[tuple[str, ...]]) -> None:
    rows = list(rows)
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    for row in [header, *rows]:
        click.echo("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip())


# -- feeds -----------------------------------------------------------------------------------------------


@click.group("feeds")
def feeds_group() -> None:
    """List, add, remove, enable and disable RSS feeds in the config file."""


@feeds_group.command("list")
@config_option
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
def feeds_list(config_file: str | None, as_json: bool) -> None:
    """Show the configured feeds."""
    config = _load(config_file)
    rss = config.rss
    feeds: list[dict[str, Any]] = [{"name": f.name, "url": redact_url(f.url), "enabled": f.enabled and rss.enabled,
              "interval_seconds": f.interval if f.interval is not None else rss.interval,
              "interval_inherited": f.interval is None, "weight": f.weight} for f in rss.feeds]
    if as_json:
        click.echo(json.dumps({"path": config.path, "rss_enabled": rss.enabled, "feeds": feeds}, indent=2))
        return
    if not feeds:
        click.echo(f"no feeds in {config.path}")
        return
    _table(("NAME", "ENABLED", "INTERVAL", "WEIGHT", "URL"),
           ((str(f["name"]), "yes" if f["enabled"] else "no",
             format_duration(float(f["interval_seconds"])) + (" (rss)" if f["interval_inherited"] else ""),
             f"{f['weight']:g}", str(f["url"])) for f in feeds))
    if not rss.enabled:
        click.echo("note: the rss section is disabled (rss.enabled: false), so no feed runs")


def _interval_value(text: str | None) -> float | int | str | None:
    if text is None:
        return None
    seconds = parse_duration(text)
    if seconds is None or seconds <= 0:
        raise click.BadParameter(f"not a positive duration: {text!r}; write 90, 90s, 5m, 1h30m",
                                 param_hint="--interval")
    stripped = text.strip()
    if stripped.replace(".", "", 1).isdigit():
        return int(seconds) if seconds.is_integer() else seconds
    return stripped


@feeds_group.command("add")
@click.argument("name")
@click.argument("url")
@config_option
@click.option("--interval", metavar="DURATION", help="Own interval (90s, 5m, 1h); default: rss.interval.")
@click.option("--weight", type=float, help="Weight of this feed's items in the news score (> 0, default 1).")
@click.option("--disabled", is_flag=True, help="Add it switched off.")
@click.option("--check", "check", is_flag=True, help="Fetch the feed once first and show what it holds.")
@click.option("--force", is_flag=True, help="With --check: add the feed even if the check fails.")
@click.pass_context
def feeds_add(ctx: click.Context, name: str, url: str, config_file: str | None, interval: str | None,
              weight: float | None, disabled: bool, check: bool, force: bool) -> None:
    """Add feed NAME at URL (validated, duplicates refused)."""
    value = _interval_value(interval)

    def edit(text: str) -> Edit:
        return add_feed(text, name, url, interval=value, weight=weight, enabled=not disabled, env=os.environ,
                        path=str(_path(config_file)))

    if check:
        path = _path(config_file)
        try:  # validate first: no request for an add that would be refused anyway
            dry = edit(read_text(path))
        except ConfigError as exc:
            _fail(f"{exc}\nnothing was written", EXIT_CONFIG)
        factory = (ctx.obj or {}).get("client_factory") if isinstance(ctx.obj, dict) else None
        try:
            title, count, newest = asyncio.run(check_feed(dry.config, name, url, factory))
        except SourceError as exc:
            if not force:
                _fail(f"feed check failed: {exc}; not added (use --force to add it anyway)", EXIT_REFUSED)
            click.echo(f"warning: feed check failed: {exc}; adding it anyway (--force)", err=True)
        else:
            when = datetime.fromtimestamp(newest, UTC).strftime("%Y-%m-%d %H:%M UTC") if newest else "unknown"
            click.echo(f"feed check: {title or '(untitled)'}: {count} items, newest {when}")
    _run_edit(config_file, edit)


async def check_feed(config: Config, name: str, url: str,
                     client_factory: Callable[[], httpx.AsyncClient] | None = None
                     ) -> tuple[str, int, float | None]:
    """Fetch one feed through Http and the rss source's parser: (feed title, item count, newest date)."""
    import feedparser

    from collector.http import Http, make_client
    from collector.redact import Redactor
    from collector.sources import rss
    from collector.text import clean_text

    client = client_factory() if client_factory else make_client(
        user_agent=config.http.user_agent, max_connections=2, max_redirects=config.http.max_redirects)
    async with client:
        http = Http(client, redactor=Redactor(config.secrets.redactables()),
                    max_body_bytes=config.http.max_body_bytes)
        resp = await http.get(rss.API, url, timeout=config.rss.timeout, feed=name)
    items = rss.parse(resp.body, content_type=resp.content_type, url=resp.url, feed_name=name, now=time.time())
    head: Any = feedparser.parse(io.BytesIO(resp.body), response_headers={"content-type": resp.content_type})
    title = clean_text((head.get("feed") or {}).get("title") or "", 200)
    return title, len(items), max((i.published for i in items), default=None)


@feeds_group.command("remove")
@click.argument("name")
@config_option
def feeds_remove(name: str, config_file: str | None) -> None:
    """Remove feed NAME."""
    _run_edit(config_file, lambda text: remove_feed(text, name, env=os.environ, path=str(_path(config_file))))


@feeds_group.command("enable")
@click.argument("name")
@config_option
def feeds_enable(name: str, config_file: str | None) -> None:
    """Switch feed NAME on."""
    _run_edit(config_file, lambda text: set_feed_enabled(text, name, True, env=os.environ,
                                                         path=str(_path(config_file))))


@feeds_group.command("disable")
@click.argument("name")
@config_option
def feeds_disable(name: str, config_file: str | None) -> None:
    """Switch feed NAME off (it stays in the file)."""
    _run_edit(config_file, lambda text: set_feed_enabled(text, name, False, env=os.environ,
                                                         path=str(_path(config_file))))


# -- symbols ---------------------------------------------------------------------------------------------


@click.group("symbols")
def symbols_group() -> None:
    """List, add and remove symbols in the config file."""


@symbols_group.command("list")
@config_option
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
def symbols_list(config_file: str | None, as_json: bool) -> None:
    """Show the configured symbols."""
    config = _load(config_file)
    rows = [{"symbol": s.symbol, "aliases": list(s.aliases), "coingecko_id": s.coingecko_id,
             "subreddits": list(s.subreddits), "exclude": list(s.exclude)} for s in config.symbols]
    if as_json:
        click.echo(json.dumps({"path": config.path, "symbols": rows}, indent=2))
        return
    if not rows:
        click.echo(f"no symbols in {config.path}")
        return
    _table(("SYMBOL", "COINGECKO", "ALIASES", "SUBREDDITS"),
           ((str(r["symbol"]), str(r["coingecko_id"] or "-"), ", ".join(r["aliases"] or []),
             ", ".join(r["subreddits"] or []) or "-") for r in rows))


@symbols_group.command("add")
@click.argument("symbol")
@config_option
@click.option("--alias", "aliases", multiple=True, required=True, metavar="TEXT",
              help="A name, ticker or cashtag that tags items with SYMBOL; repeatable, at least one.")
@click.option("--coingecko-id", metavar="ID", help="CoinGecko API id (e.g. near) for price and market cap.")
@click.option("--subreddit", "subreddits", multiple=True, metavar="NAME", help="Extra subreddit; repeatable.")
@click.option("--exclude", "exclude", multiple=True, metavar="TEXT",
              help="A phrase that must not count as SYMBOL; repeatable.")
def symbols_add(symbol: str, config_file: str | None, aliases: tuple[str, ...], coingecko_id: str | None,
                subreddits: tuple[str, ...], exclude: tuple[str, ...]) -> None:
    """Add SYMBOL with its aliases."""
    _run_edit(config_file, lambda text: add_symbol(
        text, symbol, aliases=aliases, coingecko_id=coingecko_id, subreddits=subreddits, exclude=exclude,
        env=os.environ, path=str(_path(config_file))))


@symbols_group.command("remove")
@click.argument("symbol")
@config_option
def symbols_remove(symbol: str, config_file: str | None) -> None:
    """Remove SYMBOL."""
    _run_edit(config_file, lambda text: remove_symbol(text, symbol, env=os.environ,
                                                      path=str(_path(config_file))))


# -- config ----------------------------------------------------------------------------------------------


@click.group("config")
def config_group() -> None:
    """Check the config file."""


@config_group.command("check")
@config_option
def config_check(config_file: str | None) -> None:
    """Validate the config; print every problem with its path (exit 3 when invalid)."""
    config = _load(config_file)
    on = [n for n, s in config.sources.items() if s.enabled]
    feeds_on = sum(1 for f in config.rss.feeds if f.enabled) if config.rss.enabled else 0
    click.echo(f"{config.path}: ok: {len(config.symbols)} symbols, {len(config.rss.feeds)} feeds "
               f"({feeds_on} enabled), sources enabled: {', '.join(on) or 'none'}")
    for notice in config.notices:
        click.echo(f"notice: {notice}")
