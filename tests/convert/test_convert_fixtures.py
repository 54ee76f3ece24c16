"""Snapshots of every fixture through every converter.

Each valid DAST fixture (``fixtures/dast/valid/*.json``) is rendered to HTML,
markdown and plain text, each with its report; each markdown fixture
(``fixtures/markdown/*.md``) is converted to DAST, dumped with its report.
Records are rendered with the default placeholders (``on_missing="placeholder"``
for HTML) so the reports show them.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from syrupy.assertion import SnapshotAssertion

from dast.canonical import canonicalize
from dast.convert.from_markdown import from_markdown
from dast.convert.to_html import to_html
from dast.convert.to_markdown import to_markdown
from dast.convert.to_text import to_text
from dast.load import load_document

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
DAST_FIXTURES = sorted((FIXTURES / "dast" / "valid").glob("*.json"))
MARKDOWN_FIXTURES = sorted((FIXTURES / "markdown").glob("*.md"))


def _load(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def test_fixtures_are_there() -> None:
    assert len(DAST_FIXTURES) >= 20
    assert len(MARKDOWN_FIXTURES) >= 10


@pytest.mark.parametrize("path", DAST_FIXTURES, ids=[p.stem for p in DAST_FIXTURES])
def test_render_html(path: Path, snapshot: SnapshotAssertion) -> None:
    html, report = to_html(_load(path), on_missing="placeholder")
    assert {"html": html, "report": report.to_list()} == snapshot


@pytest.mark.parametrize("path", DAST_FIXTURES, ids=[p.stem for p in DAST_FIXTURES])
def test_render_markdown(path: Path, snapshot: SnapshotAssertion) -> None:
    text, report = to_markdown(_load(path))
    assert {"markdown": text, "report": report.to_list()} == snapshot


@pytest.mark.parametrize("path", DAST_FIXTURES, ids=[p.stem for p in DAST_FIXTURES])
def test_render_text(path: Path, snapshot: SnapshotAssertion) -> None:
    text, report = to_text(_load(path))
    assert {"text": text, "report": report.to_list()} == snapshot


@pytest.mark.parametrize("path", MARKDOWN_FIXTURES, ids=[p.stem for p in MARKDOWN_FIXTURES])
def test_read_markdown(path: Path, snapshot: SnapshotAssertion) -> None:
    doc, report = from_markdown(path.read_text(encoding="utf-8"))
    assert {"dast": doc.to_json(), "report": report.to_list()} == snapshot


@pytest.mark.parametrize("path", DAST_FIXTURES, ids=[p.stem for p in DAST_FIXTURES])
def test_markdown_render_reads_back(path: Path) -> None:
    """A fixture's markdown reads back as the fixture, except what was reported.

    A fixture whose markdown report is empty comes back exactly (canonical
    form). Any fixture comes back, after one trip, as a document markdown
    expresses fully: a second trip gives it back unchanged and reports nothing but the
    record placeholders (which read back as the records).
    """
    doc = load_document(_load(path))
    text, report = to_markdown(doc)
    once, _ = from_markdown(text)
    if doc is not None and not report:
        assert once == canonicalize(doc)
    again, again_report = to_markdown(once)
    placeholders = [e for e in again_report if e.action == "written as a placeholder"]
    assert len(placeholders) == len(again_report), str(again_report)  # and they read back:
    twice, twice_report = from_markdown(again)
    assert twice == once and not twice_report


@pytest.mark.parametrize("path", MARKDOWN_FIXTURES, ids=[p.stem for p in MARKDOWN_FIXTURES])
def test_markdown_read_then_written_reads_back_the_same(path: Path) -> None:
    """What from_markdown produces, to_markdown writes without loss, and it reads back."""
    doc, _ = from_markdown(path.read_text(encoding="utf-8"))
    text, report = to_markdown(doc)
    assert not report, str(report)
    back, back_report = from_markdown(text)
    assert back == doc and not back_report
