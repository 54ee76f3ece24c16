"""``dastdown check --field FIELD.json``: the field's settings, checked beside the schema."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from dastdown.cli import main

FIELD = {
    "api_key": "body",
    "field_type": "structured_text",
    "appearance": {
        "parameters": {"nodes": ["heading"], "marks": ["strong"], "heading_levels": [2]}
    },
    "validators": {},
}


def _doc(*children: object) -> dict[str, object]:
    return {"schema": "dast", "document": {"type": "root", "children": list(children)}}


def _heading(level: int) -> dict[str, object]:
    return {"type": "heading", "level": level, "children": [{"type": "span", "value": "Title"}]}


@pytest.fixture
def field(tmp_path: Path) -> Path:
    path = tmp_path / "field.json"
    path.write_text(json.dumps(FIELD), encoding="utf-8")
    return path


def test_a_heading_level_the_field_refuses_is_reported_in_json_and_dastdown(
    tmp_path: Path, field: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "a.json").write_text(json.dumps(_doc(_heading(1))), encoding="utf-8")
    (tmp_path / "b.dastdown").write_text("# Title\n", encoding="utf-8")
    assert main(["check", str(tmp_path / "a.json"), "--field", str(field)]) == 1
    out = capsys.readouterr().out
    assert "a.json:" in out and "field-heading-level" in out
    assert main(["check", str(tmp_path / "b.dastdown"), "--field", str(field)]) == 1
    out = capsys.readouterr().out
    assert "b.dastdown:" in out and "field-heading-level" in out


def test_what_the_field_allows_passes_and_without_field_nothing_changes(
    tmp_path: Path, field: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "ok.dastdown").write_text("## Title\n\n**bold**\n", encoding="utf-8")
    (tmp_path / "h1.dastdown").write_text("# Title\n", encoding="utf-8")
    assert main(["check", str(tmp_path / "ok.dastdown"), "--field", str(field)]) == 0
    assert main(["check", str(tmp_path / "h1.dastdown")]) == 0
    capsys.readouterr()


def test_an_unreadable_field_file_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "ok.dastdown").write_text("text\n", encoding="utf-8")
    bad = tmp_path / "bad.json"
    bad.write_text("{", encoding="utf-8")
    assert main(["check", str(tmp_path / "ok.dastdown"), "--field", str(bad)]) == 2
    assert "--field" in capsys.readouterr().err
