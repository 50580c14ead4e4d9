"""Atomic file replacement, and the read-edit-write cycle of the config CLI.

`atomic_write_text` writes a temporary file in the target's own folder, fsyncs it, gives it the old file's
mode, and renames it over the target: a reader sees the old file or the new one, never half of one, and a
failure at any step leaves the old file untouched (the temporary file is removed). `replace` and `fsync` are
parameters so a test can make the rename fail.
"""

from __future__ import annotations

import codecs
import contextlib
import os
import stat
import tempfile
from collections.abc import Callable
from pathlib import Path

from collector.errors import CollectorError, ConfigError
from collector.feeds_edit import Edit
from collector.yamlio import read_text


class ConcurrentEdit(CollectorError):
    """The file changed on disk while it was being edited; nothing was written."""


def atomic_write_text(path: str | Path, text: str, *, replace: Callable[[str, str], None] = os.replace,
                      fsync: Callable[[int], None] = os.fsync, bom: bool = False) -> None:
    """Replace `path` with `text` (UTF-8) atomically, keeping its permission bits. Symlinks are followed."""
    target = Path(os.path.realpath(path))
    try:
        st: os.stat_result | None = target.stat()
    except FileNotFoundError:
        st = None
    if st is not None:
        mode = stat.S_IMODE(st.st_mode)
    else:
        umask = os.umask(0)
        os.umask(umask)
        mode = 0o666 & ~umask
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write((codecs.BOM_UTF8 if bom else b"") + text.encode("utf-8"))
            fh.flush()
            os.fchmod(fh.fileno(), mode)
            if st is not None and (st.st_uid, st.st_gid) != (os.getuid(), os.getgid()):
                with contextlib.suppress(OSError):  # only root may give a file away; keep ours otherwise
                    os.fchown(fh.fileno(), st.st_uid, st.st_gid)
            fsync(fh.fileno())
        replace(tmp, str(target))
    except BaseException:
        with contextlib.suppress(OSError):
            Path(tmp).unlink(missing_ok=True)
        raise
    _fsync_dir(target.parent)


def _fsync_dir(folder: Path) -> None:
    """Make the rename itself durable (best effort: not every platform can open a directory)."""
    try:
        dfd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(dfd)
    except OSError:
        pass
    finally:
        os.close(dfd)


def edit_file(path: str | Path, edit: Callable[[str], Edit], *,
              replace: Callable[[str, str], None] = os.replace) -> Edit:
    """Read `path`, compute `edit(text)` (which validates), and write the result atomically if it changed.

    Raises ConfigError (unreadable, or the result is invalid), EditError (not possible), ConcurrentEdit (the
    file changed meanwhile). In every error case the file is left as it was."""
    where = Path(path)
    before = _read_bytes(where)
    text = read_text(where)
    result = edit(text)
    if not result.changed:
        return result
    if _read_bytes(where) != before:
        raise ConcurrentEdit(f"{where} changed while it was being edited; nothing was written, run the "
                             "command again")
    atomic_write_text(where, result.text, replace=replace, bom=before.startswith(codecs.BOM_UTF8))
    return result


def _read_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        read_text(path)  # raises the ConfigError that explains the problem (missing, directory, ...)
        raise ConfigError([f"{path}: cannot read the file: {exc.strerror or exc}"], path=str(path)) from None
