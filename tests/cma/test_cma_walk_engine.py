"""The dast.cma walkers on the shared engine: block-only callbacks, lazy paths, locales."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from cma_support import fixture_record, fixture_schema

from dast.cma import field_blocks as fb
from dast.cma import locales
from dast.cma.errors import BlockRecordError, SchemaError
from dast.cma.schema import FieldSchema, ItemTypeSchema, SchemaRepository
from dast.cma.shapes import attributes_of
from dast.errors import Path
from dast.nodes import Block, Document, InlineBlock, Paragraph, Root, Span

SCHEMA = fixture_schema()

BOX = SchemaRepository(
    [ItemTypeSchema("B", "box", modular_block=True)],
    {
        "B": [
            FieldSchema("f1", "inner", "rich_text", False, "B"),
            FieldSchema("f2", "loc", "rich_text", True, "B"),
        ]
    },
)


def box(bid: str, inner: list[Any], **extra: Any) -> dict[str, Any]:
    return {
        "type": "item",
        "id": bid,
        "attributes": {"inner": inner, **extra},
        "relationships": {"item_type": {"data": {"type": "item_type", "id": "B"}}},
    }


def test_block_only_callbacks_see_the_same_blocks_as_path_callbacks() -> None:
    record = fixture_record()
    for key, value in attributes_of(record).items():
        f = SCHEMA.fields_by_api_key(record["relationships"]["item_type"]["data"]["id"]).get(key)
        if f is None or not f.holds_blocks or f.localized:
            continue
        with_paths = fb.reduce_blocks(value, f, SCHEMA, lambda acc, block, path: [*acc, block], [])
        blocks_only = fb.reduce_blocks(value, f, SCHEMA, lambda acc, block: [*acc, block], [])
        assert blocks_only == with_paths
        found = fb.find_all_blocks(value, f, SCHEMA, lambda block: True)
        assert found == fb.find_all_blocks(value, f, SCHEMA, lambda block, path: True)
        assert fb.map_blocks(value, f, SCHEMA, lambda block: block) is value
        count = fb.reduce_blocks(value, f, SCHEMA, lambda acc, block: acc + 1, 0)
        assert count == len(found)


def test_errors_deep_inside_carry_the_whole_path() -> None:
    broken = box("a", [box("b", [box("c", [42])])])
    want = (0, "attributes", "inner", 0, "attributes", "inner", 0, "attributes", "inner", 0)
    with pytest.raises(BlockRecordError) as err:
        fb.visit_blocks([broken], "rich_text", BOX, lambda block: None)
    assert err.value.path == want
    unknown = box("a", [{**box("b", []), "relationships": {"item_type": {"data": {"id": "Z"}}}}])
    with pytest.raises(SchemaError) as schema_err:
        fb.visit_blocks([unknown], "rich_text", BOX, lambda block: None)
    assert schema_err.value.path == (0, "attributes", "inner", 0)
    not_localized = box("a", [], loc=["x"])
    with pytest.raises(BlockRecordError) as loc_err:
        fb.visit_blocks(not_localized, "single_block", BOX, lambda block: None)
    assert loc_err.value.path == ("attributes", "loc")
    bad_record = box("a", [{"type": "item_type", "id": "x"}])
    with pytest.raises(BlockRecordError) as shape_err:
        fb.visit_blocks(bad_record, "single_block", BOX, lambda block: None)
    assert shape_err.value.path == ("attributes", "inner", 0)


def test_localized_nested_paths() -> None:
    value = box("a", [], loc={"en": [box("b", [])], "it": ["c"]})
    seen: list[tuple[Any, Path]] = []
    fb.visit_blocks(value, "single_block", BOX, lambda block, path: seen.append((block, path)))
    assert [path for _, path in seen] == [
        (),
        ("attributes", "loc", "en", 0),
        ("attributes", "loc", "it", 0),
    ]


def test_document_blocks_map_and_filter_by_position() -> None:
    """Two block nodes holding the same item object: each gets its own result."""
    item = "same"
    doc = Document(
        document=Root(
            children=(
                Block(item=item),
                Paragraph(children=(Span(value="x"), InlineBlock(item=item))),
                Block(item=item),
            )
        )
    )
    calls: list[Path] = []

    def number(block: fb.BlockValue, path: Path) -> fb.BlockValue:
        calls.append(path)
        return f"{block}-{len(calls)}"

    mapped = fb.map_blocks(doc, "structured_text", BOX, number)
    assert isinstance(mapped, Document)
    items = [
        m.item
        for m in (
            mapped.document.children[0],
            mapped.document.children[1].children[1],  # type: ignore[union-attr]
            mapped.document.children[2],
        )
    ]
    assert items == ["same-1", "same-2", "same-3"]
    kept = fb.filter_blocks(doc, "structured_text", BOX, lambda block, path: path[2] != 1)
    assert isinstance(kept, Document)
    assert [n.type for n in kept.document.children] == ["block", "paragraph", "block"]
    assert [n.type for n in kept.document.children[1].children] == ["span"]  # type: ignore[union-attr]


def test_locale_helpers_ignore_what_visitors_return() -> None:
    seen: list[Any] = []
    locales.visit_normalized_field_values({"en": 1, "it": 2}, True, lambda _, v: seen.append(v))
    assert seen == [1, 2]

    async def visit(locale: str | None, value: Any) -> int:
        return 5

    asyncio.run(locales.visit_normalized_field_values_async({"en": 1}, True, visit))
    assert locales.some_normalized_field_values({"en": 0, "it": 3}, True, lambda locale, v: v)
    assert not locales.every_normalized_field_value({"en": 0, "it": 3}, True, lambda locale, v: v)
    assert locales.filter_normalized_field_values("x", False, lambda locale, v: False) is None
