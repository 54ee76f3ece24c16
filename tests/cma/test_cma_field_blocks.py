"""Walking the blocks inside field values: every helper, both drivers, all three field types."""

from __future__ import annotations

import asyncio
import copy
from collections.abc import Callable
from typing import Any

import pytest
from cma_support import MODEL, fixture_record, fixture_record_flat, fixture_schema

from dast.cma import field_blocks as fb
from dast.cma._json import copy_json, json_equal
from dast.cma.errors import BlockRecordError, SchemaError
from dast.cma.records import build_block_record, is_block_of_type
from dast.cma.schema import FieldSchema, ItemTypeSchema, SchemaRepository
from dast.cma.shapes import attributes_of, id_of, item_type_id_of, with_attributes
from dast.errors import DastValidationError
from dast.load import load_document
from dast.nodes import Block, Document, List, ListItem, Paragraph, Root, Span

SCHEMA = fixture_schema()
RAW = fixture_record()
ATTRS = RAW["attributes"]


def ids(found: list[fb.FoundBlock]) -> list[str | None]:
    return [b if isinstance(b, str) else id_of(b) for b, _ in found]


def everything(value: Any, field_type: str) -> list[fb.FoundBlock]:
    return fb.find_all_blocks(value, field_type, SCHEMA, lambda block, path: True)


def model_key(block: fb.BlockValue) -> str:
    assert not isinstance(block, str)
    return SCHEMA.item_type(item_type_id_of(block) or "").api_key


def model_keys(found: list[fb.FoundBlock]) -> list[str]:
    return [model_key(b) for b, _ in found]


# --- finding blocks in each field type, with paths ------------------------------------------


def test_structured_text_blocks_and_inline_blocks_at_any_depth() -> None:
    found = everything(ATTRS["content"]["en"], "structured_text")
    assert model_keys(found) == ["gallery", "image_card", "image_card", "badge", "cta", "quote"]
    assert [path for _, path in found] == [
        ("document", "children", 2, "item"),
        ("document", "children", 2, "item", "attributes", "cards", 0),
        ("document", "children", 2, "item", "attributes", "cards", 1),
        ("document", "children", 3, "children", 1, "item"),
        ("document", "children", 5, "item"),
        (
            "document",
            "children",
            5,
            "item",
            "attributes",
            "body",
            "document",
            "children",
            1,
            "item",
        ),
    ]


def test_modular_content_paths() -> None:
    found = everything(ATTRS["sections"], "rich_text")
    assert [path for _, path in found] == [
        (0,),
        (0, "attributes", "cards", 0),
        (0, "attributes", "cards", 1),
        (1,),
    ]


def test_single_block_paths_go_three_levels_down() -> None:
    found = everything(ATTRS["hero"], "single_block")
    assert model_keys(found) == ["hero", "cta", "quote"]
    assert [path for _, path in found] == [
        (),
        ("attributes", "action"),
        ("attributes", "action", "attributes", "body", "document", "children", 1, "item"),
    ]


def test_paths_follow_the_flat_shape() -> None:
    flat = fixture_record_flat()
    found = everything(flat["sections"], "rich_text")
    assert [path for _, path in found] == [(0,), (0, "cards", 0), (0, "cards", 1), (1,)]
    assert ids(found) == ids(everything(ATTRS["sections"], "rich_text"))


def test_a_path_leads_to_its_block() -> None:
    for key, field_type in (("hero", "single_block"), ("sections", "rich_text")):
        for block, path in everything(ATTRS[key], field_type):
            here: Any = ATTRS[key]
            for part in path:
                here = here[part]
            assert here is block
    value = ATTRS["content"]["it"]
    for block, path in everything(value, "structured_text"):
        here = value
        for part in path:
            here = here[part]
        assert here is block


def test_id_strings_are_reported_but_not_entered() -> None:
    value = ["b1", ATTRS["sections"][1], "b2"]
    assert ids(everything(value, "rich_text")) == ["b1", ATTRS["sections"][1]["id"], "b2"]


def test_field_schema_and_empty_values_and_other_field_types() -> None:
    sections = SCHEMA.field("article", "sections")
    assert ids(everything(ATTRS["sections"], sections.field_type)) == ids(
        fb.find_all_blocks(ATTRS["sections"], sections, SCHEMA, lambda b, p: True)
    )
    calls: list[Any] = []
    for value, field_type in (
        (None, "rich_text"),
        (None, "single_block"),
        (None, "structured_text"),
        ([], "rich_text"),
        (["x"], "links"),
        ("x", "string"),
    ):
        assert fb.map_blocks(value, field_type, SCHEMA, lambda b, p: calls.append(b) or b) is value  # type: ignore[func-returns-value]
    assert calls == []


def test_localized_nested_fields_put_the_locale_in_the_path() -> None:
    schema = SchemaRepository(
        [
            ItemTypeSchema("W", "wrapper", modular_block=True),
            ItemTypeSchema("L", "leaf", modular_block=True),
        ],
        {"W": [FieldSchema("F1", "items", "rich_text", True, "W")], "L": []},
    )
    leaf = build_block_record("L", {}, "l1")
    wrapper = build_block_record("W", {"items": {"en": [leaf], "it": ["l2"]}}, "w1")
    found = fb.find_all_blocks(wrapper, "single_block", schema, lambda b, p: True)
    assert [path for _, path in found] == [
        (),
        ("attributes", "items", "en", 0),
        ("attributes", "items", "it", 0),
    ]


# --- visiting order, map, filter ------------------------------------------------------------


def test_visit_is_pre_order() -> None:
    order: list[str] = []
    fb.visit_blocks(
        ATTRS["hero"],
        "single_block",
        SCHEMA,
        lambda block, path: order.append(model_key(block)),
    )
    assert order == ["hero", "cta", "quote"]


def test_map_is_bottom_up_pure_and_final() -> None:
    before = copy.deepcopy(RAW)
    seen: list[str] = []

    def mark(block: fb.BlockValue, path: Any) -> fb.BlockValue:
        assert isinstance(block, dict)
        nested = fb.find_all_blocks(block, "single_block", SCHEMA, lambda b, p: p != ())
        # nested blocks were mapped already
        assert all(attributes_of(b).get("mapped") for b, _ in nested if isinstance(b, dict))
        seen.append(id_of(block) or "")
        return with_attributes(block, {"mapped": True})

    out = fb.map_blocks(ATTRS["hero"], "single_block", SCHEMA, mark)
    assert before == RAW  # nothing mutated
    assert len(seen) == 3
    assert [attributes_of(b)["mapped"] for b, _ in everything(out, "single_block")] == [True] * 3  # type: ignore[arg-type]
    # the mapper's result is not walked again (mapped blocks have an extra attribute only)
    assert attributes_of(out)["heading"] == "One year in"


def test_map_keeps_identity_where_nothing_changes() -> None:
    for key, field_type in (("sections", "rich_text"), ("hero", "single_block")):
        assert fb.map_blocks(ATTRS[key], field_type, SCHEMA, lambda b, p: b) is ATTRS[key]
    content = ATTRS["content"]["en"]
    assert fb.map_blocks(content, "structured_text", SCHEMA, lambda b, p: b) is content


def test_map_in_structured_text_returns_the_form_it_was_given() -> None:
    def to_id(block: fb.BlockValue, path: Any) -> fb.BlockValue:
        return block if isinstance(block, str) else id_of(block) or ""

    content = ATTRS["content"]["en"]
    as_dict = fb.map_blocks(content, "structured_text", SCHEMA, to_id)
    as_model = fb.map_blocks(load_document(content), "structured_text", SCHEMA, to_id)
    assert isinstance(as_dict, dict) and isinstance(as_model, Document)
    assert as_model.to_json() == as_dict
    assert as_dict["document"]["children"][2] == {
        "type": "block",
        "item": ATTRS["content"]["en"]["document"]["children"][2]["item"]["id"],
    }
    assert content["document"]["children"][2]["item"]["id"]  # the input kept its objects


def test_filter_prunes_subtrees_and_cascades_empty_nodes() -> None:
    calls: list[Any] = []

    def no_galleries(block: fb.BlockValue, path: Any) -> bool:
        calls.append(path)
        return not is_block_of_type(MODEL["gallery"], block)

    out = fb.filter_blocks(ATTRS["sections"], "rich_text", SCHEMA, no_galleries)
    assert out == [ATTRS["sections"][1]]
    assert calls == [(0,), (1,)]  # the gallery's cards were never asked about

    badge = build_block_record(MODEL["badge"], {"label": "x", "tone": "info"})
    doc: dict[str, Any] = {
        "schema": "dast",
        "document": {
            "type": "root",
            "children": [
                {"type": "paragraph", "children": [{"type": "inlineBlock", "item": badge}]},
                {"type": "block", "item": "g1"},
                {"type": "paragraph", "children": [{"type": "span", "value": "kept"}]},
            ],
        },
    }
    out_doc = fb.filter_blocks(
        doc, "structured_text", SCHEMA, lambda b, p: not is_block_of_type(MODEL["badge"], b)
    )
    assert out_doc["document"]["children"] == doc["document"]["children"][1:]
    only_blocks = {
        "schema": "dast",
        "document": {"type": "root", "children": [{"type": "block", "item": "g1"}]},
    }
    assert fb.filter_blocks(only_blocks, "structured_text", SCHEMA, lambda b, p: False) is None
    assert fb.filter_blocks(ATTRS["hero"], "single_block", SCHEMA, lambda b, p: False) is None


def test_filter_inside_nested_blocks_rebuilds_the_parents() -> None:
    out = fb.filter_blocks(
        ATTRS["sections"], "rich_text", SCHEMA, lambda b, p: p != (0, "attributes", "cards", 0)
    )
    assert [id_of(b) for b in out[0]["attributes"]["cards"]] == [
        ATTRS["sections"][0]["attributes"]["cards"][1]["id"]
    ]
    assert out[1] is ATTRS["sections"][1]
    assert len(ATTRS["sections"][0]["attributes"]["cards"]) == 2


def test_reduce_some_every_and_short_circuits() -> None:
    value = ATTRS["content"]["en"]
    assert fb.reduce_blocks(value, "structured_text", SCHEMA, lambda acc, b, p: acc + 1, 0) == 6
    calls: list[Any] = []

    def is_card(block: fb.BlockValue, path: Any) -> bool:
        calls.append(path)
        return is_block_of_type(MODEL["image_card"], block)

    assert fb.some_blocks(value, "structured_text", SCHEMA, is_card)
    assert len(calls) == 2  # stopped at the first card
    calls.clear()
    assert not fb.every_blocks(value, "structured_text", SCHEMA, is_card)
    assert len(calls) == 1  # stopped at the gallery
    assert fb.every_blocks(value, "structured_text", SCHEMA, lambda b, p: isinstance(b, dict))
    assert not fb.some_blocks(value, "structured_text", SCHEMA, lambda b, p: False)
    assert not fb.some_blocks(None, "structured_text", SCHEMA, lambda b, p: True)
    assert fb.every_blocks(None, "structured_text", SCHEMA, lambda b, p: False)


# --- the async twins run the same traversal -------------------------------------------------

CASES = [
    (ATTRS["content"]["en"], "structured_text"),
    (ATTRS["sections"], "rich_text"),
    (ATTRS["hero"], "single_block"),
    (None, "rich_text"),
]


def _both(fn: Callable[..., Any]) -> tuple[Callable[..., Any], Callable[..., Any]]:
    async def async_fn(*args: Any) -> Any:
        await asyncio.sleep(0)
        return fn(*args)

    return fn, async_fn


@pytest.mark.parametrize(("value", "field_type"), CASES, ids=["st", "modular", "single", "none"])
def test_async_twins_give_the_same_results(value: Any, field_type: str) -> None:
    def tag(block: fb.BlockValue, path: Any) -> fb.BlockValue:
        return block if isinstance(block, str) else with_attributes(block, {"p": len(path)})

    def not_card(block: fb.BlockValue, path: Any) -> bool:
        return not is_block_of_type(MODEL["image_card"], block)

    def total(acc: int, block: fb.BlockValue, path: Any) -> int:
        return acc + len(path)

    pairs: list[tuple[Any, Any, tuple[Any, ...]]] = [
        (fb.map_blocks, fb.map_blocks_async, _both(tag)),
        (fb.filter_blocks, fb.filter_blocks_async, _both(not_card)),
        (fb.find_all_blocks, fb.find_all_blocks_async, _both(not_card)),
        (fb.some_blocks, fb.some_blocks_async, _both(not_card)),
        (fb.every_blocks, fb.every_blocks_async, _both(not_card)),
    ]
    for sync, asynchronous, (plain, awaited) in pairs:
        expected = sync(value, field_type, SCHEMA, plain)
        assert asyncio.run(asynchronous(value, field_type, SCHEMA, awaited)) == expected
        assert asyncio.run(asynchronous(value, field_type, SCHEMA, plain)) == expected
    plain_total, async_total = _both(total)
    assert asyncio.run(fb.reduce_blocks_async(value, field_type, SCHEMA, async_total, 0)) == (
        fb.reduce_blocks(value, field_type, SCHEMA, plain_total, 0)
    )
    seen_sync: list[Any] = []
    seen_async: list[Any] = []
    fb.visit_blocks(value, field_type, SCHEMA, lambda b, p: seen_sync.append(p))
    asyncio.run(
        fb.visit_blocks_async(
            value, field_type, SCHEMA, _both(lambda b, p: seen_async.append(p))[1]
        )
    )
    assert seen_sync == seen_async


# --- depth and errors -----------------------------------------------------------------------


def _chain(depth: int) -> tuple[SchemaRepository, list[Any]]:
    schema = SchemaRepository(
        [ItemTypeSchema("N", "node", modular_block=True)],
        {"N": [FieldSchema("F", "next", "rich_text", False, "N")]},
    )
    value: list[Any] = []
    for i in range(depth):
        value = [build_block_record("N", {"next": value}, f"n{i}")]
    return schema, value


def test_blocks_nested_thousands_deep_do_not_hit_the_recursion_limit() -> None:
    schema, value = _chain(3000)
    assert fb.reduce_blocks(value, "rich_text", schema, lambda acc, b, p: acc + 1, 0) == 3000
    schema, value = _chain(1500)  # paths grow with depth: keep the rebuild test quick
    out = fb.map_blocks(value, "rich_text", schema, lambda b, p: with_attributes(b, {"seen": True}))  # type: ignore[arg-type]
    deepest = fb.find_all_blocks(out, "rich_text", schema, lambda b, p: id_of(b) == "n0")  # type: ignore[arg-type]
    assert len(deepest[0].path) == 1 + 3 * 1499
    assert attributes_of(deepest[0].block)["seen"] is True  # type: ignore[arg-type]


def test_bad_values_raise_errors_with_paths() -> None:
    with pytest.raises(BlockRecordError) as info:
        fb.visit_blocks({"not": "a list"}, "rich_text", SCHEMA, lambda b, p: None)
    assert str(info.value) == "a modular content value must be a list of blocks"
    cards_not_list = copy.deepcopy(ATTRS["sections"])
    cards_not_list[0]["attributes"]["cards"] = "oops"
    with pytest.raises(BlockRecordError) as info:
        fb.visit_blocks(cards_not_list, "rich_text", SCHEMA, lambda b, p: None)
    assert info.value.path == (0, "attributes", "cards")
    with pytest.raises(BlockRecordError, match=r"^\[1\]: a block must be an id string or a"):
        fb.visit_blocks(["b1", 3], "rich_text", SCHEMA, lambda b, p: None)
    with pytest.raises(BlockRecordError, match=r"^\[0\]: block has no item type$"):
        fb.visit_blocks(
            [{"type": "item", "attributes": {}}], "rich_text", SCHEMA, lambda b, p: None
        )
    unknown = build_block_record("Nope", {})
    with pytest.raises(SchemaError, match=r"^\[0\]: unknown item type 'Nope'$"):
        fb.visit_blocks([unknown], "rich_text", SCHEMA, lambda b, p: None)
    with pytest.raises(BlockRecordError, match="the mapper must return a block, got NoneType"):
        fb.map_blocks(["b1"], "rich_text", SCHEMA, lambda b, p: None)  # type: ignore[arg-type,return-value]


def test_invalid_documents_are_refused_with_their_place() -> None:
    hero = copy.deepcopy(ATTRS["hero"])
    hero["attributes"]["action"]["attributes"]["body"]["document"]["children"][0]["children"] = []
    with pytest.raises(DastValidationError) as info:
        fb.visit_blocks(hero, "single_block", SCHEMA, lambda b, p: None)
    assert str(info.value).startswith("attributes.action.attributes.body: invalid DAST document")
    assert info.value.problems[0].path[:2] == ("children", 0)


def test_a_document_nested_5000_lists_deep_is_walked_and_rebuilt() -> None:
    node: Any = Paragraph(children=(Span(value="deep"),))
    for _ in range(5000):
        node = List(style="bulleted", children=(ListItem(children=(node,)),))
    gallery = ATTRS["content"]["en"]["document"]["children"][2]["item"]
    doc = Document(document=Root(children=(node, Block(item=gallery))))
    found = fb.find_all_blocks(doc, "structured_text", SCHEMA, lambda b, p: True)
    assert found[0].path == ("document", "children", 1, "item") and len(found) == 3
    out = fb.map_blocks(doc, "structured_text", SCHEMA, lambda b, p: id_of(b) or b)  # type: ignore[arg-type]
    assert isinstance(out, Document)
    assert out.document.children[1] == Block(item=gallery["id"])
    assert out.document.children[0] is node  # the deep subtree is reused as is


def test_json_helpers_do_not_recurse() -> None:
    deep: Any = "leaf"
    for _ in range(20000):
        deep = {"children": [deep]}
    copied = copy_json(deep)
    assert json_equal(copied, deep)
    here = copied
    for _ in range(20000):
        assert here is not deep
        here, deep = here["children"][0], deep["children"][0]
    assert here == "leaf"
