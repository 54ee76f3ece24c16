"""What users expect of a formatter's command line (black, ruff, mdformat).

Several paths per call, ``fmt --diff``, ``path:line:col`` for ``fmt --check``,
sniffing the format of standard input, exit statuses, examples in every
``--help``, and bare ``pytest`` working from the repository root.
"""

from __future__ import annotations

import io
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from dastdown.cli import COMMANDS, main

ROOT = Path(__file__).resolve().parents[2]
DOC = {
    "schema": "dast",
    "document": {
        "type": "root",
        "children": [{"type": "paragraph", "children": [{"type": "span", "value": "hi"}]}],
    },
}


def _stdin(monkeypatch: pytest.MonkeyPatch, text: str) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(text.encode())))


def test_convert_several_files_and_folders(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for name in ("a.json", "b.json", "dir/c.json", "dir/sub/d.json"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(json.dumps(DOC), encoding="utf-8")
    out = tmp_path / "out"
    argv = ["convert", str(tmp_path / "a.json"), str(tmp_path / "b.json"), str(tmp_path / "dir")]
    assert main([*argv, "-o", str(out), "--to", "dastdown", "-j", "1"]) == 0
    written = sorted(p.relative_to(out).as_posix() for p in out.rglob("*.dastdown"))
    assert written == ["a.dastdown", "b.dastdown", "c.dastdown", "sub/d.dastdown"]
    assert all(p.read_text(encoding="utf-8") == "hi\n" for p in out.rglob("*.dastdown"))
    capsys.readouterr()


def test_check_several_paths(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "a.json").write_text(json.dumps(DOC), encoding="utf-8")
    (tmp_path / "dir").mkdir()
    (tmp_path / "dir" / "b.dastdown").write_text("####### x\n", encoding="utf-8")
    assert main(["check", str(tmp_path / "a.json"), str(tmp_path / "dir")]) == 1
    out, err = capsys.readouterr()
    assert out.startswith(f"{tmp_path / 'dir' / 'b.dastdown'}:1:1: error: ")
    assert err == "dastdown: 1 problem in 1 of 2 files checked\n"


def test_fmt_diff_prints_a_unified_diff_and_changes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "a.dastdown"
    target.write_text("intro\n\n3. one\n7. two\n", encoding="utf-8")
    assert main(["fmt", "--diff", str(target)]) == 0
    out, err = capsys.readouterr()
    assert out == (
        f"--- {target}\n+++ {target} (formatted)\n@@ -1,4 +1,4 @@\n intro\n \n"
        "-3. one\n-7. two\n+1. one\n+2. two\n"
    )
    assert err == ""
    assert target.read_text(encoding="utf-8") == "intro\n\n3. one\n7. two\n"
    assert main(["fmt", "--diff", "--check", str(target)]) == 1
    capsys.readouterr()


def test_fmt_check_names_the_first_difference(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "a.dastdown"
    target.write_text("intro\n\n1. one\n7. two\n", encoding="utf-8")
    assert main(["fmt", "--check", str(target)]) == 1
    assert capsys.readouterr().out == f"{target}:4:1: would reformat\n"


def test_standard_input_format_is_sniffed(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _stdin(monkeypatch, json.dumps(DOC))
    assert main(["convert", "-"]) == 0  # a JSON object: dastdown out by default
    assert capsys.readouterr().out == "hi\n"
    _stdin(monkeypatch, "hi\n")
    assert main(["convert", "-"]) == 0  # dastdown text: JSON out by default
    assert json.loads(capsys.readouterr().out) == DOC


def test_inspect_and_check_sniff_standard_input(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _stdin(monkeypatch, json.dumps(DOC))
    assert main(["inspect", "-"]) == 0
    assert capsys.readouterr().out.startswith("root")
    _stdin(monkeypatch, "####### x\n")
    assert main(["check", "-"]) == 1
    assert capsys.readouterr().out.startswith("<stdin>:1:1: error: ")


@pytest.mark.parametrize(
    ("argv", "status"),
    [
        (["convert", "missing.json"], 2),
        (["check", "missing.json", "missing.dastdown"], 2),
        (["fmt", "missing.dastdown"], 2),
        (["inspect", "missing.json"], 2),
        (["convert", "a.json", "--to", "pdf"], 2),
    ],
)
def test_exit_status_2_for_usage_errors_and_missing_inputs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, argv: list[str], status: int
) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(argv) == status


@pytest.mark.parametrize("command", COMMANDS)
def test_every_help_has_examples(command: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main([command, "--help"]) == 0
    assert "examples:\n  dastdown " + command in capsys.readouterr().out


def test_bare_pytest_from_the_repository_root() -> None:
    script = Path(sys.executable).with_name("pytest")  # not `python -m`: that adds the cwd
    if not script.is_file():
        script = Path(shutil.which("pytest") or "pytest")
    done = subprocess.run(
        [str(script), "--collect-only", "-q", "tests/convert/test_convert_roundtrip.py"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    assert "No module named 'tests'" not in done.stdout
