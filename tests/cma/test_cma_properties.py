"""Property: applying the built payload to the fetched record gives exactly the desired record.

Records are generated from the fixture schema (the blog: article with
localized structured text, modular content and a single block; blocks
nested up to three levels). Edits change fields, edit / add / remove /
reorder / duplicate blocks at any depth, and add or remove a locale
consistently. The server model of ``cma_support`` applies the payload; the
result must equal the desired record (new blocks compared without ids) and
keep every block and locale the user kept. No field the user did not change
is ever sent, and an edited block never carries an unchanged attribute.
"""

from __future__ import annotations

import copy
import functools
import itertools
from collections.abc import Iterator
from typing import Any

from cma_support import (
    Server,
    all_blocks,
    canon_record,
    canon_value,
    doc_block_slots,
    fixture_schema,
    model_of,
)
from hypothesis import given
from hypothesis import strategies as st

from dast.cma.payload import build_update_payload
from dast.cma.records import build_block_record, convert_record, duplicate_block_record
from dast.cma.schema import FieldSchema

SCHEMA = fixture_schema()
ARTICLE = SCHEMA.item_type("article").id
LOCALES = ["en", "it", "fr"]
MAX_DEPTH = 3

words = st.text(alphabet="abc xy", max_size=5)


# --- generating values from the schema ------------------------------------------------------


@functools.cache
def scalar(f: FieldSchema) -> st.SearchStrategy[Any]:
    kind = f.field_type
    if kind in ("string", "text", "slug"):
        return st.one_of(st.none(), words)
    if kind == "integer":
        return st.integers(0, 9)
    if kind == "boolean":
        return st.booleans()
    if kind == "date":
        return st.sampled_from(["2024-01-01", "2024-02-02"])
    if kind == "file":
        return st.one_of(
            st.none(),
            st.builds(lambda u, a: {"upload_id": u, "alt": a}, st.sampled_from(["1", "2"]), words),
        )
    if kind == "seo":
        return st.one_of(st.none(), st.builds(lambda t: {"title": t}, words))
    if kind == "link":
        return st.sampled_from([None, "rec1", "rec2"])
    raise AssertionError(kind)


@functools.cache
def block(model: str, depth: int) -> st.SearchStrategy[dict[str, Any]]:
    """A new block (request shape, no id) of this model, its fields filled in."""
    fields = {f.api_key: local_value(f, depth) for f in SCHEMA.fields(model)}
    return st.fixed_dictionaries(fields).map(lambda attrs: build_block_record(model, attrs))


@functools.cache
def models(ids: tuple[str, ...], depth: int) -> st.SearchStrategy[dict[str, Any]]:
    """A new block of one of these models, one level below ``depth``."""
    return st.one_of(*(block(m, depth + 1) for m in ids))


@functools.cache
def document(f: FieldSchema, depth: int) -> st.SearchStrategy[dict[str, Any]]:
    can_nest = depth < MAX_DEPTH
    inline: list[st.SearchStrategy[Any]] = [
        st.builds(lambda v: {"type": "span", "value": v}, words)
    ]
    if can_nest and f.inline_block_model_ids:
        inline.append(
            models(f.inline_block_model_ids, depth).map(
                lambda b: {"type": "inlineBlock", "item": b}
            )
        )
    paragraph = st.lists(st.one_of(*inline), min_size=1, max_size=3).map(
        lambda kids: {"type": "paragraph", "children": kids}
    )
    roots: list[st.SearchStrategy[Any]] = [paragraph]
    if can_nest and f.block_model_ids:
        roots.append(models(f.block_model_ids, depth).map(lambda b: {"type": "block", "item": b}))
    return st.lists(st.one_of(*roots), min_size=1, max_size=3).map(
        lambda children: {"schema": "dast", "document": {"type": "root", "children": children}}
    )


@functools.cache
def local_value(f: FieldSchema, depth: int) -> st.SearchStrategy[Any]:
    """A (non-localized) value of the field, blocks nested below ``depth``."""
    can_nest = depth < MAX_DEPTH
    if f.field_type == "rich_text":
        if not can_nest:
            return st.just([])
        return st.lists(models(f.block_model_ids, depth), max_size=2)
    if f.field_type == "single_block":
        return st.none() if not can_nest else st.one_of(st.none(), models(f.block_model_ids, depth))
    if f.field_type == "structured_text":
        return st.one_of(st.none(), document(f, depth)) if depth else document(f, depth)
    return scalar(f)


@st.composite
def records(draw: st.DrawFn) -> dict[str, Any]:
    locales = draw(st.lists(st.sampled_from(LOCALES), min_size=1, max_size=2, unique=True))
    attrs: dict[str, Any] = {}
    for f in SCHEMA.fields(ARTICLE):
        if f.localized:
            attrs[f.api_key] = {loc: draw(local_value(f, 0)) for loc in locales}
        else:
            attrs[f.api_key] = draw(local_value(f, 0))
    record = {
        "type": "item",
        "id": "rec",
        "attributes": attrs,
        "relationships": {"item_type": {"data": {"type": "item_type", "id": ARTICLE}}},
        "meta": {"current_version": "1"},
    }
    counter = itertools.count()
    for b in all_blocks(SCHEMA, record):  # ids and meta, as a nested fetch returns them
        b["id"] = f"blk{next(counter)}"
        b["meta"] = {"created_at": "2024-01-01T00:00:00Z"}
    return record


# --- where blocks live, for editing ---------------------------------------------------------


def containers(record: dict[str, Any]) -> Iterator[tuple[str, Any, Any, tuple[str, ...], int]]:
    """(kind, holder, key, allowed models, depth) for every place blocks can sit."""

    def in_value(f: FieldSchema, holder: Any, key: Any, depth: int) -> Iterator[Any]:
        value = holder[key]
        if f.field_type == "rich_text" and value is not None:
            yield ("list", value, None, f.block_model_ids, depth)
            for b in value:
                yield from in_block(b, depth + 1)
        elif f.field_type == "single_block":
            yield ("single", holder, key, f.block_model_ids, depth)
            if value is not None:
                yield from in_block(value, depth + 1)
        elif f.field_type == "structured_text" and value is not None:
            root = value["document"]["children"]
            yield ("root", root, None, f.block_model_ids, depth)
            for node in root:
                if node["type"] == "paragraph":
                    yield ("inline", node["children"], None, f.inline_block_model_ids, depth)
            for slot in doc_block_slots(value):
                yield from in_block(slot["item"], depth + 1)

    def in_block(b: dict[str, Any], depth: int) -> Iterator[Any]:
        for g in SCHEMA.fields(model_of(b)):
            if g.holds_blocks:
                yield from in_value(g, b["attributes"], g.api_key, depth)

    for f in SCHEMA.fields(ARTICLE):
        if not f.holds_blocks:
            continue
        attrs = record["attributes"]
        if f.localized:
            for loc in list(attrs[f.api_key]):
                yield from in_value(f, attrs[f.api_key], loc, 0)
        else:
            yield from in_value(f, attrs, f.api_key, 0)


def slots(kind: str, holder: Any, key: Any) -> list[int]:
    """Indexes of the block slots of a list-like container."""
    if kind == "list":
        return list(range(len(holder)))
    wanted = "block" if kind == "root" else "inlineBlock"
    return [i for i, node in enumerate(holder) if node["type"] == wanted]


def wrap(kind: str, b: dict[str, Any]) -> Any:
    return (
        b if kind == "list" else {"type": "block" if kind == "root" else "inlineBlock", "item": b}
    )


# --- edits ----------------------------------------------------------------------------------

EDITS = [
    "field",
    "block_attr",
    "add",
    "duplicate",
    "remove",
    "reorder",
    "locale_add",
    "locale_remove",
]


def edit(data: st.DataObject, want: dict[str, Any], op: str) -> None:
    attrs = want["attributes"]
    locales = list(attrs["title"])
    if op == "field":
        f = data.draw(st.sampled_from([f for f in SCHEMA.fields(ARTICLE) if not f.holds_blocks]))
        if f.localized:
            attrs[f.api_key][data.draw(st.sampled_from(locales))] = data.draw(scalar(f))
        else:
            attrs[f.api_key] = data.draw(scalar(f))
    elif op == "block_attr":
        blocks = [b for b in all_blocks(SCHEMA, want) if isinstance(b, dict)]
        if not blocks:
            return
        b = data.draw(st.sampled_from(blocks))
        plain = [f for f in SCHEMA.fields(model_of(b)) if not f.holds_blocks]
        f = data.draw(st.sampled_from(plain))
        b["attributes"][f.api_key] = data.draw(scalar(f))
    elif op in ("add", "duplicate"):
        places = [c for c in containers(want) if c[3] and c[4] < MAX_DEPTH]
        if not places:
            return
        kind, holder, key, allowed, depth = data.draw(st.sampled_from(places))
        if op == "add":
            new = data.draw(models(allowed, depth))
        else:
            existing = [
                b
                for b in all_blocks(SCHEMA, want)
                if isinstance(b, dict) and model_of(b) in allowed
            ]
            if not existing:
                return
            new = duplicate_block_record(data.draw(st.sampled_from(existing)), SCHEMA)
        if kind == "single":
            holder[key] = new
        else:
            holder.insert(data.draw(st.integers(0, len(holder))), wrap(kind, new))
    elif op == "remove":
        places = [
            c
            for c in containers(want)
            if (c[0] == "single" and c[1][c[2]] is not None)
            or (c[0] != "single" and slots(c[0], c[1], c[2]))
        ]
        if not places:
            return
        kind, holder, key, _, _ = data.draw(st.sampled_from(places))
        if kind == "single":
            holder[key] = None
            return
        index = data.draw(st.sampled_from(slots(kind, holder, key)))
        if kind != "list" and len(holder) == 1:  # keep the document / paragraph non-empty
            holder[index] = (
                {"type": "span", "value": "x"}
                if kind == "inline"
                else {"type": "paragraph", "children": [{"type": "span", "value": "x"}]}
            )
        else:
            del holder[index]
    elif op == "reorder":
        places = [c for c in containers(want) if c[0] != "single" and len(c[1]) > 1]
        if not places:
            return
        kind, holder, _, _, _ = data.draw(st.sampled_from(places))
        holder[:] = data.draw(st.permutations(list(holder)))
    elif op == "locale_add":
        missing = [loc for loc in LOCALES if loc not in locales]
        if not missing:
            return
        loc = data.draw(st.sampled_from(missing))
        for f in SCHEMA.localized_fields(ARTICLE):
            attrs[f.api_key][loc] = data.draw(local_value(f, 0))
    elif op == "locale_remove":
        if len(locales) < 2:
            return
        loc = data.draw(st.sampled_from(locales))
        for f in SCHEMA.localized_fields(ARTICLE):
            del attrs[f.api_key][loc]


# --- the property ---------------------------------------------------------------------------


@given(records(), st.data())
def test_applying_the_payload_gives_the_desired_record(
    original: dict[str, Any], data: st.DataObject
) -> None:
    want = copy.deepcopy(original)
    for op in data.draw(st.lists(st.sampled_from(EDITS), max_size=4), label="edits"):
        edit(data, want, op)
    fetched = original
    if data.draw(st.booleans(), label="fetched flat"):
        fetched = convert_record(original, "flat", SCHEMA)
    if data.draw(st.booleans(), label="desired flat"):
        want = convert_record(want, "flat", SCHEMA)
    before = copy.deepcopy((fetched, want))

    payload = build_update_payload(fetched, want, SCHEMA)
    body = payload.jsonapi()
    assert (fetched, want) == before  # inputs untouched

    server = Server(SCHEMA, original)
    result = server.apply(body)
    assert canon_record(SCHEMA, result) == canon_record(SCHEMA, want)

    # nothing the user kept is lost: blocks (by id) and locales
    kept_ids = {
        b if isinstance(b, str) else b.get("id")
        for b in all_blocks(SCHEMA, convert_record(want, "jsonapi", SCHEMA))
    } - {None}
    assert kept_ids <= {b["id"] for b in all_blocks(SCHEMA, result)}
    want_attrs = convert_record(want, "jsonapi", SCHEMA)["attributes"]
    for f in SCHEMA.localized_fields(ARTICLE):
        assert set(result["attributes"][f.api_key]) == set(want_attrs[f.api_key])

    # only changed fields are sent (all localized ones when the locale set changes)
    locales_changed = set(want_attrs["title"]) != set(original["attributes"]["title"])
    for key in body["data"]["attributes"]:
        f = SCHEMA.field(ARTICLE, key)
        changed = canon_value(SCHEMA, f, want_attrs[key]) != canon_value(
            SCHEMA, f, original["attributes"][key]
        )
        assert changed or (locales_changed and f.localized), key
    # an edited block sends only plain attributes that differ from the stored ones
    stored = {b["id"]: b for b in all_blocks(SCHEMA, original)}
    for b in all_blocks(SCHEMA, {**body["data"], "relationships": original["relationships"]}):
        if isinstance(b, dict) and "id" in b:
            assert b["attributes"], "an unchanged block is sent as its id"
            for key, value in b["attributes"].items():
                if not SCHEMA.field(model_of(b), key).holds_blocks:
                    assert value != stored[b["id"]]["attributes"][key], (b["id"], key)
