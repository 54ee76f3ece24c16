"""The fast markdown import builds exactly what the first one built, and builds it canonical.

``from_markdown`` builds spans already merged and skips ``canonicalize``
unless a handler, raw HTML, a table, a footnote or a degraded list put in
nodes it did not build itself; it checks the result with
``ensure_writable`` instead of a full ``validate``. These tests pin that
down: the corpus of ``markdown_corpus.py`` (random markdown shapes, four
option sets) against the results recorded from the conversion before
these changes, and a hypothesis property that whatever markdown comes in,
the result is valid and canonical. The inline loop and the label short-cut
(no handlers) convert everything exactly as the general path does.
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
from dast.convert.from_html import parse_tag
from dast.convert.markdown_tokens import _HTML_MARKS, _PLAIN_MARK_TAGS
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


def _general(text: str, options: dict[str, Any]) -> dict[str, Any]:
    """``convert`` through the general path: any handler turns the inline loop
    (``TokenConverter._plain_inlines``) and the label short-cut off, and this one never runs."""

    def never(token: dict[str, Any], ctx: Any) -> None:
        raise AssertionError("no token is of this type")

    return convert(text, {**options, "handlers": {"no such token": never}})


@pytest.mark.parametrize("chunk", range(4))
def test_the_inline_loop_converts_the_corpus_as_the_general_path_does(chunk: int) -> None:
    for position in range(chunk, len(_CASES), 4):
        index, number = _CASES[position]
        text, options = _TEXTS[index], OPTIONS[number]
        assert convert(text, options) == _general(text, options), (text, options)


@given(st.lists(st.sampled_from(PIECES), max_size=30).map("".join))
def test_the_inline_loop_converts_any_markdown_as_the_general_path_does(text: str) -> None:
    assert convert(text, {}) == _general(text, {})


def test_plain_mark_tags_are_read_as_parse_tag_reads_them() -> None:
    assert len(_PLAIN_MARK_TAGS) == 2 * len(_HTML_MARKS)
    for raw, (tag, mark, closing) in _PLAIN_MARK_TAGS.items():
        assert parse_tag(raw) == (tag, {}, closing)
        assert _HTML_MARKS[tag] == mark


def test_a_long_document_converts_as_the_general_path_does() -> None:
    text = "\n\n".join(_TEXTS)  # every shape of the corpus, and the lines of a long text
    assert convert(text, {}) == _general(text, {})


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
