"""The fast markdown import builds exactly what the first one built, and builds it canonical.

``from_markdown`` builds spans already merged and skips ``canonicalize``
unless a handler, raw HTML, a table, a footnote or a degraded list put in
nodes it did not build itself; it checks the result with
``ensure_writable`` instead of a full ``validate``. These tests pin that
down: the corpus of ``markdown_corpus.py`` (random markdown shapes, four
option sets) against the results recorded from the conversion before
these changes, and a hypothesis property that whatever markdown comes in,
the result is valid and canonical.
"""

from __future__ import annotations

import gc
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dast.canonical import is_canonical
from dast.convert import ConversionError, from_markdown
from dast.nodes import Heading, Span
from dast.validate import validate
from tests.convert.markdown_corpus import OPTIONS, PIECES, cases_of, convert, inputs

_EXPECTED = Path(__file__).with_name("markdown_corpus.json")
_TEXTS = inputs()
_CASES = cases_of(_TEXTS)


def _expected() -> list[dict[str, Any]]:
    expected: list[dict[str, Any]] = json.loads(_EXPECTED.read_text(encoding="utf-8"))
    return expected


def test_the_corpus_has_its_expected_results() -> None:
    expected = _expected()
    assert len(expected) == len(_CASES) == 280
    assert sum(1 for case in expected if case.get("report")) > 200  # the report paths are covered


@pytest.mark.parametrize("chunk", range(8))
def test_corpus_converts_exactly_as_recorded(chunk: int) -> None:
    expected = _expected()
    for position in range(chunk, len(_CASES), 8):
        index, number = _CASES[position]
        got = json.loads(json.dumps(convert(_TEXTS[index], OPTIONS[number])))
        assert got == expected[position], (_TEXTS[index], OPTIONS[number])


@given(st.lists(st.sampled_from(PIECES), max_size=30).map("".join))
def test_any_markdown_converts_to_a_valid_canonical_document(text: str) -> None:
    for options in OPTIONS:
        doc, _ = from_markdown(text, **options)
        assert validate(doc).valid
        assert is_canonical(doc), (text, options)


@given(st.text(st.characters(codec="utf-8"), max_size=60))
def test_any_text_converts_to_a_valid_canonical_document(text: str) -> None:
    doc, _ = from_markdown(text)
    assert validate(doc).valid and is_canonical(doc)


def test_a_handler_returning_a_broken_node_is_refused_with_its_path() -> None:
    broken = Heading(level=2, children=(Span(value="x"),)).model_copy(update={"level": 9})
    with pytest.raises(ConversionError, match=r"not valid DAST \(check the handlers\).*level"):
        from_markdown("a\n\n## b", handlers={"heading": lambda token, ctx: broken})


def test_a_handler_returning_non_canonical_spans_gets_a_canonical_document() -> None:
    def spans(token: dict[str, Any], ctx: Any) -> list[Span]:
        return [Span(value="a", marks=("strong", "strong")), Span(value=""), Span(value="b")]

    doc, _ = from_markdown("x ![i](i.png) y", handlers={"image": spans})
    assert is_canonical(doc)
    assert doc.to_json()["document"]["children"][0]["children"] == [
        {"type": "span", "value": "x "},
        {"type": "span", "value": "a", "marks": ["strong"]},
        {"type": "span", "value": "b y"},
    ]


@pytest.mark.parametrize("enabled", [True, False])
def test_the_cycle_collector_is_left_as_it_was(enabled: bool) -> None:
    was = gc.isenabled()
    try:
        if not enabled:
            gc.disable()
        from_markdown("# x\n\n- a\n- b\n")
        assert gc.isenabled() is enabled
        with pytest.raises(ConversionError):
            from_markdown("![a](b)", handlers={"image": lambda token, ctx: "not a node"})
        assert gc.isenabled() is enabled
    finally:
        if was:
            gc.enable()
        else:
            gc.disable()
