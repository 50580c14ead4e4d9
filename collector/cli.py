"""Command line: turns library results and errors into output and exit codes. No logic of its own."""

from __future__ import annotations

import asyncio
import json
import sys
from collections.abc import Callable
from contextlib import nullcontext
from typing import Any

import click
from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TextColumn

from collector import __version__
from collector.config import Config, load_config
from collector.errors import ConfigError
from collector.models import SourceResult

EXIT_OK = 0
EXIT_SOURCES_FAILED = 1
EXIT_USAGE = 2  # click's own code for usage errors
EXIT_CONFIG = 3
EXIT_INTERRUPTED = 130  # Ctrl-C, as shells report it


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="collector")
def main() -> None:
    """SIGMAX sentiment & research collector."""


def load_or_exit(path: str | None) -> Config:
    """Load the config, or print every problem with its path and exit with EXIT_CONFIG."""
    import os

    try:
        config = load_config(path, os.environ)
    except ConfigError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(EXIT_CONFIG)
    for notice in config.notices:
        click.echo(f"notice: {notice}", err=True)
    return config


def _enabled(config: Config, api: str) -> bool:
    if api == "rss":
        return config.rss.enabled and any(f.enabled for f in config.rss.feeds)
    src = config.sources.get(api)
    return src is not None and src.enabled


config_option = click.option(
    "--config", "config_path", metavar="PATH", envvar="COLLECTOR_CONFIG",
    help="Config file (default: $COLLECTOR_CONFIG, else ./feeds.yaml).")


@main.command()
@config_option
@click.option("--source", "sources", multiple=True, metavar="NAME",
              help="Only this source (cryptopanic, reddit, coingecko, feargreed, rss, whalealert); repeatable.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object instead of the table.")
def fetch(config_path: str | None, sources: tuple[str, ...], as_json: bool) -> None:
    """Run every enabled source once, concurrently, and print what was found.

    Exit codes: 0 every source succeeded, 1 at least one failed, 2 usage error (an unknown or disabled
    --source), 3 invalid config, 130 interrupted.
    """
    from collector.pipeline import fetch_once
    from collector.snapshot import to_dict
    from collector.sources.base import APIS

    unknown = [s for s in sources if s not in APIS]
    if unknown:
        raise click.BadParameter(f"unknown source {', '.join(unknown)}; choose from {', '.join(APIS)}",
                                 param_hint="--source")
    config = load_or_exit(config_path)
    disabled = [s for s in sources if not _enabled(config, s)]
    if disabled:
        why = [n for n in config.notices if n.split(":", 1)[0] in disabled]
        click.echo(f"error: --source {', '.join(disabled)}: not enabled in the config"
                   + (f" ({'; '.join(why)})" if why else "") + "; nothing was fetched", err=True)
        sys.exit(EXIT_USAGE)
    err = Console(stderr=True)
    progress: Any = nullcontext()
    on_done: Callable[[SourceResult], None] | None = None
    if err.is_terminal and not as_json:
        progress = Progress(SpinnerColumn(), TextColumn("{task.description}"), console=err, transient=True)
    with progress:
        if isinstance(progress, Progress):
            task = progress.add_task("fetching…", total=None)

            def on_done(r: SourceResult) -> None:
                progress.update(task, description=f"{r.source}{' ' + r.feed if r.feed else ''} "
                                f"{'ok' if r.ok else 'failed'}")

        try:
            snap, results = asyncio.run(fetch_once(config, only=sources, on_done=on_done))
        except KeyboardInterrupt:
            click.echo("interrupted", err=True)
            sys.exit(EXIT_INTERRUPTED)
    if as_json:
        click.echo(json.dumps(to_dict(snap), indent=2, sort_keys=False))
    else:
        from collector.render import render

        render(snap, Console())
    if not results:
        click.echo("no source is enabled: nothing was fetched", err=True)
        sys.exit(EXIT_SOURCES_FAILED)
    sys.exit(EXIT_OK if all(r.ok for r in results) else EXIT_SOURCES_FAILED)


@main.command()
@config_option
@click.option("--host", envvar="COLLECTOR_HOST", default=None, help="Listen address (default: service.host).")
@click.option("--port", envvar="COLLECTOR_PORT", type=click.IntRange(0, 65535), default=None,
              help="Listen port (default: service.port, 9188).")
@click.option("--log-format", type=click.Choice(["auto", "json", "text"]), default="auto",
              envvar="COLLECTOR_LOG_FORMAT", help="auto: JSON lines unless stderr is a terminal.")
@click.option("--log-level", default="INFO", envvar="COLLECTOR_LOG_LEVEL", show_default=True,
              type=click.Choice(["DEBUG", "INFO", "WARNING", "ERROR"], case_sensitive=False))
def serve(config_path: str | None, host: str | None, port: int | None, log_format: str, log_level: str) -> None:
    """Collect on a schedule and serve /metrics, /healthz, /readyz and /api/v1/sentiment until SIGTERM."""
    import os

    from collector.logs import setup_logging
    from collector.service import Service, config_path_of

    config = load_or_exit(config_path)
    setup_logging(secrets=config.secrets.redactables(),
                  json_lines=None if log_format == "auto" else log_format == "json", level=log_level)

    async def run() -> None:
        svc = Service(config, config_path=config_path_of(config_path, os.environ), env=os.environ,
                      host=host, port=port)
        await svc.run()

    try:
        asyncio.run(run())
    except OSError as exc:  # e.g. the port is taken
        click.echo(f"error: cannot serve: {exc}", err=True)
        sys.exit(EXIT_SOURCES_FAILED)
    sys.exit(EXIT_OK)


# -- sub-commands registered by their own modules (keep one line each) -----------------------------
from collector.cli_score import eval_command, score_command  # noqa: E402  (registered after main exists)

main.add_command(score_command)
main.add_command(eval_command)
from collector.cli_config import config_group, feeds_group, symbols_group  # noqa: E402

main.add_command(feeds_group)
main.add_command(symbols_group)
main.add_command(config_group)
