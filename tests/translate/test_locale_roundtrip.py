"""Translating a pulled folder into another locale: what ``push`` will send is the translation.

The property: for generated documents full of hard text (control characters,
CRs, lone surrogates) plus a block, pull the ``en`` locale into a folder,
export its segments as XLIFF, translate them with translate-toolkit (every
text upper-cased, every code kept), import into ``it``; the ``it`` edit that
``plan`` finds is the upper-cased document, its block a new record (no id)
with its text translated, and the file holds exactly that document.
"""

from __future__ import annotations

import itertools
import tempfile
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from translate.storage import xliff as tt_xliff

from dast.canonical import canonicalize
from dast.cma.client import Client
from dast.cma.client.pacing import RateLimiter
from dast.cma.testing import FakeCma
from dast.nodes import Block, Document, InlineBlock, Node
from dast.translate import extract_segments
from dast.translate.records import localize_blocks
from dast.translate.xliff import XliffFile, read_xliff, write_xliff
from dast.walk import filter_nodes
from dastdown import parse
from dastdown.workspace import import_translations, plan, pull, translation_sources
from tests.cli.locale_site import make_site, shout_rich
from tests.strategies import documents, record_ids
from tests.translate.translate_support import hard_texts, shouted

_IDS = itertools.count(1)


def _sendable(text: str) -> str:
    """Text a JSON body can carry in UTF-8 (lone surrogates out: the XLIFF tests cover them)."""
    return "".join(ch for ch in text if not "\ud800" <= ch <= "\udfff")


def _texts() -> st.SearchStrategy[str]:
    return hard_texts().map(_sendable)


@pytest.fixture(scope="module")
def cma() -> Iterator[FakeCma]:
    with make_site() as server:
        yield server


_DE = {"schema": "dast", "document": {"type": "root", "children": [
    {"type": "paragraph", "children": [{"type": "span", "value": "Deutsch"}]}]}}


def _no_blocks(node: Node, parent: object, path: object) -> bool:
    return not isinstance(node, (Block, InlineBlock))


def _quote(block_id: str, text: str) -> dict[str, Any]:
    return {
        "type": "item",
        "id": block_id,
        "attributes": {"text": text},
        "relationships": {"item_type": {"data": {"type": "item_type", "id": "quote"}}},
        "meta": {"created_at": "2024-01-01T00:00:00.000Z"},
    }


@given(
    doc=documents(text=_texts(), items=record_ids(), max_leaves=12),
    quote=_texts().map(lambda text: "Quote " + text),
)
def test_a_translated_folder_plans_the_translation_with_new_blocks(
    cma: FakeCma, doc: Document, quote: str
) -> None:
    rid = f"gen-{next(_IDS)}"
    prose = filter_nodes(doc, _no_blocks)
    children = [] if prose is None else list(prose.to_json()["document"]["children"])
    children.append({"type": "block", "item": _quote(f"{rid}-q", quote)})
    en = {"schema": "dast", "document": {"type": "root", "children": children}}
    cma.add_record({
        "type": "item",
        "id": rid,
        "attributes": {"title": {"en": "T", "de": "T"}, "body": {"en": en, "de": _DE}},
        "relationships": {"item_type": {"data": {"type": "item_type", "id": "article"}}},
    })
    with tempfile.TemporaryDirectory() as folder:
        with Client(cma.token, base_url=cma.base_url, limiter=RateLimiter(None)) as client:
            pull(client, folder, model="article", fields=["body"], locales=["en"], ids=[rid])
        sources = translation_sources(folder, "en")
        (source,) = sources.files
        segments = extract_segments(source.document, schema=sources.schema)
        data = write_xliff([XliffFile(source.path, segments, rid, "body")], "en", "it")
        store = tt_xliff.xlifffile.parsestring(data)
        for unit in store.getunits():
            unit.rich_target = [shout_rich(elem) for elem in unit.rich_source]
        back = read_xliff(bytes(store)).files[0]
        assert back.original == source.path and back.record_id == rid
        report = import_translations(folder, sources, {source.path: back.translations()}, "it")
        assert report.ok and report.written == [f"article/{rid}.body.it.dastdown"]
        (change,) = plan(folder).changes
        (edit,) = change.edits
    assert (edit.path, edit.locale, edit.translated) == (report.written[0], "it", True)
    assert edit.document is not None
    # the block: a new record (no id) whose text is translated
    *prose_out, block = edit.document.document.children
    assert isinstance(block, Block) and isinstance(block.item, dict)
    assert "id" not in block.item and "meta" not in block.item
    assert block.item["attributes"] == {"text": quote.upper()}
    # the prose: the upper-cased document, every mark, link and record in place
    expected = canonicalize(shouted(canonicalize(en)))
    assert tuple(prose_out) == expected.document.children[:-1]
    # and the text file holds that document (the block as the source's placeholder)
    *prose_text, placeholder = parse(edit.text).document.children
    assert tuple(prose_text) == tuple(prose_out)
    assert isinstance(placeholder, Block) and placeholder.item == f"{rid}-q"


@given(st.lists(st.sampled_from(["a", "b", "c"]), max_size=5),
       st.lists(st.sampled_from(["a", "b", "c"]), max_size=5))
def test_localize_blocks_reuses_each_same_block_once(source: list[str], target: list[str]) -> None:
    schema = make_site().schema
    src = {"schema": "dast", "document": {"type": "root", "children": [
        {"type": "block", "item": _quote(f"s{i}", text)} for i, text in enumerate(source)
    ] or [{"type": "paragraph", "children": [{"type": "span", "value": "x"}]}]}}
    tgt = {"schema": "dast", "document": {"type": "root", "children": [
        {"type": "block", "item": _quote(f"t{i}", text)} for i, text in enumerate(target)
    ] or [{"type": "paragraph", "children": [{"type": "span", "value": "x"}]}]}}
    out = localize_blocks(canonicalize(src), tgt, schema)
    items = [n.item for n in out.document.children if isinstance(n, Block)]
    # the content is the source's, in order
    assert [i["attributes"]["text"] for i in items] == source  # type: ignore[index]
    reused = [i["id"] for i in items if "id" in i]  # type: ignore[operator,index]
    # a target block is reused only for the same text, and at most once
    assert len(reused) == len(set(reused))
    assert all(target[int(r[1:])] == source[k] for k, r in
               [(k, i["id"]) for k, i in enumerate(items) if "id" in i])  # type: ignore[operator,index]
    # as many as the two sides share
    shared = sum(min(source.count(t), target.count(t)) for t in set(source))
    assert len(reused) == shared
