"""Folder discovery: skipped folders, .gitignore (pathspec), --exclude, --no-ignore, links."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from dastdown.cli import main
from dastdown.cli.files import discover

DOC = json.dumps(
    {
        "schema": "dast",
        "document": {"type": "root", "children": [{"type": "thematicBreak"}]},
    }
)


def _tree(root: Path, names: list[str]) -> None:
    for name in names:
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(DOC if name.endswith(".json") else "", encoding="utf-8")


def _found(root: Path, **options: object) -> list[str]:
    found, problems = discover([str(root)], (".json",), **options)  # type: ignore[arg-type]
    assert [p for p in problems if p.severity == "error"] == []
    return [f.relative for f in found]


def test_skips_vcs_dependencies_caches_and_virtualenvs(tmp_path: Path) -> None:
    _tree(
        tmp_path,
        [
            "a.json",
            ".git/x.json",
            "node_modules/pkg/x.json",
            "sub/__pycache__/x.json",
            "env/pyvenv.cfg",
            "env/lib/x.json",
            "sub/b.json",
        ],
    )
    assert _found(tmp_path) == ["a.json", "sub/b.json"]
    assert len(_found(tmp_path, ignore=False)) == 6


def test_gitignore_files_at_every_level(tmp_path: Path) -> None:
    _tree(
        tmp_path,
        ["a.json", "build/x.json", "sub/keep.json", "sub/drop.json", "sub/deep/drop.json"],
    )
    (tmp_path / ".gitignore").write_text("build/\ndrop.json\n")
    (tmp_path / "sub" / ".gitignore").write_text("!deep/drop.json\n")
    assert _found(tmp_path) == ["a.json", "sub/keep.json", "sub/deep/drop.json"]
    assert "build/x.json" in _found(tmp_path, ignore=False)


def test_gitignore_of_a_parent_in_the_repository(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    (tmp_path / ".gitignore").write_text("docs/generated/\n")
    _tree(tmp_path, ["docs/a.json", "docs/generated/x.json"])
    assert _found(tmp_path / "docs") == ["a.json"]


def test_exclude_patterns(tmp_path: Path) -> None:
    _tree(tmp_path, ["a.json", "drafts/b.json", "c.old.json", "sub/drafts/d.json"])
    assert _found(tmp_path, exclude=["drafts/", "*.old.json"]) == ["a.json"]
    assert _found(tmp_path, exclude=["/drafts/"]) == ["a.json", "c.old.json", "sub/drafts/d.json"]


def test_files_named_explicitly_are_always_processed(tmp_path: Path) -> None:
    _tree(tmp_path, ["node_modules/x.json", "ignored.json"])
    (tmp_path / ".gitignore").write_text("ignored.json\n")
    named = [str(tmp_path / "node_modules" / "x.json"), str(tmp_path / "ignored.json")]
    found, _ = discover(named, (".json",), exclude=["*.json"])
    assert [f.path for f in found] == named


def test_command_options(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _tree(tmp_path / "in", ["a.json", "skip/b.json", "node_modules/c.json"])
    out = tmp_path / "out"
    argv = ["convert", str(tmp_path / "in"), "-o", str(out), "--to", "json"]
    assert main([*argv, "--exclude", "skip/"]) == 0
    assert sorted(p.relative_to(out).as_posix() for p in out.rglob("*.json")) == ["a.json"]
    assert main([*argv, "--no-ignore"]) == 0
    assert len(list(out.rglob("*.json"))) == 3
    assert main(["check", str(tmp_path / "in"), "--exclude", "*.json"]) == 0
    capsys.readouterr()


def test_a_symlink_loop_is_reported_not_followed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _tree(tmp_path / "d", ["a.json"])
    (tmp_path / "d" / "loop").symlink_to("..")  # ln -s .. loop
    (tmp_path / "d" / "self.json").symlink_to("self.json")  # a link to itself
    code = main(["check", str(tmp_path / "d")])
    out, err = capsys.readouterr()
    assert code == 1
    assert out.splitlines() == [
        f"{tmp_path / 'd' / 'loop'}: warning: symbolic link to a parent folder (a loop), "
        "not followed",
        f"{tmp_path / 'd' / 'self.json'}: error: Too many levels of symbolic links",
    ]
    assert err == "dastdown: 1 problem in 1 of 2 files checked\n"


def test_the_summary_counts_failing_inputs_consistently(
    tmp_path: Path, run_main: Callable[..., tuple[int, str, str]]
) -> None:
    (tmp_path / "bad.json").write_text("[", encoding="utf-8")
    code, _, err = run_main("check", tmp_path / "bad.json")
    assert (code, err) == (1, "dastdown: 1 problem in 1 of 1 files checked\n")
    code, _, err = run_main("check", tmp_path / "gone.json")
    assert code == 2  # a missing input is a usage error, never "1 of 0 files"
    assert err == f"{tmp_path / 'gone.json'}: error: No such file or directory\n"


@pytest.fixture
def run_main(capsys: pytest.CaptureFixture[str]) -> Callable[..., tuple[int, str, str]]:
    def call(*argv: object) -> tuple[int, str, str]:
        code = main([str(a) for a in argv])
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    return call
