"""dast.inspector.inspect: snapshots of every valid fixture, widths, block formatters."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from strategies import documents
from syrupy.assertion import SnapshotAssertion

from dast.builders import (
    block,
    code,
    doc,
    em,
    h,
    hr,
    inline_block,
    inline_item,
    item_link,
    li,
    link,
    ol,
    p,
    quote,
    span,
    strong,
    ul,
)
from dast.errors import DastError, DastValidationError
from dast.inspector import inspect
from dast.nodes import Document, List, ListItem, Paragraph, Root, Span

VALID = Path(__file__).resolve().parent.parent / "fixtures" / "dast" / "valid"
FIXTURES = sorted(VALID.glob("*.json"))

RECORD: dict[str, Any] = {
    "id": "b1",
    "type": "item",
    "attributes": {"title": "Sign up", "url": "https://x.y"},
    "relationships": {"item_type": {"data": {"id": "cta_block", "type": "item_type"}}},
}


def sample() -> Document:
    return doc(
        h(1, "Structured text", style="big"),
        p(
            "Hello ",
            strong(em("world")),
            ", see ",
            link("https://www.datocms.com/docs/structured-text", "the docs", meta={"rel": "x"}),
            " or ",
            item_link("42", "this post"),
            inline_item("7"),
            inline_block({"type": "item", "attributes": {}, "item_type": "mention"}),
            style="lead",
        ),
        ul("one", li("two\nlines", ol("nested"))),
        quote('She said "hi" \\o/', attribution="Ada"),
        code('print("hi")\nprint("bye")', "python", highlight=[0, 1]),
        block(RECORD),
        block("plainId"),
        hr(),
    )


def test_there_are_fixtures_to_snapshot() -> None:
    assert len(FIXTURES) >= 5, f"no valid fixtures found in {VALID}"


@pytest.mark.parametrize("path", FIXTURES, ids=[f.stem for f in FIXTURES])
def test_inspect_fixture(path: Path, snapshot: SnapshotAssertion) -> None:
    data = json.loads(path.read_text(encoding="utf-8"))
    text = inspect(data)
    assert all(len(line) <= 80 for line in text.splitlines())
    assert text == snapshot


def test_inspect_sample(snapshot: SnapshotAssertion) -> None:
    assert inspect(sample()) == snapshot


@pytest.mark.parametrize("width", [10, 24, 40, 60, 120])
def test_inspect_widths(width: int, snapshot: SnapshotAssertion) -> None:
    text = inspect(sample(), max_width=width)
    assert max(len(line) for line in text.splitlines()) <= width
    assert text == snapshot


def test_block_formatter_replaces_the_item_summary(snapshot: SnapshotAssertion) -> None:
    def describe(item: str | dict[str, Any]) -> str:
        if isinstance(item, str):
            return f"ref {item}"
        attributes = item.get("attributes", {})
        return "record\n" + "\n".join(f"{k}: {v}" for k, v in sorted(attributes.items()))

    text = inspect(sample(), block_formatter=describe)
    assert "├ block record\n│   title: Sign up\n│   url: https://x.y\n├ block ref plainId" in text
    assert text == snapshot
    narrow = inspect(sample(), max_width=20, block_formatter=describe)
    assert max(len(line) for line in narrow.splitlines()) <= 20


def test_block_formatter_must_return_text() -> None:
    with pytest.raises(DastError, match="must return a string, got int"):
        inspect(doc(block("x")), block_formatter=lambda item: 3)  # type: ignore[arg-type,return-value]


def test_inputs_render_alike() -> None:
    d = sample()
    text = inspect(d)
    assert inspect(d.to_json()) == text
    assert inspect({"value": d.to_json(), "blocks": [], "links": []}) == text
    assert inspect(d.document) == text
    lines = text.splitlines()
    at = lines.index('├ blockquote attribution="Ada"')
    assert inspect(d.document.children[3]) == "\n".join(line[2:] for line in lines[at : at + 3])
    assert inspect({"type": "span", "value": "x"}) == 'span "x"'


def test_empty_field() -> None:
    assert inspect(None) == "null (empty field)"
    assert inspect({"value": None, "blocks": []}) == "null (empty field)"


def test_invalid_input_is_refused() -> None:
    with pytest.raises(DastValidationError):
        inspect({"schema": "dast", "document": {"type": "root", "children": []}})
    with pytest.raises(DastError, match="max_width"):
        inspect(sample(), max_width=5)


def test_escapes_and_attributes() -> None:
    tree = p(span('a\n"b"\\\t\x01', "strong", "foot note"), link("u", "x", meta={}))
    assert inspect(tree) == (
        "paragraph\n"
        '├ span marks=strong,"foot note" "a\\n\\"b\\"\\\\\\t\\u0001"\n'
        '└ link url="u" meta={}\n'
        '  └ span "x"'
    )
    assert inspect(span("x", *[])) == 'span "x"'
    assert inspect(Span(value="x", marks=())) == 'span marks=[] "x"'
    assert inspect(code("x", highlight=[])) == 'code highlight=[] "x"'


def test_deep_tree() -> None:
    node = List(
        style="bulleted",
        children=(ListItem(children=(Paragraph(children=(Span(value="bottom"),)),)),),
    )
    for _ in range(4999):
        node = List(style="bulleted", children=(ListItem(children=(node,)),))
    text = inspect(Document(document=Root(children=(node,))), max_width=40)
    lines = text.splitlines()
    assert len(lines) == 1 + 2 * 5000 + 2
    assert lines[:3] == ["root", "└ list style=bulleted", "  └ listItem"]
    assert all(len(line) <= 40 for line in lines)
    assert lines[-1] == " " * 39 + "…"


@given(st.text(max_size=60), st.integers(min_value=10, max_value=70))
def test_cut_strings_stay_valid_prefixes(text: str, width: int) -> None:
    line = inspect(Span(value=text), max_width=width)
    assert len(line) <= width
    assert line.startswith('span "')
    quoted = line[len("span ") :]
    if quoted.endswith('…"') and json.dumps(text, ensure_ascii=False) != quoted:
        assert text.startswith(json.loads(quoted[:-2] + '"'))
    else:
        assert json.loads(quoted) == text


@given(documents(), st.integers(min_value=10, max_value=100))
def test_no_line_exceeds_the_width(d: Document, width: int) -> None:
    text = inspect(d, max_width=width)
    lines = text.splitlines()
    assert all(len(line) <= width for line in lines)
    assert lines[0] == "root"
