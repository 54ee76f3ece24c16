"""The local CMA keeps the real API's rules for writes (blocks, locales, locking, types)."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

import pytest

from dast.cma.client import Client, RateLimiter
from dast.cma.errors import ApiError, StaleItemVersion
from dast.cma.retry import Backoff
from dast.cma.testing import Exchange, FakeCma, Faults


@pytest.fixture
def cma() -> Iterator[FakeCma]:
    with FakeCma.example(articles=3) as server:
        yield server


@pytest.fixture
def client(cma: FakeCma) -> Iterator[Client]:
    with Client(
        cma.token, base_url=cma.base_url, backoff=Backoff(0.001, 0.01), limiter=RateLimiter(None)
    ) as c:
        yield c


def put(
    client: Client, item_id: str, attributes: dict[str, Any], version: str | None = None
) -> Any:
    data: dict[str, Any] = {"type": "item", "id": item_id, "attributes": attributes}
    if version is not None:
        data["meta"] = {"current_version": version}
    return client.request("PUT", f"/items/{item_id}", body={"data": data}, locked_write=True)


def body(cma: FakeCma, item_id: str, locale: str = "en") -> list[dict[str, Any]]:
    return cma.record(item_id)["attributes"]["body"][locale]["document"]["children"]  # type: ignore[no-any-return]


def doc(*children: Any) -> dict[str, Any]:
    return {"schema": "dast", "document": {"type": "root", "children": list(children)}}


def para(text: str) -> dict[str, Any]:
    return {"type": "paragraph", "children": [{"type": "span", "value": text}]}


def test_block_rules_keep_edit_create_and_delete(cma: FakeCma, client: Client) -> None:
    before = body(cma, "article-1")
    cta = before[4]["item"]
    new_quote = {
        "type": "item",
        "attributes": {"text": "Brand new"},
        "relationships": {"item_type": {"data": {"type": "item_type", "id": "quote"}}},
    }
    edited_cta = {"type": "item", "id": cta["id"], "attributes": {"label": "Buy Acme"}}
    en = doc(
        para("kept heading text"),
        {"type": "block", "item": edited_cta},  # edit: only the label is sent
        {"type": "block", "item": new_quote},  # create
    )  # q1 (the first quote) is left out: deleted
    put(
        client,
        "article-1",
        {"body": {"en": en, "it": cma.record("article-1")["attributes"]["body"]["it"]}},
    )
    after = body(cma, "article-1")
    kept_cta = after[1]["item"]
    assert kept_cta["id"] == cta["id"] and kept_cta["attributes"]["label"] == "Buy Acme"
    assert kept_cta["attributes"]["body"] == cta["attributes"]["body"]  # nested block untouched
    created = after[2]["item"]
    assert created["id"] and created["id"] != "q1" and created["attributes"]["text"] == "Brand new"
    assert all(c.get("item", {}).get("id") != "q1" for c in after)
    assert cma.record("article-1")["meta"]["current_version"] == "2"


def test_an_id_string_keeps_the_block_whole(cma: FakeCma, client: Client) -> None:
    en = doc(para("x"), {"type": "block", "item": "c1"})
    it = cma.record("article-1")["attributes"]["body"]["it"]
    put(client, "article-1", {"body": {"en": en, "it": it}})
    assert body(cma, "article-1")[1]["item"]["attributes"]["label"] == "Try Acme"


def test_only_the_fields_sent_change(cma: FakeCma, client: Client) -> None:
    before = cma.record("article-2")["attributes"]
    put(client, "article-2", {"views": 5})
    after = cma.record("article-2")["attributes"]
    assert (
        after["views"] == 5
        and after["title"] == before["title"]
        and after["body"] == before["body"]
    )


@pytest.mark.parametrize(
    ("attributes", "code", "text"),
    [
        ({"nope": 1}, "INVALID_FIELD", "unknown field 'nope'"),
        ({"views": "many"}, "INVALID_FIELD", "takes an integer"),
        ({"title": {"en": "only en"}}, "INVALID_LOCALES", "one locale set"),
        (
            {"body": {"en": doc({"type": "block", "item": "ghost"}), "it": doc(para("x"))}},
            "INVALID_FIELD",
            "'ghost' is not in this record",
        ),
        (
            {
                "body": {
                    "en": {
                        "schema": "dast",
                        "document": {"type": "root", "children": [{"type": "span", "value": "x"}]},
                    },
                    "it": doc(para("x")),
                }
            },
            "INVALID_FIELD",
            "a root cannot contain a span",
        ),
        (
            {
                "body": {
                    "en": doc(
                        {
                            "type": "block",
                            "item": {
                                "type": "item",
                                "attributes": {"name": "x"},
                                "relationships": {
                                    "item_type": {"data": {"type": "item_type", "id": "author"}}
                                },
                            },
                        }
                    ),
                    "it": doc(para("x")),
                }
            },
            "INVALID_FIELD",
            "does not allow blocks of model 'author'",
        ),
    ],
)
def test_refused_writes_say_why_and_change_nothing(
    cma: FakeCma, client: Client, attributes: dict[str, Any], code: str, text: str
) -> None:
    before = cma.record("article-1")
    with pytest.raises(ApiError) as info:
        put(client, "article-1", attributes)
    assert info.value.status == 422 and info.value.codes == (code,)
    assert text in str(info.value)
    assert cma.record("article-1") == before


def test_locking(cma: FakeCma, client: Client) -> None:
    put(client, "article-3", {"views": 1}, version="1")
    with pytest.raises(StaleItemVersion):
        put(client, "article-3", {"views": 2}, version="1")
    assert cma.record("article-3")["attributes"]["views"] == 1
    assert cma.edit("article-3", {"views": 3}) == "3"


def test_rate_limit_headers(cma: FakeCma, client: Client) -> None:
    cma.faults.rate_limit = (2, 5.0)
    response = client._http.get("/site")
    assert response.headers["X-RateLimit-Limit"] == "2"
    assert response.headers["X-RateLimit-Remaining"] == "1"
    client._http.get("/site")
    limited = client._http.get("/site")
    assert limited.status_code == 429 and 0 < float(limited.headers["X-RateLimit-Reset"]) <= 5


def test_the_log_tells_writes_from_reads(cma: FakeCma, client: Client) -> None:
    client.item("article-1")
    put(client, "article-1", {"views": 4})
    assert [(e.method, e.status, e.is_write) for e in cma.log] == [
        ("GET", 200, False),
        ("PUT", 200, True),
    ]
    assert cma.writes() == [Exchange("PUT", "/items/article-1", 200, "main", applied=True)]


def test_random_faults_are_seeded() -> None:
    def statuses() -> list[int]:
        with (
            FakeCma.example(faults=Faults(error_rate=0.5, seed=1)) as cma,
            Client(
                cma.token, base_url=cma.base_url, max_attempts=1, limiter=RateLimiter(None)
            ) as client,
        ):
            for _ in range(20):
                with contextlib.suppress(ApiError):
                    client.site()
            return [e.status for e in cma.log]

    first = statuses()
    assert first == statuses() and 200 in first and any(s >= 500 for s in first)
