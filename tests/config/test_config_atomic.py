"""Atomic writes: all or nothing, mode kept, temp files cleaned, concurrent changes detected."""

from __future__ import annotations

import os
import stat

import pytest

from collector.atomic import ConcurrentEdit, atomic_write_text, edit_file
from collector.errors import ConfigError
from collector.feeds_edit import add_feed


class Boom(Exception):
    """The simulated crash between write and rename."""


def failing_replace(src: str, dst: str) -> None:
    raise Boom("power cut between write and rename")


def test_config_atomic_write_replaces_content_and_keeps_mode(tmp_path):
    """The new text lands; the file keeps its permission bits; no temp file remains."""
    target = tmp_path / "feeds.yaml"
    target.write_text("old\n")
    target.chmod(0o640)
    atomic_write_text(target, "new\n")
    assert target.read_text() == "new\n"
    assert stat.S_IMODE(target.stat().st_mode) == 0o640
    assert sorted(p.name for p in tmp_path.iterdir()) == ["feeds.yaml"]


def test_config_atomic_failure_before_rename_leaves_old_file(tmp_path):
    """A crash after the temp file is written but before the rename keeps the old file byte for byte."""
    target = tmp_path / "feeds.yaml"
    target.write_bytes(b"old: content\n")
    with pytest.raises(Boom):
        atomic_write_text(target, "new: content\n", replace=failing_replace)
    assert target.read_bytes() == b"old: content\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["feeds.yaml"]


def test_config_atomic_failure_in_fsync_leaves_old_file(tmp_path):
    """A failing fsync (disk full, I/O error) aborts before the rename."""
    target = tmp_path / "feeds.yaml"
    target.write_bytes(b"old\n")

    def bad_fsync(fd: int) -> None:
        raise OSError(28, "No space left on device")

    with pytest.raises(OSError, match="No space"):
        atomic_write_text(target, "new\n", fsync=bad_fsync)
    assert target.read_bytes() == b"old\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["feeds.yaml"]


def test_config_atomic_writes_through_a_symlink(tmp_path):
    """A symlinked config stays a symlink; its target gets the new text."""
    real = tmp_path / "real.yaml"
    real.write_text("old\n")
    link = tmp_path / "feeds.yaml"
    link.symlink_to(real)
    atomic_write_text(link, "new\n")
    assert link.is_symlink() and real.read_text() == "new\n"


def test_config_atomic_new_file_gets_umask_mode(tmp_path):
    """A file that did not exist is created with the usual mode (0666 minus the umask)."""
    old = os.umask(0o022)
    try:
        atomic_write_text(tmp_path / "new.yaml", "x: 1\n")
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "new.yaml").stat().st_mode) == 0o644


def test_config_atomic_edit_file_interrupted_write_keeps_old_config(tmp_path, commented):
    """edit_file with a rename that fails: the config on disk is the old one, whole."""
    path = tmp_path / "feeds.yaml"
    path.write_text(commented)
    with pytest.raises(Boom):
        edit_file(path, lambda t: add_feed(t, "delta", "https://delta.example/", env={}), replace=failing_replace)
    assert path.read_text() == commented
    assert sorted(p.name for p in tmp_path.iterdir()) == ["feeds.yaml"]


def test_config_atomic_edit_file_detects_concurrent_change(tmp_path, commented):
    """If the file changes between read and write, nothing is written."""
    path = tmp_path / "feeds.yaml"
    path.write_text(commented)

    def sneaky(text: str):
        result = add_feed(text, "delta", "https://delta.example/", env={})
        path.write_text(commented + "# someone else\n")
        return result

    with pytest.raises(ConcurrentEdit, match="changed while it was being edited"):
        edit_file(path, sneaky)
    assert path.read_text().endswith("# someone else\n")


def test_config_atomic_edit_file_invalid_result_writes_nothing(tmp_path, commented):
    """A refused edit leaves the file untouched."""
    path = tmp_path / "feeds.yaml"
    path.write_text(commented)
    before = path.stat().st_mtime_ns
    with pytest.raises(ConfigError):
        edit_file(path, lambda t: add_feed(t, "alpha", "https://x.example/", env={}))
    assert path.read_text() == commented and path.stat().st_mtime_ns == before


def test_config_atomic_edit_file_keeps_bom(tmp_path):
    """A UTF-8 BOM at the start of the file survives an edit."""
    path = tmp_path / "feeds.yaml"
    path.write_bytes(b"\xef\xbb\xbfrss:\n  feeds:\n    - {name: a, url: 'https://a.example/'}\n")
    edit_file(path, lambda t: add_feed(t, "b", "https://b.example/", env={}))
    data = path.read_bytes()
    assert data.startswith(b"\xef\xbb\xbfrss:") and data.endswith(b'- {name: b, url: "https://b.example/"}\n')


def test_config_atomic_edit_file_missing_file_is_config_error(tmp_path):
    """Editing a file that does not exist is a ConfigError naming it."""
    with pytest.raises(ConfigError, match="file not found"):
        edit_file(tmp_path / "nope.yaml", lambda t: add_feed(t, "a", "https://a.example/", env={}))
