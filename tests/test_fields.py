"""Field settings: read from CMA field resources, checked by ``validate(doc, field=...)``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

import dast.builders as b
from dast.cma.errors import SchemaError
from dast.cma.schema import SchemaRepository
from dast.definitions import FIELD_RULE_CODES
from dast.fields import FieldSettings, field_problems
from dast.validate import RULE_CODES, validate

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
BLOCK_A = "BxZ9Y2aKQVeTnM4hP8wLpD"
INLINE = "Wp9oI8uYTr7eWq6aSd5FgH"
ARTICLE = "UZyfjdBES8y2W2ruMEHSoA"


def _load(name: str) -> Any:
    return json.loads((FIXTURES / "fields" / name).read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def settings() -> FieldSettings:
    return FieldSettings.from_resource(_load("article_content.json"))


def _doc(*children: dict[str, Any]) -> dict[str, Any]:
    return {"schema": "dast", "document": {"type": "root", "children": list(children)}}


def _p(*inlines: dict[str, Any]) -> dict[str, Any]:
    return {"type": "paragraph", "children": list(inlines)}


def _span(value: str, *marks: str) -> dict[str, Any]:
    return {"type": "span", "value": value, **({"marks": list(marks)} if marks else {})}


def test_reads_the_jsonapi_body(settings: FieldSettings) -> None:
    assert settings.api_key == "content"
    assert settings.nodes == {"blockquote", "heading", "link", "list", "thematicBreak"}
    assert settings.marks == {"strong", "emphasis", "highlight", "code"}
    assert settings.heading_levels == {2, 3, 4}
    assert settings.block_models == {BLOCK_A, "Tf7gJ3nWSp1dXk8qLv5RbM"}
    assert settings.inline_block_models == {INLINE}
    assert settings.link_models == {ARTICLE}
    assert not settings.required
    assert settings.min_length is None and settings.max_length is None


def test_flat_shape_and_bare_resource_read_the_same(settings: FieldSettings) -> None:
    assert FieldSettings.from_resource(_load("article_content_flat.json")) == settings
    assert FieldSettings.from_resource(_load("article_content.json")["data"]) == settings


def test_same_as_the_schema_repository_field(settings: FieldSettings) -> None:
    repo = SchemaRepository.from_directory(FIXTURES / "cma" / "schema")
    field = repo.field("article", "content")
    appearance = _load("article_content.json")["data"]["attributes"]["appearance"]
    assert FieldSettings.from_field_schema(field, appearance) == settings


def test_required_and_length_validators() -> None:
    s = FieldSettings.from_resource(
        {
            "type": "field",
            "id": "F",
            "api_key": "body",
            "field_type": "structured_text",
            "validators": {"required": {}, "length": {"min": 3, "max": 5}},
        }
    )
    assert s.required and (s.min_length, s.max_length) == (3, 5)
    eq = FieldSettings.from_resource(
        {"api_key": "b", "field_type": "structured_text", "validators": {"length": {"eq": 2}}}
    )
    assert (eq.min_length, eq.max_length) == (2, 2)
    assert [p.code for p in validate(_doc(_p(_span("ab"))), field=s)] == ["field-length"]
    assert validate(_doc(_p(_span("abcd"))), field=s).valid
    assert "at most 5" not in str(validate(_doc(_p(_span("ab"))), field=s))
    assert "from 3 to 5" in str(validate(_doc(_p(_span("abcdef"))), field=s))
    assert [p.code for p in validate(None, field=s)] == ["field-required"]
    assert [p.code for p in validate(_doc(_p(_span("  "))), field=s)] == [
        "field-required",
        "field-length",
    ]


def test_other_field_types_are_refused() -> None:
    with pytest.raises(SchemaError, match="string field, not structured_text"):
        FieldSettings.from_resource(
            {"type": "field", "id": "F", "api_key": "t", "field_type": "string"}
        )
    with pytest.raises(SchemaError):
        FieldSettings.from_resource({"data": [1, 2]})


def test_every_kind_of_violation_with_its_path(settings: FieldSettings) -> None:
    doc = _doc(
        {"type": "heading", "level": 1, "children": [_span("Title", "underline", "strong")]},
        {"type": "code", "code": "x = 1"},
        _p(
            _span("see "),
            {"type": "itemLink", "item": "other-record", "children": [_span("here")]},
            {"type": "inlineBlock", "item": {"id": "ib", "item_type": {"id": "Nope"}}},
            {"type": "inlineItem", "item": "rec2"},
        ),
        {"type": "block", "item": {"type": "item", "item_type": {"type": "item_type", "id": "X"}}},
        {"type": "block", "item": {"type": "item", "item_type": {"id": BLOCK_A}}},
        {"type": "block", "item": "unknown-id"},
    )
    models = {"other-record": "Author", "rec2": ARTICLE}
    found = [(p.path, p.code) for p in validate(doc, field=settings, models=models)]
    assert found == [
        (("children", 0, "level"), "field-heading-level"),
        (("children", 0, "children", 0, "marks", 0), "field-mark"),
        (("children", 1), "field-node"),
        (("children", 2, "children", 1, "item"), "field-link-model"),
        (("children", 2, "children", 2, "item"), "field-inline-block-model"),
        (("children", 3, "item"), "field-block-model"),
    ]
    assert {code for _, code in found} <= FIELD_RULE_CODES <= RULE_CODES


def test_models_from_the_wrapper_and_from_a_function(settings: FieldSettings) -> None:
    value = _doc(
        _p({"type": "inlineItem", "item": "r1"}, {"type": "inlineItem", "item": "r2"}),
        {"type": "block", "item": "b1"},
    )
    wrapper = {
        "value": value,
        "blocks": [{"id": "b1", "item_type": {"id": "Bad"}}],
        "links": [{"id": "r1", "relationships": {"item_type": {"data": {"id": "Author"}}}}],
    }
    found = [(p.path, p.code) for p in validate(wrapper, field=settings)]
    assert found == [
        (("children", 0, "children", 0, "item"), "field-link-model"),
        (("children", 1, "item"), "field-block-model"),
    ]
    seen: list[str] = []

    def lookup(rid: str) -> str | None:
        seen.append(rid)
        return "Author" if rid == "r2" else None

    found = [p.path for p in field_problems(value, settings, lookup)]
    assert found == [("children", 0, "children", 1, "item")]
    assert sorted(seen) == ["b1", "r1", "r2"]


def test_empty_model_lists_forbid_the_node() -> None:
    s = FieldSettings(block_models=frozenset(), link_models=frozenset())
    doc = _doc(
        _p({"type": "itemLink", "item": "r", "children": [_span("x")]}),
        {"type": "block", "item": "b"},
    )
    messages = [p.message for p in validate(doc, field=s)]
    assert messages == [
        "links to records are not allowed in this field",
        "blocks are not allowed in this field",
    ]


def test_custom_marks_are_not_restricted() -> None:
    s = FieldSettings(marks=frozenset({"strong"}))
    assert validate(_doc(_p(_span("x", "myCustomMark", "strong"))), field=s).valid


def test_models_and_builders_are_checked_too(settings: FieldSettings) -> None:
    doc = b.doc(b.h(6, "deep"), b.p(b.strong("ok")))
    assert [p.code for p in validate(doc, field=settings)] == ["field-heading-level"]
    assert validate(doc, field=FieldSettings()).valid


def test_schema_problems_come_alone(settings: FieldSettings) -> None:
    doc = _doc({"type": "heading", "level": 9, "children": [_span("x")]})
    assert [p.code for p in validate(doc, field=settings)] == ["heading-level"]


def test_deep_documents() -> None:
    item: dict[str, Any] = {"type": "listItem", "children": [_p(_span("x", "underline"))]}
    for _ in range(5000):
        item = {"type": "listItem", "children": [{"type": "list", "style": "bulleted",
                                                  "children": [item]}]}
    doc = _doc({"type": "list", "style": "bulleted", "children": [item]})
    found = validate(doc, field=FieldSettings(marks=frozenset({"strong"})))
    assert [p.code for p in found] == ["field-mark"]
    assert len(found.problems[0].path) == 4 * 5000 + 10
    assert not validate(doc, field=FieldSettings(nodes=frozenset())).valid


def test_nearest_level() -> None:
    s = FieldSettings(heading_levels=frozenset({2, 5}))
    assert [s.nearest_level(n) for n in range(1, 7)] == [2, 2, 2, 5, 5, 5]
    assert FieldSettings(nodes=frozenset({"list"})).nearest_level(2) is None
    assert FieldSettings(heading_levels=frozenset()).nearest_level(2) is None


def test_from_file(tmp_path: Path, settings: FieldSettings) -> None:
    assert FieldSettings.from_file(FIXTURES / "fields" / "article_content_flat.json") == settings
    broken = tmp_path / "broken.json"
    broken.write_text("{not json", encoding="utf-8")
    with pytest.raises(SchemaError, match=r"cannot read field settings .*broken\.json"):
        FieldSettings.from_file(broken)
    other = tmp_path / "title.json"
    other.write_text(json.dumps({"api_key": "title", "field_type": "string"}), encoding="utf-8")
    with pytest.raises(SchemaError, match=r"title\.json: field 'title' is a string field"):
        FieldSettings.from_file(other)
    with pytest.raises(SchemaError, match="cannot read field settings"):
        FieldSettings.from_file(tmp_path / "missing.json")
