"""Block records: build, convert shapes, duplicate, test the model, inspect."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from cma_support import (
    MODEL,
    all_blocks,
    fixture_record,
    fixture_record_flat,
    fixture_schema,
)

from dast.cma.errors import BlockRecordError
from dast.cma.field_blocks import find_all_blocks
from dast.cma.inspector import inspect_item
from dast.cma.records import (
    build_block_record,
    convert_record,
    duplicate_block_record,
    is_block_of_type,
)
from dast.cma.schema import FieldSchema, ItemTypeSchema, SchemaRepository
from dast.cma.shapes import (
    attributes_of,
    item_type_id_of,
    record_shape,
    to_flat,
    to_jsonapi,
    unwrap_record,
)

SCHEMA = fixture_schema()


def every_key(value: Any, key: str) -> list[Any]:
    """Every value under ``key`` anywhere in a JSON tree."""
    found, stack = [], [value]
    while stack:
        v = stack.pop()
        if isinstance(v, dict):
            if key in v:
                found.append(v[key])
            stack.extend(v.values())
        elif isinstance(v, list):
            stack.extend(v)
    return found


# --- build_block_record ---------------------------------------------------------------------


def test_build_block_record_create_and_edit_in_both_shapes() -> None:
    create = build_block_record(MODEL["quote"], {"text": "Hi", "author": None})
    assert create == {
        "type": "item",
        "attributes": {"text": "Hi", "author": None},
        "relationships": {"item_type": {"data": {"type": "item_type", "id": MODEL["quote"]}}},
    }
    edit = build_block_record(MODEL["quote"], {"text": "Hi"}, "b1", shape="flat")
    assert edit == {
        "type": "item",
        "id": "b1",
        "item_type": {"type": "item_type", "id": MODEL["quote"]},
        "text": "Hi",
    }
    assert to_jsonapi(edit) == build_block_record(MODEL["quote"], {"text": "Hi"}, "b1")
    assert to_flat(create) == build_block_record(
        MODEL["quote"], {"text": "Hi", "author": None}, shape="flat"
    )


def test_build_block_record_copies_the_attribute_mapping() -> None:
    attrs = {"text": "Hi"}
    block = build_block_record(MODEL["quote"], attrs)
    block["attributes"]["text"] = "changed"
    assert attrs == {"text": "Hi"}


@pytest.mark.parametrize(
    ("args", "kwargs", "message"),
    [
        (("", {}), {}, "item_type_id must be a model id string, got ''"),
        (("M", ["text"]), {}, "attributes must map field api_keys to values, got list"),
        (("M", {}, ""), {}, "id must be a block id string or None, got ''"),
        (("M", {}), {"shape": "xml"}, "shape must be 'jsonapi' or 'flat', got 'xml'"),
        (
            ("M", {"meta": 1}),
            {"shape": "flat"},
            "field 'meta' cannot be flattened: the name is reserved",
        ),
    ],
    ids=["empty-model", "attributes-list", "empty-id", "bad-shape", "reserved-key"],
)
def test_build_block_record_refuses_bad_input(args: Any, kwargs: Any, message: str) -> None:
    with pytest.raises(BlockRecordError) as info:
        build_block_record(*args, **kwargs)
    assert str(info.value) == message


# --- shapes ---------------------------------------------------------------------------------


def test_flat_fixture_is_the_raw_fixture_converted_and_back() -> None:
    raw = fixture_record()
    flat = fixture_record_flat()
    assert convert_record(raw, "flat", SCHEMA) == flat
    assert convert_record(flat, "jsonapi", SCHEMA) == raw
    assert convert_record({"data": raw}, "flat", SCHEMA) == flat  # response body unwrapped
    # every nested block changed shape too
    assert all(record_shape(b) == "flat" for b in every_key(flat, "item") if isinstance(b, dict))
    assert record_shape(flat["hero"]["action"]) == "flat"


def test_convert_without_schema_is_one_level_only() -> None:
    raw = fixture_record()
    flat = convert_record(raw, "flat")
    assert flat["hero"] is raw["attributes"]["hero"]
    assert record_shape(flat["hero"]) == "jsonapi"


def test_shape_accessors_agree_on_both_shapes() -> None:
    raw, flat = fixture_record(), fixture_record_flat()
    assert item_type_id_of(raw) == item_type_id_of(flat) == MODEL["article"]
    assert attributes_of(raw) == attributes_of(convert_record(flat, "jsonapi", SCHEMA))
    assert unwrap_record({"data": raw}) is raw
    assert unwrap_record(raw) is raw


def test_flat_record_with_a_reserved_field_name_cannot_be_flattened() -> None:
    with pytest.raises(BlockRecordError, match="'creator' cannot be flattened"):
        to_flat({"type": "item", "attributes": {"creator": "x"}})


def test_record_shape_refuses_what_is_not_a_record() -> None:
    with pytest.raises(BlockRecordError, match="expected a record object, got an id string"):
        record_shape("b1")  # type: ignore[arg-type]
    with pytest.raises(BlockRecordError, match="a record's type must be 'item', got 'field'"):
        record_shape({"type": "field"})


# --- duplicate_block_record -----------------------------------------------------------------


@pytest.mark.parametrize("shape", ["jsonapi", "flat"])
def test_duplicate_removes_every_id_and_meta_at_every_depth(shape: str) -> None:
    record = fixture_record() if shape == "jsonapi" else fixture_record_flat()
    before = copy.deepcopy(record)
    hero = record["attributes"]["hero"] if shape == "jsonapi" else record["hero"]
    clone = duplicate_block_record(hero, SCHEMA)
    assert record == before  # input untouched
    assert every_key(clone, "meta") == []
    # the only "id" keys left are the item_type references
    assert sorted(every_key(clone, "id")) == sorted([MODEL["hero"], MODEL["cta"], MODEL["quote"]])
    assert record_shape(clone) == shape
    # same content, nested two levels deep (hero > cta > structured text > quote)
    assert convert_record(clone, "jsonapi", SCHEMA)["attributes"]["action"]["attributes"]["body"][
        "document"
    ]["children"][1]["item"]["attributes"] == {
        "text": "Worth every minute.",
        "author": "A reader",
    }
    # a true copy: changing the clone leaves the original alone
    every_key(clone, "upload_id")
    clone_attrs = clone["attributes"] if shape == "jsonapi" else clone
    clone_attrs["background"]["alt"] = "changed"
    assert record == before


def test_duplicate_can_change_shape_and_clones_blocks_inside_structured_text() -> None:
    raw = fixture_record()
    cta = raw["attributes"]["content"]["en"]["document"]["children"][5]["item"]
    clone = duplicate_block_record(cta, SCHEMA, shape="flat")
    assert record_shape(clone) == "flat" and "id" not in clone
    quote = clone["body"]["document"]["children"][1]["item"]
    assert quote == {
        "type": "item",
        "item_type": {"type": "item_type", "id": MODEL["quote"]},
        "text": "The changelog is our diary.",
        "author": "Jane Doe",
    }


def test_duplicate_clones_localized_nested_fields() -> None:
    schema = SchemaRepository(
        [
            ItemTypeSchema("W", "wrapper", modular_block=True),
            ItemTypeSchema("L", "leaf", modular_block=True),
        ],
        {
            "W": [
                FieldSchema(
                    "F1",
                    "items",
                    "rich_text",
                    True,
                    "W",
                    validators={"rich_text_blocks": {"item_types": ["L"]}},
                )
            ],
            "L": [FieldSchema("F2", "name", "string", False, "L")],
        },
    )
    leaf = {
        "type": "item",
        "id": "l1",
        "meta": {"x": 1},
        "item_type": {"type": "item_type", "id": "L"},
        "name": "a",
    }
    wrapper = {
        "type": "item",
        "id": "w1",
        "item_type": {"type": "item_type", "id": "W"},
        "items": {"en": [leaf], "it": [copy.deepcopy(leaf) | {"id": "l2"}]},
    }
    clone = duplicate_block_record(wrapper, schema)
    assert clone == {
        "type": "item",
        "item_type": {"type": "item_type", "id": "W"},
        "items": {
            "en": [{"type": "item", "item_type": {"type": "item_type", "id": "L"}, "name": "a"}],
            "it": [{"type": "item", "item_type": {"type": "item_type", "id": "L"}, "name": "a"}],
        },
    }


def test_duplicate_refuses_nested_id_strings_naming_the_path(snapshot: Any) -> None:
    raw = fixture_record()
    gallery = copy.deepcopy(raw["attributes"]["sections"][0])
    gallery["attributes"]["cards"][1] = gallery["attributes"]["cards"][1]["id"]
    with pytest.raises(BlockRecordError) as info:
        duplicate_block_record(gallery, SCHEMA)
    assert info.value.path == ("attributes", "cards", 1)
    cta = copy.deepcopy(raw["attributes"]["content"]["en"]["document"]["children"][5]["item"])
    cta["attributes"]["body"]["document"]["children"][1]["item"] = "gYE0EFXoOAeBG9UmCUjFcQ"
    with pytest.raises(BlockRecordError) as info2:
        duplicate_block_record(cta, SCHEMA)
    assert info2.value.path == ("attributes", "body", "document", "children", 1, "item")
    with pytest.raises(BlockRecordError) as info3:
        duplicate_block_record("b1", SCHEMA)  # type: ignore[arg-type]
    assert [str(info.value), str(info2.value), str(info3.value)] == snapshot


def test_duplicate_of_a_block_of_unknown_model_names_the_path() -> None:
    block = {"type": "item", "item_type": {"type": "item_type", "id": "nope"}, "x": 1}
    with pytest.raises(Exception, match="unknown item type 'nope'"):
        duplicate_block_record(block, SCHEMA)


# --- is_block_of_type -----------------------------------------------------------------------


def test_is_block_of_type_direct_and_curried() -> None:
    raw = fixture_record()
    flat = fixture_record_flat()
    quote_raw = raw["attributes"]["sections"][1]
    quote_flat = flat["sections"][1]
    assert is_block_of_type(MODEL["quote"], quote_raw)
    assert is_block_of_type(MODEL["quote"], quote_flat)
    assert not is_block_of_type(MODEL["cta"], quote_raw)
    assert not is_block_of_type(MODEL["quote"], quote_raw["id"])  # an id string: unknown
    assert not is_block_of_type(MODEL["quote"], 42)
    is_quote = is_block_of_type(SCHEMA.item_type("quote"))
    assert [is_quote(b) for b in raw["attributes"]["sections"]] == [False, True]
    # the curried form is a (block, path) predicate for the block helpers
    found = find_all_blocks(
        raw["attributes"]["content"]["en"],
        "structured_text",
        SCHEMA,
        is_block_of_type(MODEL["quote"]),
    )
    assert [path for _, path in found] == [
        ("document", "children", 5, "item", "attributes", "body", "document", "children", 1, "item")
    ]


# --- inspect_item ---------------------------------------------------------------------------


def test_inspect_item_with_schema(snapshot: Any) -> None:
    text = inspect_item(fixture_record(), SCHEMA)
    assert text.isascii()
    assert text == snapshot


def test_inspect_item_needs_no_schema_and_reads_both_shapes(snapshot: Any) -> None:
    raw_text = inspect_item(fixture_record())
    assert inspect_item(fixture_record_flat()) == raw_text
    assert raw_text == snapshot


def test_inspect_item_lists_every_block() -> None:
    raw = fixture_record()
    text = inspect_item(raw, SCHEMA)
    ids = {b["id"] for b in all_blocks(SCHEMA, raw)}
    assert len(ids) == 17
    assert all(f"item {bid} (" in text for bid in ids)


def test_inspect_item_shows_id_only_blocks_and_new_blocks() -> None:
    block = build_block_record(MODEL["gallery"], {"title": "x" * 80, "cards": ["c1", "c2"]})
    assert inspect_item(block, SCHEMA).splitlines() == [
        "item (new) (gallery)",
        '|-- title: "' + "x" * 56 + "...",
        "`-- cards: 2 blocks",
        "    |-- [0]: block c1",
        "    `-- [1]: block c2",
    ]
    assert inspect_item("b1") == "block b1 (id only)"


def test_inspect_item_survives_deep_nesting() -> None:
    schema = SchemaRepository(
        [ItemTypeSchema("N", "node", modular_block=True)],
        {"N": [FieldSchema("F", "next", "single_block", False, "N")]},
    )
    block: Any = None
    for i in range(3000):
        block = {
            "type": "item",
            "id": f"n{i}",
            "item_type": {"type": "item_type", "id": "N"},
            "next": block,
        }
    lines = inspect_item(block, schema).splitlines()
    assert len(lines) == 3001
    assert lines[-1].endswith("`-- next: null")
