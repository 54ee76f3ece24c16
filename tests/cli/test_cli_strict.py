"""``--strict`` and ``--original`` on ``check`` and ``convert``: records accounted for.

Without ``--strict`` lost, duplicated or kind-changed records (and a fenced
text) are warnings, printed as ``path:line:col: warning: ...`` with exit 0;
with it they are errors (exit 1, nothing written). A mangled placeholder is
always an error with a suggestion.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from dastdown import serialize
from dastdown.cli import main

RECORD = {"id": "b1", "type": "item", "attributes": {"label": "Subscribe"}}
ORIGINAL: dict[str, Any] = {
    "schema": "dast",
    "document": {
        "type": "root",
        "children": [
            {"type": "heading", "level": 1, "children": [{"type": "span", "value": "Intro"}]},
            {"type": "block", "item": RECORD},
            {
                "type": "paragraph",
                "children": [
                    {"type": "span", "value": "see "},
                    {
                        "type": "itemLink",
                        "item": "r9",
                        "children": [{"type": "span", "value": "this"}],
                    },
                ],
            },
            {"type": "block", "item": "b2"},
        ],
    },
}
TEXT = serialize(ORIGINAL)


@dataclass
class Result:
    code: int
    out: str
    err: str


@pytest.fixture
def run(capsys: pytest.CaptureFixture[str]) -> Callable[..., Result]:
    def call(*argv: str | Path) -> Result:
        try:
            code = main([str(a) for a in argv])
        except SystemExit as exc:  # argparse usage errors
            code = int(exc.code or 0)
        captured = capsys.readouterr()
        assert "Traceback" not in captured.err + captured.out
        return Result(code, captured.out, captured.err)

    return call


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    original = tmp_path / "original.json"
    original.write_text(json.dumps(ORIGINAL), encoding="utf-8")
    texts = {
        "same": TEXT,
        "lost": TEXT.replace('<block id="b2"/>\n', "").rstrip("\n") + "\n",
        "twice": TEXT + '\n<block id="b1"/>\n',
        "unlinked": TEXT.replace("[this](dato:item/r9)", "this"),
        "mangled": TEXT.replace('<block id="b1"/>', "<block id='b1' />"),
        "fenced": "```dastdown\n" + TEXT + "```\n",
    }
    out = {"original": original}
    for name, text in texts.items():
        path = tmp_path / f"{name}.dastdown"
        path.write_text(text, encoding="utf-8")
        out[name] = path
    return out


def test_check_without_original_reads_as_before(
    run: Callable[..., Result], files: dict[str, Path]
) -> None:
    assert run("check", files["same"]) == Result(0, "", "")
    assert run("check", files["lost"]) == Result(0, "", "")
    assert run("check", files["same"], "--strict") == Result(0, "", "")


def test_check_with_original_warns(run: Callable[..., Result], files: dict[str, Path]) -> None:
    lost = files["lost"]
    result = run("check", lost, "--original", files["original"])
    assert result.code == 0
    assert result.out == (
        f"{lost}:5:5: warning: block 'b2' is missing: the original has it at children[3]; "
        "expected after the link to dato:item/r9 (line 5) [missing]\n"
    )
    assert result.err == ""


def test_check_strict_fails(run: Callable[..., Result], files: dict[str, Path]) -> None:
    lost = files["lost"]
    result = run("check", lost, "--original", files["original"], "--strict")
    assert result.code == 1
    assert result.out.startswith(f"{lost}:5:5: error: block 'b2' is missing")
    assert result.err == "dastdown: 1 problem in 1 of 1 files checked\n"


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("same", ""),
        ("twice", ":9:1: {severity}: block 'b1' appears 2 times in the text; the original has it "
         "once (first at line 3): a record belongs in one place [duplicated]\n"),
        ("unlinked", ":3:1: {severity}: item link to 'r9' was lost: the original has it at "
         "children[2].children[1]; expected after <block id=\"b1\"/> (line 3) [link-lost]\n"),
        ("fenced", ":1:1: {severity}: the whole text is one code block (the 3 records of the "
         "original are inside it): a language model may have wrapped its answer in ``` fences; "
         "remove the first and last lines [fenced]\n"),
    ],
)
def test_check_each_problem(
    run: Callable[..., Result], files: dict[str, Path], name: str, expected: str
) -> None:
    path = files[name]
    loose = run("check", path, "--original", files["original"])
    strict = run("check", path, "--original", files["original"], "--strict")
    if not expected:
        assert loose == strict == Result(0, "", "")
        return
    assert (loose.code, loose.out) == (0, f"{path}" + expected.format(severity="warning"))
    assert (strict.code, strict.out) == (1, f"{path}" + expected.format(severity="error"))


def test_a_mangled_placeholder_is_an_error_with_a_suggestion(
    run: Callable[..., Result], files: dict[str, Path]
) -> None:
    path = files["mangled"]
    expected = (
        f"{path}:3:1: error: malformed block placeholder <block id='b1' />: "
        'did you mean <block id="b1"/>?\n'
        "  <block id='b1' />\n"
        "  ^\n"
    )
    for extra in ([], ["--strict"], ["--original", str(files["original"])]):
        result = run("check", path, *extra)
        assert (result.code, result.out) == (1, expected)
    converted = run("convert", path, "--to", "json")
    assert (converted.code, converted.out, converted.err) == (1, "", expected)


def test_check_a_folder_with_an_original(
    run: Callable[..., Result], files: dict[str, Path], tmp_path: Path
) -> None:
    result = run("check", tmp_path, "--original", files["original"], "--strict")
    assert result.code == 1
    flagged = {line.split(":")[0] for line in result.out.splitlines() if ": error: " in line}
    names = {"lost", "twice", "unlinked", "mangled", "fenced"}
    assert flagged == {str(files[name]) for name in names}
    assert "original.json" not in result.out  # the JSON itself is valid


def test_convert_puts_the_records_back(
    run: Callable[..., Result], files: dict[str, Path]
) -> None:
    result = run("convert", files["same"], "--original", files["original"], "--to", "json")
    assert result.code == 0
    assert json.loads(result.out) == ORIGINAL
    without = json.loads(run("convert", files["same"], "--to", "json").out)
    assert without["document"]["children"][1]["item"] == "b1"


def test_convert_warns_or_fails(
    run: Callable[..., Result], files: dict[str, Path], tmp_path: Path
) -> None:
    lost = files["lost"]
    out = tmp_path / "out.json"
    loose = run("convert", lost, "--original", files["original"], "-o", out)
    assert loose.code == 0
    assert loose.err.startswith(f"{lost}:5:5: warning: block 'b2' is missing")
    assert len(json.loads(out.read_text(encoding="utf-8"))["document"]["children"]) == 3
    out.unlink()
    strict = run("convert", lost, "--original", files["original"], "--strict", "-o", out)
    assert strict.code == 1
    assert strict.err.startswith(f"{lost}:5:5: error: block 'b2' is missing")
    assert not out.exists()
    quiet = run("convert", lost, "--original", files["original"], "-q", "--to", "json")
    assert (quiet.code, quiet.err) == (0, "")


def test_convert_without_original_reports_duplicates(
    run: Callable[..., Result], files: dict[str, Path]
) -> None:
    twice = files["twice"]
    loose = run("convert", twice, "--to", "json")
    assert loose.code == 0
    assert loose.err == (
        f"{twice}:9:1: warning: block 'b1' appears 2 times in the text (first at line 3): "
        "a record belongs in one place [duplicated]\n"
    )
    assert run("convert", twice, "--to", "json", "--strict").code == 1


def test_convert_strict_to_html_also_fails_on_what_html_cannot_show(
    run: Callable[..., Result], files: dict[str, Path]
) -> None:
    same = run("convert", files["same"], "--original", files["original"], "--to", "html")
    assert same.code == 0 and "warning" in same.err  # placeholders for the records
    strict = run(
        "convert", files["same"], "--original", files["original"], "--to", "html", "--strict"
    )
    assert (strict.code, strict.out) == (1, "")
    assert ": error: " in strict.err


def test_strict_from_the_settings(
    run: Callable[..., Result], files: dict[str, Path], tmp_path: Path
) -> None:
    (tmp_path / "pyproject.toml").write_text("[tool.dastdown]\nstrict = true\n", encoding="utf-8")
    result = run("check", files["lost"], "--original", files["original"])
    assert result.code == 1 and ": error: block 'b2' is missing" in result.out


def test_usage_errors(run: Callable[..., Result], files: dict[str, Path], tmp_path: Path) -> None:
    missing = run("check", files["same"], "--original", tmp_path / "nope.json")
    assert missing.code == 2
    json_input = run("convert", files["original"], "--original", files["original"])
    assert json_input.code == 2 and "--original goes with a dastdown input" in json_input.err
    folder = run("convert", tmp_path, "-o", tmp_path / "out", "--to", "json",
                 "--original", files["original"])
    assert folder.code == 2 and "not with folders" in folder.err
    broken = tmp_path / "broken.json"
    broken.write_text('{"schema": "dast"', encoding="utf-8")
    bad = run("check", files["same"], "--original", broken)
    assert bad.code == 2
    assert f"{broken}:1:18: error: invalid JSON" in bad.err
    assert "cannot be read" in bad.err
    stdin = run("check", files["same"], "--original", "-")
    assert stdin.code == 2


def test_help_mentions_the_options(run: Callable[..., Result]) -> None:
    for command in ("check", "convert"):
        result = run(command, "--help")
        assert result.code == 0
        assert "--original FILE" in result.out and "--strict" in result.out
