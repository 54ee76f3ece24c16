"""Folder conversion syncs a batch at once, not one fsync per file, and stays atomic."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from dastdown.cli import fileio, main
from dastdown.cli.fileio import BatchWriter

DOC = json.dumps(
    {
        "schema": "dast",
        "document": {"type": "root", "children": [{"type": "thematicBreak"}]},
    }
)


def test_folder_conversion_does_not_fsync_every_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "in"
    source.mkdir()
    for index in range(300):
        (source / f"d{index:03}.json").write_text(DOC, encoding="utf-8")
    calls = [0]
    real = os.fsync

    def counting(fd: int) -> None:
        calls[0] += 1
        real(fd)

    monkeypatch.setattr(os, "fsync", counting)
    out = tmp_path / "out"
    assert main(["convert", str(source), "-o", str(out), "--to", "dastdown", "-j", "1"]) == 0
    assert len(list(out.iterdir())) == 300
    assert all(p.read_text(encoding="utf-8") == "---\n" for p in out.iterdir())
    # one sync (and one folder fsync) per batch of up to 64 files, not 300 fsyncs
    assert calls[0] <= 2 * -(-300 // 64), calls[0]
    capsys.readouterr()


def test_without_syncfs_every_file_is_still_synced_before_its_rename(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(fileio, "_syncfs", lambda: None)
    synced: list[str] = []
    real = os.fsync

    def recording(fd: int) -> None:
        synced.append(os.readlink(f"/proc/self/fd/{fd}") if os.path.exists("/proc") else "?")
        real(fd)

    monkeypatch.setattr(os, "fsync", recording)
    with BatchWriter() as writer:
        for name in "abcdef":
            writer.add(str(tmp_path / f"{name}.txt"), name.encode())
        assert writer.commit() == {}
    assert sorted(p.name for p in tmp_path.iterdir()) == [f"{n}.txt" for n in "abcdef"]
    assert sum(path.endswith(".tmp") for path in synced) == 6  # each temporary, before rename


def test_a_failed_sync_renames_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "a.txt").write_bytes(b"old")

    def failing(pending: object, marker: object) -> None:
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(fileio, "_sync_data", failing)
    with BatchWriter() as writer:
        for name in "abcde":
            writer.add(str(tmp_path / f"{name}.txt"), b"new")
        errors = writer.commit()
    assert sorted(errors) == [str(tmp_path / f"{n}.txt") for n in "abcde"]
    assert [p.name for p in tmp_path.iterdir()] == ["a.txt"]
    assert (tmp_path / "a.txt").read_bytes() == b"old"


def test_leaving_without_commit_removes_the_temporaries(tmp_path: Path) -> None:
    with pytest.raises(RuntimeError), BatchWriter() as writer:
        writer.add(str(tmp_path / "a.txt"), b"a")
        raise RuntimeError("interrupted")
    assert list(tmp_path.iterdir()) == []
    assert not fileio._TEMPORARIES
