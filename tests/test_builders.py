"""The terse builders of dast.builders: the JSON they build and the errors they raise."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from syrupy.assertion import SnapshotAssertion

from dast.builders import (
    block,
    code,
    code_span,
    custom,
    doc,
    em,
    h,
    highlight,
    hr,
    inline_block,
    inline_item,
    item_link,
    li,
    link,
    mark,
    ol,
    p,
    quote,
    s,
    span,
    strike,
    strong,
    u,
    ul,
)
from dast.errors import DastValidationError
from dast.nodes import (
    Document,
    ItemLink,
    Link,
    MetaEntry,
    Paragraph,
    Root,
    Span,
)
from dast.validate import validate


def sp(value: str, *marks: str) -> dict[str, Any]:
    out: dict[str, Any] = {"type": "span", "value": value}
    if marks:
        out["marks"] = list(marks)
    return out


def para(*children: dict[str, Any]) -> dict[str, Any]:
    return {"type": "paragraph", "children": list(children)}


def test_a_whole_document() -> None:
    record = {"id": "b1", "type": "item", "attributes": {"title": "Hi"}}
    d = doc(
        h(1, "Title", style="big"),
        p("Hello ", strong(em("world")), "!", style="lead"),
        ul("one", li("two", ol("a", "b"))),
        quote("Be brave", attribution="Ada"),
        code("x = 1\ny = 2", "python", highlight=[1]),
        block(record),
        hr(),
    )
    assert d.to_json() == {
        "schema": "dast",
        "document": {
            "type": "root",
            "children": [
                {"type": "heading", "level": 1, "children": [sp("Title")], "style": "big"},
                {
                    "type": "paragraph",
                    "children": [sp("Hello "), sp("world", "emphasis", "strong"), sp("!")],
                    "style": "lead",
                },
                {
                    "type": "list",
                    "style": "bulleted",
                    "children": [
                        {"type": "listItem", "children": [para(sp("one"))]},
                        {
                            "type": "listItem",
                            "children": [
                                para(sp("two")),
                                {
                                    "type": "list",
                                    "style": "numbered",
                                    "children": [
                                        {"type": "listItem", "children": [para(sp("a"))]},
                                        {"type": "listItem", "children": [para(sp("b"))]},
                                    ],
                                },
                            ],
                        },
                    ],
                },
                {"type": "blockquote", "children": [para(sp("Be brave"))], "attribution": "Ada"},
                {"type": "code", "code": "x = 1\ny = 2", "language": "python", "highlight": [1]},
                {"type": "block", "item": record},
                {"type": "thematicBreak"},
            ],
        },
    }
    assert d.document.children[5].item is record  # type: ignore[union-attr]
    assert validate(d.to_json()).valid


def test_builders_equal_the_hand_built_models() -> None:
    assert doc("x") == Document(document=Root(children=(Paragraph(children=(Span(value="x"),)),)))
    assert p("a", span("b", "strong")) == Paragraph(
        children=(Span(value="a"), Span(value="b", marks=("strong",)))
    )


def test_runs_of_inline_arguments_become_one_paragraph() -> None:
    d = doc("a", em("b"), hr(), inline_item("42"), "c")
    assert [c.to_json() for c in d.document.children] == [
        para(sp("a"), sp("b", "emphasis")),
        {"type": "thematicBreak"},
        para({"type": "inlineItem", "item": "42"}, sp("c")),
    ]
    item = li("x", strong("y"), ul("z"), "w")
    assert [c.type for c in item.children] == ["paragraph", "list", "paragraph"]
    q = quote("one ", em("two"), p("three"))
    assert [c.to_json() for c in q.children] == [
        para(sp("one "), sp("two", "emphasis")),
        para(sp("three")),
    ]


def test_lists_wrap_what_is_not_a_list_item() -> None:
    lst = ul("a", p("b"), ol("c"), li("d"))
    assert [item.children[0].type for item in lst.children] == [
        "paragraph",
        "paragraph",
        "list",
        "paragraph",
    ]
    assert ol("x").style == "numbered" and ul("x").style == "bulleted"


@pytest.mark.parametrize(
    ("helper", "mark_name"),
    [
        (strong, "strong"),
        (em, "emphasis"),
        (u, "underline"),
        (s, "strikethrough"),
        (strike, "strikethrough"),
        (mark, "highlight"),
        (highlight, "highlight"),
        (code_span, "code"),
    ],
    ids=lambda v: v if isinstance(v, str) else v.__name__,
)
def test_mark_helpers_add_their_mark(helper: Callable[[Any], Any], mark_name: str) -> None:
    assert helper("x") == Span(value="x", marks=(mark_name,))
    assert helper(span("x", "footnote-ref")).marks == ("footnote-ref", mark_name)
    assert helper(helper("x")).marks == (mark_name,)  # no duplicates


def test_nested_mark_helpers_make_one_span() -> None:
    assert strong(em(u("x"))) == Span(value="x", marks=("underline", "emphasis", "strong"))
    assert custom("footnote-ref", strong("1")).marks == ("strong", "footnote-ref")


def test_mark_helpers_mark_every_span_of_a_link() -> None:
    lk = strong(link("https://x.y", "a", em("b")))
    assert isinstance(lk, Link)
    assert [c.marks for c in lk.children] == [("strong",), ("emphasis", "strong")]
    il = em(item_link("42", "x"))
    assert isinstance(il, ItemLink) and il.children[0].marks == ("emphasis",)


def test_links_and_meta() -> None:
    assert link("https://x.y").to_json() == {
        "type": "link",
        "url": "https://x.y",
        "children": [sp("https://x.y")],
    }
    expected_meta = [{"id": "rel", "value": "nofollow"}, {"id": "target", "value": "_blank"}]
    as_dict = link("u", "x", meta={"rel": "nofollow", "target": "_blank"})
    as_pairs = link("u", "x", meta=[("rel", "nofollow"), ("target", "_blank")])
    as_entries = link("u", "x", meta=(MetaEntry(id="rel", value="nofollow"), ("target", "_blank")))
    for built in (as_dict, as_pairs, as_entries):
        assert built.to_json()["meta"] == expected_meta
    assert link("u", "x", meta={}).to_json()["meta"] == []
    assert "meta" not in link("u", "x").to_json()
    assert item_link("42", "post", meta={"rel": "x"}).to_json() == {
        "type": "itemLink",
        "item": "42",
        "children": [sp("post")],
        "meta": [{"id": "rel", "value": "x"}],
    }


def test_leaves() -> None:
    assert code("x").to_json() == {"type": "code", "code": "x"}
    assert code("x", highlight=()).to_json() == {"type": "code", "code": "x", "highlight": []}
    assert code("a\nb", highlight=range(2)).highlight == (0, 1)
    assert inline_block({"id": "ib"}).to_json() == {"type": "inlineBlock", "item": {"id": "ib"}}
    assert inline_item("42").to_json() == {"type": "inlineItem", "item": "42"}
    assert span(
        "",
    ).to_json() == sp("")
    assert span("x", "strong", "emphasis").marks == ("strong", "emphasis")


BAD_CALLS: dict[str, Callable[[], object]] = {
    "heading-level-7": lambda: h(7, "x"),
    "heading-level-0": lambda: h(0, "x"),
    "heading-level-bool": lambda: h(True, "x"),
    "paragraph-empty": lambda: p(),
    "paragraph-with-block-node": lambda: p("a", hr()),  # type: ignore[arg-type]
    "paragraph-with-int": lambda: p(5),  # type: ignore[arg-type]
    "paragraph-style-int": lambda: p("x", style=3),  # type: ignore[arg-type]
    "doc-empty": lambda: doc(),
    "doc-with-list-item": lambda: doc(li("x")),  # type: ignore[arg-type]
    "list-empty": lambda: ul(),
    "list-item-with-heading": lambda: li(h(1, "x")),  # type: ignore[arg-type]
    "quote-with-code": lambda: quote(code("x")),  # type: ignore[arg-type]
    "link-with-link": lambda: link("u", link("v")),  # type: ignore[arg-type]
    "link-url-none": lambda: link(None, "x"),  # type: ignore[arg-type]
    "item-link-empty": lambda: item_link("42"),
    "meta-not-pairs": lambda: link("u", "x", meta=["rel"]),  # type: ignore[list-item]
    "meta-value-int": lambda: link("u", "x", meta={"rel": 1}),  # type: ignore[arg-type]
    "meta-string": lambda: link("u", "x", meta="rel"),  # type: ignore[arg-type]
    "highlight-string": lambda: code("x", highlight="01"),  # type: ignore[arg-type]
    "highlight-negative": lambda: code("x", highlight=[-1]),
    "code-not-string": lambda: code(3),  # type: ignore[arg-type]
    "span-value-int": lambda: span(3),  # type: ignore[arg-type]
    "span-mark-int": lambda: span("x", 3),  # type: ignore[arg-type]
    "mark-on-break": lambda: strong(hr()),  # type: ignore[call-overload]
    "custom-mark-int": lambda: custom(3, "x"),  # type: ignore[call-overload]
    "block-item-int": lambda: block(3),  # type: ignore[arg-type]
    "inline-item-dict": lambda: inline_item({"id": "x"}),  # type: ignore[arg-type]
}


@pytest.mark.parametrize("name", sorted(BAD_CALLS))
def test_bad_input_raises_a_validation_error(name: str, snapshot: SnapshotAssertion) -> None:
    with pytest.raises(DastValidationError) as err:
        BAD_CALLS[name]()
    assert err.value.problems
    assert str(err.value) == snapshot
