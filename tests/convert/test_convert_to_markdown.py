"""to_markdown: escaping, marks, blocks, callbacks, reports; each case read back."""

from __future__ import annotations

from typing import Any

import pytest

from dast.canonical import canonicalize
from dast.convert.from_markdown import from_markdown
from dast.convert.items import ItemRef
from dast.convert.report import ConversionError
from dast.convert.to_markdown import to_markdown
from dast.nodes import Document


def doc(*children: dict[str, Any]) -> dict[str, Any]:
    return {"schema": "dast", "document": {"type": "root", "children": list(children)}}


def span(value: str, *marks: str) -> dict[str, Any]:
    return {"type": "span", "value": value, **({"marks": list(marks)} if marks else {})}


def para(*children: dict[str, Any]) -> dict[str, Any]:
    return {"type": "paragraph", "children": list(children)}


def item(*children: dict[str, Any]) -> dict[str, Any]:
    return {"type": "listItem", "children": list(children)}


def bullets(*items: dict[str, Any], style: str = "bulleted") -> dict[str, Any]:
    return {"type": "list", "style": style, "children": list(items)}


def markdown(data: dict[str, Any]) -> str:
    """Render, check nothing was reported and that it reads back to the same document."""
    text, report = to_markdown(data)
    assert not report, str(report)
    back, back_report = from_markdown(text)
    assert not back_report, str(back_report)
    assert back == canonicalize(Document.model_validate(data)), text
    return text


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("plain text", "plain text"),
        ("2 * 3 = 6_000", "2 \\* 3 = 6\\_000"),
        ("`code` [link](x) <b>", "\\`code\\` \\[link\\](x) \\<b>"),
        ("# not a heading", "\\# not a heading"),
        ("a # b", "a # b"),
        ("- not a list", "\\- not a list"),
        ("+ not a list", "\\+ not a list"),
        ("1. not a list", "1\\. not a list"),
        ("2024) not a list", "2024\\) not a list"),
        ("> not a quote", "\\> not a quote"),
        ("=== not a heading", "\\=\\=\\= not a heading"),
        ("---", "\\---"),
        ("a ~~ b == c ++ d", "a \\~\\~ b \\=\\= c \\+\\+ d"),
        ("x = y + z", "x = y + z"),
        ("&amp; &copy; & a;", "&amp;amp; &amp;copy; & a;"),
        ("wow!", "wow\\!"),
        ("a | b", "a \\| b"),
        ("back\\slash", "back\\\\slash"),
        ("  indented  ", "&#32;&#32;indented&#32;&#32;"),
        ("\ttab", "&#9;tab"),
        ("carriage\rreturn", "carriage&#13;return"),
        ("a\nb", "a\\\nb"),
        ("end\n", "end<br>"),
        ("a\n  b", "a\\\n&#32;&#32;b"),
        ("a \nb", "a&#32;\\\nb"),
        ("\n", "<br>"),
        ("Σωκράτης 🙂 é", "Σωκράτης 🙂 é"),
    ],
)
def test_text_is_escaped(value: str, expected: str) -> None:
    assert markdown(doc(para(span(value)))) == expected + "\n"


@pytest.mark.parametrize(
    ("spans", "expected"),
    [
        ([span("b", "strong")], "**b**"),
        ([span("a "), span("b", "emphasis"), span(" c")], "a _b_ c"),
        ([span("a "), span("b", "strong", "emphasis")], "a **_b_**"),
        ([span("a", "strong"), span("b", "strong", "emphasis")], "**a<em>b</em>**"),
        ([span("x", "strikethrough"), span(" "), span("y", "highlight")], "~~x~~ ==y=="),
        ([span("u", "underline")], "<u>u</u>"),
        (
            [span("all", *("highlight", "strikethrough", "underline", "strong", "emphasis"))],
            "==~~<u>**_all_**</u>~~==",
        ),
        # delimiters that would not open or close fall back to HTML tags
        (
            [span("un"), span("frigging", "emphasis"), span("believable")],
            "un<em>frigging</em>believable",
        ),
        ([span("a "), span("b ", "strong"), span("c")], "a <strong>b </strong>c"),
        ([span("x"), span(".b", "strong")], "x<strong>.b</strong>"),
        ([span("a~b", "strikethrough")], "<s>a\\~b</s>"),
        ([span("a=b", "highlight")], "<mark>a=b</mark>"),
        ([span(" ", "strong")], "<strong> </strong>"),
        # code spans pick a fence the code does not contain
        ([span("a`b", "code")], "``a`b``"),
        ([span("`x`", "code")], "`` `x` ``"),
        ([span("a", "code"), span("b", "code", "strong")], "`a`**`b`**"),
        ([span("two\nlines", "code")], "<code>two\\\nlines</code>"),
        ([span("```", "code")], "` ``` `"),
        ([span("a`b``c", "code")], "<code>a\\`b\\`\\`c</code>"),  # "```" would open a fence
        ([span("x "), span("a`b``c", "code")], "x ```a`b``c```"),
    ],
)
def test_marks(spans: list[dict[str, Any]], expected: str) -> None:
    assert markdown(doc(para(*spans))) == expected + "\n"


def test_links_and_titles() -> None:
    link = {
        "type": "link",
        "url": "https://x.y/a_(b)?q=1&amp;r",
        "children": [span("a "), span("b", "strong")],
        "meta": [{"id": "title", "value": 'say "hi" & \\'}],
    }
    item_link = {"type": "itemLink", "item": "42", "children": [span("^up")]}
    empty = {"type": "link", "url": "", "children": [span("")]}
    text = markdown(doc(para(link, span(" "), item_link, span(" "), empty)))
    assert text == (
        '[a **b**](https://x.y/a_\\(b\\)?q=1&amp;amp;r "say \\"hi\\" &amp; \\\\") '
        "[\\^up](dato:item/42) [](<>)\n"
    )


def test_headings() -> None:
    text = markdown(
        doc(
            {"type": "heading", "level": 3, "children": [span("C# #1 "), span("x\ny", "emphasis")]},
            {"type": "heading", "level": 1, "children": [span("")]},
        )
    )
    assert text == "### C\\# \\#1 _x<br>y_\n\n#\n"


def test_lists() -> None:
    text = markdown(
        doc(
            bullets(item(para(span("a")), bullets(item(para(span("b"))))), item(para(span("c")))),
            bullets(item(para(span("d")))),
            bullets(
                item(para(span("e")), para(span("f"))), item(para(span("g"))), style="numbered"
            ),
            bullets(item(para(span("h"))), style="numbered"),
            bullets(item(bullets(item(bullets(item(para(span("")))))))),
        )
    )
    assert text == ("- a\n  - b\n- c\n\n* d\n\n1. e\n\n   f\n\n2. g\n\n1) h\n\n- * -\n")


def test_ten_and_more_items_indent_their_continuations() -> None:
    items = [item(para(span(f"n{i}\nnext"))) for i in range(10)]
    text = markdown(doc(bullets(*items, style="numbered")))
    assert "10. n9\\\n    next\n" in text


def test_a_nested_list_starting_with_an_empty_item_is_kept_apart() -> None:
    text = markdown(
        doc(bullets(item(para(span("a")), bullets(item(para(span(""))), item(para(span("b")))))))
    )
    assert text == "- a\n\n  -\n  - b\n"


def test_quotes_and_code() -> None:
    text = markdown(
        doc(
            {"type": "blockquote", "children": [para(span("a\nb")), para(span("- c"))]},
            {"type": "code", "code": "x = 1\n```\n", "language": "py"},
            {"type": "code", "code": "", "language": "we`ird\\lang"},
            {"type": "code", "code": "\n"},
            {"type": "thematicBreak"},
        )
    )
    assert text == (
        "> a\\\n> b\n>\n> \\- c\n\n"
        "````py\nx = 1\n```\n\n````\n\n"
        "~~~we`ird\\\\lang\n~~~\n\n"
        "```\n\n\n```\n\n---\n"
    )


def test_the_empty_document_and_none() -> None:
    assert markdown(doc(para(span("")))) == ""
    assert to_markdown(None).result == ""
    assert to_markdown({"value": None}).result == ""


def test_cda_wrapper_is_accepted() -> None:
    wrapped = {"value": doc(para(span("x"))), "blocks": [], "links": []}
    assert to_markdown(wrapped).result == "x\n"


def reported(data: dict[str, Any], **options: Any) -> tuple[str, list[tuple[Any, ...]]]:
    text, report = to_markdown(data, **options)
    return text, [(e.kind, e.path, e.action) for e in report]


def test_what_markdown_cannot_hold_is_reported() -> None:
    data = doc(
        {"type": "paragraph", "style": "lead", "children": [span("x", "strong", "kbd")]},
        {"type": "heading", "level": 2, "style": "big", "children": [span("h")]},
        {"type": "code", "code": "a\rb", "language": "", "highlight": [0]},
        {"type": "code", "code": "c", "language": " py "},
        {"type": "blockquote", "attribution": "Ada", "children": [para(span("q"))]},
        {"type": "blockquote", "attribution": "", "children": [para(span("r"))]},
        para(
            {
                "type": "link",
                "url": "u",
                "children": [span("l")],
                "meta": [
                    {"id": "rel", "value": "nofollow"},
                    {"id": "title", "value": ""},
                    {"id": "title", "value": "T"},
                    {"id": "title", "value": "again"},
                ],
            }
        ),
        para(span("")),
        {"type": "block", "item": "b1"},
        para(
            {"type": "inlineItem", "item": "i1"}, {"type": "inlineBlock", "item": {"type": "item"}}
        ),
    )
    text, entries = reported(data)
    assert entries == [
        ("style", ("children", 0), "dropped"),
        ("mark", ("children", 0, "children", 0), "dropped"),
        ("style", ("children", 1), "dropped"),
        ("language", ("children", 2), "dropped"),
        ("highlight", ("children", 2), "dropped"),
        ("code", ("children", 2), "changed"),
        ("language", ("children", 3), "changed"),
        ("attribution", ("children", 4), "written as a last paragraph of the quote"),
        ("attribution", ("children", 5), "dropped"),
        ("meta", ("children", 6, "children", 0), "dropped"),
        ("meta", ("children", 6, "children", 0), "dropped"),
        ("meta", ("children", 6, "children", 0), "dropped"),
        ("paragraph", ("children", 7), "dropped"),
        ("block", ("children", 8), "written as a placeholder"),
        ("inlineItem", ("children", 9, "children", 0), "written as a placeholder"),
        ("inlineBlock", ("children", 9, "children", 1), "written as a placeholder"),
    ]
    assert text == (
        "**x**\n\n## h\n\n```\na\nb\n```\n\n```py\nc\n```\n\n> q\n>\n> — Ada\n\n> r\n\n"
        '[l](u "T")\n\n<!-- block b1 -->\n\n'
        '<span data-dast="inlineItem" data-item="i1"></span>'
        '<span data-dast="inlineBlock" data-item="new"></span>\n'
    )
    with pytest.raises(ConversionError, match="16 problems"):
        to_markdown(data, strict=True)


def test_callbacks_write_records_without_reports() -> None:
    data = doc(
        {"type": "block", "item": {"id": "b1", "type": "item"}},
        para({"type": "inlineItem", "item": "i1"}, {"type": "inlineBlock", "item": "ib1"}),
    )
    seen: list[ItemRef] = []

    def block(ref: ItemRef) -> str:
        seen.append(ref)
        return f"![figure](/{ref.id}.png)"

    text, entries = reported(
        data,
        render_block=block,
        render_inline_item=lambda ref: f"[{ref.id}](/items/{ref.id})",
        render_inline_block=lambda ref: f"**{ref.id}**",
    )
    assert entries == []
    assert text == "![figure](/b1.png)\n\n[i1](/items/i1)**ib1**\n"
    assert seen[0].item == {"id": "b1", "type": "item"} and seen[0].path == ("children", 0)


def test_empty_paragraphs_alone_in_items_and_quotes_are_written() -> None:
    text = markdown(
        doc(
            bullets(item(para(span(""))), item(para(span("x")))),
            {"type": "blockquote", "children": [para(span(""))]},
        )
    )
    assert text == "-\n- x\n\n>\n"
