"""SchemaRepository: loading the two CMA dumps and answering questions about models."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from cma_support import FIXTURES, MODEL, fixture_schema, load_json

from dast.cma.errors import SchemaError
from dast.cma.schema import FieldSchema, SchemaRepository
from dast.errors import DastError

ITEM_TYPES = load_json("schema", "item_types.json")
FIELD_DUMPS = {
    p.stem: load_json("schema", "fields", p.name)
    for p in sorted((FIXTURES / "schema" / "fields").glob("*.json"))
}


def test_fixture_dump_is_the_blog_of_the_brief() -> None:
    schema = fixture_schema()
    assert {t.api_key for t in schema.block_models()} == {
        "gallery",
        "image_card",
        "cta",
        "quote",
        "badge",
        "hero",
    }
    assert {t.api_key for t in schema.item_types() if not t.modular_block} == {"article", "author"}
    content = schema.field("article", "content")
    assert (content.field_type, content.localized) == ("structured_text", True)
    assert content.block_model_ids == (MODEL["gallery"], MODEL["cta"])
    assert content.inline_block_model_ids == (MODEL["badge"],)
    sections = schema.field("article", "sections")
    assert (sections.field_type, sections.localized) == ("rich_text", False)
    assert sections.allowed_block_model_ids == (MODEL["gallery"], MODEL["cta"], MODEL["quote"])
    hero = schema.field("article", "hero")
    assert (hero.field_type, hero.allowed_block_model_ids) == ("single_block", (MODEL["hero"],))
    # blocks nest two levels deep: gallery > image_card, cta > quote, hero > cta > quote
    assert schema.field("gallery", "cards").allowed_block_model_ids == (MODEL["image_card"],)
    assert schema.field("cta", "body").block_model_ids == (MODEL["quote"],)
    assert schema.field("hero", "action").allowed_block_model_ids == (MODEL["cta"],)


def test_lookups_by_id_and_api_key_agree() -> None:
    schema = fixture_schema()
    for model in schema.item_types():
        assert schema.item_type(model.id) is schema.item_type(model.api_key) is model
        assert schema.fields(model.id) == schema.fields(model.api_key)
        assert [f.id for f in schema.fields(model.id)] == list(model.field_ids)
    assert schema.is_block_model(MODEL["quote"]) and not schema.is_block_model("article")
    assert [f.api_key for f in schema.localized_fields("article")] == ["title", "content", "seo"]
    assert schema.find_item_type("nope") is None
    assert schema.find_field("article", "nope") is None


def test_fields_come_in_position_order() -> None:
    shuffled = {"data": list(reversed(FIELD_DUMPS["article"]["data"]))}
    schema = SchemaRepository.from_dumps(ITEM_TYPES, [shuffled])
    assert [f.position for f in schema.fields("article")] == list(range(1, 12))


def test_loading_from_dicts_files_and_a_directory_gives_the_same_answers(tmp_path: Path) -> None:
    by_list = SchemaRepository.from_dumps(ITEM_TYPES, list(FIELD_DUMPS.values()))
    by_mapping = SchemaRepository.from_dumps(
        ITEM_TYPES, {MODEL.get(k, k): v for k, v in FIELD_DUMPS.items() if k in MODEL}
    )
    by_files = SchemaRepository.from_files(
        FIXTURES / "schema" / "item_types.json",
        sorted((FIXTURES / "schema" / "fields").glob("*.json")),
    )
    by_dir = SchemaRepository.from_directory(FIXTURES / "schema")
    for schema in (by_list, by_mapping, by_files, by_dir):
        assert [f.api_key for f in schema.fields("cta")] == ["label", "url", "body"]
        assert schema.field("cta", "body").inline_block_model_ids == (MODEL["badge"],)


def test_lazy_fetch_fetches_each_body_once() -> None:
    calls: list[str] = []

    def fetch(path: str) -> Any:
        calls.append(path)
        if path == "item-types":
            return ITEM_TYPES
        model_id = path.split("/")[1]
        key = next(t["attributes"]["api_key"] for t in ITEM_TYPES["data"] if t["id"] == model_id)
        return FIELD_DUMPS[key]

    schema = SchemaRepository.from_fetch(fetch)
    assert calls == []
    assert schema.is_block_model("gallery")
    assert calls == ["item-types"]
    for _ in range(3):
        schema.fields("gallery")
        schema.fields(MODEL["gallery"])
        schema.field("gallery", "cards")
    schema.fields("cta")
    assert calls == [
        "item-types",
        f"item-types/{MODEL['gallery']}/fields",
        f"item-types/{MODEL['cta']}/fields",
    ]


def test_unknown_names_raise_schema_errors() -> None:
    schema = fixture_schema()
    with pytest.raises(SchemaError, match="unknown item type 'nope'"):
        schema.item_type("nope")
    with pytest.raises(SchemaError, match="item type 'article' has no field 'titel'"):
        schema.field("article", "titel")
    partial = SchemaRepository.from_dumps(ITEM_TYPES, [FIELD_DUMPS["article"]])
    with pytest.raises(SchemaError, match="no fields dump for item type 'quote'"):
        partial.fields("quote")


@pytest.mark.parametrize(
    ("item_types", "fields", "message"),
    [
        ({"items": []}, [], "a item-types dump must be {'data': [...]} or a list"),
        ({"data": "x"}, [], "data: a item-types dump must hold a list of resources"),
        (
            {"data": [{"type": "field", "id": "x", "attributes": {}}]},
            [],
            "data[0]: expected a 'item_type' resource, got 'field'",
        ),
        (
            {"data": [{"type": "item_type", "id": "M", "attributes": {"name": "M"}}]},
            [],
            "data[0]: missing 'api_key'",
        ),
        (
            {"data": [{"type": "item_type", "id": "M", "attributes": {"api_key": 3}}]},
            [],
            "data[0].attributes.api_key: expected a string, got 3",
        ),
        (
            {"data": []},
            [
                {
                    "data": [
                        {
                            "type": "field",
                            "id": "F",
                            "attributes": {"api_key": "t", "field_type": "string"},
                        }
                    ]
                }
            ],
            "data[0]: field has no relationships.item_type",
        ),
        (
            {"data": []},
            [
                {
                    "data": [
                        {
                            "type": "field",
                            "id": "F",
                            "attributes": {
                                "api_key": "t",
                                "field_type": "string",
                                "validators": [],
                            },
                            "relationships": {"item_type": {"data": {"id": "M"}}},
                        }
                    ]
                }
            ],
            "data[0].attributes.validators: validators must be an object",
        ),
    ],
    ids=[
        "no-data",
        "data-not-list",
        "wrong-type",
        "no-api-key",
        "api-key-not-string",
        "field-without-owner",
        "validators-not-object",
    ],
)
def test_malformed_dumps_say_what_and_where(item_types: Any, fields: Any, message: str) -> None:
    with pytest.raises(SchemaError) as info:
        SchemaRepository.from_dumps(item_types, fields)
    assert str(info.value) == message
    assert isinstance(info.value, DastError)


def test_unreadable_file_is_a_schema_error(tmp_path: Path) -> None:
    bad = tmp_path / "item_types.json"
    bad.write_text("{not json", encoding="utf-8")
    with pytest.raises(SchemaError, match="cannot read schema dump"):
        SchemaRepository.from_files(bad)


def test_field_schema_reads_every_block_validator() -> None:
    f = FieldSchema.from_resource(
        {
            "type": "field",
            "id": "F",
            "attributes": {
                "api_key": "x",
                "field_type": "structured_text",
                "localized": False,
                "validators": {
                    "structured_text_blocks": {"item_types": ["A", "B"]},
                    "structured_text_inline_blocks": {"item_types": ["B", "C"]},
                    "structured_text_links": {"item_types": ["L"]},
                },
            },
            "relationships": {"item_type": {"data": {"type": "item_type", "id": "M"}}},
        }
    )
    assert f.allowed_block_model_ids == ("A", "B", "C")
    assert f.item_type_id == "M" and f.holds_blocks
    single = FieldSchema(
        "F",
        "s",
        "single_block",
        False,
        "M",
        validators={"single_block_blocks": {"item_types": ["S"]}},
    )
    assert single.block_model_ids == ("S",)
    assert not FieldSchema("F", "t", "links", False, "M").holds_blocks


def test_dumps_are_plain_json_files() -> None:
    # the fixtures are what the endpoints return: {"data": [...]}, type/id/attributes
    for path in (FIXTURES / "schema").rglob("*.json"):
        body = json.loads(path.read_text(encoding="utf-8"))
        assert set(body) == {"data"}
        assert all({"type", "id", "attributes", "relationships"} <= set(r) for r in body["data"])
