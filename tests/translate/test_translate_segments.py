"""Segments: extraction, stable ids, lossless rebuild, and every rejected translation."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

import dast.builders as b
from dast.cma import SchemaRepository
from dast.load import load_document
from dast.nodes import Block, Code, Document, InlineItem, Paragraph, Root, Span
from dast.translate import (
    End,
    Segment,
    Standalone,
    Start,
    Token,
    TranslationError,
    apply_segments,
    check_translation,
    extract_segments,
)
from tests.translate.translate_support import hard_documents, identity, shout, shouted

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"


def _doc() -> Document:
    return b.doc(
        b.h(1, "Guide"),
        b.p("Read ", b.strong("this"), " and ", b.link("https://x.y", "that", b.em(" now")), "."),
        b.p("See ", InlineItem(item="42"), " here.\nNext line"),
        b.h(2, "Details"),
        b.ul(b.li("first"), b.li("second")),
    )


# --- extraction ------------------------------------------------------------------------------


def test_segments_and_codes() -> None:
    segments = extract_segments(_doc())
    assert [s.kind for s in segments] == ["heading", "paragraph", "paragraph", "heading"] + [
        "paragraph"
    ] * 2
    read = segments[1]
    assert read.tagged() == "Read <1>this</1> and <2>that<3> now</3></2>."
    assert [c.kind for c in read.codes] == ["marks", "link", "marks"]
    assert read.codes[1].label == "link to https://x.y"
    see = segments[2]
    assert see.tagged() == "See <1/> here.<2/>Next line"
    assert [c.kind for c in see.codes] == ["inlineItem", "break"]
    assert see.text == "See  here.\nNext line"


def test_heading_path_context() -> None:
    segments = extract_segments(_doc())
    assert [s.context for s in segments] == [
        (),
        ("Guide",),
        ("Guide",),
        ("Guide",),
        ("Guide", "Details"),
        ("Guide", "Details"),
    ]


def test_code_blocks_only_when_asked() -> None:
    doc = b.doc(b.p("x"), Code(code="print(1)\n# hi", language="python"))
    assert [s.kind for s in extract_segments(doc)] == ["paragraph"]
    code = extract_segments(doc, include_code=True)[1]
    assert code.kind == "code" and code.tagged() == "print(1)<1/># hi"
    translation = ("stampa(1)", Standalone("1"), "# ciao")
    out = apply_segments(doc, {code.id: translation}, include_code=True)
    assert out.document.document.children[1] == Code(code="stampa(1)\n# ciao", language="python")


def test_attribution_is_a_segment() -> None:
    doc = b.doc(b.quote(b.p("Quote"), attribution="Ada Lovelace"))
    segments = extract_segments(doc)
    assert [(s.kind, s.text) for s in segments] == [
        ("attribution", "Ada Lovelace"),
        ("paragraph", "Quote"),
    ]
    out = apply_segments(doc, {segments[0].id: "Ada L."}).document
    assert out.document.children[0].attribution == "Ada L."  # type: ignore[union-attr]


def test_whitespace_only_and_code_only_paragraphs_are_not_segments() -> None:
    doc = b.doc(b.p("  "), b.p(InlineItem(item="1")), b.p("x"))
    assert [s.text for s in extract_segments(doc)] == ["x"]


def test_special_characters_become_codes() -> None:
    doc = b.doc(b.p("a\x07b\ud800c\rd"))
    (segment,) = extract_segments(doc)
    assert segment.content == ("a", Standalone("1"), "b", Standalone("2"), "c\rd")
    assert [c.label for c in segment.codes] == ["character U+0007", "character U+D800"]


def test_non_canonical_spans_keep_their_boundaries() -> None:
    para = Paragraph(
        children=(Span(value="a"), Span(value="b"), Span(value=""), Span(value="c", marks=()))
    )
    doc = Document(document=Root(children=(para,)))
    (segment,) = extract_segments(doc)
    assert segment.tagged() == "a<1>b</1><2></2><3>c</3>"
    rebuilt = apply_segments(doc, {segment.id: segment.content})
    assert rebuilt.document == doc


def test_json_input() -> None:
    data = _doc().to_json()
    assert extract_segments(data) == extract_segments(_doc())


# --- stable ids ------------------------------------------------------------------------------


def test_same_document_same_ids() -> None:
    assert [s.id for s in extract_segments(_doc())] == [s.id for s in extract_segments(_doc())]


def test_an_edit_elsewhere_keeps_the_other_ids() -> None:
    doc = _doc()
    before = {s.text: s.id for s in extract_segments(doc)}
    children = list(doc.document.children)
    children.insert(0, b.p("A new introduction"))  # insertion before everything
    children[3] = b.p("See the edited paragraph")  # an edit
    del children[5]  # a deletion (the list)
    children.append(b.p("first"))  # same text as a deleted one: takes its id back
    edited = Document(document=Root(children=tuple(children)))
    after = {s.text: s.id for s in extract_segments(edited)}
    for text in ("Guide", "Read this and that now.", "Details", "first"):
        assert after[text] == before[text]
    assert after["See the edited paragraph"] not in before.values()


def test_repeated_text_gets_numbered_ids() -> None:
    ids = [s.id for s in extract_segments(b.doc(b.p("x"), b.p("x"), b.p("x")))]
    assert ids[1] == ids[0] + ".2" and ids[2] == ids[0] + ".3"


@given(hard_documents(max_leaves=12), st.integers(min_value=0, max_value=5))
def test_insertion_keeps_ids_property(doc: Document, where: int) -> None:
    children = list(doc.document.children)
    children.insert(min(where, len(children)), b.p("\u2603 inserted paragraph \u2603"))
    edited = Document(document=Root(children=tuple(children)))
    old = [s.id for s in extract_segments(doc)]
    new = [s.id for s in extract_segments(edited)]
    assert set(old) <= set(new)
    assert len(new) == len(old) + 1


# --- round trips -----------------------------------------------------------------------------


@given(hard_documents())
def test_identity_translation_gives_the_same_document(doc: Document) -> None:
    segments = extract_segments(doc, include_code=True)
    result = apply_segments(doc, identity(segments), include_code=True)
    assert result.document == doc
    assert result.document.to_json() == doc.to_json()
    assert set(result.report.applied) == {s.id for s in segments}
    assert not result.report.rejected and not result.report.untranslated


@given(hard_documents())
def test_translated_text_lands_in_place(doc: Document) -> None:
    segments = extract_segments(doc)
    result = apply_segments(doc, {s.id: shout(s.content) for s in segments})
    assert result.document == shouted(doc)


def test_untranslated_and_unknown_are_reported() -> None:
    doc = _doc()
    segments = extract_segments(doc)
    result = apply_segments(doc, {segments[0].id: "Guida", "p-0000000000": "?"})
    assert result.report.applied == (segments[0].id,)
    assert result.report.unknown == ("p-0000000000",)
    assert set(result.report.untranslated) == {s.id for s in segments[1:]}
    assert result.document.document.children[0] == b.h(1, "Guida")


def test_translator_may_move_codes_and_nest_marks_around_links() -> None:
    doc = b.doc(b.p("Read ", b.strong("this"), " and ", b.link("https://x.y", "that"), "."))
    (segment,) = extract_segments(doc)
    translation: list[Token] = [
        Start("1"), "Leggi ", Start("2"), "quello", End("2"), End("1"), " e questo."
    ]
    out = apply_segments(doc, {segment.id: translation}).document
    assert out.document.children[0] == b.p(
        b.strong("Leggi "), b.link("https://x.y", b.strong("quello")), " e questo."
    )


def test_deep_document() -> None:
    depth = 5000
    node: dict[str, Any] = {"type": "paragraph", "children": [{"type": "span", "value": "deep"}]}
    for _ in range(depth):
        node = {"type": "list", "style": "bulleted", "children": [
            {"type": "listItem", "children": [node]}]}
    doc = load_document({"schema": "dast", "document": {"type": "root", "children": [node]}})
    (segment,) = extract_segments(doc)
    out = apply_segments(doc, {segment.id: "profondo"}).document
    (again,) = extract_segments(out)
    assert again.text == "profondo"


# --- rejections ------------------------------------------------------------------------------


def _segment() -> tuple[Document, Segment]:
    doc = b.doc(b.p("a", b.strong("b"), b.link("https://x.y", "c"), InlineItem(item="9"), "d\ne"))
    return doc, extract_segments(doc)[0]


@pytest.mark.parametrize(
    ("translation", "code", "message"),
    [
        (("a", Start("1"), "b", End("1"), "c", Standalone("3"), "d", Standalone("4"), "e"),
         "2", "code 2 (link to https://x.y) is missing"),
        (("a", Start("1"), "b", End("1"), Start("2"), "c", End("2"), "d", Standalone("4"), "e"),
         "3", "code 3 (inline record 9) is missing"),
        (("a", Start("2"), "c", End("2"), Standalone("3"), "d", Standalone("4"), "e"),
         "1", "code 1 (strong) is missing (dropping marks is not allowed)"),
        (("a", Start("1"), "b", End("1"), Start("2"), "c", End("2"), Standalone("3"),
          Standalone("3"), "d", Standalone("4"), "e"),
         "3", "code 3 (inline record 9) appears twice"),
        (("a", Start("1"), "b", Start("2"), "c", End("1"), End("2"), Standalone("3"), "d",
          Standalone("4"), "e"),
         "1", "code 1 (strong) is closed while code 2 (link to https://x.y) is open (unbalanced)"),
        (("a", Start("1"), "b", Start("2"), "c", End("2"), Standalone("3"), "d", Standalone("4")),
         "1", "code 1 (strong) is never closed (unbalanced)"),
        (("a", End("1"), "b"), "1", "code 1 (strong) is closed before it is opened"),
        (("a", Standalone("7")), "7", "code 7 is not in the source"),
        (("a", Standalone("1")), "1", "code 1 (strong) is a paired code, used alone"),
        (("a", Start("1"), "b", End("1"), Start("2"), "c", Standalone("3"), End("2"), "d",
          Standalone("4"), "e"),
         "3", "code 3 (inline record 9) is inside code 2 (link to https://x.y)"),
        (("a", Start("1"), "b", End("1"), Start("2"), End("2"), Standalone("3"), "d",
          Standalone("4"), "e"),
         "2", "code 2 (link to https://x.y) holds no text"),
        ((Start("1"), End("1"), Start("2"), End("2"), Standalone("3"), Standalone("4")),
         None, "the translation is empty"),
        (("a", Start("1"), "b", End("1"), Start("2"), "c", End("2"), Standalone("3"), "d\ne"),
         None, "the text holds a line break: it must be a code of the source"),
    ],
)
def test_rejected_translations_name_segment_and_code(
    translation: tuple[Token, ...], code: str | None, message: str
) -> None:
    doc, segment = _segment()
    problem = check_translation(segment, translation)
    assert problem is not None
    assert (problem.segment, problem.code, problem.message) == (segment.id, code, message)
    with pytest.raises(TranslationError) as info:
        apply_segments(doc, {segment.id: translation})
    assert info.value.problems == (problem,)
    assert segment.id in str(info.value)


def test_dropping_marks_when_allowed() -> None:
    doc, segment = _segment()
    translation = ("A", Start("2"), "C", End("2"), Standalone("3"), "D", Standalone("4"), "E")
    result = apply_segments(doc, {segment.id: translation}, allow_dropped_marks=True)
    assert result.report.dropped == ((segment.id, "1", "strong"),)
    assert result.document.document.children[0] == b.p(
        "A", b.link("https://x.y", "C"), InlineItem(item="9"), "D\nE"
    )


def test_non_strict_applies_the_good_and_reports_the_bad() -> None:
    doc = b.doc(b.p("one ", b.strong("x")), b.p("two"))
    first, second = extract_segments(doc)
    result = apply_segments(doc, {first.id: "uno", second.id: "due"}, strict=False)
    assert result.report.applied == (second.id,)
    assert [(p.segment, p.code) for p in result.report.rejected] == [(first.id, "1")]
    assert result.document.document.children == (b.p("one ", b.strong("x")), b.p("due"))


@given(hard_documents(), st.data())
def test_dropping_or_duplicating_any_code_is_rejected(doc: Document, data: st.DataObject) -> None:
    candidates = [s for s in extract_segments(doc) if s.codes]
    if not candidates:
        return
    segment = data.draw(st.sampled_from(candidates))
    code = data.draw(st.sampled_from(segment.codes))
    dropped = tuple(
        t for t in segment.content if isinstance(t, str) or getattr(t, "code", None) != code.id
    )
    problem = check_translation(segment, dropped)
    if problem is None:  # only a mark code may go, and only when asked: never by default
        pytest.fail(f"dropping {code} was accepted")
    assert problem.segment == segment.id
    assert problem.code == code.id or problem.message == "the translation is empty"
    duplicated = segment.content + tuple(
        t for t in segment.content if not isinstance(t, str) and t.code == code.id
    )
    problem = check_translation(segment, duplicated)
    assert problem is not None and problem.segment == segment.id and problem.code == code.id
    assert "twice" in problem.message
    if code.droppable:
        allowed = check_translation(segment, dropped, allow_dropped_marks=True)
        # accepted, unless nothing is left of the text or of a link's label
        assert (
            allowed is None
            or allowed.message == "the translation is empty"
            or allowed.message.endswith("holds no text")
        )


# --- block fields ----------------------------------------------------------------------------


def test_block_text_fields_with_a_schema() -> None:
    schema = SchemaRepository.from_directory(FIXTURES / "cma" / "schema")
    record = json.loads((FIXTURES / "cma" / "records" / "article_nested.json").read_text())
    doc = load_document(record["data"]["attributes"]["content"]["en"])
    plain = extract_segments(doc)
    assert all(s.kind != "block-field" for s in plain)
    segments = extract_segments(doc, schema=schema)
    fields = {s.id: s for s in segments if s.kind == "block-field"}
    assert "D7wcy96jfgFaa43VGiJI3w.title" in fields
    title = fields["D7wcy96jfgFaa43VGiJI3w.title"]
    assert (title.text, title.field, title.context) == ("Launch week", "title", ("gallery",))
    assert "PssGZGbkHiUUHuRyhGwDSw.label" in fields  # an inline block's field
    out = apply_segments(doc, {title.id: "Settimana del lancio"}, schema=schema).document
    block = out.document.children[2]
    assert isinstance(block, Block) and isinstance(block.item, dict)
    assert block.item["attributes"]["title"] == "Settimana del lancio"
    assert block.item["attributes"]["cards"] == record["data"]["attributes"]["content"]["en"][
        "document"]["children"][2]["item"]["attributes"]["cards"]
    same = apply_segments(doc, identity(segments), schema=schema)
    assert same.document == doc


def test_nested_blocks_and_documents_inside_blocks() -> None:
    schema = SchemaRepository.from_directory(FIXTURES / "cma" / "schema")
    record = json.loads((FIXTURES / "cma" / "records" / "article_nested.json").read_text())
    doc = load_document(record["data"]["attributes"]["content"]["en"])
    segments = {s.id: s for s in extract_segments(doc, schema=schema)}
    caption = segments["1BvGULXaqnHIUFKyvVC8Rw.caption"]  # a card in the gallery's cards
    assert caption.text == "The team on launch day"
    nested = [s for s in segments.values() if s.id.startswith("cBE3iHxJFxDmE4QlF65Z3Q.body.")]
    assert [(s.kind, s.text, s.context) for s in nested] == [
        ("paragraph", "Every release, in one place.", ("cta.body",)),
        ("block-field", "The changelog is our diary.", ("cta.body", "quote")),
        ("block-field", "Jane Doe", ("cta.body", "quote")),
    ]
    # enum and url fields are not prose
    assert not {"1BvGULXaqnHIUFKyvVC8Rw.link_url", "D7wcy96jfgFaa43VGiJI3w.layout",
                "PssGZGbkHiUUHuRyhGwDSw.tone", "cBE3iHxJFxDmE4QlF65Z3Q.url"} & set(segments)
    translations = {
        caption.id: "La squadra il giorno del lancio",
        nested[0].id: "Ogni versione, in un posto.",
        nested[1].id: "Il changelog è il nostro diario.",
    }
    result = apply_segments(doc, translations, schema=schema)
    assert set(result.report.applied) == set(translations)
    assert not result.report.unknown
    out = result.document.to_json()["document"]["children"]
    cards = out[2]["item"]["attributes"]["cards"]
    assert cards[0]["attributes"]["caption"] == "La squadra il giorno del lancio"
    assert cards[1] == doc.to_json()["document"]["children"][2]["item"]["attributes"]["cards"][1]
    (cta,) = [c for c in out if c["type"] == "block" and c["item"]["id"].startswith("cBE3")]
    body = cta["item"]["attributes"]["body"]["document"]["children"]
    assert body[0]["children"][0]["value"] == "Ogni versione, in un posto."
    assert body[1]["item"]["attributes"] == {"text": "Il changelog è il nostro diario.",
                                             "author": "Jane Doe"}
    bad = apply_segments(doc, {nested[0].id: "x\ny"}, schema=schema, strict=False)
    assert [p.segment for p in bad.report.rejected] == [nested[0].id]
    assert apply_segments(doc, identity(list(segments.values())), schema=schema).document == doc


@given(hard_documents(), st.data())
def test_unbalanced_codes_are_rejected(doc: Document, data: st.DataObject) -> None:
    candidates = [s for s in extract_segments(doc) if any(c.paired for c in s.codes)]
    if not candidates:
        return
    segment = data.draw(st.sampled_from(candidates))
    code = data.draw(st.sampled_from([c for c in segment.codes if c.paired]))
    content = list(segment.content)
    start = content.index(Start(code.id))
    end = content.index(End(code.id))
    content[start], content[end] = content[end], content[start]  # </N> ... <N>
    problem = check_translation(segment, content)
    assert problem is not None and problem.segment == segment.id
    assert problem.code is not None and "closed" in problem.message
