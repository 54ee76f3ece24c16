"""build_update_payload: only what changed, blocks as ids / edits / creations, locales kept."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from cma_support import (
    MODEL,
    Server,
    all_blocks,
    canon_record,
    fixture_record,
    fixture_record_flat,
    fixture_schema,
)

from dast.cma.errors import CmaError, LocaleMismatchError, PayloadError
from dast.cma.payload import UpdatePayload, build_update_payload, json_equal
from dast.cma.records import build_block_record, convert_record, duplicate_block_record
from dast.errors import DastError, DastValidationError
from dast.load import load_document

SCHEMA = fixture_schema()
RAW = fixture_record()
A = RAW["attributes"]
VERSION = "8065211"


def desired() -> dict[str, Any]:
    return copy.deepcopy(RAW)


def sent(payload: UpdatePayload) -> dict[str, Any]:
    body = payload.jsonapi()
    assert body["data"]["type"] == "item" and body["data"]["id"] == RAW["id"]
    assert body["data"]["meta"] == {"current_version": VERSION}
    return body["data"]["attributes"]  # type: ignore[no-any-return]


def applied(original: dict[str, Any], want: dict[str, Any], **kw: Any) -> dict[str, Any]:
    """Build the payload, apply it with the server model, check the result is ``want``."""
    payload = build_update_payload(original, want, SCHEMA, **kw)
    server = Server(SCHEMA, original)
    result = server.apply(payload.jsonapi(), kw.get("managed_locales"))
    merged = convert_record(copy.deepcopy(original), "jsonapi", SCHEMA)
    merged["attributes"].update(
        convert_record(copy.deepcopy(want), "jsonapi", SCHEMA)["attributes"]
    )
    assert canon_record(SCHEMA, result) == canon_record(SCHEMA, merged)
    return sent(payload)


def ids_form(value: Any, field: str) -> Any:
    """What the payload sends for an unchanged value: blocks as ids (independent code)."""
    f = SCHEMA.field("article", field)
    out = copy.deepcopy(value)
    if f.field_type == "structured_text":
        stack = [out["document"]]
        while stack:
            node = stack.pop()
            if node["type"] in ("block", "inlineBlock"):
                node["item"] = node["item"]["id"]
            stack.extend(node.get("children", ()))
    return out


# --- nothing to send ------------------------------------------------------------------------


def test_an_unchanged_record_gives_an_empty_payload() -> None:
    payload = build_update_payload(RAW, desired(), SCHEMA)
    assert payload.is_empty and not payload and payload.changed_fields == ()
    assert payload.jsonapi() == {
        "data": {
            "type": "item",
            "id": RAW["id"],
            "attributes": {},
            "meta": {"current_version": VERSION},
        }
    }
    assert payload.flat() == {"meta": {"current_version": VERSION}}


@pytest.mark.parametrize(
    ("original", "want"),
    [
        (RAW, fixture_record_flat()),
        (fixture_record_flat(), RAW),
        ({"data": RAW}, {"data": fixture_record_flat()}),
    ],
    ids=["raw-to-flat", "flat-to-raw", "response-bodies"],
)
def test_shapes_do_not_matter(original: Any, want: Any) -> None:
    assert build_update_payload(original, want, SCHEMA).is_empty


def test_fields_left_out_are_not_touched() -> None:
    payload = build_update_payload(
        RAW, {"type": "item", "id": RAW["id"], "reading_time": 8}, SCHEMA
    )
    assert sent(payload) == {"reading_time": 8}


def test_block_ids_given_as_strings_mean_unchanged() -> None:
    want = desired()
    want["attributes"]["sections"] = [b["id"] for b in A["sections"]]
    want["attributes"]["hero"] = A["hero"]["id"]
    assert build_update_payload(RAW, want, SCHEMA).is_empty


# --- plain fields ---------------------------------------------------------------------------


def test_a_changed_localized_field_carries_every_locale() -> None:
    want = desired()
    want["attributes"]["title"]["it"] = "Cinque lezioni"
    want["attributes"]["featured"] = False
    assert applied(RAW, want) == {
        "title": {"en": "Five lessons from our first year", "it": "Cinque lezioni"},
        "featured": False,
    }


def test_strict_json_equality_sees_type_changes() -> None:
    want = desired()
    want["attributes"]["reading_time"] = 7.0
    assert build_update_payload(RAW, want, SCHEMA).is_empty  # same number
    want["attributes"]["featured"] = 1  # a type change the server refuses: refused here first
    with pytest.raises(PayloadError, match=r"^featured: field 'featured' \(boolean\) takes"):
        build_update_payload(RAW, want, SCHEMA)
    assert not json_equal(True, 1) and json_equal([1, {"a": None}], (1.0, {"a": None}))


def test_clearing_a_field_sends_null() -> None:
    want = desired()
    want["attributes"]["cover"] = None
    want["attributes"]["hero"] = None
    want["attributes"]["sections"] = []
    assert applied(RAW, want) == {"sections": [], "hero": None, "cover": None}


def test_non_field_attributes_of_the_fetched_record_pass_through_when_changed() -> None:
    original = {**RAW, "attributes": {**A, "position": 3}}
    want = copy.deepcopy(original)
    assert build_update_payload(original, want, SCHEMA).is_empty
    want["attributes"]["position"] = 4
    assert sent(build_update_payload(original, want, SCHEMA)) == {"position": 4}


# --- modular content ------------------------------------------------------------------------


def test_editing_a_nested_block_sends_only_the_changed_attribute_at_each_level() -> None:
    want = desired()
    want["attributes"]["sections"][0]["attributes"]["cards"][1]["attributes"]["caption"] = "New"
    gallery = A["sections"][0]
    card0, card1 = gallery["attributes"]["cards"]
    assert applied(RAW, want) == {
        "sections": [
            {
                "type": "item",
                "id": gallery["id"],
                "attributes": {
                    "cards": [
                        card0["id"],
                        {
                            "type": "item",
                            "id": card1["id"],
                            "attributes": {"caption": "New"},
                            "relationships": {
                                "item_type": {
                                    "data": {"type": "item_type", "id": MODEL["image_card"]}
                                }
                            },
                        },
                    ]
                },
                "relationships": {
                    "item_type": {"data": {"type": "item_type", "id": MODEL["gallery"]}}
                },
            },
            A["sections"][1]["id"],
        ]
    }


def test_reorder_and_remove_blocks() -> None:
    want = desired()
    want["attributes"]["sections"].reverse()
    assert applied(RAW, want) == {"sections": [b["id"] for b in reversed(A["sections"])]}
    want = desired()
    del want["attributes"]["sections"][0]["attributes"]["cards"][0]
    out = applied(RAW, want)
    assert out["sections"][0]["attributes"] == {
        "cards": [A["sections"][0]["attributes"]["cards"][1]["id"]]
    }


def test_new_blocks_are_sent_whole_without_ids_or_meta() -> None:
    want = desired()
    clone = duplicate_block_record(A["sections"][0], SCHEMA)
    want["attributes"]["sections"].insert(1, clone)
    out = applied(RAW, want)
    assert out["sections"][0] == A["sections"][0]["id"]
    assert out["sections"][2] == A["sections"][1]["id"]
    new = out["sections"][1]
    assert "id" not in new and "meta" not in new
    assert new["relationships"] == {
        "item_type": {"data": {"type": "item_type", "id": MODEL["gallery"]}}
    }
    assert [("id" in c, c["attributes"]["caption"]) for c in new["attributes"]["cards"]] == [
        (False, "Whiteboard, week one"),
        (False, "The first prototype"),
    ]


def test_new_blocks_may_come_in_the_flat_shape_and_are_sent_raw() -> None:
    want = desired()
    want["attributes"]["sections"].append(
        build_block_record(MODEL["quote"], {"text": "New", "author": None}, shape="flat")
    )
    out = applied(RAW, want)
    assert out["sections"][2] == build_block_record(MODEL["quote"], {"text": "New", "author": None})


# --- single block ---------------------------------------------------------------------------


def test_single_block_nested_three_levels() -> None:
    want = desired()
    action = want["attributes"]["hero"]["attributes"]["action"]
    action["attributes"]["body"]["document"]["children"][1]["item"]["attributes"]["author"] = "Me"
    out = applied(RAW, want)
    hero = out["hero"]
    assert hero["id"] == A["hero"]["id"] and list(hero["attributes"]) == ["action"]
    cta = hero["attributes"]["action"]
    assert cta["id"] == A["hero"]["attributes"]["action"]["id"]
    assert list(cta["attributes"]) == ["body"]
    quote = cta["attributes"]["body"]["document"]["children"][1]["item"]
    assert quote["attributes"] == {"author": "Me"}


def test_single_block_replaced_by_a_new_block() -> None:
    want = desired()
    want["attributes"]["hero"] = build_block_record(MODEL["hero"], {"heading": "Fresh"})
    out = applied(RAW, want)
    assert out == {"hero": build_block_record(MODEL["hero"], {"heading": "Fresh"})}


# --- structured text ------------------------------------------------------------------------


def test_text_edit_in_one_locale_keeps_every_block_of_every_locale_as_ids() -> None:
    want = desired()
    doc = want["attributes"]["content"]["en"]["document"]
    doc["children"][0]["children"][0]["value"] = "What two years taught us"
    out = applied(RAW, want)
    assert list(out) == ["content"]
    assert out["content"]["it"] == ids_form(A["content"]["it"], "content")
    expected_en = ids_form(A["content"]["en"], "content")
    expected_en["document"]["children"][0]["children"][0]["value"] = "What two years taught us"
    assert out["content"]["en"] == expected_en


def test_edit_inline_block_and_add_block_node() -> None:
    want = desired()
    doc = want["attributes"]["content"]["it"]["document"]
    badge = doc["children"][3]["item"]["attributes"]["body"]["document"]["children"][1]["children"][
        1
    ]["item"]
    badge["attributes"]["tone"] = "info"
    doc["children"].append(
        {
            "type": "block",
            "item": build_block_record(MODEL["cta"], {"label": "Nuovo", "url": None, "body": None}),
        }
    )
    out = applied(RAW, want)
    it = out["content"]["it"]["document"]["children"]
    assert it[2] == {
        "type": "block",
        "item": A["content"]["it"]["document"]["children"][2]["item"]["id"],
    }
    body = it[3]["item"]["attributes"]["body"]["document"]["children"]
    assert body[1]["children"][1]["item"]["attributes"] == {"tone": "info"}
    assert it[5]["item"]["attributes"] == {"label": "Nuovo", "url": None, "body": None}
    assert out["content"]["en"] == ids_form(A["content"]["en"], "content")


def test_documents_may_be_models() -> None:
    want = desired()
    want["attributes"]["content"]["en"]["document"]["children"][0]["children"][0]["value"] = "X"
    as_model = copy.deepcopy(want)
    as_model["attributes"]["content"]["en"] = load_document(want["attributes"]["content"]["en"])
    assert build_update_payload(RAW, as_model, SCHEMA).jsonapi() == (
        build_update_payload(RAW, want, SCHEMA).jsonapi()
    )


def test_invalid_documents_are_refused_before_sending() -> None:
    want = desired()
    want["attributes"]["content"]["it"]["document"]["children"][0]["level"] = 9
    with pytest.raises(DastValidationError) as info:
        build_update_payload(RAW, want, SCHEMA)
    assert str(info.value).startswith("content.it: invalid DAST document")
    assert info.value.problems[0].dotted == "children[0].level"


# --- locales --------------------------------------------------------------------------------


def _simple_content(text: str) -> dict[str, Any]:
    return {
        "schema": "dast",
        "document": {
            "type": "root",
            "children": [{"type": "paragraph", "children": [{"type": "span", "value": text}]}],
        },
    }


def test_adding_a_locale_sends_every_localized_field() -> None:
    want = desired()
    want["attributes"]["title"]["fr"] = "Cinq lecons"
    want["attributes"]["content"]["fr"] = _simple_content("Bonjour")
    want["attributes"]["seo"]["fr"] = None
    out = applied(RAW, want)
    assert list(out) == ["title", "content", "seo"]
    assert {k: sorted(v) for k, v in out.items()} == {k: ["en", "fr", "it"] for k in out}
    assert out["seo"]["en"] == A["seo"]["en"]
    assert out["content"]["en"] == ids_form(A["content"]["en"], "content")


def test_removing_a_locale_sends_every_localized_field_without_it() -> None:
    want = desired()
    for key in ("title", "content", "seo"):
        del want["attributes"][key]["it"]
    out = applied(RAW, want)
    assert {k: list(v) for k, v in out.items()} == {
        "title": ["en"],
        "content": ["en"],
        "seo": ["en"],
    }


@pytest.mark.parametrize(
    "edit",
    ["add-to-one", "remove-from-one", "add-but-leave-one-out"],
)
def test_an_inconsistent_locale_set_is_refused(edit: str, snapshot: Any) -> None:
    want = desired()
    if edit == "add-to-one":
        want["attributes"]["title"]["fr"] = "Cinq lecons"
    elif edit == "remove-from-one":
        del want["attributes"]["content"]["it"]
    else:
        want["attributes"]["title"]["fr"] = "Cinq lecons"
        want["attributes"]["content"]["fr"] = _simple_content("Bonjour")
        del want["attributes"]["seo"]
    with pytest.raises(LocaleMismatchError) as info:
        build_update_payload(RAW, want, SCHEMA)
    assert isinstance(info.value, DastError)
    assert str(info.value) == snapshot


def _localized_record(locales: dict[str, str]) -> dict[str, Any]:
    """A small article: title, content (with one cta block per locale) and seo per locale."""
    content = {}
    for locale, text in locales.items():
        cta = build_block_record(
            MODEL["cta"], {"label": text, "url": None, "body": None}, f"cta-{locale}"
        )
        content[locale] = {
            "schema": "dast",
            "document": {
                "type": "root",
                "children": [
                    {"type": "paragraph", "children": [{"type": "span", "value": text}]},
                    {"type": "block", "item": cta},
                ],
            },
        }
    return {
        "type": "item",
        "id": RAW["id"],
        "attributes": {
            "title": dict(locales),
            "content": content,
            "seo": {locale: {"title": text} for locale, text in locales.items()},
        },
        "relationships": {"item_type": {"data": {"type": "item_type", "id": MODEL["article"]}}},
        "meta": {"current_version": VERSION},
    }


def _want(original: dict[str, Any], locales: dict[str, str]) -> dict[str, Any]:
    """The original with these final locale texts (a text equal to the original's keeps it)."""
    out = copy.deepcopy(original)
    fresh = _localized_record(locales)["attributes"]
    for key in ("title", "content", "seo"):
        value = {}
        for locale, text in locales.items():
            if original["attributes"]["title"].get(locale) == text:
                value[locale] = copy.deepcopy(original["attributes"][key][locale])
            else:
                value[locale] = fresh[key][locale]
                if key == "content":  # a new value for a locale: its block is new too
                    del value[locale]["document"]["children"][1]["item"]["id"]
        out["attributes"][key] = value
    return out


# The locale table of cma-update-payloads.md, row by row:
# role manages | record has | desired record | payload sends | result
TABLE = [
    ("en", {"en": "a"}, {"en": "A"}, ["en"], {"en": "A"}),
    ("en,it", {"en": "a"}, {"en": "A", "it": "b"}, ["en", "it"], {"en": "A", "it": "b"}),
    ("en,it", {"en": "a", "it": "b"}, {"en": "A"}, ["en"], {"en": "A"}),
    ("en,it", {"en": "a", "it": "b"}, {"en": "A", "it": "B"}, ["en", "it"], {"en": "A", "it": "B"}),
    (
        "en,it,fr",
        {"en": "a", "it": "b"},
        {"en": "A", "fr": "c"},
        ["en", "fr"],
        {"en": "A", "fr": "c"},
    ),
    ("en", {"en": "a", "it": "b"}, {"en": "A", "it": "b"}, ["en"], {"en": "A", "it": "b"}),
    (
        "en,it",
        {"en": "a", "fr": "c"},
        {"en": "A", "fr": "c", "it": "b"},
        ["en", "it"],
        {"en": "A", "fr": "c", "it": "b"},
    ),
    ("en,it", {"en": "a", "fr": "c"}, {"fr": "c", "it": "b"}, ["it"], {"fr": "c", "it": "b"}),
]


@pytest.mark.parametrize(
    ("manages", "has", "wants", "sends", "result"),
    TABLE,
    ids=[f"row{i + 1}" for i in range(len(TABLE))],
)
def test_the_locale_table(
    manages: str,
    has: dict[str, str],
    wants: dict[str, str],
    sends: list[str],
    result: dict[str, str],
) -> None:
    original = _localized_record(has)
    want = _want(original, wants)
    managed = set(manages.split(","))
    payload = build_update_payload(original, want, SCHEMA, managed_locales=managed)
    attrs = payload.jsonapi()["data"]["attributes"]
    assert attrs, "every row changes English or the locale set"
    for key, value in attrs.items():
        assert sorted(value) == sorted(sends), key
    stored = Server(SCHEMA, original).apply(payload.jsonapi(), managed)
    assert {k: stored["attributes"]["title"][k] for k in sorted(stored["attributes"]["title"])} == (
        {k: result[k] for k in sorted(result)}
    )
    assert canon_record(SCHEMA, stored) == canon_record(SCHEMA, want)


def test_changing_a_locale_the_token_does_not_manage_is_refused() -> None:
    original = _localized_record({"en": "a", "it": "b"})
    want = _want(original, {"en": "a", "it": "B"})
    with pytest.raises(PayloadError) as info:
        build_update_payload(original, want, SCHEMA, managed_locales={"en"})
    assert str(info.value) == "title.it: locale 'it' changed, but the token manages only en"


# --- refusals -------------------------------------------------------------------------------


def _refusal(edit: str) -> dict[str, Any]:
    want = desired()
    attrs = want["attributes"]
    if edit == "unknown-field":
        attrs["titel"] = "x"
    elif edit == "unknown-block-field":
        attrs["sections"][1]["attributes"]["txt"] = "x"
    elif edit == "unknown-block-id":
        attrs["sections"].append("not-a-block-of-this-record")
    elif edit == "block-twice":
        attrs["sections"].append(attrs["sections"][1]["id"])
    elif edit == "block-changes-model":
        attrs["sections"][1]["relationships"]["item_type"]["data"]["id"] = MODEL["cta"]
    elif edit == "new-block-without-model":
        attrs["sections"].append({"type": "item", "attributes": {"text": "x"}})
    elif edit == "new-block-of-a-regular-model":
        attrs["sections"].append(build_block_record(MODEL["article"], {}))
    elif edit == "other-record":
        want["id"] = "someone-else"
    elif edit == "other-model":
        want["relationships"]["item_type"]["data"]["id"] = MODEL["quote"]
    elif edit == "localized-not-object":
        attrs["title"] = "Just a string"
    return want


REFUSALS = [
    "unknown-field",
    "unknown-block-field",
    "unknown-block-id",
    "block-twice",
    "block-changes-model",
    "new-block-without-model",
    "new-block-of-a-regular-model",
    "other-record",
    "other-model",
    "localized-not-object",
]


@pytest.mark.parametrize("edit", REFUSALS)
def test_refusals_say_what_and_where(edit: str, snapshot: Any) -> None:
    with pytest.raises(PayloadError) as info:
        build_update_payload(RAW, _refusal(edit), SCHEMA)
    assert str(info.value) == snapshot


def test_records_without_id_or_model_are_refused() -> None:
    with pytest.raises(PayloadError, match="the fetched record has no id"):
        build_update_payload({"type": "item", "attributes": {}}, RAW, SCHEMA)
    with pytest.raises(PayloadError, match="neither record names its item type"):
        build_update_payload(
            {"type": "item", "id": "r", "attributes": {}},
            {"type": "item", "id": "r", "attributes": {}},
            SCHEMA,
        )
    with pytest.raises(PayloadError, match="the desired record must be an object, got list"):
        build_update_payload(RAW, [], SCHEMA)  # type: ignore[arg-type]


# --- fetched without ?nested=true, versions, output forms ------------------------------------


def test_blocks_fetched_as_ids_can_be_kept_moved_or_sent_whole() -> None:
    plain = desired()
    plain["attributes"]["sections"] = [b["id"] for b in A["sections"]]
    want = copy.deepcopy(plain)
    want["attributes"]["sections"] = [
        build_block_record(MODEL["quote"], {"text": "Edited"}, A["sections"][1]["id"]),
        A["sections"][0]["id"],
    ]
    out = sent(build_update_payload(plain, want, SCHEMA))
    assert out == {
        "sections": [
            build_block_record(MODEL["quote"], {"text": "Edited"}, A["sections"][1]["id"]),
            A["sections"][0]["id"],
        ]
    }


def test_current_version_comes_from_the_fetched_record_or_the_caller() -> None:
    want = desired()
    want["attributes"]["reading_time"] = 9
    assert build_update_payload(RAW, want, SCHEMA).current_version == VERSION
    other = build_update_payload(RAW, want, SCHEMA, current_version="99")
    assert other.jsonapi()["data"]["meta"] == {"current_version": "99"}
    unversioned = {k: v for k, v in RAW.items() if k != "meta"}
    body = build_update_payload(unversioned, want, SCHEMA).jsonapi()
    assert "meta" not in body["data"]
    assert build_update_payload(unversioned, want, SCHEMA).flat() == {"reading_time": 9}


def test_both_output_forms(snapshot: Any) -> None:
    want = desired()
    attrs = want["attributes"]
    attrs["title"]["en"] = "Six lessons from our first year"
    attrs["sections"][0]["attributes"]["cards"][0]["attributes"]["caption"] = "Whiteboard"
    attrs["sections"].append(build_block_record(MODEL["quote"], {"text": "New", "author": "Me"}))
    attrs["hero"]["attributes"]["action"]["attributes"]["label"] = "Join"
    payload = build_update_payload(RAW, want, SCHEMA)
    assert payload.changed_fields == ("title", "sections", "hero")
    flat = payload.flat()
    assert flat["meta"] == {"current_version": VERSION}
    assert flat["sections"][0]["cards"][0] == {
        "type": "item",
        "id": A["sections"][0]["attributes"]["cards"][0]["id"],
        "item_type": {"type": "item_type", "id": MODEL["image_card"]},
        "caption": "Whiteboard",
    }
    assert payload.flat(blocks="jsonapi") == {
        **payload.jsonapi()["data"]["attributes"],
        "meta": {"current_version": VERSION},
    }
    assert {"jsonapi": payload.jsonapi(), "flat": flat} == snapshot
    # each call gives a fresh copy
    payload.jsonapi()["data"]["attributes"]["title"]["en"] = "mutated"
    assert (
        payload.jsonapi()["data"]["attributes"]["title"]["en"] == "Six lessons from our first year"
    )


def test_inputs_are_never_mutated() -> None:
    original, want = desired(), desired()
    want["attributes"]["sections"].reverse()
    want["attributes"]["hero"]["attributes"]["heading"] = "x"
    snapshot_o, snapshot_w = copy.deepcopy(original), copy.deepcopy(want)
    build_update_payload(original, want, SCHEMA).flat()
    assert original == snapshot_o and want == snapshot_w


def test_fixture_has_seventeen_blocks_and_all_survive_an_unrelated_edit() -> None:
    want = desired()
    want["attributes"]["slug"] = "five-lessons"
    server = Server(SCHEMA, RAW)
    result = server.apply(build_update_payload(RAW, want, SCHEMA).jsonapi())
    ids_before = sorted(b["id"] for b in all_blocks(SCHEMA, RAW))
    assert len(ids_before) == 17
    assert sorted(b["id"] for b in all_blocks(SCHEMA, result)) == ids_before


# --- issue 10, section 4: payloads that would not serialize, or that the server refuses ----------


def _gallery_block(card_text: Any) -> dict[str, Any]:
    """A new cta block whose structured text ``body`` is ``card_text``."""
    return build_block_record(MODEL["cta"], {"label": "Go", "url": "https://x", "body": card_text})


def test_a_document_inside_a_block_record_serializes_as_json() -> None:
    import json

    doc = load_document(
        {
            "schema": "dast",
            "document": {
                "type": "root",
                "children": [{"type": "paragraph", "children": [{"type": "span", "value": "x"}]}],
            },
        }
    )
    want = desired()
    want["attributes"]["sections"] = [*A["sections"], _gallery_block(doc)]
    payload = build_update_payload(RAW, want, SCHEMA)
    body = json.loads(json.dumps(payload.jsonapi()))  # would raise TypeError before the fix
    new = body["data"]["attributes"]["sections"][-1]
    assert new["attributes"]["body"] == doc.to_json()
    assert json.dumps(payload.flat())


def test_a_new_block_of_a_model_the_field_does_not_allow_is_refused_with_its_path() -> None:
    want = desired()
    hero = build_block_record(MODEL["hero"], {"heading": "Hi"})
    want["attributes"]["sections"] = [*A["sections"], hero]
    with pytest.raises(PayloadError, match=r"does not allow blocks of model 'hero'") as info:
        build_update_payload(RAW, want, SCHEMA)
    assert info.value.path == ("sections", len(A["sections"]))


def test_a_nested_new_block_of_a_wrong_model_is_refused_inside_its_parent() -> None:
    want = desired()
    quote = build_block_record(MODEL["quote"], {"text": "no"})
    hero = build_block_record(MODEL["hero"], {"heading": "Hi", "action": quote})
    want["attributes"]["hero"] = hero
    with pytest.raises(PayloadError, match=r"field 'action' does not allow blocks of model"):
        build_update_payload(RAW, want, SCHEMA)


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("reading_time", "7", r"^reading_time: field 'reading_time' \(integer\) takes an integer"),
        ("hero", [], r"^hero: a block must be an id string or a record object, got list"),
        ("sections", {"a": 1}, r"^sections: a modular content value must be a list"),
        ("title", "Hi", r"^title: field 'title' is localized"),
        ("title", {"en": 3, "it": "x"}, r"^title\.en: field 'title' \(string\) takes a string"),
        ("featured", "yes", r"^featured: field 'featured' \(boolean\) takes true or false"),
    ],
)
def test_wrong_value_types_are_refused_before_sending(key: str, value: Any, message: str) -> None:
    want = desired()
    want["attributes"][key] = value
    with pytest.raises(CmaError, match=message):
        build_update_payload(RAW, want, SCHEMA)


def test_null_clears_any_field_type() -> None:
    want = desired()
    want["attributes"]["reading_time"] = None
    assert sent(build_update_payload(RAW, want, SCHEMA)) == {"reading_time": None}


def test_a_partial_record_leaves_unfetched_localized_fields_alone() -> None:
    # push reads back only the pulled fields: title and seo are not in the record
    model = RAW["relationships"]["item_type"]["data"]
    partial = {"type": "item", "id": RAW["id"], "item_type": model,
               "meta": {"current_version": VERSION}, "content": A["content"]}
    want = copy.deepcopy(partial)
    en = want["content"]["en"]["document"]
    en["children"] = en["children"][:1]
    assert list(sent(build_update_payload(partial, want, SCHEMA))) == ["content"]
    want["content"] = {"en": A["content"]["en"]}  # dropping a locale must send every field
    with pytest.raises(PayloadError, match=r"every localized field must be sent; title, seo"):
        build_update_payload(partial, want, SCHEMA)
