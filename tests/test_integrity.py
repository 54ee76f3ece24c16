"""Placeholder integrity: mangled placeholders are errors, and every record is accounted for.

The corpus in ``fixtures/mangled/`` holds one text per mangled form (spacing,
quote styles, case, self-closing form, attribute order...), for blocks,
inline blocks and inline items, in lists, quotes, headings and link labels;
``fixtures/mangled/expected.json`` gives the line, column and suggestion of
each. The same forms are also crossed with every context here.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from conftest import FIXTURES
from hypothesis import assume, given
from hypothesis import strategies as st
from strategies import documents

from dast.nodes import Block, Code, Document, InlineBlock, Paragraph, Root
from dast.walk import collect_nodes
from dastdown import (
    DastdownIntegrityError,
    DastdownParseError,
    DastdownPlaceholderError,
    DastdownUnknownBlockError,
    IntegrityReport,
    parse,
    parse_with_report,
    serialize,
)
from dastdown.errors import DastdownSerializeError
from dastdown.integrity import CODES, match_mangled_placeholder

MANGLED = FIXTURES / "mangled"
EXPECTED: dict[str, dict[str, Any]] = json.loads(
    (MANGLED / "expected.json").read_text(encoding="utf-8")
)
CORPUS = sorted(MANGLED.glob("*.dastdown"))


def test_every_mangled_fixture_has_its_expectation() -> None:
    assert len(CORPUS) >= 48
    assert sorted(path.stem for path in CORPUS) == sorted(EXPECTED)


@pytest.mark.parametrize("path", CORPUS, ids=[path.stem for path in CORPUS])
def test_mangled_fixture_is_an_error_with_a_suggestion(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    expected = EXPECTED[path.stem]
    with pytest.raises(DastdownPlaceholderError) as info:
        parse(text)
    error = info.value
    assert (error.line, error.column) == (expected["line"], expected["column"])
    assert error.suggestion == expected["suggestion"]
    assert f"did you mean {expected['suggestion']}?" in error.message
    assert error.source_line is not None and error.source_line in text
    # Not silently text with an original either, nor under strict.
    with pytest.raises(DastdownPlaceholderError):
        parse_with_report(text, parse('<block id="x"/>\n'), strict=True)


FORMS = [
    '<{k} id="{i}" />',
    "<{k} id='{i}'/>",
    "<{k} id=\u201c{i}\u201d/>",
    "<{k} id=\u2018{i}\u2019/>",
    "<{k} id=\u201e{i}\u201c/>",
    '<{upper} id="{i}"/>',
    '<{lower} id="{i}"/>',
    '<{k} ID="{i}"/>',
    '<{k} id="{i}"></{k}>',
    '<{k} id="{i}">',
    '<{k} id="{i}"/ >',
    '<{k} id="{i}" / >',
    '<{k} id = "{i}"/>',
    '<{k} id= "{i}" />',
    '<{k} type="item" id="{i}"/>',
    '<{k} id="{i}" type="item"/>',
    "<{k} id={i}/>",
    "<{k} id={i}>",
    '< {k} id="{i}"/>',
    '<{k}\tid="{i}"/>',
    "<{k} id=\u00ab{i}\u00bb/>",
    "<{k} id=`{i}`/>",
    '<{k}  id="{i}"/>',
]
BLOCK_CONTEXTS = [
    "{tag}\n",
    "Intro.\n\n{tag}\n",
    "- a\n- {tag}\n",
    "> a\n>\n> {tag}\n",
    "1. {tag}\n",
]
INLINE_CONTEXTS = [
    "See {tag} here.\n",
    "- item {tag}\n",
    "> quoted {tag}\n",
    "# Heading {tag}\n",
    "**strong {tag}**\n",
    "[label {tag}](https://example.com)\n",
    "1. a\n   - nested {tag}\n",
]
KINDS = {"block": "Block", "inlineBlock": "InlineBlock", "inlineItem": "InlineItem"}


def _cases() -> list[tuple[str, str, str]]:
    cases = []
    for kind, upper in KINDS.items():
        contexts = BLOCK_CONTEXTS if kind == "block" else INLINE_CONTEXTS
        for form in FORMS:
            tag = form.format(k=kind, upper=upper, lower=kind.lower(), i="r-1")
            if tag == f'<{kind} id="r-1"/>':
                continue  # "<block" is already lower case
            for context in contexts:
                cases.append((kind, tag, context.format(tag=tag)))
    return cases


@pytest.mark.parametrize(("kind", "tag", "text"), _cases())
def test_every_form_in_every_context_is_an_error(kind: str, tag: str, text: str) -> None:
    with pytest.raises(DastdownPlaceholderError) as info:
        parse(text)
    assert info.value.suggestion == f'<{kind} id="r-1"/>'
    assert info.value.item_id == "r-1"
    line = text[: text.index(tag)].count("\n") + 1
    assert info.value.line == line
    assert info.value.source_line is not None
    assert info.value.source_line[info.value.column - 1 :].startswith(tag)


@pytest.mark.parametrize(
    "text",
    [
        "x <inlineBlock id=\"a\"/></inlineBlock>\n",
        "x </block> y\n",
        "x < / inlineItem > y\n",
    ],
)
def test_a_stray_closing_tag_is_an_error(text: str) -> None:
    with pytest.raises(DastdownPlaceholderError, match="stray closing tag") as info:
        parse(text)
    assert info.value.suggestion is None


# -- the false-positive side: talking about tags is fine ------------------------------

NOT_PLACEHOLDERS = {
    "code span": ("Write `<block id='x' />` in a template.\n", "<block id='x' />"),
    "code span, open tag": ('Use `<Block id="x">` here.\n', '<Block id="x">'),
    "code span in a list": ("- `<inlineItem id='y'/>`\n", "<inlineItem id='y'/>"),
    "escaped": ("A \\<block id='x' /> tag.\n", "<block id='x' />"),
    "escaped closing": ("\\</block> ends it\n", "</block>"),
    "no id": ("The <block> element.\n", "<block>"),
    "blockquote tag": ('A <blockquote id="q"> tag.\n', '<blockquote id="q">'),
    "blocks word": ("<blocks id='x'/> is not a tag name\n", "<blocks id='x'/>"),
    "comparison": ("if a < block and b > c\n", "a < block and b > c"),
    "spaces": ("a < b\n", "a < b"),
    "other tag": ("<div id='x'/>\n", "<div id='x'/>"),
    "idea attribute": ("<block idea='x'/>\n", "<block idea='x'/>"),
    "fenced code": ("```html\n<block id='x' />\n```\n", None),
    "link url": ("[a](https://x.y/<block id='x' />)\n", None),
}


@pytest.mark.parametrize("case", NOT_PLACEHOLDERS, ids=list(NOT_PLACEHOLDERS))
def test_prose_that_mentions_a_tag_is_text(case: str) -> None:
    text, shown = NOT_PLACEHOLDERS[case]
    doc = parse(text)
    if shown is not None:
        assert shown in _text_of(doc)
    assert serialize(parse(serialize(doc))) == serialize(doc)
    _, report = parse_with_report(text, strict=True)
    assert report.ok


def _text_of(doc: Document) -> str:
    return "".join(node.value for node, _, _ in collect_nodes(doc, lambda n: n.type == "span"))  # type: ignore[attr-defined]


def test_the_exact_forms_are_still_placeholders() -> None:
    doc = parse('<block id="b"/>\n\nx <inlineBlock id="i"/> <inlineItem id="r"/>\n')
    types = [node.type for node, _, _ in collect_nodes(doc, lambda n: n.type != "span")]
    assert types == ["root", "block", "paragraph", "inlineBlock", "inlineItem"]
    assert match_mangled_placeholder('<block id="b"/>') is None


def test_a_mangled_id_keeps_its_text_in_the_suggestion() -> None:
    with pytest.raises(DastdownPlaceholderError) as info:
        parse("<block id='a\"b'/>\n")
    assert info.value.suggestion == '<block id="a\\"b"/>'
    assert parse(info.value.suggestion + "\n").document.children[0].item == 'a"b'  # type: ignore[union-attr]


# -- accounting ----------------------------------------------------------------------

RECORD = {"id": "b1", "type": "item", "attributes": {"title": "CTA"}}
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
                    {"type": "inlineBlock", "item": "i1"},
                    {
                        "type": "itemLink",
                        "item": "r9",
                        "children": [{"type": "span", "value": "this"}],
                    },
                    {"type": "inlineItem", "item": "r7"},
                ],
            },
            {"type": "block", "item": "b2"},
            {"type": "block", "item": "b3"},
        ],
    },
}
TEXT = serialize(ORIGINAL)


def test_the_unedited_text_accounts_for_everything() -> None:
    doc, report = parse_with_report(TEXT, ORIGINAL, strict=True)
    assert report == IntegrityReport((), checked_original=True)
    assert doc.document.children[1].item is RECORD  # type: ignore[union-attr]
    assert parse(TEXT, ORIGINAL, strict=True) == doc


def _problems(text: str) -> list[tuple[str, str | None, int, int]]:
    _, report = parse_with_report(text, ORIGINAL)
    return [(p.code, p.item_id, p.line, p.column) for p in report.problems]


def test_a_missing_block_is_reported_where_it_was_expected() -> None:
    edited = TEXT.replace('<block id="b2"/>\n\n', "")
    _, report = parse_with_report(edited, ORIGINAL)
    (problem,) = report.problems
    assert (problem.code, problem.kind, problem.item_id) == ("missing", "block", "b2")
    assert problem.original_path == ("children", 3)
    assert (problem.line, problem.column) == (5, 47)  # after the inline item r7
    assert 'expected after <inlineItem id="r7"/> (line 5)' in problem.message
    first = TEXT.replace('<block id="b1"/>\n\n', "")
    assert _problems(first) == [("missing", "b1", 3, 5)]
    _, report = parse_with_report(first, ORIGINAL)
    assert 'expected before <inlineBlock id="i1"/> (line 3)' in report.problems[0].message


def test_missing_everything() -> None:
    problems = _problems("# Intro\n\nsee this\n")
    assert [p[:2] for p in problems] == [
        ("missing", "b1"),
        ("missing", "i1"),
        ("link-lost", "r9"),
        ("link-lost", "r7"),
        ("missing", "b2"),
        ("missing", "b3"),
    ]
    assert all(p[2:] == (1, 1) for p in problems)


def test_a_duplicated_block_is_reported_at_the_copy() -> None:
    edited = TEXT + '\n<block id="b2"/>\n'
    assert _problems(edited) == [("duplicated", "b2", 11, 1)]
    doc, _ = parse_with_report(edited, ORIGINAL)
    assert doc.document.children[-1].item == "b2"  # type: ignore[union-attr]


def test_duplicates_without_an_original() -> None:
    _, report = parse_with_report('<block id="a"/>\n\nx <inlineBlock id="a"/>\n')
    assert report.codes() == ["duplicated"]
    assert not report.checked_original
    assert "first at line 1" in report.problems[0].message


def test_unknown_ids_raise_unless_strict_lists_them_all() -> None:
    edited = TEXT.replace('"b2"', '"zz"').replace('"i1"', '"yy"')
    with pytest.raises(DastdownUnknownBlockError) as info:
        parse_with_report(edited, ORIGINAL)
    assert info.value.block_id == "yy"
    with pytest.raises(DastdownIntegrityError) as strict:
        parse(edited, ORIGINAL, strict=True)
    found = [(p.code, p.item_id) for p in strict.value.problems]
    assert ("unknown", "zz") in found and ("unknown", "yy") in found
    assert ("missing", "b2") in found and ("missing", "i1") in found


def test_a_block_turned_inline_block_is_reported() -> None:
    edited = TEXT.replace('<inlineBlock id="i1"/>', "").replace(
        '<block id="b3"/>', '<block id="i1"/>'
    )
    assert _problems(edited) == [("missing", "b3", 7, 1), ("kind-changed", "i1", 9, 1)]


def test_lost_item_links_and_inline_items() -> None:
    edited = TEXT.replace("[this](dato:item/r9)", "this").replace('<inlineItem id="r7"/>', "")
    problems = _problems(edited)
    assert [p[:2] for p in problems] == [("link-lost", "r9"), ("link-lost", "r7")]
    _, report = parse_with_report(edited, ORIGINAL)
    assert report.problems[0].message.startswith("item link to 'r9' was lost")
    assert report.problems[1].message.startswith("inline item 'r7' was lost")
    # A new link to another record is no problem; one of two links to r9 lost is.
    assert _problems(TEXT.replace("see ", "see [new](dato:item/r1) ")) == []
    twice = copy.deepcopy(ORIGINAL)
    twice["document"]["children"][2]["children"].append(
        {"type": "itemLink", "item": "r9", "children": [{"type": "span", "value": "again"}]}
    )
    _, report = parse_with_report(TEXT, twice)
    assert report.codes() == ["link-lost"]


def test_a_fenced_text_is_reported() -> None:
    for fence in ("```\n", "```dastdown\n", "````markdown\n"):
        closing = fence.split("m")[0].split("d")[0].strip() + "\n"
        wrapped = fence + TEXT + closing
        _, report = parse_with_report(wrapped, ORIGINAL)
        assert report.codes() == ["fenced"], fence
        assert "6 records of the original" in report.problems[0].message
        with pytest.raises(DastdownIntegrityError, match="code block"):
            parse(wrapped, ORIGINAL, strict=True)
        _, alone = parse_with_report(wrapped)
        assert alone.codes() == ["fenced"]


def test_a_document_that_is_one_code_block_is_not_fenced() -> None:
    code = "```python\nprint('<block id=\"x\"/>')\n```\n"
    assert parse_with_report(code)[1].ok
    assert parse_with_report("```\nplain code\n```\n")[1].ok
    original = parse("```\n<block id=\"x\"/>\n```\n")
    assert parse_with_report("```\n<block id=\"y\"/>\n```\n", original)[1].ok


def test_strict_lists_every_problem_in_text_order() -> None:
    edited = TEXT.replace('<block id="b2"/>\n\n', "") + '\n<block id="b1"/>\n'
    with pytest.raises(DastdownIntegrityError) as info:
        parse(edited, ORIGINAL, strict=True)
    error = info.value
    assert [p.code for p in error.problems] == ["missing", "duplicated"]
    assert (error.line, error.column) == (error.problems[0].line, error.problems[0].column)
    assert isinstance(error, DastdownParseError)
    text = str(error)
    assert text.startswith("line 5, column 47: 2 records not accounted for\n")
    assert "[missing]" in text and "[duplicated]" in text


def test_non_strict_parse_is_unchanged() -> None:
    edited = TEXT.replace('<block id="b2"/>\n\n', "") + '\n<block id="b1"/>\n'
    doc = parse(edited, ORIGINAL)
    items = [node.item for node, _, _ in collect_nodes(doc, lambda n: n.type == "block")]  # type: ignore[attr-defined]
    assert items[0] is RECORD and items[-1] is RECORD


def test_blank_text_against_an_original() -> None:
    _, report = parse_with_report("", ORIGINAL)
    assert report.codes().count("missing") == 4
    assert parse_with_report(None, ORIGINAL) == (None, IntegrityReport(checked_original=True))


def test_every_code_is_documented() -> None:
    assert set(CODES) == {"missing", "duplicated", "unknown", "kind-changed", "link-lost", "fenced"}


# -- properties -----------------------------------------------------------------------


def _serializable(doc: Document) -> str:
    try:
        return serialize(doc)
    except DastdownSerializeError:
        assume(False)
        raise


@given(documents(max_leaves=8))
def test_an_unedited_text_is_always_accounted_for(doc: Document) -> None:
    text = _serializable(doc)
    parsed, report = parse_with_report(text, doc, strict=True)
    assert report.ok
    assert serialize(parsed) == text


@given(documents(max_leaves=8), st.data())
def test_a_deleted_record_is_always_reported(doc: Document, data: st.DataObject) -> None:
    text = _serializable(doc)
    records = [
        node
        for node, _, _ in collect_nodes(doc, lambda n: isinstance(n, Block | InlineBlock))
        if isinstance(node.item, str)  # type: ignore[attr-defined]
    ]
    assume(records)
    node = data.draw(st.sampled_from(records))
    tag = serialize({"schema": "dast", "document": {"type": "root", "children": [
        {"type": "block", "item": node.item}]}}).strip()  # type: ignore[attr-defined]
    if node.type == "inlineBlock":
        tag = tag.replace("<block ", "<inlineBlock ")
    assume(text.count(tag) == 1)
    edited = text.replace(tag, "" if node.type == "inlineBlock" else "{}")
    try:
        _, report = parse_with_report(edited, doc)
    except DastdownParseError:
        assume(False)
        raise
    assert ("missing", node.item) in [(p.code, p.item_id) for p in report.problems]  # type: ignore[attr-defined]


def test_the_originals_own_code_block_left_alone_is_not_a_fence() -> None:
    original = Document(
        document=Root(
            children=(
                Code(code="Hello"),
                Paragraph(children=(InlineBlock(item="0000000000000000000000"),)),
            )
        )
    )
    _, report = parse_with_report("```\nHello\n```\n", original)
    assert report.codes() == ["missing"]  # the deleted inline block, and no "fenced" claim
