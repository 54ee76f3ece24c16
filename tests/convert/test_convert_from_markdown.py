"""from_markdown: what it reads, what it reports (with the right lines), its options."""

from __future__ import annotations

import inspect
import re
import sys
from typing import Any

import pytest

from dast.canonical import is_canonical
from dast.convert.from_markdown import MAX_NESTING, MarkdownContext, from_markdown
from dast.convert.report import ConversionError
from dast.nodes import (
    Block,
    Code,
    Document,
    Heading,
    InlineBlock,
    ListItem,
    Node,
    Paragraph,
    Span,
    ThematicBreak,
)
from dast.validate import validate


def read(text: str, **options: Any) -> tuple[list[dict[str, Any]], list[tuple[Any, ...]]]:
    """The root children as JSON and the report as (kind, line, path, action) tuples."""
    doc, report = from_markdown(text, **options)
    assert validate(doc).valid and is_canonical(doc)
    entries = [(e.kind, e.line, None if e.path is None else e.path, e.action) for e in report]
    return doc.to_json()["document"]["children"], entries


def spans(children: list[dict[str, Any]], index: int = 0) -> list[dict[str, Any]]:
    result: list[dict[str, Any]] = children[index]["children"]
    return result


def span(value: str, *marks: str) -> dict[str, Any]:
    return {"type": "span", "value": value, **({"marks": list(marks)} if marks else {})}


def para(*children: dict[str, Any]) -> dict[str, Any]:
    return {"type": "paragraph", "children": list(children)}


# --- what it reads -------------------------------------------------------------------


def test_empty_and_whitespace_give_the_empty_document() -> None:
    for text in ("", "   \n\n\t\n"):
        children, report = read(text)
        assert children == [para(span(""))]
        assert report == []


def test_none_gives_none_and_other_types_are_refused() -> None:
    result, report = from_markdown(None)
    assert result is None and not report
    with pytest.raises(ConversionError, match="reads a str, not bytes"):
        from_markdown(b"# x")  # type: ignore[call-overload]


def test_headings_paragraphs_and_breaks() -> None:
    children, report = read("# One\n\n###### Six\n\nSetext\n===\n\na  \nb\\\nc\nd\n\n---\n")
    assert [c.get("level") for c in children[:3]] == [1, 6, 1]
    assert spans(children, 3) == [span("a\nb\nc d")]
    assert children[4] == {"type": "thematicBreak"}
    assert report == []


def test_marks_nest_and_come_out_in_canonical_order() -> None:
    text = "**a *b* `c`** ~~d~~ ==e== ++f++ <u>g</u> <mark>h</mark> <del>i</del> <b><i>j</i></b>"
    children, report = read(text)
    assert spans(children) == [
        span("a ", "strong"),
        span("b", "strong", "emphasis"),
        span(" ", "strong"),
        span("c", "strong", "code"),
        span(" "),
        span("d", "strikethrough"),
        span(" "),
        span("e", "highlight"),
        span(" "),
        span("f", "underline"),
        span(" "),
        span("g", "underline"),
        span(" "),
        span("h", "highlight"),
        span(" "),
        span("i", "strikethrough"),
        span(" "),
        span("j", "strong", "emphasis"),
    ]
    assert report == []


def test_br_tags_and_entities() -> None:
    children, _ = read("a<br>b<br/>c<BR />d &amp; &copy; &#65; \\&amp; \\*")
    assert spans(children) == [span("a\nb\nc\nd & © A &amp; *")]


def test_code_blocks() -> None:
    children, _ = read("```python\nx = 1\n\n```\n\n    indented\n\n~~~\n~~~\n")
    assert children == [
        {"type": "code", "code": "x = 1\n", "language": "python"},
        {"type": "code", "code": "indented"},
        {"type": "code", "code": ""},
    ]


def test_lists_tight_loose_nested_and_empty_items() -> None:
    children, report = read("- a\n  1. b\n\n     c\n- \n- - d\n")
    assert children == [
        {
            "type": "list",
            "style": "bulleted",
            "children": [
                {
                    "type": "listItem",
                    "children": [
                        para(span("a")),
                        {
                            "type": "list",
                            "style": "numbered",
                            "children": [
                                {"type": "listItem", "children": [para(span("b")), para(span("c"))]}
                            ],
                        },
                    ],
                },
                {"type": "listItem", "children": [para(span(""))]},
                {
                    "type": "listItem",
                    "children": [
                        {
                            "type": "list",
                            "style": "bulleted",
                            "children": [{"type": "listItem", "children": [para(span("d"))]}],
                        }
                    ],
                },
            ],
        }
    ]
    assert report == []


def test_links_item_links_titles_and_autolinks() -> None:
    text = (
        '[a](https://x.y "T") [b](dato:item/42) [c](dato:item/) <https://a.b> <me@x.y> [d][r]\n\n'
        "[r]: /ref 'R'\n"
    )
    children, report = read(text)
    assert spans(children) == [
        {
            "type": "link",
            "url": "https://x.y",
            "children": [span("a")],
            "meta": [{"id": "title", "value": "T"}],
        },
        span(" "),
        {"type": "itemLink", "item": "42", "children": [span("b")]},
        span(" "),
        {"type": "link", "url": "dato:item/", "children": [span("c")]},
        span(" "),
        {"type": "link", "url": "https://a.b", "children": [span("https://a.b")]},
        span(" "),
        {"type": "link", "url": "mailto:me@x.y", "children": [span("me@x.y")]},
        span(" "),
        {
            "type": "link",
            "url": "/ref",
            "children": [span("d")],
            "meta": [{"id": "title", "value": "R"}],
        },
    ]
    assert report == []


def test_marks_around_a_link_apply_to_its_label() -> None:
    children, _ = read("**[a *b*](u)**")
    assert spans(children) == [
        {
            "type": "link",
            "url": "u",
            "children": [span("a ", "strong"), span("b", "strong", "emphasis")],
        }
    ]


def test_crlf_input() -> None:
    children, report = read("# T\r\n\r\n![i](x)\r\n")
    assert children[0]["type"] == "heading"
    assert report == [("image", 3, ("children", 1), "converted to a link")]


# --- what it cannot hold: converted, reported with the right line -------------------------


SOURCE = """\
# Title

Intro with ![logo](logo.png "Logo") and
<span>raw</span> on line four.

| a | b |
|---|---|
| 1 | **2** |

<div>
block html
</div>

- item
  ## heading in item
  ```js
  code in item
  ```
  > quote in item
  ---

> quote
> > nested quote
> # heading in quote
> - list in quote
>   - deeper

3. starts at three

Text[^n] and [unused ref] here.

[^n]: The note.
[^x]: Never used.

[unused]: https://never.used
"""


def test_everything_unexpressible_is_reported_with_its_line_and_path() -> None:
    children, report = read(SOURCE)
    assert report == [
        ("image", 3, ("children", 1), "converted to a link"),
        ("table", 6, ("children", 2), "converted to paragraphs"),
        ("heading", 15, ("children", 5, "children", 0, "children", 1), "converted to a paragraph"),
        (
            "code",
            16,
            ("children", 5, "children", 0, "children", 2),
            "converted to a paragraph of code text",
        ),
        (
            "blockquote",
            19,
            ("children", 5, "children", 0, "children", 3),
            "flattened into its paragraphs",
        ),
        ("thematic_break", 20, None, "dropped"),
        ("blockquote", 23, ("children", 6, "children", 1), "flattened into its paragraphs"),
        ("heading", 24, ("children", 6, "children", 2), "converted to a paragraph"),
        ("list", 25, ("children", 6, "children", 3), "converted to paragraphs"),
        ("list", 28, ("children", 7), "renumbered from 1"),
        ("footnote_ref", 30, ("children", 8), "kept as text"),
        ("footnote", 32, ("children", 9), "kept as text"),
        ("footnote", 33, None, "dropped"),
        ("link_definition", 35, None, "dropped"),
    ]
    # nothing is lost: the text of every construct is still there
    quote = children[6]["children"]
    assert [c["children"][0]["value"] for c in quote] == [
        "quote",
        "nested quote",
        "heading in quote",
        "- list in quote",
        "  - deeper",
    ]
    assert children[2] == para(span("a | b"))
    assert children[3] == para(span("1 | "), span("2", "strong"))
    assert children[4] == para(span("block html"))  # raw HTML is read as HTML
    assert spans(children, 8)[0]["value"] == "Text[^n] and [unused ref] here."
    assert spans(children, 9) == [span("[^n]: The note.")]


def test_inline_lines_inside_long_paragraphs_and_containers() -> None:
    text = "a\nb\nc ![x](1)\nd `e\nf` ![y](2)\n\n- p\n  q <i>x\n  ![z](3)\n"
    _, report = read(text)
    assert [(kind, line) for kind, line, _, _ in report] == [
        ("image", 3),
        ("image", 5),
        ("image", 9),
    ]


def test_image_without_alt_uses_its_url_and_image_in_link_keeps_alt() -> None:
    children, report = read("![](a.png) [![b](c.png)](d)")
    assert spans(children)[0] == {"type": "link", "url": "a.png", "children": [span("a.png")]}
    assert spans(children)[2] == {"type": "link", "url": "d", "children": [span("b")]}
    assert [(k, a) for k, _, _, a in report] == [
        ("image", "converted to a link"),
        ("image", "kept as its alt text"),
    ]


def test_unmatched_closing_tag_is_dropped_and_unclosed_tag_runs_to_the_end() -> None:
    children, report = read("a </u> <em>b\n\nc")
    assert spans(children) == [span("a  "), span("b", "emphasis")]
    assert spans(children, 1) == [span("c")]
    assert report == [("u", 1, ("children", 0), "dropped")]


def test_nesting_deeper_than_the_limit_is_text_and_reported() -> None:
    deep_ok = "".join("  " * i + "- x\n" for i in range(MAX_NESTING - 1))
    _, report = read(deep_ok)
    assert report == []
    children, report = read("- " * 5000 + "x")
    assert report == [("nesting", 1, None, "kept as text")]
    depth, node = 0, children[0]
    while node["type"] == "list":
        depth += 1
        node = node["children"][0]["children"][0]
    assert depth == MAX_NESTING and node["children"][0]["value"].endswith("- - x")
    children, report = read(">" * 5000 + " x")
    kinds = [r[0] for r in report]
    assert kinds.count("nesting") == 1
    assert kinds.count("blockquote") == MAX_NESTING - 1  # each nested quote is flattened
    assert children == [
        {"type": "blockquote", "children": [para(span(">" * (5000 - MAX_NESTING) + " x"))]}
    ]


def test_recursion_error_becomes_a_conversion_error() -> None:
    """mistune recurses per nesting level: with little stack left it must fail cleanly."""
    text = "".join("  " * i + "- x\n" for i in range(MAX_NESTING - 1))
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(len(inspect.stack()) + 60)
    try:
        with pytest.raises(ConversionError, match="nested too deeply"):
            from_markdown(text)
    finally:
        sys.setrecursionlimit(limit)


# --- options -------------------------------------------------------------------------------


def test_allowed_blocks_degrade_and_report() -> None:
    text = "# H\n\n```py\nx\n```\n\n> q\n\n- a\n  - b\n\n---\n\np"
    children, report = read(text, allowed_blocks={"paragraph"})
    assert children == [
        para(span("H")),
        para(span("x", "code")),
        para(span("q")),
        para(span("- a")),
        para(span("  - b")),
        para(span("p")),
    ]
    assert [(k, line, a) for k, line, _, a in report] == [
        ("heading", 1, "converted to a paragraph"),
        ("code", 3, "converted to a paragraph of code text"),
        ("blockquote", 7, "flattened into its paragraphs"),
        ("list", 9, "converted to paragraphs"),
        ("list", 10, "converted to paragraphs"),  # the nested list, first
        ("thematic_break", 12, "dropped"),
    ]


def test_allowed_blocks_keeps_what_is_allowed() -> None:
    children, report = read("# H\n\n- a", allowed_blocks={"paragraph", "heading", "list"})
    assert [c["type"] for c in children] == ["heading", "list"]
    assert report == []


@pytest.mark.parametrize(
    ("blocks", "message"),
    [({"heading"}, "must include 'paragraph'"), ({"paragraph", "table"}, "unknown block type")],
)
def test_allowed_blocks_is_checked(blocks: set[str], message: str) -> None:
    with pytest.raises(ConversionError, match=message):
        from_markdown("x", allowed_blocks=blocks)


def test_allowed_marks_drop_others_once_per_block() -> None:
    children, report = read("**a** **b** *c*\n\n**d**", allowed_marks={"emphasis"})
    assert spans(children) == [span("a b "), span("c", "emphasis")]
    assert spans(children, 1) == [span("d")]
    assert [(k, line) for k, line, _, _ in report] == [("mark", 1), ("mark", 3)]


def test_code_degraded_without_the_code_mark_is_plain_text() -> None:
    children, report = read("```\nx\n```", allowed_blocks={"paragraph"}, allowed_marks=set())
    assert children == [para(span("x"))]
    assert sorted(k for k, _, _, _ in report) == ["code", "mark"]


def test_allowed_heading_levels() -> None:
    children, report = read("# a\n\n### b", allowed_heading_levels=[1, 2])
    assert children[0]["type"] == "heading"
    assert children[1] == para(span("b"))
    assert report == [("heading", 3, ("children", 1), "converted to a paragraph")]
    with pytest.raises(ConversionError, match=r"\[0, 7\] are not heading levels"):
        from_markdown("x", allowed_heading_levels=[0, 7])


@pytest.mark.parametrize("levels", [[True], ["1"], [2, "x", 10]])
def test_allowed_heading_levels_must_be_integers(levels: list[object]) -> None:
    with pytest.raises(ConversionError, match="are not heading levels"):
        from_markdown("# x", allowed_heading_levels=levels)  # type: ignore[arg-type]


def test_strict_turns_entries_into_an_error_with_lines() -> None:
    with pytest.raises(ConversionError) as info:
        from_markdown("ok\n\n![a](b)\n\n| x |\n|---|\n", strict=True)
    message = str(info.value)
    assert "2 problems" in message
    assert "line 3, children[1]: image converted to a link" in message
    assert "line 5, children[2]: table converted to paragraphs" in message
    assert [e.line for e in info.value.entries] == [3, 5]
    doc, report = from_markdown("# fine\n\n*all* of it", strict=True)
    assert not report and isinstance(doc, Document)


# --- handlers ------------------------------------------------------------------------------


def image_block(token: dict[str, Any], ctx: MarkdownContext) -> Node:
    return Block(
        item={"type": "item", "attributes": {"url": token["attrs"]["url"], "alt": ctx.text(token)}}
    )


def test_handler_turns_an_image_into_a_block_splitting_the_paragraph() -> None:
    children, report = read("before ![a *b*](x.png) after", handlers={"image": image_block})
    assert children == [
        para(span("before ")),
        {"type": "block", "item": {"type": "item", "attributes": {"url": "x.png", "alt": "a b"}}},
        para(span(" after")),
    ]
    assert report == []


def test_handler_block_inside_a_list_item_moves_to_the_root() -> None:
    children, report = read("- ![a](x.png)\n- b\n\nend", handlers={"image": image_block})
    assert [c["type"] for c in children] == ["list", "block", "paragraph"]
    assert children[0]["children"][0]["children"] == [para(span(""))]
    assert report == [("block", 1, ("children", 1), "moved to the root")]


def test_handler_inline_results_marks_and_fallback() -> None:
    seen: list[tuple[str, ...]] = []

    def image(token: dict[str, Any], ctx: MarkdownContext) -> Any:
        seen.append(ctx.marks)
        if token["attrs"]["url"] == "skip.png":
            return None  # fall back to the default conversion
        return [InlineBlock(item="b1"), *ctx.inline(token["children"])]

    children, report = read("**![alt](x.png)** ![s](skip.png)", handlers={"image": image})
    assert spans(children) == [
        {"type": "inlineBlock", "item": "b1"},
        span("alt", "strong"),
        span(" "),
        {"type": "link", "url": "skip.png", "children": [span("s")]},
    ]
    assert seen == [("strong",), ()]
    assert [k for k, _, _, _ in report] == ["image"]


def test_block_handler_replaces_and_reports() -> None:
    def heading(token: dict[str, Any], ctx: MarkdownContext) -> Any:
        ctx.report("heading", "turned into a lead paragraph", f"level {token['attrs']['level']}")
        return Paragraph(children=tuple(ctx.inline(token["children"])), style="lead")

    def table(token: dict[str, Any], ctx: MarkdownContext) -> Any:
        return []  # drop tables entirely

    children, report = read(
        "x\n\n## *T*\n\n| a |\n|---|\n", handlers={"heading": heading, "table": table}
    )
    assert children[1] == {
        "type": "paragraph",
        "style": "lead",
        "children": [span("T", "emphasis")],
    }
    assert len(children) == 2
    assert report == [("heading", 3, ("children", 1), "turned into a lead paragraph")]


def test_handler_inline_nodes_for_a_block_token_are_wrapped() -> None:
    children, _ = read("<div>x</div>", handlers={"block_html": lambda t, c: Span(value="HTML")})
    assert children == [para(span("HTML"))]


def test_handler_heading_inside_a_quote_is_still_fitted() -> None:
    def heading(token: dict[str, Any], ctx: MarkdownContext) -> Any:
        return Heading(level=2, children=(Span(value="h"),))

    children, report = read("> # x", handlers={"heading": heading})
    assert children == [{"type": "blockquote", "children": [para(span("h"))]}]
    assert report == [("heading", 1, ("children", 0, "children", 0), "converted to a paragraph")]


@pytest.mark.parametrize(
    "bad", [ListItem(children=(Paragraph(children=(Span(value="x"),)),)), "text", 42]
)
def test_handler_returning_something_else_is_an_error(bad: Any) -> None:
    with pytest.raises(
        ConversionError, match=re.escape(f"the handler for 'image' returned {bad!r}")
    ):
        from_markdown("![a](b)", handlers={"image": lambda t, c: bad})


def test_handler_blocks_follow_allowed_blocks_and_containers() -> None:
    def html(token: dict[str, Any], ctx: MarkdownContext) -> Any:
        return [Block(item="b1"), ThematicBreak()]

    children, report = read(
        "x\n\n<div>\n", handlers={"block_html": html}, allowed_blocks={"paragraph"}
    )
    assert children == [para(span("x"))]
    assert [(k, a) for k, _, _, a in report] == [
        ("block", "dropped"),
        ("thematic_break", "dropped"),
    ]
    children, report = read("> <div>\n", handlers={"block_html": html})
    assert [c["type"] for c in children] == ["blockquote", "block"]
    assert children[0]["children"] == [para(span(""))]
    assert [(k, a) for k, _, _, a in report] == [
        ("block", "moved to the root"),
        ("thematic_break", "dropped"),
    ]


def test_handler_code_inside_a_list_item() -> None:
    code = Code(code="x", language="py")
    children, report = read("- a\n\n  <b>\n", handlers={"block_html": lambda t, c: code})
    item = children[0]["children"][0]["children"]
    assert item[1] == para(span("x", "code"))
    assert report[0][0] == "code"


def test_duplicate_definitions_are_reported() -> None:
    children, report = read("a[^x] [l]\n\n[^x]: one\n[^x]: two\n\n[l]: /a\n[L]: /b\n")
    assert spans(children)[1] == {"type": "link", "url": "/a", "children": [span("l")]}
    assert spans(children, 1) == [span("[^x]: one")]
    assert report == [
        ("footnote_ref", 1, ("children", 0), "kept as text"),
        ("footnote", 3, ("children", 1), "kept as text"),
        ("footnote", 4, None, "dropped"),
        ("link_definition", 7, None, "dropped"),
    ]


def test_footnote_lines_and_multi_paragraph_footnotes() -> None:
    text = "x[^a]\n\n[^a]:\n    first\n\n    second with ![i](j)\n"
    children, report = read(text)
    assert spans(children, 1) == [span("[^a]: first")]
    assert spans(children, 2) == [
        span("second with "),
        {"type": "link", "url": "j", "children": [span("i")]},
    ]
    assert [(k, line) for k, line, _, _ in report] == [
        ("footnote_ref", 1),
        ("footnote", 3),
        ("image", 6),
    ]


@pytest.mark.parametrize(
    ("src", "pos", "expected"),
    [
        ("++a++", 2, 3),
        ("++a ++", 2, None),  # a space before the closer
        ("++a+++b", 2, None),  # "++" followed by a single "+"
        ("++a\\+++", 2, 5),  # an escaped "+" may precede the closing pair
        ("++a++b++", 4, 6),
    ],
)
def test_underline_closer_found_by_mistunes_delimiter_index(
    src: str, pos: int, expected: int | None
) -> None:
    """Where ``++`` closes: mistune's own delimiter index (mistune >= 3.4) decides."""
    from mistune.core import InlineState

    from dast.convert.from_markdown import _closing_pair

    state = InlineState({})
    state.src = src
    assert _closing_pair(state, "++", pos) == expected
