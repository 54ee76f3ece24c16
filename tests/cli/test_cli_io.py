"""File input and output of the dastdown command: atomic writes, clear read errors."""

from __future__ import annotations

import io
import os
import stat
import sys
from pathlib import Path
from typing import Any

import pytest

from dastdown.cli.diagnostics import CliFailure, Diagnostic, os_error_message
from dastdown.cli.fileio import (
    atomic_write,
    decode_utf8,
    read_stdin,
    read_text,
    same_file,
    write_stdout,
)


def test_atomic_write_creates_with_the_umask_mode(tmp_path: Path) -> None:
    target = tmp_path / "new.txt"
    old = os.umask(0o027)
    try:
        from dastdown.cli import fileio as cli_io

        cli_io._default_mode.cache_clear()
        atomic_write(str(target), b"data")
    finally:
        os.umask(old)
        cli_io._default_mode.cache_clear()
    assert target.read_bytes() == b"data"
    assert stat.S_IMODE(target.stat().st_mode) == 0o640


def test_atomic_write_keeps_the_mode_of_the_replaced_file(tmp_path: Path) -> None:
    target = tmp_path / "f.txt"
    target.write_bytes(b"old")
    target.chmod(0o751)
    atomic_write(str(target), b"new")
    assert target.read_bytes() == b"new"
    assert stat.S_IMODE(target.stat().st_mode) == 0o751
    assert [p.name for p in tmp_path.iterdir()] == ["f.txt"]


def test_atomic_write_keeps_the_owner_when_allowed(tmp_path: Path) -> None:
    target = tmp_path / "owned.txt"
    target.write_bytes(b"old")
    # root may give the file away; anyone else keeps their own ids
    owner = (1234, 4321) if os.geteuid() == 0 else (os.geteuid(), os.getegid())
    os.chown(target, *owner)
    target.chmod(0o4755)  # a setuid bit, which chown would clear
    atomic_write(str(target), b"new")
    status = target.stat()
    assert (status.st_uid, status.st_gid) == owner
    assert stat.S_IMODE(status.st_mode) == 0o4755


def test_atomic_write_follows_a_symlink(tmp_path: Path) -> None:
    real = tmp_path / "real.txt"
    real.write_bytes(b"old")
    link = tmp_path / "link.txt"
    link.symlink_to(real)
    atomic_write(str(link), b"new")
    assert link.is_symlink()
    assert real.read_bytes() == b"new"


@pytest.mark.parametrize("failing", ["replace", "fsync", "write"])
def test_failed_write_leaves_the_old_file_and_no_temporary(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, failing: str
) -> None:
    target = tmp_path / "doc.dastdown"
    target.write_bytes(b"original bytes\n")

    def boom(*args: object, **kwargs: object) -> None:
        raise OSError(28, "No space left on device")

    if failing == "write":
        real_fdopen = os.fdopen

        class Failing(io.RawIOBase):
            def __init__(self, fd: int) -> None:
                self.handle = real_fdopen(fd, "wb")

            def write(self, data: object) -> int:
                self.handle.write(b"partial")
                self.handle.flush()
                raise OSError(28, "No space left on device")

            def close(self) -> None:
                self.handle.close()

        monkeypatch.setattr(os, "fdopen", lambda fd, mode: Failing(fd))
    else:
        monkeypatch.setattr(os, failing, boom)
    with pytest.raises(OSError, match="No space left"):
        atomic_write(str(target), b"new content that never lands\n")
    monkeypatch.undo()
    assert target.read_bytes() == b"original bytes\n"
    assert [p.name for p in tmp_path.iterdir()] == ["doc.dastdown"]


def test_atomic_write_relative_path_in_the_current_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    atomic_write("plain.txt", b"here")
    assert (tmp_path / "plain.txt").read_bytes() == b"here"
    assert [p.name for p in tmp_path.iterdir()] == ["plain.txt"]


def test_atomic_write_through_a_linked_folder(tmp_path: Path) -> None:
    (tmp_path / "real").mkdir()
    (tmp_path / "alias").symlink_to(tmp_path / "real")
    atomic_write(str(tmp_path / "alias" / "f.txt"), b"x")
    assert (tmp_path / "real" / "f.txt").read_bytes() == b"x"


def test_atomic_write_refuses_a_directory(tmp_path: Path) -> None:
    with pytest.raises(IsADirectoryError):
        atomic_write(str(tmp_path), b"x")
    assert list(tmp_path.iterdir()) == []


def test_atomic_write_into_a_missing_folder_fails_cleanly(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        atomic_write(str(tmp_path / "no" / "x.json"), b"x")


def test_decode_utf8_reports_line_and_column_of_the_bad_byte() -> None:
    with pytest.raises(CliFailure) as info:
        decode_utf8(b"line one\n" + "çà ".encode() + b"\xff", "a.md")
    (diagnostic,) = info.value.diagnostics
    assert (diagnostic.line, diagnostic.column) == (2, 4)
    assert diagnostic.render() == (
        "a.md:2:4: error: not valid UTF-8 at byte offset 14: invalid start byte 0xff"
    )


def test_decode_utf8_truncated_sequence_at_the_end() -> None:
    with pytest.raises(CliFailure) as info:
        decode_utf8(b"ok \xe2\x82", "a.json")
    assert info.value.diagnostics[0].render().startswith("a.json:1:4: error: not valid UTF-8")


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda p: p / "missing.json", "No such file or directory"),
        (lambda p: p, "is a directory"),
        (lambda p: p / "file.txt" / "below.json", "not a directory"),
    ],
    ids=["missing", "directory", "under-a-file"],
)
def test_read_text_errors(tmp_path: Path, make: object, message: str) -> None:
    (tmp_path / "file.txt").write_text("x")
    path = make(tmp_path)  # type: ignore[operator]
    with pytest.raises(CliFailure) as info:
        read_text(str(path))
    assert info.value.diagnostics[0].path == str(path)
    assert message in info.value.diagnostics[0].message


def test_read_text_keeps_carriage_returns(tmp_path: Path) -> None:
    (tmp_path / "a.md").write_bytes(b"a\r\nb")
    assert read_text(str(tmp_path / "a.md")) == "a\r\nb"


def test_read_stdin_decodes_utf8_whatever_the_locale(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO("Привет".encode()), "ascii"))
    assert read_stdin() == "Привет"
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b"\x80"), "utf-8"))
    with pytest.raises(CliFailure, match=r"<stdin>:1:1: error: not valid UTF-8"):
        read_stdin()


def test_write_stdout_encodes_utf8_whatever_the_locale(monkeypatch: pytest.MonkeyPatch) -> None:
    raw = io.BytesIO()
    out = io.TextIOWrapper(raw, "ascii")
    monkeypatch.setattr(sys, "stdout", out)
    out.write("a")
    write_stdout("é😀\n")
    assert raw.getvalue() == "aé😀\n".encode()


def test_write_stdout_finishes_partial_writes(monkeypatch: pytest.MonkeyPatch) -> None:
    class Trickle(io.BytesIO):
        """A pipe that takes at most 3 bytes per write, like a full pipe buffer."""

        def write(self, data: Any) -> int:
            return super().write(bytes(data[:3]))

    raw = Trickle()
    monkeypatch.setattr(sys, "stdout", io.TextIOWrapper(raw))
    write_stdout("0123456789")
    assert raw.getvalue() == b"0123456789"


def test_same_file(tmp_path: Path) -> None:
    (tmp_path / "a").write_text("x")
    (tmp_path / "l").symlink_to(tmp_path / "a")
    assert same_file(str(tmp_path / "a"), str(tmp_path / "l"))
    assert same_file(str(tmp_path / "n"), str(tmp_path / "sub" / ".." / "n"))
    assert not same_file(str(tmp_path / "a"), str(tmp_path / "b"))


def test_os_error_messages() -> None:
    assert os_error_message(PermissionError(13, "Permission denied")) == "Permission denied"
    assert os_error_message(IsADirectoryError(21, "Is a directory")) == "is a directory"
    assert os_error_message(OSError("weird")) == "weird"


def test_diagnostic_rendering() -> None:
    assert Diagnostic("a", "m").render() == "a: error: m"
    assert Diagnostic("a", "m", 3).render() == "a:3: error: m"
    assert Diagnostic("a", "m", 3, 9, "warning").render() == "a:3:9: warning: m"
    assert (
        Diagnostic("a", "m", 1, 2, excerpt=("  x", "  ^")).render() == "a:1:2: error: m\n  x\n  ^"
    )
