"""``dastdown diff A B``: exit 0 equal / 1 different / 2 trouble, readable lines, --html."""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path

import pytest

import dast.builders as b
from dastdown.cli import main
from dastdown.serializer import serialize

BEFORE = b.doc(b.h(1, "Title"), b.p("hello world"), b.p("keep"))
AFTER = b.doc(b.h(2, "Title"), b.p("hello there"), b.p("keep"), b.hr())


@pytest.fixture
def files(tmp_path: Path) -> dict[str, str]:
    paths = {
        "a.json": json.dumps(BEFORE.to_json()),
        "a.dastdown": serialize(BEFORE),
        "b.json": json.dumps({"value": AFTER.to_json(), "blocks": [], "links": []}),
        "b.dastdown": serialize(AFTER),
        "bad.json": '{"schema": "dast", "document": {"type": "root", "children": []}}',
        "broken.dastdown": "# ok\n\n```\nunclosed\n",
    }
    for name, text in paths.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    return {name: str(tmp_path / name) for name in paths}


EXPECTED = """\
children[0].level: 1 -> 2
children[1].children[0]: text "hello [-world-]{+there+}"
children[3]: inserted thematicBreak
"""


def test_different_documents_exit_1(
    files: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["diff", files["a.json"], files["b.dastdown"]]) == 1
    out = capsys.readouterr()
    assert out.out == EXPECTED and out.err == ""
    assert main(["diff", files["a.dastdown"], files["b.json"]]) == 1
    assert capsys.readouterr().out == EXPECTED


def test_equal_documents_exit_0(files: dict[str, str], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["diff", files["a.json"], files["a.dastdown"]]) == 0
    assert capsys.readouterr().out == ""


def test_colour_only_when_asked_or_on_a_terminal(
    files: dict[str, str], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    main(["diff", files["a.json"], files["b.json"]])
    assert "\x1b[" not in capsys.readouterr().out  # captured output is not a terminal
    main(["diff", files["a.json"], files["b.json"], "--color", "always"])
    assert "\x1b[32m{+there+}\x1b[0m" in capsys.readouterr().out
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True, raising=False)
    main(["diff", files["a.json"], files["b.json"]])
    assert "\x1b[" not in capsys.readouterr().out


def test_html_review(files: dict[str, str], tmp_path: Path) -> None:
    target = tmp_path / "review.html"
    assert main(["diff", files["a.json"], files["b.json"], "--html", str(target)]) == 1
    page = target.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and "<del>world</del>" in page
    assert "<ins>there</ins>" in page


def test_trouble_exits_2(files: dict[str, str], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["diff", files["a.json"], files["bad.json"]]) == 2
    assert "bad.json:1:" in capsys.readouterr().err
    assert main(["diff", files["broken.dastdown"], files["a.json"]]) == 2
    err = capsys.readouterr().err
    assert "broken.dastdown:3:" in err and "Traceback" not in err
    assert main(["diff", files["a.json"], "/nonexistent/x.json"]) == 2
    assert "/nonexistent/x.json" in capsys.readouterr().err
    assert main(["diff", files["a.json"], files["b.json"], "--html", "/nonexistent/r.html"]) == 2
    assert "cannot write the review page" in capsys.readouterr().err
    assert main(["diff", "-", "-"]) == 2
    assert "only one of A and B" in capsys.readouterr().err


def test_standard_input(
    files: dict[str, str], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(serialize(AFTER).encode())))
    assert main(["diff", files["a.json"], "-"]) == 1
    assert capsys.readouterr().out == EXPECTED


def test_help_lists_the_command(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--help"]) == 0
    assert "show the structural changes between two documents" in capsys.readouterr().out
