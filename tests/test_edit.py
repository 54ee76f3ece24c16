"""Validated edits (``replace``) and writers refusing broken nodes (``ensure_writable``)."""

from __future__ import annotations

import gc

import pytest

from dast.errors import DastValidationError
from dast.load import load_document
from dast.nodes import (
    Block,
    Blockquote,
    Code,
    Document,
    Heading,
    Link,
    List,
    ListItem,
    MetaEntry,
    Paragraph,
    Root,
    Span,
)
from dast.validate import _BROKEN, ensure_writable, validate


def _doc(*children: object) -> Document:
    return Document(document=Root(children=children))  # type: ignore[arg-type]


def _para(text: str = "x") -> Paragraph:
    return Paragraph(children=(Span(value=text),))


def _codes(exc: pytest.ExceptionInfo[DastValidationError]) -> list[tuple[object, str]]:
    return [(p.path, p.code) for p in exc.value.problems]


# --- replace ----------------------------------------------------------------------------


def test_replace_returns_a_new_valid_node() -> None:
    h = Heading(level=2, children=(Span(value="x"),))
    h3 = h.replace(level=3)
    assert h3.level == 3 and h.level == 2
    assert h3 == Heading(level=3, children=(Span(value="x"),))


def test_replace_refuses_a_heading_level_of_9() -> None:
    with pytest.raises(DastValidationError) as info:
        Heading(level=2, children=(Span(value="x"),)).replace(level=9)
    assert _codes(info) == [(("level",), "heading-level")]


def test_replace_refuses_a_span_value_of_42() -> None:
    with pytest.raises(DastValidationError) as info:
        Span(value="x").replace(value=42)
    assert _codes(info) == [(("value",), "invalid-attribute")]


def test_replace_accepts_children_as_any_sequence() -> None:
    p = _para().replace(children=[Span(value="a"), Span(value="b")])
    assert p.children == (Span(value="a"), Span(value="b"))
    assert isinstance(p.children, tuple)


def test_replace_refuses_a_block_in_a_paragraph() -> None:
    with pytest.raises(DastValidationError) as info:
        _para().replace(children=[Span(value="a"), Block(item="b1")])
    assert _codes(info) == [(("children", 1), "block-not-at-root")]


def test_replace_refuses_empty_children_and_unknown_attributes() -> None:
    with pytest.raises(DastValidationError) as info:
        _para().replace(children=())
    assert _codes(info) == [(("children",), "empty-children")]
    with pytest.raises(DastValidationError) as info:
        Span(value="x").replace(colour="red")
    assert _codes(info) == [(("colour",), "forbidden-attribute")]


def test_replace_checks_json_children_whole() -> None:
    p = _para().replace(children=[{"type": "span", "value": "a", "marks": ["strong"]}])
    assert p.children == (Span(value="a", marks=("strong",)),)
    with pytest.raises(DastValidationError) as info:
        _para().replace(children=[{"type": "link", "url": "u", "children": [{"type": "span"}]}])
    assert _codes(info) == [(("children", 0, "children", 0, "value"), "missing-attribute")]


def test_replace_converts_meta_and_removes_optional_attributes() -> None:
    link = Link(url="u", children=(Span(value="x"),))
    with_meta = link.replace(meta=[{"id": "rel", "value": "nofollow"}])
    assert with_meta.meta == (MetaEntry(id="rel", value="nofollow"),)
    assert with_meta.replace(meta=None).to_json() == link.to_json()
    code = Code(code="x", language="py")
    assert code.replace(language=None).to_json() == {"type": "code", "code": "x"}


def test_replace_on_a_document() -> None:
    doc = _doc(_para())
    new = doc.replace(document=Root(children=(_para("y"),)))
    assert new.document.children[0] == _para("y")
    with pytest.raises(DastValidationError) as info:
        doc.replace(schema="other")
    assert _codes(info) == [(("schema",), "invalid-schema")]


# --- model_copy / model_construct stay unchecked, ensure_writable catches them ------------


def test_model_copy_still_does_not_raise() -> None:
    broken = Heading(level=2, children=(Span(value="x"),)).model_copy(update={"level": 9})
    assert broken.level == 9


def test_ensure_writable_passes_a_valid_tree() -> None:
    doc = load_document(
        {"schema": "dast", "document": {"type": "root", "children": [{"type": "thematicBreak"}]}}
    )
    ensure_writable(doc)
    ensure_writable(doc.document)


def test_ensure_writable_refuses_a_heading_of_level_9() -> None:
    broken = Heading(level=2, children=(Span(value="x"),)).model_copy(update={"level": 9})
    doc = _doc(_para(), broken)
    with pytest.raises(DastValidationError) as info:
        ensure_writable(doc)
    assert _codes(info) == [(("children", 1, "level"), "heading-level")]
    assert [(p.path, p.code) for p in validate(doc).problems] == _codes(info)


def test_ensure_writable_refuses_a_span_value_of_42() -> None:
    span = Span(value="x").model_copy(update={"value": 42})
    with pytest.raises(DastValidationError) as info:
        ensure_writable(Paragraph(children=(span,)))
    assert _codes(info) == [(("children", 0, "value"), "invalid-attribute")]


def test_ensure_writable_refuses_a_block_put_in_a_paragraph() -> None:
    para = _para().model_copy(update={"children": (Span(value="a"), Block(item="b1"))})
    with pytest.raises(DastValidationError) as info:
        ensure_writable(_doc(para))
    assert _codes(info) == [(("children", 0, "children", 1), "block-not-at-root")]


def test_ensure_writable_finds_a_broken_child_deep_in_the_tree() -> None:
    bad = Span(value="x").model_copy(update={"marks": ("strong", 3)})
    node: Paragraph | List = Paragraph(children=(Span(value="a"), bad))
    for _ in range(50):
        node = List(style="bulleted", children=(ListItem(children=(node,)),))
    doc = _doc(Blockquote(children=(_para(),)), node)
    with pytest.raises(DastValidationError) as info:
        ensure_writable(doc)
    ((path, code),) = _codes(info)
    assert code == "invalid-marks"
    assert path == ("children", 1, *(("children", 0) * 100), "children", 1, "marks", 1)


def test_ensure_writable_refuses_model_construct() -> None:
    made = Heading.model_construct(level=0, children=(Span(value="x"),))
    with pytest.raises(DastValidationError) as info:
        ensure_writable(_doc(made))
    assert _codes(info) == [(("children", 0, "level"), "heading-level")]
    missing = Span.model_construct()
    with pytest.raises(DastValidationError) as info:
        ensure_writable(Paragraph.model_construct(children=(missing,)))
    assert _codes(info) == [(("children", 0, "value"), "missing-attribute")]


def test_a_copy_of_a_broken_node_stays_known() -> None:
    broken = Span(value="x").model_copy(update={"value": 1})
    again = broken.model_copy(update={"marks": ("strong",)})
    del broken
    gc.collect()
    with pytest.raises(DastValidationError):
        ensure_writable(again)


def test_the_registry_forgets_dead_nodes_and_costs_nothing_when_empty() -> None:
    gc.collect()
    before = len(_BROKEN)
    broken = Span(value="x").model_copy(update={"value": 1})
    assert len(_BROKEN) == before + 1
    del broken
    gc.collect()
    assert len(_BROKEN) == before
    valid = Span(value="x").model_copy(update={"value": "y"})
    assert len(_BROKEN) == before  # a valid copy is not remembered
    assert valid.value == "y"


def test_a_valid_model_copy_is_not_refused() -> None:
    doc = _doc(_para().model_copy(update={"children": (Span(value="a"), Span(value="b"))}))
    ensure_writable(doc)


def test_validate_accepts_a_single_node_model() -> None:
    assert validate(_para()).valid
    broken = _para().model_copy(update={"style": 3})
    assert [(p.path, p.code) for p in validate(broken)] == [(("style",), "invalid-attribute")]
