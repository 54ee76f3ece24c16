"""The syrupy extension: documents stored as ``.dastdown`` snapshots, with their blocks."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from syrupy.assertion import SnapshotAssertion

import dast.builders as b
from dast.canonical import canonicalize
from dast.nodes import Document
from dastdown.snapshot import DastdownSnapshotExtension, read_snapshot, snapshot_text
from tests.strategies import documents, record_ids

SNAPSHOTS = Path(__file__).resolve().parent / "__snapshots__" / "test_snapshot_extension"


@pytest.fixture
def snapshot(snapshot: SnapshotAssertion) -> SnapshotAssertion:
    return snapshot.use_extension(DastdownSnapshotExtension)


CTA = {"id": "cta-1", "type": "item", "item_type": {"type": "item_type", "id": "cta"},
       "label": "Subscribe", "url": "https://example.com/rss"}
BADGE = {"id": "badge-1", "item_type": {"id": "badge"}, "text": "new"}


def _transform(doc: Document) -> Document:
    """A transformation under test: headings one level down, "Acme" renamed."""
    from dast.nodes import Heading, Span
    from dast.walk import map_nodes

    def step(node: Any, parent: Any, path: Any) -> Any:
        if isinstance(node, Heading):
            return node.replace(level=min(node.level + 1, 6))
        if isinstance(node, Span):
            return node.replace(value=node.value.replace("Acme", "Acme Inc."))
        return node

    return map_nodes(doc, step)


ARTICLE = b.doc(
    b.h(1, "Acme news"),
    b.p("Acme ", b.strong("ships"), " today ", b.inline_block(BADGE), "."),
    b.block(CTA),
    b.ul(b.li("one"), b.li("two")),
)


def test_a_transformation_against_its_snapshot(snapshot: SnapshotAssertion) -> None:
    assert _transform(ARTICLE) == snapshot


def test_json_and_wrapper_inputs_snapshot_the_same(snapshot: SnapshotAssertion) -> None:
    wrapper = {"value": _transform(ARTICLE).to_json(), "blocks": [], "links": []}
    assert wrapper == snapshot


def test_the_files_are_readable_and_complete() -> None:
    text = (SNAPSHOTS / "test_a_transformation_against_its_snapshot.dastdown").read_text()
    body, records = text.split("\n--- block records ---\n")
    assert body.startswith("## Acme Inc. news\n")
    assert '<block id="cta-1"/>' in body and "{" not in body
    assert '"label": "Subscribe"' in records and '"text": "new"' in records
    assert read_snapshot(text) == _transform(ARTICLE)
    assert sorted(p.name for p in SNAPSHOTS.iterdir()) == [
        "test_a_transformation_against_its_snapshot.dastdown",
        "test_json_and_wrapper_inputs_snapshot_the_same.dastdown",
    ]


def test_a_mismatch_shows_the_structural_diff_first() -> None:
    extension = DastdownSnapshotExtension()
    stored = snapshot_text(_transform(ARTICLE))
    received = snapshot_text(ARTICLE)
    assert not extension.matches(serialized_data=received, snapshot_data=stored)
    lines = list(extension.diff_lines(received, stored))
    assert lines[0] == "structural diff (snapshot -> received):"
    assert "  children[0].level: 2 -> 1" in lines
    assert '  children[0].children[0]: text "Acme [-Inc. -]news"' in lines
    assert "text diff:" in lines
    changed_record = snapshot_text(b.doc(b.block({**CTA, "label": "Other"})))
    lines = list(extension.diff_lines(changed_record, snapshot_text(b.doc(b.block(CTA)))))
    assert "  children[0].item: record cta-1, changed: label" in lines


def test_matching_is_structural() -> None:
    extension = DastdownSnapshotExtension()
    stored = "# Title\n\n\n\nsome *text*\n"  # not the canonical form
    received = snapshot_text(b.doc(b.h(1, "Title"), b.p("some ", b.em("text"))))
    assert received != stored
    assert extension.matches(serialized_data=received, snapshot_data=stored)
    assert not extension.matches(serialized_data=received, snapshot_data="# Other\n")


_ITEMS = st.one_of(record_ids(), st.builds(lambda rid: {"id": rid, "f": rid}, record_ids()))


@given(documents(items=_ITEMS, max_leaves=10))
def test_snapshots_read_back_to_the_document(doc: Document) -> None:
    assert read_snapshot(snapshot_text(doc)) == canonicalize(doc)
    assert read_snapshot(snapshot_text(None)) is None
