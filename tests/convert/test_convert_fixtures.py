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
    """Reading a fixture's markdown gives back the fixture, except what was reported.

    Fixtures whose markdown report is empty must come back exactly (canonical
    form); the others must at least read back without any new loss.
    """
    doc = load_document(_load(path))
    text, report = to_markdown(doc)
    back, back_report = from_markdown(text)
    if doc is None:
        assert back is not None and text == ""
        return
    if not report:
        assert back == canonicalize(doc)
        assert not back_report
