"""dastdown text to DAST: the parser against the conformance fixtures, the
format's rules one by one, its errors (positions and messages), block items
restored from an original document, and arbitrary or hostile input."""

from __future__ import annotations

import contextlib
import copy
import gc
import json
import pickle
import re
import time
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from syrupy.assertion import SnapshotAssertion

from dast.canonical import canonicalize
from dast.definitions import OPTIONAL_ATTRIBUTES
from dast.errors import DastError, DastValidationError
from dast.load import load_document
from dast.nodes import Block, Document, InlineBlock, List
from dastdown.errors import DastdownParseError, DastdownUnknownBlockError
from dastdown.parser import grammar, parse, parse_json
from dastdown.serializer import serialize
from dastdown.syntax import to_lf
from dastdown.transformer import BLOCKS, TRAILER_KEYS
from tests.strategies import documents
from tests.test_roundtrip import adversarial_items, adversarial_marks, adversarial_text

CONFORMANCE = Path(__file__).resolve().parent.parent / "fixtures/dastdown/conformance"


def _jsonl(name: str) -> list[dict[str, Any]]:
    text = (CONFORMANCE / name).read_text(encoding="utf-8")
    return [json.loads(line) for line in text.split("\n") if line]


EXAMPLES = _jsonl("documents.jsonl")
PARSE_OK = _jsonl("parse_ok.jsonl")
PARSE_ERRORS = _jsonl("parse_errors.jsonl")


def _children(text: str) -> list[dict[str, Any]]:
    """The root's children of ``parse(text)`` as DAST JSON."""
    doc = parse(text)
    children: list[dict[str, Any]] = doc.to_json()["document"]["children"]
    return children


def _inlines(text: str) -> list[dict[str, Any]]:
    """The inline nodes of the one paragraph ``text`` parses to."""
    (paragraph,) = _children(text)
    assert paragraph["type"] == "paragraph"
    inlines: list[dict[str, Any]] = paragraph["children"]
    return inlines


def _span(value: str, *marks: str) -> dict[str, Any]:
    return {"type": "span", "value": value, **({"marks": list(marks)} if marks else {})}


def _paragraph(*children: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"type": "paragraph", "children": list(children), **extra}


def _item(*children: dict[str, Any]) -> dict[str, Any]:
    return {"type": "listItem", "children": list(children)}


def _list(style: str, *items: dict[str, Any]) -> dict[str, Any]:
    return {"type": "list", "style": style, "children": list(items)}


def _error(text: str, original: Any = None) -> DastdownParseError:
    with pytest.raises(DastdownParseError) as caught:
        parse(text, original)
    return caught.value


# --- conformance fixtures -----------------------------------------------------


@pytest.mark.parametrize("example", EXAMPLES, ids=[e["id"] for e in EXAMPLES])
def test_conformance_document_parses_to_its_canonical_form(example: dict[str, Any]) -> None:
    assert parse(example["dastdown"]).to_json() == example["canonical"]


def _with_records(node: Any, records: list[dict[str, Any]]) -> Any:
    """A copy of DAST JSON whose block and inline block ids are full records."""
    if isinstance(node, dict):
        out = {key: _with_records(value, records) for key, value in node.items()}
        if node.get("type") in ("block", "inlineBlock") and isinstance(node.get("item"), str):
            record = {
                "id": node["item"],
                "type": "item",
                "attributes": {"title": f"record {len(records)}"},
                "relationships": {"item_type": {"data": {"id": "42", "type": "item_type"}}},
            }
            records.append(record)
            out["item"] = record
        return out
    if isinstance(node, list):
        return [_with_records(value, records) for value in node]
    return node


def _block_items(doc: Document) -> list[Any]:
    found: list[Any] = []
    stack: list[Any] = [doc.document]
    while stack:
        node = stack.pop()
        if isinstance(node, (Block, InlineBlock)):
            found.append(node.item)
        stack.extend(reversed(getattr(node, "children", ())))
    return found


WITH_BLOCKS = [
    e
    for e in EXAMPLES
    if any(f'"type": "{kind}"' in json.dumps(e["doc"]) for kind in ("block", "inlineBlock"))
]


@pytest.mark.parametrize("example", WITH_BLOCKS, ids=[e["id"] for e in WITH_BLOCKS])
def test_original_gives_back_the_very_same_record_objects(example: dict[str, Any]) -> None:
    records: list[dict[str, Any]] = []
    original = _with_records(example["doc"], records)
    parsed = parse(example["dastdown"], original)
    items = _block_items(parsed)
    assert items and len(items) == len(records)
    for item, record in zip(items, records, strict=True):
        assert item is record
    assert parsed.to_json() == _with_records(example["canonical"], [])


@pytest.mark.parametrize("example", PARSE_OK, ids=[e["id"] for e in PARSE_OK])
def test_parse_ok(example: dict[str, Any]) -> None:
    assert parse(example["text"]).to_json() == example["doc"]


# line, column of the offending text of each parse_errors case
ERROR_POSITIONS = {
    "hand-040": (1, 1),  # ####### h7
    "hand-108": (1, 1),  # <block id="1"/> tail
    "hand-109": (1, 3),  # x <block id="1"/>
    "hand-206": (1, 2),  # [[n](u)](v): the inner link
    "hand-207": (1, 4),  # the inline item
    "hand-208": (1, 4),  # the inline block
    "hand-244": (3, 3),  # the "> " in the list item
    "hand-245": (3, 3),
    "hand-246": (3, 3),
    "hand-247": (3, 3),
    "hand-248": (3, 3),
    "hand-265": (1, 3),  # the "- " in the quote
    "hand-266": (1, 3),
    "hand-267": (1, 3),
    "hand-268": (1, 3),
    "hand-269": (1, 3),
    "hand-270": (1, 3),
    "hand-277": (2, 3),  # the tag, on its own line
    "hand-278": (1, 9),
}


def test_every_parse_error_case_has_a_position() -> None:
    assert set(ERROR_POSITIONS) == {e["id"] for e in PARSE_ERRORS}


@pytest.mark.parametrize("example", PARSE_ERRORS, ids=[e["id"] for e in PARSE_ERRORS])
def test_parse_error(example: dict[str, Any], snapshot: SnapshotAssertion) -> None:
    error = _error(example["text"])
    assert (error.line, error.column) == ERROR_POSITIONS[example["id"]]
    assert error.source_line == example["text"].split("\n")[error.line - 1]
    assert str(error) == snapshot


# --- malformed input of our own: name, text, line, column ---------------------

MALFORMED = [
    ("unclosed-fence", "para\n\n```py\nx = 1\n", 3, 1),
    ("unclosed-fence-shorter-close", "````\nx\n```\n", 1, 1),
    ("trailer-unquoted-value", "p\n{style=x}", 2, 8),
    ("trailer-bad-escape", 'p\n{style="a\\qb"}', 2, 10),
    ("trailer-short-unicode-escape", 'p\n{style="\\u12"}', 2, 9),
    ("trailer-unterminated", 'p\n{style="x}', 2, 8),
    ("trailer-text-after", 'p\n{style="x"} more', 2, 12),
    ("trailer-duplicate-key", 'p\n{style="a" style="b"}', 2, 12),
    ("paragraph-unknown-key", '{lang="x"}', 1, 2),
    ("heading-unknown-key", '# h {class="x"}', 1, 6),
    ("heading-level-7", "####### h", 1, 1),
    ("heading-level-9-line-3", "# a\n\n######### h", 3, 1),
    ("block-in-list", '- a\n  <block id="1"/>', 2, 3),
    ("block-tag-in-heading", '# a <block id="1"/>', 1, 5),
    ("block-in-blockquote", '> a\n>\n> <block id="x"/>', 3, 3),
    ("link-in-link", "x [a [b](u) c](v)", 1, 6),
    ("inline-item-in-label", '[a <inlineItem id="1"/>](u)', 1, 4),
    ("inline-block-in-label-second-line", 'x [a\nb <inlineBlock id="1"/>](u)', 2, 3),
    ("bad-indentation", "- a\n - b", 2, 2),
    ("heading-in-blockquote", "> q\n> # h", 2, 3),
    ("quote-in-quote", "> a\n>\n> > b", 3, 3),
    ("list-in-blockquote", "> 1. x", 1, 3),
    ("quote-on-marker-line", "- > q", 1, 3),
    ("code-on-marker-line", "- ```\n  x\n  ```", 1, 3),
    ("code-in-blockquote", "> a\n> ```", 2, 3),
    ("rule-in-list", "1. a\n\n  ---", 3, 3),
    ("empty-blockquote", ">\n>", 1, 1),
    ("attribution-after-blank", '> q\n\n{attribution="x"}', 3, 1),
    ("attribution-in-quote", '> q\n> {attribution="x"}', 2, 3),
    ("attribution-after-paragraph", 'p\n{attribution="x"}', 2, 1),
    ("highlight-not-numbers", '```py {highlight="1"}\nx\n```', 1, 18),
    ("language-twice", '```py {language="js"}\nx\n```', 1, 7),
    ("fence-bad-trailer", "```py {highlight=[1,}\nx\n```", 1, 18),
    ("meta-list-value", "[a](u){rel=[1]}", 1, 8),
    ("meta-unterminated", '[a](u){rel="x}', 1, 12),
    ("meta-bad-escape", '[a](u){rel="\\x"}', 1, 13),
]


@pytest.mark.parametrize(
    ("text", "line", "column"),
    [case[1:] for case in MALFORMED],
    ids=[case[0] for case in MALFORMED],
)
def test_malformed_input(text: str, line: int, column: int, snapshot: SnapshotAssertion) -> None:
    error = _error(text)
    assert (error.line, error.column) == (line, column)
    assert str(error) == snapshot


ORIGINAL = {
    "schema": "dast",
    "document": {
        "type": "root",
        "children": [
            {"type": "block", "item": {"id": "b1", "type": "item", "attributes": {}}},
            {"type": "paragraph", "children": [{"type": "inlineBlock", "item": "i1"}]},
        ],
    },
}


@pytest.mark.parametrize(
    ("text", "block_id", "line", "column"),
    [
        ('<block id="b1"/>\n\n<block id="zz"/>', "zz", 3, 1),
        ('x\n\n- a <inlineBlock id="nope"/>', "nope", 3, 5),
        ('<inlineBlock id="i1"/> <inlineBlock id="b9"/>', "b9", 1, 24),
    ],
    ids=["block", "inline-block-in-list", "second-inline-block"],
)
def test_unknown_block_id(
    text: str, block_id: str, line: int, column: int, snapshot: SnapshotAssertion
) -> None:
    error = _error(text, ORIGINAL)
    assert isinstance(error, DastdownUnknownBlockError)
    assert (error.block_id, error.line, error.column) == (block_id, line, column)
    assert str(error) == snapshot


# --- empty input --------------------------------------------------------------


EMPTY = [_paragraph(_span(""))]


def test_none_gives_none() -> None:
    assert parse(None) is None


@pytest.mark.parametrize("text", ["", "\n", "   ", "  \n \n\n   "], ids=repr)
def test_blank_text_is_the_empty_document(text: str) -> None:
    assert _children(text) == EMPTY
    assert serialize(parse(text)) == ""


@pytest.mark.parametrize(
    ("text", "value"), [("\t", "\t"), ("\r\n\n", "\r"), ("\xa0", "\xa0")], ids=repr
)
def test_tabs_and_other_whitespace_are_content(text: str, value: str) -> None:
    assert _children(text) == [_paragraph(_span(value))]


def test_parse_takes_text() -> None:
    with pytest.raises(TypeError, match="takes a str"):
        parse(b"x")  # type: ignore[call-overload]


# --- blocks -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "children"),
    [
        ("a\nb\n", [_paragraph(_span("a b"))]),
        ("a\n\nb\n", [_paragraph(_span("a")), _paragraph(_span("b"))]),
        ("a\n   \nb", [_paragraph(_span("a")), _paragraph(_span("b"))]),
        ("  a\n", [_paragraph(_span("  a"))]),
        (" ---\n\n - x\n", [_paragraph(_span(" ---")), _paragraph(_span(" - x"))]),
        ('p\n{style="lead"}', [_paragraph(_span("p"), style="lead")]),
        ('p\nq\n{style=""}', [_paragraph(_span("p q"), style="")]),
        ("p\n{}", [_paragraph(_span("p"))]),
        ("{}", EMPTY),
        ('{style="s"}\n\n{}', [_paragraph(_span(""), style="s"), *EMPTY]),
        (
            'p\n{style="a"}\n{style="b"}',
            [_paragraph(_span("p"), style="a"), _paragraph(_span(""), style="b")],
        ),
        (
            "# h\nq",
            [{"type": "heading", "level": 1, "children": [_span("h")]}, _paragraph(_span("q"))],
        ),
        ("---", [{"type": "thematicBreak"}]),
        ("----", [_paragraph(_span("----"))]),
        ('<block id="a\\"b"/>', [{"type": "block", "item": 'a"b'}]),
    ],
    ids=[
        "lines-join",
        "blank-line-separates",
        "spaces-line-is-blank",
        "leading-spaces-are-content",
        "indented-syntax-is-text",
        "style-line",
        "style-after-two-lines",
        "empty-trailer-after-text",
        "empty-paragraph",
        "empty-paragraphs-with-style",
        "second-trailer-is-an-empty-paragraph",
        "paragraph-after-heading",
        "thematic-break",
        "four-dashes",
        "block-id-escapes",
    ],
)
def test_blocks(text: str, children: list[dict[str, Any]]) -> None:
    assert _children(text) == children


@pytest.mark.parametrize("level", range(1, 7))
def test_heading_levels(level: int) -> None:
    assert _children("#" * level + " t") == [
        {"type": "heading", "level": level, "children": [_span("t")]}
    ]


@pytest.mark.parametrize(
    ("text", "heading"),
    [
        ("#", {"level": 1, "children": [_span("")]}),
        ("## ", {"level": 2, "children": [_span("")]}),
        ("###  ", {"level": 3, "children": [_span(" ")]}),
        ('# h {style="x"}', {"level": 1, "children": [_span("h")], "style": "x"}),
        ('#  {style="x"}', {"level": 1, "children": [_span("")], "style": "x"}),
        ('# h \\{style="x"\\}', {"level": 1, "children": [_span('h {style="x"}')]}),
        ('# a\\ {style="x"}', {"level": 1, "children": [_span('a {style="x"}')]}),
        ('# h {style="x}', {"level": 1, "children": [_span('h {style="x}')]}),
        (
            '# <inlineItem id="a {style=\\"x\\"}"/> {style="s"}',
            {
                "level": 1,
                "children": [{"type": "inlineItem", "item": 'a {style="x"}'}],
                "style": "s",
            },
        ),
        (
            '# [l](u){rel="x {y=[1]}"}',
            {
                "level": 1,
                "children": [
                    {
                        "type": "link",
                        "url": "u",
                        "children": [_span("l")],
                        "meta": [{"id": "rel", "value": "x {y=[1]}"}],
                    }
                ],
            },
        ),
    ],
    ids=[
        "bare-hashes",
        "empty",
        "one-space",
        "style",
        "empty-with-style",
        "escaped-trailer-is-text",
        "escaped-space-is-text",
        "malformed-trailer-is-text",
        "brace-in-tag-id",
        "brace-in-link-meta",
    ],
)
def test_headings(text: str, heading: dict[str, Any]) -> None:
    assert _children(text) == [{"type": "heading", **heading}]


def test_hash_without_space_is_text() -> None:
    assert _children("#x\n\n#######x") == [_paragraph(_span("#x")), _paragraph(_span("#######x"))]


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("```\n```", {"code": ""}),
        ("```\n\n\n```", {"code": "\n"}),
        ("```js\na\n  b\n\n```", {"code": "a\n  b\n", "language": "js"}),
        ("````\n```\n````", {"code": "```"}),
        ("```\nx\n`````", {"code": "x"}),
        ("```\nx\n```  ", {"code": "x"}),
        ("```py {highlight=[0, 2]}\nx\n```", {"code": "x", "language": "py", "highlight": [0, 2]}),
        ("```{highlight=[]}\nx\n```", {"code": "x", "highlight": []}),
        ('```{language="" highlight=[1]}\nx\n```', {"code": "x", "language": "", "highlight": [1]}),
        ('```{language=" a`b"}\nx\n```', {"code": "x", "language": " a`b"}),
        ("```with space\nx\n```", {"code": "x", "language": "with space"}),
        ('```\n- a\n# b\n> c\n<block id="1"/>\n```', {"code": '- a\n# b\n> c\n<block id="1"/>'}),
    ],
    ids=[
        "empty",
        "one-newline",
        "raw-body",
        "longer-fence",
        "longer-close",
        "close-with-spaces",
        "highlight",
        "empty-highlight",
        "empty-language",
        "language-in-trailer",
        "language-with-space",
        "syntax-in-body-is-raw",
    ],
)
def test_code(text: str, code: dict[str, Any]) -> None:
    assert _children(text) == [{"type": "code", **code}]


@pytest.mark.parametrize(
    ("text", "children"),
    [
        (
            "- a\n- b",
            [_list("bulleted", _item(_paragraph(_span("a"))), _item(_paragraph(_span("b"))))],
        ),
        (
            "7. a\n3. b",
            [_list("numbered", _item(_paragraph(_span("a"))), _item(_paragraph(_span("b"))))],
        ),
        ("- a\n  b", [_list("bulleted", _item(_paragraph(_span("a b"))))]),
        ("- a\n   b", [_list("bulleted", _item(_paragraph(_span("a  b"))))]),
        (
            "- a\n\n  b\n\n- c",
            [
                _list(
                    "bulleted",
                    _item(_paragraph(_span("a")), _paragraph(_span("b"))),
                    _item(_paragraph(_span("c"))),
                )
            ],
        ),
        (
            "- - a\n  - b",
            [
                _list(
                    "bulleted",
                    _item(
                        _list(
                            "bulleted", _item(_paragraph(_span("a"))), _item(_paragraph(_span("b")))
                        )
                    ),
                )
            ],
        ),
        (
            "1. - a\n\n  b",
            [
                _list(
                    "numbered",
                    _item(_list("bulleted", _item(_paragraph(_span("a")))), _paragraph(_span("b"))),
                )
            ],
        ),
        (
            "- a\n1. b",
            [
                _list("bulleted", _item(_paragraph(_span("a")))),
                _list("numbered", _item(_paragraph(_span("b")))),
            ],
        ),
        (
            "- a\n\n- b",
            [_list("bulleted", _item(_paragraph(_span("a"))), _item(_paragraph(_span("b"))))],
        ),
        (
            "- a\n\n\n- b",
            [
                _list("bulleted", _item(_paragraph(_span("a")))),
                _list("bulleted", _item(_paragraph(_span("b")))),
            ],
        ),
        (
            "- - a\n\n\n  - b",
            [
                _list(
                    "bulleted",
                    _item(
                        _list("bulleted", _item(_paragraph(_span("a")))),
                        _list("bulleted", _item(_paragraph(_span("b")))),
                    ),
                )
            ],
        ),
        ("- {}", [_list("bulleted", _item(_paragraph(_span(""))))]),
        ("- ", [_list("bulleted", _item(_paragraph(_span(""))))]),
        ('- a\n  {style="s"}', [_list("bulleted", _item(_paragraph(_span("a"), style="s")))]),
        ("- a\nb", [_list("bulleted", _item(_paragraph(_span("a")))), _paragraph(_span("b"))]),
        (
            "- a\n\n\\  b",
            [_list("bulleted", _item(_paragraph(_span("a")))), _paragraph(_span("  b"))],
        ),
        ("- a\n\n b", [_list("bulleted", _item(_paragraph(_span("a")))), _paragraph(_span(" b"))]),
        (
            "-a\n\n1.a\n\n-",
            [_paragraph(_span("-a")), _paragraph(_span("1.a")), _paragraph(_span("-"))],
        ),
        ("\\- a\n\n1\\. b", [_paragraph(_span("- a")), _paragraph(_span("1. b"))]),
    ],
    ids=[
        "bulleted",
        "numbered-any-numbers",
        "continuation-line",
        "continuation-extra-space",
        "loose-items",
        "nested-on-the-marker-line",
        "paragraph-after-nested-list",
        "different-styles-are-two-lists",
        "one-blank-line-keeps-the-list",
        "two-blank-lines-split-the-list",
        "two-blank-lines-split-a-nested-list",
        "empty-paragraph-item",
        "marker-alone",
        "style-in-item",
        "unindented-line-leaves-the-list",
        "escaped-space-after-list",
        "odd-indent-after-blank-leaves-the-list",
        "markers-need-a-space",
        "escaped-markers",
    ],
)
def test_lists(text: str, children: list[dict[str, Any]]) -> None:
    assert _children(text) == children


def _quote(*paragraphs: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"type": "blockquote", "children": list(paragraphs), **extra}


@pytest.mark.parametrize(
    ("text", "children"),
    [
        ("> a\n> b", [_quote(_paragraph(_span("a b")))]),
        ("> a\n>\n> b", [_quote(_paragraph(_span("a")), _paragraph(_span("b")))]),
        ("> a\n>\n>\n> b\n>", [_quote(_paragraph(_span("a")), _paragraph(_span("b")))]),
        (">a", [_quote(_paragraph(_span("a")))]),
        (">  a", [_quote(_paragraph(_span(" a")))]),
        ("> a\n\n> b", [_quote(_paragraph(_span("a"))), _quote(_paragraph(_span("b")))]),
        ('> a\n{attribution="W"}', [_quote(_paragraph(_span("a")), attribution="W")]),
        (
            '> a\n> {style="s"}\n>\n> {}',
            [_quote(_paragraph(_span("a"), style="s"), _paragraph(_span("")))],
        ),
        ("> {}", [_quote(_paragraph(_span("")))]),
        ("> \\ ", [_quote(_paragraph(_span(" ")))]),
        ("> a\nb", [_quote(_paragraph(_span("a"))), _paragraph(_span("b"))]),
        ("> \\> a", [_quote(_paragraph(_span("> a")))]),
    ],
    ids=[
        "lines-join",
        "separator",
        "extra-separators",
        "no-space",
        "extra-space-is-content",
        "blank-line-makes-two",
        "attribution",
        "styles-and-empty-paragraph",
        "empty-paragraph",
        "space-paragraph",
        "unprefixed-line-ends-it",
        "escaped-quote",
    ],
)
def test_blockquotes(text: str, children: list[dict[str, Any]]) -> None:
    assert _children(text) == children


# --- inline text --------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "inlines"),
    [
        ("**a**", [_span("a", "strong")]),
        ("*a*", [_span("a", "emphasis")]),
        ("`a`", [_span("a", "code")]),
        ("~~a~~", [_span("a", "strikethrough")]),
        ("==a==", [_span("a", "highlight")]),
        ("++a++", [_span("a", "underline")]),
        ('<m k="x">a</m>', [_span("a", "x")]),
        (
            "==~~++***`a`***++~~==",
            [_span("a", "highlight", "strikethrough", "underline", "strong", "emphasis", "code")],
        ),
        (
            "`*++**~~==a==~~**++*`",
            [_span("a", "highlight", "strikethrough", "underline", "strong", "emphasis", "code")],
        ),
        ('<m k="b"><m k="a">x</m></m>', [_span("x", "a", "b")]),
        ('<m k="a"><m k="a">x</m></m>', [_span("x", "a")]),
        ('**<m k="strong">x</m>**', [_span("x", "strong")]),
        ("*a***b**", [_span("a", "emphasis"), _span("b", "strong")]),
        ("**a***b*", [_span("a", "strong"), _span("b", "emphasis")]),
        (
            "**a*****b****c***d**",
            [
                _span("a", "strong"),
                _span("b", "strong", "emphasis"),
                _span("c", "emphasis"),
                _span("d", "strong"),
            ],
        ),
        ("**a** **b**", [_span("a", "strong"), _span(" "), _span("b", "strong")]),
        ("**a****b**", [_span("a****b", "strong")]),
        (
            "*a **b** c*",
            [_span("a ", "emphasis"), _span("b", "strong", "emphasis"), _span(" c", "emphasis")],
        ),
        ("*a**`b`*", [_span("a", "emphasis"), _span("b", "emphasis", "code")]),
        ('*<m k="k">**x**</m>*', [_span("x", "strong", "emphasis", "k")]),
        ("** **", [_span(" ", "strong")]),
        (
            "**a*b**c*",
            [_span("a", "strong"), _span("b", "strong", "emphasis"), _span("c", "emphasis")],
        ),
        ("a<br/>b", [_span("a\nb")]),
        ("\\*\\<br/\\>\\ \\a\\", [_span("*<br/> \\a\\")]),
    ],
    ids=[
        "strong",
        "emphasis",
        "code",
        "strikethrough",
        "highlight",
        "underline",
        "custom",
        "all-canonical-order",
        "all-reverse-order",
        "customs-sorted",
        "customs-deduplicated",
        "custom-named-like-a-default",
        "emphasis-then-strong",
        "strong-then-emphasis",
        "nesting-runs",
        "two-strong-spans",
        "idle-run-between-text-is-text",
        "strong-inside-emphasis",
        "idle-run-at-a-span-boundary",
        "strong-inside-custom-inside-emphasis",
        "marks-on-whitespace",
        "overlapping",
        "line-break",
        "escapes",
    ],
)
def test_marks_and_escapes(text: str, inlines: list[dict[str, Any]]) -> None:
    assert _inlines(text) == inlines


@pytest.mark.parametrize(
    ("text", "inlines"),
    [
        ("**open", [_span("**open")]),
        ("a ** b", [_span("a ** b")]),
        ("**a *b*", [_span("**a "), _span("b", "emphasis")]),
        ("***a*", [_span("**"), _span("a", "emphasis")]),
        ("a == b", [_span("a == b")]),
        ("1+1=2 ~x", [_span("1+1=2 ~x")]),
        ("~~~a~~~", [_span("~~~a~~~")]),
        ("****", [_span("****")]),
        ("*******", [_span("*******")]),
        ('<m k="a">x', [_span('<m k="a">x')]),
        ("x</m>", [_span("x</m>")]),
        ('<m k="a">x</m></m>', [_span("x", "a"), _span("</m>")]),
        ("<x> <br> <m k=a>", [_span("<x> <br> <m k=a>")]),
        ("[x", [_span("[x")]),
        ("x](y)", [_span("x](y)")]),
        ("[x](y", [_span("[x](y")]),
        ("[a [b](u)", [_span("[a "), {"type": "link", "url": "u", "children": [_span("b")]}]),
        ("[**a**", [_span("["), _span("a", "strong")]),
        ('<inlineItem id="x>', [_span('<inlineItem id="x>')]),
        ("{a}", [_span("{a}")]),
    ],
    ids=[
        "unmatched-strong",
        "lone-strong",
        "unmatched-outer-matched-inner",
        "run-half-matched",
        "lone-highlight",
        "single-tilde-equals-plus",
        "odd-tilde-runs",
        "four-stars",
        "seven-stars",
        "unclosed-custom",
        "stray-close",
        "extra-close",
        "tag-lookalikes",
        "unmatched-bracket",
        "stray-bracket-close",
        "unclosed-destination",
        "inner-link-wins",
        "bracket-before-marks",
        "broken-tag",
        "braces",
    ],
)
def test_unmatched_delimiters_are_text(text: str, inlines: list[dict[str, Any]]) -> None:
    assert _inlines(text) == inlines


def _link(url: str, *children: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"type": "link", "url": url, "children": list(children), **extra}


def _item_link(item: str, *children: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"type": "itemLink", "item": item, "children": list(children), **extra}


@pytest.mark.parametrize(
    ("text", "inlines"),
    [
        ("[a](u)", [_link("u", _span("a"))]),
        ("[](u)", [_link("u", _span(""))]),
        ("[a]()", [_link("", _span("a"))]),
        ("[a](u){}", [_link("u", _span("a"), meta=[])]),
        (
            '[a](u){rel="x" "a b"="\\u0041\\n" rel="y"}',
            [
                _link(
                    "u",
                    _span("a"),
                    meta=[
                        {"id": "rel", "value": "x"},
                        {"id": "a b", "value": "A\n"},
                        {"id": "rel", "value": "y"},
                    ],
                )
            ],
        ),
        ("[a](\\ x\\ \\(y\\)\\\\)", [_link(" x (y)\\", _span("a"))]),
        ("[a](x<br/>y\\<br/>)", [_link("x\ny<br/>", _span("a"))]),
        ("[a](<>[]{}*)", [_link("<>[]{}*", _span("a"))]),
        ("[a](dato:item/42)", [_item_link("42", _span("a"))]),
        ('[a](dato:item/"")', [_item_link("", _span("a"))]),
        ('[a](dato:item/\\"q)', [_item_link('"q', _span("a"))]),
        ("[a](dato:item/x y\\))", [_item_link("x y)", _span("a"))]),
        ("[a](dato:item/)", [_link("dato:item/", _span("a"))]),
        ("[a](dato\\:item/42)", [_link("dato:item/42", _span("a"))]),
        (
            '[a](dato:item/1){target="_blank"}',
            [_item_link("1", _span("a"), meta=[{"id": "target", "value": "_blank"}])],
        ),
        ("[**a** b](u)", [_link("u", _span("a", "strong"), _span(" b"))]),
        ("**[a](u) c**", [_link("u", _span("a", "strong")), _span(" c", "strong")]),
        (
            "**x[a *b*](u)**",
            [
                _span("x", "strong"),
                _link("u", _span("a ", "strong"), _span("b", "strong", "emphasis")),
            ],
        ),
        ('a<inlineItem id="1"/>b', [_span("a"), {"type": "inlineItem", "item": "1"}, _span("b")]),
        ('<inlineBlock id="\\\\u0041"/>', [{"type": "inlineBlock", "item": "\\u0041"}]),
        (
            '**a<inlineItem id="1"/>b**',
            [_span("a", "strong"), {"type": "inlineItem", "item": "1"}, _span("b", "strong")],
        ),
        ("[a](u)[b](v)", [_link("u", _span("a")), _link("v", _span("b"))]),
        ("[a](u) {x}", [_link("u", _span("a")), _span(" {x}")]),
    ],
    ids=[
        "link",
        "empty-label",
        "empty-url",
        "empty-meta",
        "meta-in-order-with-escapes",
        "escaped-url",
        "line-break-in-url",
        "raw-url",
        "item-link",
        "empty-item-id",
        "escaped-quote-id",
        "item-id-with-space",
        "bare-prefix-is-a-link",
        "escaped-prefix-is-a-link",
        "item-link-meta",
        "marks-in-label",
        "marks-around-link",
        "marks-around-and-in-label",
        "inline-item",
        "inline-block-id-escapes",
        "marks-around-inline-item",
        "adjacent-links",
        "space-before-brace-is-text",
    ],
)
def test_links_and_records(text: str, inlines: list[dict[str, Any]]) -> None:
    assert _inlines(text) == inlines


def test_text_on_several_lines_is_one_inline_run() -> None:
    assert _inlines("**a\nb** [c\nd](u)") == [
        _span("a b", "strong"),
        _span(" "),
        _link("u", _span("c d")),
    ]


# --- original documents -------------------------------------------------------


def _nested_original() -> dict[str, Any]:
    return copy.deepcopy(ORIGINAL)


def test_original_as_document_dict_and_wrapper() -> None:
    text = '<block id="b1"/>\n\n<inlineBlock id="i1"/>\n'
    data = _nested_original()
    record = data["document"]["children"][0]["item"]
    for original in (data, {"value": data, "blocks": []}):
        assert parse(text, original).document.children[0].item is record  # type: ignore[union-attr]
    doc = Document.model_validate(data)
    assert parse(text, doc).document.children[0].item is doc.document.children[0].item  # type: ignore[union-attr]


def test_original_without_it_ids_stay_strings() -> None:
    doc = parse('<block id="b1"/>')
    assert doc.document.children[0].item == "b1"  # type: ignore[union-attr]


def test_duplicated_records_keep_their_objects() -> None:
    first = {"id": "x", "n": 1}
    second = {"id": "x", "n": 2}
    original = {
        "schema": "dast",
        "document": {
            "type": "root",
            "children": [{"type": "block", "item": first}, {"type": "block", "item": second}],
        },
    }
    doc = parse('<block id="x"/>\n\n<block id="x"/>\n\n<block id="x"/>', original)
    items = [block.item for block in doc.document.children if isinstance(block, Block)]
    assert items[0] is first and items[1] is second and items[2] is first


def test_blocks_found_across_kinds() -> None:
    original = _nested_original()
    doc = parse('<inlineBlock id="b1"/>\n\n<block id="i1"/>', original)
    assert doc.document.children[0].children[0].item is original["document"]["children"][0]["item"]  # type: ignore[union-attr]
    assert doc.document.children[1].item == "i1"  # type: ignore[union-attr]


def test_inline_items_and_item_links_are_not_looked_up() -> None:
    doc = parse('<inlineItem id="nowhere"/>[x](dato:item/nowhere)', _nested_original())
    assert [node.item for node in doc.document.children[0].children] == ["nowhere", "nowhere"]  # type: ignore[union-attr]


def test_invalid_original_is_a_validation_error() -> None:
    with pytest.raises(DastValidationError):
        parse("x", {"schema": "dast", "document": {"type": "root", "children": []}})


def test_no_collection_state_leaks_after_an_error() -> None:
    _error('<block id="zz"/>', ORIGINAL)
    assert BLOCKS.get() is None
    assert parse('<block id="zz"/>').document.children[0].item == "zz"  # type: ignore[union-attr]


# --- the error type -----------------------------------------------------------


def test_parse_error_is_in_the_hierarchy() -> None:
    error = _error("####### x")
    assert isinstance(error, DastError) and isinstance(error, ValueError)
    assert (error.message, error.line, error.column) == (
        "heading level 7: a heading has 1 to 6 '#' (write \\# for a literal '#')",
        1,
        1,
    )


def test_caret_lines_up_under_tabs() -> None:
    error = _error('x\n\t\t[a <inlineItem id="1"/>](u)')
    assert (error.line, error.column) == (2, 6)
    excerpt = str(error).split("\n")
    assert excerpt[1] == '  \t\t[a <inlineItem id="1"/>](u)'
    assert excerpt[2] == "  \t\t   ^"


def test_long_lines_are_cut_around_the_column() -> None:
    text = "a" * 500 + ' <block id="1"/> ' + "b" * 500
    error = _error(text)
    assert error.column == 502
    shown, caret = str(error).split("\n")[1:]
    assert len(shown) < 90 and shown.startswith("  ...") and shown.endswith("...")
    assert shown[caret.index("^")] == "<"
    assert error.source_line == text


def test_errors_pickle() -> None:
    error = _error("####### x")
    copied = pickle.loads(pickle.dumps(error))
    assert (copied.message, copied.line, copied.column, str(copied)) == (
        error.message,
        error.line,
        error.column,
        str(error),
    )
    unknown = _error('<block id="zz"/>', ORIGINAL)
    assert pickle.loads(pickle.dumps(unknown)).block_id == "zz"


# --- arbitrary and hostile input ----------------------------------------------


SYNTAX = st.sampled_from(
    [
        *'#*_~=+`[](){}<>-\n >\\!"/:0123456789abcxyz \t\r.',
        *("\n\n", "\n\n\n", "  ", "- ", "1. ", "> ", "---", "```", "````", "{}", "{style="),
        *('<block id="', '<block id="1"/>', '{style="s"}', '{attribution="a"}', "<m k="),
        *('<m k="x">', "</m>", "<br/>", '<inlineItem id="1"/>', '<inlineBlock id="2"/>'),
        *("](", "dato:item/", "\\*", "é", "😀"),
        *("\n# ", "\n- ", "\n  - ", "\n1. ", "\n> ", "\n>\n", "\n```\n", "\n---\n", "\n\n  "),
    ]
)


@given(st.lists(SYNTAX, max_size=40).map("".join))
def test_any_text_parses_or_raises_a_parse_error(text: str) -> None:
    try:
        doc = parse(text)
    except DastdownParseError as error:
        # a line ends with \n, \r\n or \r (to_lf tells which)
        assert 1 <= error.line <= max(1, to_lf(text).count("\n") + 1)
        assert error.column >= 1
        return
    assert isinstance(doc, Document)
    _assert_plain_strings(doc.to_json())
    assert canonicalize(doc) == doc  # the parser's output is canonical
    assert Document.model_validate(doc.to_json()) == doc
    assert parse(serialize(doc)) == doc  # whatever it read, it reads back


def _assert_plain_strings(data: Any) -> None:
    """Every string of the document is a ``str``, not a lark token (a subclass)."""
    stack = [data]
    while stack:
        value = stack.pop()
        if isinstance(value, dict):
            stack.extend(value.values())
        elif isinstance(value, list):
            stack.extend(value)
        elif isinstance(value, str):
            assert type(value) is str, repr(value)


@pytest.mark.parametrize("example", EXAMPLES[::25], ids=[e["id"] for e in EXAMPLES[::25]])
def test_strings_are_plain_str(example: dict[str, Any]) -> None:
    _assert_plain_strings(parse(example["dastdown"]).to_json())


HOSTILE = {
    "stars": "*" * 500_000,
    "strong-pairs": "** " * 100_000,
    "unclosed-destinations": "[x](" * 20_000,
    "destinations-then-close": "[x](" * 20_000 + ")",
    "escaped-closes": "[x](" + "\\)" * 50_000,
    "custom-opens": '<m k="a">' * 100_000,
    "unclosed-tag-strings": '<m k="' * 50_000,
    "brackets": "[" * 100_000 + "x",
    "bracket-links": "[" * 30_000 + "[x](u)" * 30_000,
    "heading-braces": "# " + ' {a="' * 50_000,
    "heading-trailers": "# " + " {a=[1]}" * 50_000,
    "backticks": "`" * 500_000,
    "nested-markers": "- " * 20_000 + "x",
    "quote-breaks": ">\n" * 100_000 + "> a",
    "paragraph-lines": "a\n" * 100_000,
    "plain-then-lt": "a" * 1_000_000 + "<",
    "backslashes": "[x](" + "\\" * 100_000 + ")",
    "distinct-custom-opens": "".join(f'<m k="k{i}">a' for i in range(60_000)),
    "star-words": "*a" * 300_000,
    "underscores": "_" * 1_000_000,
    "mixed-runs": "**a*" * 200_000,
    "close-open-runs": "*a**b***c" * 100_000,
    "labels-with-marks": "[*a*](u)" * 100_000,
    "links-in-labels": "[a [b](u) c](v)" * 60_000,
    "brackets-then-close": "[" * 500_000 + "](u)",
    "numbered-markers": "1. " * 5_000 + "x",
    "deep-list-then-heading": "- " * 5_000 + "# x",
}


@pytest.mark.parametrize("text", HOSTILE.values(), ids=HOSTILE.keys())
def test_hostile_input_is_fast(text: str) -> None:
    start = time.perf_counter()
    with contextlib.suppress(DastdownParseError):
        parse(text)
    assert time.perf_counter() - start < 5


def test_deep_nesting_of_indented_lines() -> None:
    depth = 5000
    doc = parse("".join("  " * level + "- x\n" for level in range(depth)))
    node: Any = doc.document.children[0]
    for _ in range(depth - 1):
        assert isinstance(node, List)
        node = node.children[0].children[1]
    assert node.children[0].children[0].children[0].value == "x"


def test_deep_nesting() -> None:
    depth = 5000
    doc = parse("- " * depth + "x")
    node: Any = doc.document.children[0]
    for _ in range(depth - 1):
        assert isinstance(node, List)
        node = node.children[0].children[0]
    assert node.children[0].children[0].children[0].value == "x"


def test_trailers_take_the_optional_attributes_of_the_schema() -> None:
    for node_type, keys in TRAILER_KEYS.items():
        assert set(keys) == OPTIONAL_ATTRIBUTES[node_type], node_type


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("- - a\n  # h\n", "a heading cannot be in a list item"),
        ("1. - a\n\n  ---\n", "a thematic break (---) cannot be in a list item"),
        ("> a\n\n- > b\n  > c\n\n  # h\n", "a blockquote cannot be in a list item"),
    ],
)
def test_misplaced_block_after_closed_containers_names_the_open_one(
    text: str, message: str
) -> None:
    with pytest.raises(DastdownParseError, match=re.escape(message)):
        parse(text)


# --- built in place, not validated again: the same documents as load_document -----------------


def _built_by_load_document(text: str, original: Document | None = None) -> Document:
    """The document the parse gave before its short-cuts: lark's JSON through ``load_document``.

    With ``original``, the parse's own reading of the records (``parse_json``,
    checked against lark in tests/test_parse_json.py) through ``load_document``.
    """
    if original is not None:
        loaded = load_document(parse_json(text, original))
        assert loaded is not None
        return loaded
    lf = to_lf(text)  # blank as the parse judges it: after line endings are read ("\n\r" is not)
    children = grammar().parse(lf, start="start") if lf.strip(" \n") else None
    if children is None:
        children = [{"type": "paragraph", "children": [{"type": "span", "value": ""}]}]
    loaded = load_document({"schema": "dast", "document": {"type": "root", "children": children}})
    assert loaded is not None
    return loaded


def _same_models(left: Any, right: Any) -> bool:
    """Equal, of the same classes, fields in the same order, the same fields set, node by node."""
    pending = [(left, right)]
    while pending:
        a, b = pending.pop()
        if type(a) is not type(b):
            return False
        if isinstance(a, tuple):
            if len(a) != len(b):
                return False
            pending.extend(zip(a, b, strict=True))
        elif hasattr(a, "model_fields_set"):
            if a.model_fields_set != b.model_fields_set or list(a.__dict__) != list(b.__dict__):
                return False
            if (a.__pydantic_extra__, a.__pydantic_private__) != (None, None):
                return False
            pending.extend((a.__dict__[key], b.__dict__[key]) for key in a.__dict__)
        elif a != b:
            return False
    return True


@pytest.mark.parametrize("example", EXAMPLES, ids=[e["id"] for e in EXAMPLES])
def test_the_document_is_the_one_load_document_builds(example: dict[str, Any]) -> None:
    text = example["dastdown"]
    assert _same_models(parse(text), _built_by_load_document(text))


@given(
    documents(text=adversarial_text, items=adversarial_items, marks=adversarial_marks, max_leaves=8)
)
def test_a_generated_document_is_the_one_load_document_builds(doc: Document) -> None:
    text = serialize(doc)
    assert _same_models(parse(text), _built_by_load_document(text))
    assert _same_models(parse(text, doc), _built_by_load_document(text, doc))  # records back


@given(st.text(alphabet="ab *_[]()-#>\n\r`{}=\"<>/1.", max_size=60))
def test_any_document_is_the_one_load_document_builds(text: str) -> None:
    try:
        doc = parse(text)
    except DastdownParseError:
        return
    assert _same_models(doc, _built_by_load_document(text))


def test_a_document_deeper_than_pydantic_recurses_is_built_by_load_document() -> None:
    text = "- " * 5000 + "x"
    assert _same_models(parse(text), _built_by_load_document(text))


_EVERY_INLINE = (
    '***p*** [l](u){rel="x"} [il](dato:item/i1) <inlineItem id="i2"/> <inlineBlock id="ib"/>'
)
_DEEP_AND_VARIED = (
    '# T {style="s"}\n\n```py {highlight=[0,2]}\nx\n```\n\n> q\n{attribution="A"}\n\n'
    '<block id="b1"/>\n\n---\n\n'
    + "".join("  " * depth + "1. " + _EVERY_INLINE + "\n" for depth in range(300))
    + "  " * 300 + '{style="lead"}\n'
    + "  " * 299 + "- x\n  " + "  " * 299 + "second paragraph\n"
    + "- " * 400 + _EVERY_INLINE + "\n"
)


def test_a_deep_document_of_every_node_kind_is_the_one_load_document_builds() -> None:
    """Built in place from the parse's own dicts: each kind of node, each attribute, any order."""
    doc = parse(_DEEP_AND_VARIED)
    assert _same_models(doc, _built_by_load_document(_DEEP_AND_VARIED))
    for node in (doc, doc.document, *doc.document.children):
        assert list(node.__dict__) == list(type(node).model_fields)  # field order, as pydantic's


def test_a_deep_document_takes_the_original_records_themselves() -> None:
    record = {"id": "b1", "title": "kept"}
    original = {"schema": "dast", "document": {"type": "root", "children": [
        {"type": "block", "item": record}, {"type": "paragraph", "children": [
            {"type": "inlineBlock", "item": {"id": "ib"}}]}]}}
    doc = parse(_DEEP_AND_VARIED, original)
    block = doc.document.children[3]
    assert isinstance(block, Block) and block.item is record
    assert record == {"id": "b1", "title": "kept"}  # not made a model's fields


@pytest.mark.parametrize("text", ["", "a\n", "- " * 3000 + "x", "- # misplaced\n"])
def test_the_collector_is_restored(text: str) -> None:
    """On, it is on again (and the caller's frozen objects stay frozen); off, it stays off."""
    assert gc.isenabled()
    with contextlib.suppress(DastdownParseError):
        parse(text)
    assert gc.isenabled()
    gc.freeze()
    try:
        frozen = gc.get_freeze_count()
        with contextlib.suppress(DastdownParseError):
            parse(text)
        assert gc.get_freeze_count() == frozen  # not unfrozen
    finally:
        gc.unfreeze()
    gc.disable()
    try:
        with contextlib.suppress(DastdownParseError):
            parse(text)
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_the_objects_of_a_large_text_join_the_oldest_generation() -> None:
    """As ``dast._gc.gc_paused(promote=True)`` leaves them; a small text's stay young."""
    doc = parse("# T\n\n" + "- a *b* [c](u)\n" * 4000)
    small = parse("# T\n\n" + "- a *b* [c](u)\n" * 20)
    oldest = {id(obj) for obj in gc.get_objects(generation=2)}
    assert id(doc) in oldest
    assert id(doc.document.children[-1]) in oldest
    assert id(small) not in oldest
