"""Round trips between DAST and dastdown: parse(serialize(d)) == canonicalize(d),
serialize(parse(t)) == t for what serialize wrote, and parse(text, original)
giving the original block items back, over the fixtures and over generated
documents whose text is adversarial on purpose."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dast.canonical import canonicalize
from dast.nodes import (
    Block,
    Document,
    Heading,
    InlineBlock,
    InlineItem,
    ItemLink,
    Link,
    Paragraph,
    Root,
    Span,
)
from dastdown.parser import parse
from dastdown.serializer import serialize
from tests.strategies import documents, record_ids, records

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
CONFORMANCE = FIXTURES / "dastdown/conformance"
CASES = FIXTURES / "dastdown/cases"


def _jsonl(name: str) -> list[dict[str, Any]]:
    text = (CONFORMANCE / name).read_text(encoding="utf-8")
    return [json.loads(line) for line in text.split("\n") if line]


EXAMPLES = _jsonl("documents.jsonl")
PARSE_OK = _jsonl("parse_ok.jsonl")
CASE_NAMES = sorted(path.stem for path in CASES.glob("*.json"))


# --- fixtures ----------------------------------------------------------------


@pytest.mark.parametrize("example", EXAMPLES, ids=[e["id"] for e in EXAMPLES])
def test_conformance_round_trip(example: dict[str, Any]) -> None:
    text = example["dastdown"]
    parsed = parse(text, example["doc"])
    assert serialize(parsed) == text
    assert parse(serialize(example["doc"])).to_json() == example["canonical"]


@pytest.mark.parametrize("example", PARSE_OK, ids=[e["id"] for e in PARSE_OK])
def test_parse_ok_round_trip(example: dict[str, Any]) -> None:
    assert serialize(parse(example["text"])) == example["text"]


@pytest.mark.parametrize("name", CASE_NAMES)
def test_golden_case_parses_back(name: str) -> None:
    doc = json.loads((CASES / f"{name}.json").read_text(encoding="utf-8"))
    text = (CASES / f"{name}.dastdown").read_bytes().decode("utf-8")
    parsed = parse(text)
    assert parsed == canonicalize(doc)
    assert serialize(parsed) == text


# --- adversarial generated documents -----------------------------------------

# Pieces that look like dastdown syntax, or are hard to keep: line-start
# markers, trailers, tags, delimiter runs, escapes, every kind of whitespace,
# astral characters and combining marks.
_PIECES = (
    "- ",
    "-",
    "--",
    "---",
    "1. ",
    "12.",
    "2) ",
    "> ",
    ">",
    "#",
    "# ",
    "###### ",
    "```",
    "````js",
    '<block id="1"/>',
    '<inlineItem id="2"/>',
    '<inlineBlock id="3"/>',
    "<br/>",
    '<m k="a">',
    "</m>",
    '{style="x"}',
    '{attribution="a"}',
    '{rel="x"}',
    "{}",
    "{",
    "}",
    "[x](y)",
    "[",
    "](",
    ")",
    "(",
    "dato:item/",
    "dato:item/1",
    "*",
    "**",
    "***",
    "_",
    "__",
    "~",
    "~~",
    "~~~",
    "=",
    "==",
    "====",
    "+",
    "++",
    "`",
    "``",
    "\\",
    "\\\\",
    "\\*",
    "\\ ",
    "!",
    "|",
    '"',
    "'",
    "&amp;",
    " ",
    "  ",
    "   ",
    "\t",
    "\r",
    "\r\n",
    "\n",
    "\n\n",
    "\u00a0",
    "\u2028",
    "\u2029",
    "\x85",
    "\x0b",
    "\x0c",
    "\x00",
    "\u3000",
    "\ufeff",
    "\u200b",
    "\u200d",
    "😀",
    "👩\u200d💻",
    "🇮🇹",
    "\U0001d518",
    "e\u0301",
    "\u0301",
    "a",
    "word",
    "x y",
    "é",
    "中文",
    "עברית",
)

adversarial_text = st.one_of(
    st.just(""),
    st.lists(
        st.one_of(st.sampled_from(_PIECES), st.characters(codec="utf-8")),
        min_size=1,
        max_size=6,
    ).map("".join),
)
"""Span values, URLs, styles, languages, meta: syntax look-alikes and odd whitespace."""

adversarial_marks = st.sampled_from(
    (
        "strong",
        "emphasis",
        "code",
        "strikethrough",
        "highlight",
        "underline",
        "strong",
        "emphasis",
        "code",
        "",
        " ",
        "a",
        "Z",
        "é",
        'k="v"',
        "</m>",
        "*",
        "strong ",
        "new\nline",
    )
)
"""Mark names: the defaults (often, so neighbours clash) and odd custom ones."""

adversarial_items = st.one_of(
    record_ids(),
    st.sampled_from(("", " ", 'a"b', "a\\b", "a\nb", "}", "/>", "<")),
    records(with_id=st.just(True), depth=0),
)
"""Block items that have an id (a record without one cannot be written)."""


def _block_items(doc: Document) -> list[Any]:
    """Every block / inline block item, in document order."""
    found: list[Any] = []
    stack: list[Any] = [doc.document]
    while stack:
        node = stack.pop()
        if isinstance(node, (Block, InlineBlock)):
            found.append(node.item)
        stack.extend(reversed(getattr(node, "children", ())))
    return found


def _item_id(item: Any) -> str:
    key: str = item if isinstance(item, str) else item["id"]
    return key


def _replace_items(data: dict[str, Any], items: dict[str, Any] | None = None) -> dict[str, Any]:
    """DAST JSON with each block / inline block item replaced by its id, or by
    ``items[id]`` when given."""
    stack: list[Any] = [data["document"]]
    while stack:
        node = stack.pop()
        if node["type"] in ("block", "inlineBlock"):
            key = _item_id(node["item"])
            node["item"] = key if items is None else items[key]
        stack.extend(node.get("children", ()))
    return data


# max_leaves=7: lists nest two levels (enough for every neighbour rule; deep
# nesting has its own tests) and an example costs a few milliseconds.
@given(
    documents(text=adversarial_text, items=adversarial_items, marks=adversarial_marks, max_leaves=7)
)
def test_generated_documents_round_trip(doc: Document) -> None:
    text = serialize(doc)
    parsed = parse(text)
    canonical = canonicalize(doc)
    # parse(serialize(d)) == canonicalize(d), block items read back as ids...
    assert parsed.to_json() == _replace_items(canonical.to_json()), text
    # serialize(parse(t)) == t for every t that serialize wrote
    assert serialize(parsed) == text
    # the JSON input writes the same text
    assert serialize(doc.to_json()) == text
    # parse(text, d) puts back the original items, the very same objects
    by_id: dict[str, list[Any]] = {}
    for item in _block_items(doc):
        by_id.setdefault(_item_id(item), []).append(item)
    restored = parse(text, doc)
    for item in _block_items(restored):
        assert any(item is original for original in by_id[_item_id(item)])
    if all(all(other == items[0] for other in items) for items in by_id.values()):
        assert restored == canonical, text


@given(st.lists(st.tuples(adversarial_text, adversarial_text), min_size=1, max_size=3))
def test_item_link_ids_round_trip(pairs: list[tuple[str, str]]) -> None:
    """Item ids made of syntax: ``)``, backslashes, quotes, newlines, empty..."""
    children: list[ItemLink | Span] = []
    for item, label in pairs:
        children.append(ItemLink(item=item, children=(Span(value=label),)))
        children.append(Span(value=" "))
    doc = Document(document=Root(children=(Paragraph(children=tuple(children)),)))
    text = serialize(doc)
    assert parse(text) == canonicalize(doc), text
    assert serialize(parse(text)) == text


# Dense runs of spans whose marks clash: every neighbour pair of delimiters,
# whitespace-only and delimiter-only values, links and tags in between.
_dense_marks = st.lists(
    st.sampled_from(
        ("strong", "emphasis", "code", "strikethrough", "highlight", "underline", "x", "y")
    ),
    max_size=4,
).map(tuple)
_dense_text = st.text(alphabet=" *_`~=+\\[](){}<>#-1.\n\tab", max_size=5)
_dense_span = st.builds(Span, value=_dense_text, marks=_dense_marks)
_dense_inline = st.one_of(
    _dense_span,
    _dense_span,
    _dense_span,
    st.builds(
        Link,
        url=_dense_text,
        children=st.lists(_dense_span, min_size=1, max_size=3).map(tuple),
    ),
    st.builds(InlineItem, item=_dense_text),
)
_dense_inlines = st.lists(_dense_inline, min_size=1, max_size=6).map(tuple)
_dense_blocks = st.one_of(
    st.builds(Paragraph, children=_dense_inlines),
    st.builds(Heading, level=st.just(2), children=_dense_inlines),
)


@given(st.lists(_dense_blocks, min_size=1, max_size=3).map(tuple))
def test_neighbouring_marks_round_trip(blocks: tuple[Paragraph | Heading, ...]) -> None:
    doc = Document(document=Root(children=blocks))
    text = serialize(doc)
    parsed = parse(text)
    assert parsed == canonicalize(doc), text
    assert serialize(parsed) == text
