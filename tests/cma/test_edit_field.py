"""edit_field: rewrite a field across a site with locking, over the local CMA."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from dast.cma.client import Client, RateLimiter
from dast.cma.edit import edit_field
from dast.cma.errors import SchemaError
from dast.cma.retry import Backoff
from dast.cma.testing import FakeCma
from dast.nodes import Document, Node, Span
from dast.walk import map_nodes


@pytest.fixture
def cma() -> Iterator[FakeCma]:
    with FakeCma.example(articles=5) as server:
        yield server


@pytest.fixture
def client(cma: FakeCma) -> Iterator[Client]:
    with Client(
        cma.token, base_url=cma.base_url, backoff=Backoff(0.001, 0.01), limiter=RateLimiter(None)
    ) as c:
        c.sleep = lambda seconds: None
        yield c


def rename(value: Any) -> Document:
    def fix(node: Node, parent: Node | None, path: Any) -> Node:
        if isinstance(node, Span) and "Acme" in node.value:
            return node.model_copy(update={"value": node.value.replace("Acme", "Apex")})
        return node

    return map_nodes(Document.model_validate(value), fix)


def test_renaming_a_brand_keeps_blocks_and_other_locales(cma: FakeCma, client: Client) -> None:
    before = {i: cma.record(i) for i in cma.record_ids()}
    report = edit_field(client, model="article", field="body", fn=rename, locales=["en"])
    assert report.ok and report.updated == cma.record_ids() and not report.unchanged
    for rid, old in before.items():
        new = cma.record(rid)["attributes"]["body"]
        text = json.dumps([c for c in new["en"]["document"]["children"] if c["type"] != "block"])
        assert "Acme" not in text and "Apex" in text  # spans; block records are not text
        assert new["it"] == old["attributes"]["body"]["it"]  # the locale not asked for
        old_blocks = [
            c["item"]
            for c in old["attributes"]["body"]["en"]["document"]["children"]
            if c["type"] == "block"
        ]
        new_blocks = [c["item"] for c in new["en"]["document"]["children"] if c["type"] == "block"]
        assert new_blocks == old_blocks  # blocks (and the blocks nested in them) intact
    for put in cma.writes():  # untouched blocks travel as their ids
        children = put.body["data"]["attributes"]["body"]["en"]["document"]["children"]
        assert all(isinstance(c["item"], str) for c in children if c["type"] == "block")


def test_records_fn_leaves_alone_are_not_written(cma: FakeCma, client: Client) -> None:
    report = edit_field(client, model="article", field="body", fn=lambda v: v)
    assert report.unchanged == cma.record_ids() and cma.writes() == []
    report = edit_field(
        client, model="article", field="views", fn=lambda n: n + 1, ids=["article-2"]
    )
    assert report.updated == ["article-2"] and cma.record("article-2")["attributes"]["views"] == 21


def test_a_record_that_keeps_changing_is_a_conflict(cma: FakeCma, client: Client) -> None:
    def meddle(n: int) -> int:
        cma.edit("article-3", {"views": n + 100})  # someone saves every time we read
        return n + 1

    report = edit_field(
        client, model="article", field="views", fn=meddle, ids=["article-3"], max_attempts=3
    )
    assert report.conflicts == ["article-3"] and not report.ok


def test_a_bad_value_fails_its_record_only(cma: FakeCma, client: Client) -> None:
    def bad_for_two(title: str) -> Any:
        return 42 if title == "Second post" else title + "!"

    report = edit_field(client, model="article", field="title", fn=bad_for_two)
    assert list(report.failed) == ["article-2"]
    assert "title.en: field 'title' (string) takes a string" in report.failed["article-2"]
    assert report.updated == ["article-1", "article-3", "article-4", "article-5"]
    assert cma.record("article-2")["attributes"]["title"]["en"] == "Second post"


def test_unknown_field_is_refused_before_anything_is_sent(cma: FakeCma, client: Client) -> None:
    with pytest.raises(SchemaError):
        edit_field(client, model="article", field="nope", fn=lambda v: v)
    assert cma.writes() == []
