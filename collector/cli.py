"""Command line: turns library results and errors into output and exit codes. No logic of its own."""

from __future__ import annotations

import click

from collector import __version__

EXIT_OK = 0
EXIT_SOURCES_FAILED = 1
EXIT_USAGE = 2  # click's own code for usage errors
EXIT_CONFIG = 3


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="collector")
def main() -> None:
    """SIGMAX sentiment & research collector."""


# -- sub-commands registered by their own modules (keep one line each) -----------------------------
