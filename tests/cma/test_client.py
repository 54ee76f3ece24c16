"""dast.cma.client against the local CMA over real loopback HTTP (no mocked transport)."""

from __future__ import annotations

import asyncio
import copy
import dataclasses
import time
from collections.abc import Iterator
from typing import Any

import pytest

from dast.cma import build_update_payload
from dast.cma.client import AsyncClient, Client, RateLimiter, parse_rate
from dast.cma.errors import (
    ApiError,
    AuthenticationError,
    NotFoundError,
    ServerError,
    StaleItemVersion,
    TransportError,
)
from dast.cma.retry import Backoff
from dast.cma.testing import FakeCma

FAST = Backoff(base=0.001, cap=0.01)
SECRET = "s3cr3t-token-value"


@pytest.fixture
def cma() -> Iterator[FakeCma]:
    with FakeCma.example(articles=7, token=SECRET) as server:
        yield server


def client_for(cma: FakeCma, **kwargs: Any) -> Client:
    kwargs.setdefault("backoff", FAST)
    kwargs.setdefault("limiter", RateLimiter(None))
    return Client(cma.token, base_url=cma.base_url, **kwargs)


def gets(cma: FakeCma, path: str) -> int:
    return sum(1 for e in cma.log if e.method == "GET" and e.path == path)


def test_pagination_reads_every_page_in_order(cma: FakeCma) -> None:
    with client_for(cma) as client:
        ids = [r["id"] for r in client.items(type="article", page_size=3)]
    assert ids == [f"article-{n}" for n in range(1, 8)]
    assert gets(cma, "/items") == 3  # 3 + 3 + 1, stops at meta.total_count


def test_records_come_current_and_nested_by_default(cma: FakeCma) -> None:
    cma.edit("article-1", {"views": 1234})
    with client_for(cma) as client:
        current = client.item("article-1")
        published = client.item("article-1", version="published", nested=False)
        listed = next(client.items(ids=["article-1"]))
    assert current["attributes"]["views"] == 1234 and listed["attributes"]["views"] == 1234
    assert published["attributes"]["views"] == 10
    quote = current["attributes"]["body"]["en"]["document"]["children"][2]["item"]
    assert quote["id"] == "q1" and quote["attributes"]["text"] == "Acme is great."
    assert published["attributes"]["body"]["en"]["document"]["children"][2]["item"] == "q1"


def test_filters_pass_through(cma: FakeCma) -> None:
    with client_for(cma) as client:
        assert [r["id"] for r in client.items(ids=["article-2", "article-5"])] == [
            "article-2",
            "article-5",
        ]
        assert [r["id"] for r in client.items(type="article", query="Third")] == ["article-3"]
        by_field = client.items(type="article", fields={"views": {"eq": 40}})
        assert [r["id"] for r in by_field] == ["article-4"]
        assert list(client.items(type="author")) == []


def test_schema_site_and_locales(cma: FakeCma) -> None:
    with client_for(cma) as client:
        schema = client.schema()
        assert schema.field("article", "body").localized
        assert schema.is_block_model("cta") and not schema.is_block_model("article")
        assert client.locales() == ["en", "it"]
        schema.fields("article")
        schema.fields("article")
    assert gets(cma, "/item-types") == 1 and gets(cma, "/item-types/article/fields") == 1


def test_update_sends_the_minimal_payload_with_locking(cma: FakeCma) -> None:
    with client_for(cma) as client:
        record = client.item("article-1")
        want = copy.deepcopy(record)
        want["attributes"]["views"] = 11
        updated = client.update_item(build_update_payload(record, want, client.schema()))
        assert updated["meta"]["current_version"] == "2"
        with pytest.raises(StaleItemVersion) as info:  # the old version again
            client.update_item(build_update_payload(record, want, client.schema()))
    assert info.value.status == 422 and info.value.codes == ("STALE_ITEM_VERSION",)
    assert info.value.request_id and info.value.request_id.startswith("fake-")
    assert cma.record("article-1")["attributes"]["views"] == 11


def test_update_retries_on_a_concurrent_edit(cma: FakeCma) -> None:
    seen: list[int] = []

    def add_one(record: dict[str, Any]) -> dict[str, Any]:
        seen.append(record["attributes"]["views"])
        if len(seen) == 1:
            cma.edit("article-2", {"views": 500})  # a colleague saves in between
        record["attributes"]["views"] += 1
        return record

    with client_for(cma) as client:
        result = client.update("article-2", add_one)
    assert result.sent and result.attempts == 2 and seen == [20, 500]
    assert cma.record("article-2")["attributes"]["views"] == 501


def test_errors_are_typed_and_never_show_the_token(cma: FakeCma) -> None:
    wrong = Client("wrong-" + SECRET, base_url=cma.base_url, backoff=FAST)
    with wrong as client, pytest.raises(AuthenticationError) as info:
        client.site()
    err = info.value
    assert err.status == 401 and err.codes == ("INVALID_AUTHORIZATION_HEADER",)
    assert SECRET not in str(err) and SECRET not in repr(err.args) and "GET /site" in str(err)
    with client_for(cma) as client:
        with pytest.raises(NotFoundError) as missing:
            client.item("nope")
        assert missing.value.status == 404 and SECRET not in str(missing.value)
        assert SECRET not in repr(client)


def test_token_and_base_url_from_the_environment(
    cma: FakeCma, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DATOCMS_API_TOKEN", cma.token)
    monkeypatch.setenv("DATOCMS_BASE_URL", cma.base_url)
    with Client() as client:
        assert client.locales() == ["en", "it"]
    monkeypatch.delenv("DATOCMS_API_TOKEN")
    with pytest.raises(AuthenticationError, match="DATOCMS_API_TOKEN"):
        Client()


def test_environment_header(cma: FakeCma) -> None:
    with client_for(cma, environment="sandbox") as client, pytest.raises(NotFoundError):
        client.site()
    cma.environments.append("sandbox")
    with client_for(cma, environment="sandbox") as client:
        client.site()
    assert cma.log[-1].environment == "sandbox"


def test_5xx_and_resets_are_retried_with_backoff(cma: FakeCma) -> None:
    cma.faults.fail_next = [503, 0, 502]
    with client_for(cma) as client:
        assert client.item("article-3")["id"] == "article-3"
        assert client.stats.retried == 3
        cma.faults.fail_next = [500] * 10
        with pytest.raises(ServerError) as info:
            client.item("article-3")
    assert info.value.status == 500
    assert client.stats.requests == 4 + client.max_attempts


def test_an_unlocked_write_is_not_repeated_after_a_5xx(cma: FakeCma) -> None:
    with client_for(cma) as client:
        record = client.item("article-1")
        want = copy.deepcopy(record)
        want["attributes"]["views"] = 77
        payload = build_update_payload(record, want, client.schema())
        unlocked = dataclasses.replace(payload, current_version=None)
        cma.faults.fail_next = [503]
        with pytest.raises(ServerError):
            client.update_item(unlocked)
        cma.faults.fail_next = [503]
        assert client.update_item(payload)["attributes"]["views"] == 77


def test_a_lost_reply_is_seen_as_stale_and_update_counts_it_done(cma: FakeCma) -> None:
    cma.faults.lost_reply_rate = 1.0
    with client_for(cma) as client:

        def retitle(record: dict[str, Any]) -> dict[str, Any]:
            record["attributes"]["views"] = 999
            cma.faults.lost_reply_rate = 0.0 if len(cma.writes()) else 1.0
            return record

        result = client.update("article-1", retitle)
    assert cma.record("article-1")["attributes"]["views"] == 999
    assert len(cma.writes()) == 1  # applied once, never twice
    assert not result.sent  # the second attempt found the edit already there


def test_429_is_survived_by_waiting_as_the_headers_say(cma: FakeCma) -> None:
    cma.faults.rate_limit = (4, 0.2)
    start = time.monotonic()
    with client_for(cma) as client:  # no client-side pacing: the server says when
        ids = [r["id"] for r in client.items(page_size=1)]
    assert len(ids) == 7
    assert client.stats.rate_limited >= 1
    assert time.monotonic() - start < 3


def test_client_side_pacing_keeps_429_away(cma: FakeCma) -> None:
    cma.faults.rate_limit = (4, 0.2)
    with client_for(cma, limiter=RateLimiter(4, 0.2, margin=0.1)) as client:
        assert len(list(client.items(page_size=1))) == 7
    assert client.stats.rate_limited == 0
    assert all(e.status != 429 for e in cma.log)


def test_a_connection_refused_is_a_transport_error() -> None:
    with FakeCma.example() as cma:
        url = cma.base_url
    refused = Client("t", base_url=url, backoff=FAST, max_attempts=2)
    with refused as client, pytest.raises(TransportError) as info:
        client.site()
    assert info.value.status is None and isinstance(info.value, ApiError)


def test_rate_limiter_books_a_sliding_window() -> None:
    now = [0.0]
    limiter = RateLimiter(3, 1.0, clock=lambda: now[0], margin=0.0)
    assert [limiter.reserve() for _ in range(4)] == [0.0, 0.0, 0.0, 1.0]
    now[0] = 0.5
    assert limiter.reserve() == 0.5  # the second request's slot frees at 1.0
    assert parse_rate("60/3") == (60, 3.0)
    with pytest.raises(ValueError):
        parse_rate("fast")


# --- the async client ------------------------------------------------------------------------


def test_async_client_pages_and_bounds_concurrency(cma: FakeCma) -> None:
    cma.faults.delay = 0.03

    async def run() -> tuple[list[str], list[str]]:
        async with AsyncClient(
            cma.token,
            base_url=cma.base_url,
            max_concurrency=2,
            backoff=FAST,
            limiter=RateLimiter(None),
        ) as client:
            listed = [r["id"] async for r in client.items(type="article", page_size=2)]
            fetched = await asyncio.gather(*(client.item(i) for i in listed))
            return listed, [r["id"] for r in fetched]

    listed, fetched = asyncio.run(run())
    assert listed == fetched == [f"article-{n}" for n in range(1, 8)]
    assert cma.peak_in_flight == 2


def test_async_client_survives_faults_and_updates(cma: FakeCma) -> None:
    cma.faults.fail_next = [502, 0]
    cma.faults.rate_limit = (5, 0.2)

    async def run() -> list[int]:
        async with AsyncClient(
            cma.token, base_url=cma.base_url, backoff=FAST, limiter=RateLimiter(None)
        ) as client:

            def double(record: dict[str, Any]) -> dict[str, Any]:
                record["attributes"]["views"] *= 2
                return record

            results = await asyncio.gather(
                *(client.update(f"article-{n}", double) for n in range(1, 8))
            )
            return [r.attempts for r in results]

    attempts = asyncio.run(run())
    assert len(attempts) == 7
    assert [cma.record(f"article-{n}")["attributes"]["views"] for n in range(1, 8)] == [
        20 * n for n in range(1, 8)
    ]
