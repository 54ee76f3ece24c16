"""update_with_retry waits with backoff and jitter between stale attempts (issue 10, section 4)."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from dast.cma.errors import RetryExhausted, StaleItemVersion
from dast.cma.retry import Backoff, update_with_retry, update_with_retry_async
from dast.cma.schema import FieldSchema, ItemTypeSchema, SchemaRepository

SCHEMA = SchemaRepository(
    [ItemTypeSchema("A", "a")], {"A": [FieldSchema("F", "n", "integer", False, "A")]}
)


def _record() -> dict[str, Any]:
    return {"type": "item", "id": "r", "item_type": {"type": "item_type", "id": "A"}, "n": 1}


def _always_stale(payload: Any) -> None:
    raise StaleItemVersion()


def test_waits_grow_exponentially_and_stay_under_the_cap() -> None:
    waits: list[float] = []
    with pytest.raises(RetryExhausted):
        update_with_retry(
            _record,
            _always_stale,
            lambda r: {**r, "n": 2},
            SCHEMA,
            max_attempts=6,
            backoff=Backoff(base=1.0, cap=8.0, jitter=False),
            sleep=waits.append,
        )
    assert waits == [1.0, 2.0, 4.0, 8.0, 8.0]  # no wait after the last attempt


def test_jitter_spreads_the_waits() -> None:
    waits: list[float] = []
    for _ in range(30):
        with pytest.raises(RetryExhausted):
            update_with_retry(
                _record,
                _always_stale,
                lambda r: {**r, "n": 2},
                SCHEMA,
                max_attempts=2,
                backoff=Backoff(base=1.0),
                sleep=waits.append,
            )
    assert all(0.0 <= w <= 1.0 for w in waits) and len(set(waits)) > 20


def test_no_wait_when_the_first_attempt_succeeds_or_backoff_is_none() -> None:
    waits: list[float] = []
    update_with_retry(_record, lambda p: "ok", lambda r: {**r, "n": 2}, SCHEMA, sleep=waits.append)
    assert waits == []
    with pytest.raises(RetryExhausted):
        update_with_retry(
            _record, _always_stale, lambda r: {**r, "n": 2}, SCHEMA, backoff=None,
            sleep=waits.append,
        )
    assert waits == []


def test_the_async_twin_awaits_its_sleep() -> None:
    waits: list[float] = []

    async def sleep(seconds: float) -> None:
        waits.append(seconds)

    async def send(payload: Any) -> None:
        raise StaleItemVersion()

    with pytest.raises(RetryExhausted):
        asyncio.run(
            update_with_retry_async(
                _record, send, lambda r: {**r, "n": 2}, SCHEMA, max_attempts=3,
                backoff=Backoff(base=0.5, jitter=False), sleep=sleep,
            )
        )
    assert waits == [0.5, 1.0]
