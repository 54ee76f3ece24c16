"""to_html: tags, escaping (XSS attempts), overrides, record callbacks, on_missing."""

from __future__ import annotations

from typing import Any

import pytest

from dast.convert.items import ItemRef
from dast.convert.report import ConversionError
from dast.convert.to_html import is_unsafe_url, to_html


def doc(*children: dict[str, Any]) -> dict[str, Any]:
    return {"schema": "dast", "document": {"type": "root", "children": list(children)}}


def span(value: str, *marks: str) -> dict[str, Any]:
    return {"type": "span", "value": value, **({"marks": list(marks)} if marks else {})}


def para(*children: dict[str, Any], **attrs: Any) -> dict[str, Any]:
    return {"type": "paragraph", "children": list(children), **attrs}


def html(data: Any, **options: Any) -> str:
    result, report = to_html(data, **options)
    assert not report, str(report)
    return result


def test_semantic_tags() -> None:
    data = doc(
        {"type": "heading", "level": 2, "style": "big", "children": [span("T")]},
        para(span("a", "strong"), span("b", "strong", "emphasis"), span("\n"), span("c", "code")),
        {
            "type": "list",
            "style": "numbered",
            "children": [{"type": "listItem", "children": [para(span("i"))]}],
        },
        {"type": "blockquote", "attribution": "Ada", "children": [para(span("q"))]},
        {"type": "code", "code": "x < 1", "language": "py", "highlight": [0, 2]},
        {"type": "thematicBreak"},
        para(span("u", "underline"), span("s", "strikethrough"), span("h", "highlight")),
    )
    assert html(data) == (
        '<h2 class="big">T</h2>\n'
        "<p><strong>a<em>b</em></strong><br>\n<code>c</code></p>\n"
        "<ol>\n<li><p>i</p></li>\n</ol>\n"
        "<blockquote>\n<p>q</p>\n<footer>Ada</footer>\n</blockquote>\n"
        '<pre data-highlight="0,2"><code class="language-py">x &lt; 1</code></pre>\n'
        "<hr>\n"
        "<p><u>u</u><s>s</s><mark>h</mark></p>\n"
    )


def test_text_and_attributes_are_escaped() -> None:
    attack = '<script>alert("x")</script> & \' "'
    data = doc(
        para(span(attack), span("m", 'x"><img src=x onerror=alert(1)>')),
        {"type": "heading", "level": 1, "style": '"><script>', "children": [span("h")]},
        {"type": "code", "code": "</code><script>", "language": '"><script>'},
        {"type": "blockquote", "attribution": "</footer><script>", "children": [para(span("q"))]},
        para(
            {
                "type": "link",
                "url": 'https://x.y/"><script>',
                "children": [span("<b>")],
                "meta": [
                    {"id": "title", "value": '"><script>'},
                    {"id": "target", "value": "_blank"},
                ],
            }
        ),
    )
    out = html(data)
    assert "<script>" not in out and "<img" not in out
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#x27; &quot;" in out
    assert '<span class="mark-x&quot;&gt;&lt;img src=x onerror=alert(1)&gt;">m</span>' in out
    assert '<h1 class="&quot;&gt;&lt;script&gt;">' in out
    assert (
        '<code class="language-&quot;&gt;&lt;script&gt;">&lt;/code&gt;&lt;script&gt;</code>' in out
    )
    assert "<footer>&lt;/footer&gt;&lt;script&gt;</footer>" in out
    assert (
        '<a href="https://x.y/&quot;&gt;&lt;script&gt;" title="&quot;&gt;&lt;script&gt;"'
        ' target="_blank" rel="noopener">&lt;b&gt;</a>' in out
    )


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        "  JavaScript:alert(1)",
        "java\tscript:alert(1)",
        "\x01javascript:alert(1)",
        "vbscript:msgbox",
        "data:text/html;base64,PHNjcmlwdD4=",
    ],
)
def test_script_urls_are_neutralised_and_reported(url: str) -> None:
    assert is_unsafe_url(url)
    data = doc(para({"type": "link", "url": url, "children": [span("x")]}))
    result, report = to_html(data)
    assert result == '<p><a href="#">x</a></p>\n'
    assert [(e.kind, e.path, e.action) for e in report] == [
        ("url", ("children", 0, "children", 0), "replaced by #")
    ]
    with pytest.raises(ConversionError, match="url replaced by #"):
        to_html(data, strict=True)


@pytest.mark.parametrize(
    "url", ["https://x.y", "/path", "#frag", "mailto:a@b.c", "data:image/png;base64,AAAA", ""]
)
def test_ordinary_urls_are_kept(url: str) -> None:
    assert not is_unsafe_url(url)


def test_unsafe_meta_attributes_are_dropped_and_reported() -> None:
    meta = [
        {"id": "onclick", "value": "alert(1)"},
        {"id": "ONMOUSEOVER", "value": "x"},
        {"id": "style", "value": "x"},
        {"id": "href", "value": "javascript:x"},
        {"id": 'bad"name', "value": "x"},
        {"id": "rel", "value": "nofollow"},
    ]
    data = doc(para({"type": "link", "url": "/x", "children": [span("x")], "meta": meta}))
    result, report = to_html(data)
    assert result == '<p><a href="/x" rel="nofollow">x</a></p>\n'
    assert [e.kind for e in report] == ["meta"] * 5


def test_record_callbacks_get_the_item_and_path() -> None:
    record = {"id": "b1", "type": "item", "attributes": {"src": "a.png"}}
    data = doc(
        {"type": "block", "item": record},
        para(
            {"type": "inlineItem", "item": "i1"},
            {"type": "inlineBlock", "item": "ib1"},
            {"type": "itemLink", "item": "42", "children": [span("see", "strong")]},
        ),
    )
    refs: list[ItemRef] = []

    def block(ref: ItemRef) -> str:
        refs.append(ref)
        return f'<img src="{ref.item["attributes"]["src"]}">'  # type: ignore[index]

    out = html(
        data,
        render_block=block,
        render_inline_item=lambda ref: f"<i>{ref.id}</i>",
        render_inline_block=lambda ref: f"<b>{ref.id}</b>",
        render_item_link=lambda ref: f'<a href="/items/{ref.id}">{ref.inner}</a>',
    )
    assert out == (
        '<img src="a.png">\n'
        '<p><i>i1</i><b>ib1</b><a href="/items/42"><strong>see</strong></a></p>\n'
    )
    assert refs[0].item is record and refs[0].path == ("children", 0)


@pytest.mark.parametrize(
    ("child", "message"),
    [
        (
            {"type": "block", "item": "b1"},
            r"block at children\[0\] \(record 'b1'\): no render_block",
        ),
        (
            {"type": "block", "item": {"type": "item"}},
            r"block at children\[0\] \(a new record without id\)",
        ),
        (
            para({"type": "inlineItem", "item": "i1"}),
            r"inlineItem at children\[0\]\.children\[0\] \(record 'i1'\): no render_inline_item",
        ),
        (
            para({"type": "itemLink", "item": "7", "children": [span("x")]}),
            "no render_item_link callback",
        ),
    ],
)
def test_missing_callback_is_an_error_naming_path_and_record(
    child: dict[str, Any], message: str
) -> None:
    with pytest.raises(ConversionError, match=message):
        to_html(doc(child))


def test_missing_callback_placeholders_are_visible_and_reported() -> None:
    data = doc(
        {"type": "block", "item": 'b"1'},
        para(
            {"type": "inlineBlock", "item": {"type": "item"}},
            {"type": "itemLink", "item": "7", "children": [span("label")]},
        ),
    )
    result, report = to_html(data, on_missing="placeholder")
    assert result == (
        '<div data-dast-missing="block" data-item="b&quot;1">[block b&quot;1]</div>\n'
        '<p><span data-dast-missing="inlineBlock" data-item="new">[inlineBlock new]</span>'
        '<span data-dast-missing="itemLink" data-item="7">label</span></p>\n'
    )
    assert [(e.kind, e.path) for e in report] == [
        ("block", ("children", 0)),
        ("inlineBlock", ("children", 1, "children", 0)),
        ("itemLink", ("children", 1, "children", 1)),
    ]
    with pytest.raises(ConversionError, match="on_missing must be"):
        to_html(data, on_missing="ignore")  # type: ignore[arg-type]


def test_node_and_mark_overrides() -> None:
    data = doc(
        {"type": "heading", "level": 1, "children": [span("T")]},
        para(span("a", "strong"), span("b", "kbd")),
        {
            "type": "list",
            "style": "bulleted",
            "children": [{"type": "listItem", "children": [para(span("i"))]}],
        },
    )
    out = html(
        data,
        render_node={
            "heading": lambda node, inner: f'<h{node.level} id="t">{inner}</h{node.level}>',
            "paragraph": lambda node, inner: None,  # falls back to the default
            "list": lambda node, inner: f'<ul class="l">{inner}</ul>',
            "listItem": lambda node, inner: f"<li>{inner.upper()}</li>",
        },
        render_mark={"strong": lambda inner: f"<b>{inner}</b>", "kbd": lambda i: f"<kbd>{i}</kbd>"},
    )
    assert (
        out
        == '<h1 id="t">T</h1>\n<p><b>a</b><kbd>b</kbd></p>\n<ul class="l"><li><P>I</P></li></ul>\n'
    )


def test_span_and_link_overrides() -> None:
    data = doc(para(span("a", "strong"), {"type": "link", "url": "/u", "children": [span("l")]}))
    out = html(
        data,
        render_node={
            "span": lambda node, inner: f"[{inner}]",
            "link": lambda node, inner: f'<a class="x" href="{node.url}">{inner}</a>',
        },
    )
    assert out == '<p>[<strong>a</strong>]<a class="x" href="/u">[l]</a></p>\n'


def test_inputs() -> None:
    assert to_html(None).result == ""
    assert to_html({"value": None, "blocks": []}).result == ""
    wrapped = {"value": doc(para(span("x"))), "blocks": [], "links": []}
    assert html(wrapped) == "<p>x</p>\n"
