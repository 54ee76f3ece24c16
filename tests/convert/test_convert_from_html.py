"""from_html: the HTML corpus (snapshots), the mapping, fitting, handlers, safety, depth."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from syrupy.assertion import SnapshotAssertion

from dast.convert.from_html import Allowed, HtmlElement, convert_html, from_html, parse_tag
from dast.convert.report import ConversionError
from dast.convert.to_text import to_text
from dast.nodes import Block, Document, InlineItem, Node, Paragraph, Span
from dast.validate import validate

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "html"
HTML_FIXTURES = sorted(FIXTURES.glob("*.html"))


def children(html: str, **options: Any) -> list[dict[str, Any]]:
    doc, _ = from_html(html, **options)
    result: list[dict[str, Any]] = doc.to_json()["document"]["children"]
    return result


def texts(html: str, **options: Any) -> list[str]:
    """Each root child's text (what a reader sees), for compact assertions."""
    doc, _ = from_html(html, **options)
    return [to_text(Document(document=doc.document.model_copy(update={"children": (c,)}))).result
            .rstrip("\n") for c in doc.document.children]  # fmt: skip


def image_block(element: HtmlElement) -> Node:
    """The README's handler: an ``<img>`` becomes a new image block record."""
    return Block(
        item={
            "type": "item",
            "attributes": {"url": element.attrs.get("src"), "alt": element.attrs.get("alt")},
            "relationships": {"item_type": {"data": {"type": "item_type", "id": "image"}}},
        }
    )


def table_block(element: HtmlElement) -> Node:
    return Block(item={"type": "item", "attributes": {"html": element.html}})


# --- the corpus -------------------------------------------------------------------


def test_corpus_is_there() -> None:
    assert len(HTML_FIXTURES) >= 10


@pytest.mark.parametrize("path", HTML_FIXTURES, ids=[p.stem for p in HTML_FIXTURES])
def test_read_html(path: Path, snapshot: SnapshotAssertion) -> None:
    doc, report = from_html(path.read_text(encoding="utf-8"))
    assert not validate(doc).problems
    assert {"dast": doc.to_json(), "report": report.to_list()} == snapshot


@pytest.mark.parametrize("path", HTML_FIXTURES, ids=[p.stem for p in HTML_FIXTURES])
def test_read_html_with_handlers(path: Path, snapshot: SnapshotAssertion) -> None:
    handlers = {"img": image_block, "table": table_block}
    doc, report = from_html(path.read_text(encoding="utf-8"), handlers=handlers)
    assert not validate(doc).problems
    assert not report.of_kind("img") and not report.of_kind("table")
    assert {"dast": doc.to_json(), "report": report.to_list()} == snapshot


@pytest.mark.parametrize("path", HTML_FIXTURES, ids=[p.stem for p in HTML_FIXTURES])
def test_read_html_within_field_settings(path: Path) -> None:
    rules = Allowed(
        allowed_blocks={"paragraph", "list"},
        allowed_marks={"strong"},
        allowed_heading_levels={2},
    )
    doc, _ = from_html(path.read_text(encoding="utf-8"), allowed=rules)
    assert not validate(doc).problems
    stack: list[Any] = list(doc.document.children)
    while stack:
        node = stack.pop()
        assert node.type in {"paragraph", "list", "listItem", "span", "link", "itemLink"}
        if node.type == "span":
            assert node.marks in (None, ("strong",))
        stack.extend(getattr(node, "children", ()))


@pytest.mark.parametrize("path", HTML_FIXTURES, ids=[p.stem for p in HTML_FIXTURES])
def test_visible_text_is_kept(path: Path) -> None:
    """Every visible character of the page is in the text of the result, in order, except
    the elements the report lists as dropped (whitespace aside; the text adds list
    markers and cell separators)."""
    html = path.read_text(encoding="utf-8")
    doc, report = from_html(html)
    dropped = {entry.kind for entry in report if entry.action == "dropped"}
    visible = visible_text(html, dropped)
    kept = iter("".join(to_text(doc).result.split()))
    missing = [char for char in visible if char not in kept]  # a subsequence test
    assert not missing, (missing, visible)


def visible_text(html: str, dropped: set[str]) -> str:
    """The text content of the page's body, without whitespace and the dropped elements."""
    from selectolax.lexbor import LexborHTMLParser

    tree = LexborHTMLParser(html)
    body = tree.body
    assert body is not None
    for tag in {"script", "style", "template", *dropped}:
        for node in body.css(tag):
            node.decompose()
    return "".join(body.text(deep=True).split())


# --- mapping ----------------------------------------------------------------------


def test_blocks_and_marks() -> None:
    html = (
        "<h3>T</h3><p><strong>a</strong><b>b</b><em>c</em><i>d</i><u>e</u><ins>f</ins>"
        "<s>g</s><del>h</del><strike>i</strike><code>j</code><kbd>k</kbd><mark>l</mark>"
        '<span class="mark-footnote">m</span></p><hr>'
    )
    out = children(html)
    assert out[0] == {"type": "heading", "level": 3, "children": [{"type": "span", "value": "T"}]}
    marks = [span.get("marks") for span in out[1]["children"]]
    assert marks == [
        ["strong"],
        ["emphasis"],
        ["underline"],
        ["strikethrough"],
        ["code"],
        ["highlight"],
        ["footnote"],
    ]
    assert out[2] == {"type": "thematicBreak"}


def test_whitespace_collapses_as_in_a_browser() -> None:
    out = children("<p>  a \n\t b <b> c </b> d<br>  e  </p><pre>\n x  y\n</pre>")
    assert out[0]["children"] == [
        {"type": "span", "value": "a b "},
        {"type": "span", "value": "c ", "marks": ["strong"]},
        {"type": "span", "value": "d\ne"},
    ]
    assert out[1] == {"type": "code", "code": " x  y\n"}


def test_code_language_sources() -> None:
    html = (
        '<pre><code class="hljs language-python">a</code></pre>'
        '<pre class="lang-sh"><code>b</code></pre>'
        '<pre data-language="ruby"><code>c</code></pre>'
        '<pre data-highlight="0,2"><code>d</code></pre>'
    )
    out = children(html)
    assert [(c.get("language"), c.get("highlight")) for c in out] == [
        ("python", None),
        ("sh", None),
        ("ruby", None),
        (None, [0, 2]),
    ]


def test_link_meta_base_url_and_item_links() -> None:
    html = (
        '<p><a href="/a" target="_blank" rel="noopener" title="T" hreflang="en" onclick="x"'
        ' class="c">a</a> <a href="dato:item/42">item</a></p>'
    )
    out = children(html, base_url="https://example.com/blog/")
    link, _, item_link = out[0]["children"]
    assert link["url"] == "https://example.com/a"
    assert [m["id"] for m in link["meta"]] == ["target", "rel", "title", "hreflang"]
    assert item_link == {
        "type": "itemLink",
        "item": "42",
        "children": [{"type": "span", "value": "item"}],
    }


@pytest.mark.parametrize(
    "href",
    ["javascript:alert(1)", " JAVA\tSCRIPT:x", "data:text/html,x", "data:image/png;base64,AA==",
     "vbscript:x"],
)  # fmt: skip
def test_script_and_data_urls_never_become_links(href: str) -> None:
    doc, report = from_html(f'<p><a href="{href}">click</a></p>')
    assert doc.document.children[0] == Paragraph(children=(Span(value="click"),))
    assert report[0].kind == "a" and report[0].action == "kept as text"


def test_stray_inline_content_is_wrapped_in_paragraphs() -> None:
    assert texts("a <b>b</b><div>c</div>d<ul><li>e</li></ul>f") == ["a b", "c", "d", "- e", "f"]


def test_inline_formatting_across_block_boundaries() -> None:
    out = children("<b>x<p>y</p>z</b>")
    assert [c["children"][0] for c in out] == [
        {"type": "span", "value": v, "marks": ["strong"]} for v in "xyz"
    ]
    out = children('<a href="/u"><div><h2>T</h2><p>body</p></div></a>')
    assert [c["type"] for c in out] == ["heading", "paragraph"]
    assert all(c["children"][0]["type"] == "link" for c in out)


def test_nested_lists_with_stray_text() -> None:
    out = children("<ul>stray<li>a</li><ul><li>b</li></ul><li>c</ul>")
    items = out[0]["children"]
    assert len(items) == 3
    assert items[1]["children"][1]["type"] == "list"  # the list-in-a-list joins item "a"


def test_fitting_reports_with_lines() -> None:
    html = "<ul>\n<li><h2>h</h2></li>\n<li><blockquote>q</blockquote></li>\n<li><hr></li></ul>"
    doc, report = from_html(html)
    assert not validate(doc).problems
    assert [(e.kind, e.line, e.action) for e in report] == [
        ("h2", 2, "converted to a paragraph"),
        ("blockquote", 3, "flattened into its paragraphs"),
        ("hr", 4, "dropped"),
    ]


def test_attribution_and_quote_fitting() -> None:
    out = children("<blockquote><p>q</p><h2>h</h2><footer> Ada \n L. </footer></blockquote>")
    assert out[0]["attribution"] == "Ada L."
    assert [c["type"] for c in out[0]["children"]] == ["paragraph", "paragraph"]


def test_allowed_rules() -> None:
    rules = Allowed(allowed_blocks={"paragraph"}, allowed_marks={"emphasis"})
    doc, report = from_html(
        "<h1>T</h1><ul><li><b>x</b> <i>y</i></li></ul><pre>c</pre><hr><blockquote>q</blockquote>",
        allowed=rules,
    )
    assert {c.type for c in doc.document.children} == {"paragraph"}
    assert ("mark", "dropped") in [(e.kind, e.action) for e in report]


def test_handlers_return_blocks_and_inlines() -> None:
    def inline(element: HtmlElement) -> Node:
        return InlineItem(item=element.attrs["data-id"] or "")

    doc, report = from_html(
        '<ul><li>see <img src="a.png"> <x-ref data-id="7"></x-ref></li></ul>',
        handlers={"img": image_block, "x-ref": inline},
    )
    assert [c.type for c in doc.document.children] == ["list", "block"]
    assert [e.action for e in report] == ["moved to the root"]
    item = doc.document.children[0].children[0]
    assert [p.children for p in item.children] == [
        (Span(value="see"),),
        (InlineItem(item="7"),),
    ]


def test_a_handler_returning_the_wrong_thing_is_an_error() -> None:
    with pytest.raises(ConversionError, match="handlers return DAST"):
        from_html("<img>", handlers={"img": lambda el: "text"})  # type: ignore[arg-type,return-value]


def test_dropped_elements_are_reported_and_text_kept() -> None:
    _, report = from_html("<p>a<script>x()</script><sup>2</sup><video>v</video>b</p>")
    assert texts("<p>a<script>x()</script><sup>2</sup><video>v</video>b</p>") == ["a2b"]
    assert [(e.kind, e.action) for e in report] == [
        ("script", "dropped"),
        ("sup", "kept as text"),
        ("video", "dropped"),
    ]


def test_placeholders_read_back() -> None:
    html = (
        '<div data-dast-missing="block" data-item="b1">[block b1]</div>'
        '<p><span data-dast-missing="inlineItem" data-item="i1">[inlineItem i1]</span>'
        '<span data-dast="inlineBlock" data-item="ib"></span>'
        '<span data-dast-missing="itemLink" data-item="l1">label</span></p>'
    )
    out = children(html)
    assert out[0] == {"type": "block", "item": "b1"}
    assert [c["type"] for c in out[1]["children"]] == ["inlineItem", "inlineBlock", "itemLink"]


def test_empty_input_and_strict() -> None:
    assert children("") == [{"type": "paragraph", "children": [{"type": "span", "value": ""}]}]
    with pytest.raises(ConversionError, match="not lossless"):
        from_html("<img src=x>", strict=True)
    with pytest.raises(ConversionError, match="reads a str"):
        from_html(b"<p>x</p>")  # type: ignore[arg-type]


def test_deep_nesting_converts_in_linear_time() -> None:
    depth = 5000
    doc, report = from_html("<ul><li>x" * depth)
    assert not report
    node: Any = doc.document.children[0]
    levels = 0
    while node.type == "list":
        levels += 1
        node = node.children[0].children[-1]
    assert levels == depth
    doc, _ = from_html("<blockquote>" * depth + "q")
    assert doc.document.children[0].type == "blockquote"
    doc, _ = from_html("<b><i>" * depth + "x")
    assert doc.document.children[0].children[0].marks == ("strong", "emphasis")


def test_lines_of_reports_skip_comments() -> None:
    result = convert_html("<!-- <img> -->\n<p>x</p>\n<img src=a>", line0=10)
    assert [(e.kind, e.line) for e in result.entries] == [("img", 13)]


def test_parse_tag() -> None:
    assert parse_tag("<br/>") == ("br", {}, False)
    assert parse_tag("<a href='x' title=\"a &amp; b\">") == (
        "a",
        {"href": "x", "title": "a & b"},
        False,
    )
    assert parse_tag("<a href=x>y</a>") is None
