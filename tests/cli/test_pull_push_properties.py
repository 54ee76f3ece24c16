"""Round-trip properties of pull / push over the local CMA, on generated documents.

- a pulled folder nobody edited pushes nothing;
- an edited file pushes exactly the document it reads as (blocks restored),
  after which the folder is clean again.
"""

from __future__ import annotations

import asyncio
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from strategies import json_documents

from dast.cma._json import json_equal
from dast.cma.client import AsyncClient, Client, RateLimiter
from dast.cma.testing import FakeCma
from dast.nodes import Node, Span
from dast.walk import map_nodes
from dastdown import parse, serialize
from dastdown.workspace import plan, pull, push_async


def _quote(_: int) -> dict[str, Any]:
    return {
        "type": "item",
        "id": uuid.uuid4().hex,
        "attributes": {"text": "a quote"},
        "relationships": {"item_type": {"data": {"type": "item_type", "id": "quote"}}},
        "meta": {},
    }


BLOCKS = st.integers().map(_quote)


@pytest.fixture(scope="module")
def cma() -> Iterator[FakeCma]:
    with FakeCma.example(articles=1) as server:
        yield server


def _shout(node: Node, parent: Node | None, path: Any) -> Node:
    if isinstance(node, Span):
        return node.model_copy(update={"value": node.value.upper() + "!"})
    return node


async def _push(cma: FakeCma, folder: str) -> Any:
    async with AsyncClient(cma.token, base_url=cma.base_url, limiter=RateLimiter(None)) as c:
        return await push_async(c, folder)


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(doc=json_documents(items=BLOCKS, max_leaves=12))
def test_pull_then_push_sends_exactly_the_edit(cma: FakeCma, doc: dict[str, Any]) -> None:
    record = cma.record("article-1")
    record["attributes"]["body"]["en"] = doc
    cma.add_record(record)
    with tempfile.TemporaryDirectory() as folder:
        with Client(cma.token, base_url=cma.base_url, limiter=RateLimiter(None)) as client:
            pull(client, folder, model="article", fields=["body"], locales=["en"])
        assert plan(folder).changes == []  # nothing edited: nothing to send
        writes = len(cma.writes())
        path = Path(folder, "article", "article-1.body.en.dastdown")
        text = serialize(map_nodes(parse(path.read_text(), doc), _shout))
        path.write_text(text)
        report = asyncio.run(_push(cma, folder))
        assert report.ok
        expected = parse(text, doc)
        stored = cma.record("article-1")["attributes"]["body"]["en"]
        assert json_equal(stored, expected)
        assert len(cma.writes()) - writes == len(report.pushed) <= 1
        assert plan(folder).changes == []  # clean again
