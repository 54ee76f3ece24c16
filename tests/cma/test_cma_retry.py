"""update_with_retry: optimistic locking against the server model, sync and async."""

from __future__ import annotations

import asyncio
import copy
from typing import Any

import pytest
from cma_support import Server, ServerRejected, fixture_record, fixture_schema

from dast.cma.errors import PayloadError, RetryExhausted, StaleItemVersion
from dast.cma.payload import UpdatePayload
from dast.cma.retry import (
    is_stale_version_response,
    raise_for_stale_version,
    update_with_retry,
    update_with_retry_async,
)
from dast.errors import DastError

SCHEMA = fixture_schema()

STALE_BODY = {
    "data": [
        {
            "id": "e1",
            "type": "api_error",
            "attributes": {"code": "STALE_ITEM_VERSION", "details": {}},
        }
    ]
}


class Site:
    """A server holding one record; ``meddle`` edits it behind the caller's back."""

    def __init__(self, meddle_times: int = 0) -> None:
        self.server = Server(SCHEMA, fixture_record())
        self.meddle_times = meddle_times
        self.fetches = 0
        self.sends: list[UpdatePayload] = []

    def fetch(self) -> dict[str, Any]:
        self.fetches += 1
        return {"data": copy.deepcopy(self.server.stored)}  # a response body

    def send(self, payload: UpdatePayload) -> dict[str, Any]:
        self.sends.append(payload)
        if self.meddle_times:
            self.meddle_times -= 1
            meta = self.server.stored["meta"]
            self.server.stored["attributes"]["reading_time"] += 100  # someone else's save
            meta["current_version"] = str(int(meta["current_version"].split("+")[0]) + 1)
        try:
            return {"data": self.server.apply(payload.jsonapi())}
        except ServerRejected as rejected:
            if str(rejected) == "STALE_ITEM_VERSION":
                raise_for_stale_version(422, STALE_BODY)
            raise


def add_minute(record: dict[str, Any]) -> dict[str, Any]:
    record["attributes"]["reading_time"] += 1  # edits the copy it is given, in place
    return record


def test_first_attempt_succeeds() -> None:
    site = Site()
    result = update_with_retry(site.fetch, site.send, add_minute, SCHEMA)
    assert (result.sent, result.attempts, site.fetches) == (True, 1, 1)
    assert site.server.stored["attributes"]["reading_time"] == 8
    assert result.response is not None
    assert result.payload is not None and result.payload.changed_fields == ("reading_time",)


def test_stale_version_fetches_again_and_reapplies_the_transform() -> None:
    site = Site(meddle_times=2)
    seen: list[int] = []

    def transform(record: dict[str, Any]) -> dict[str, Any]:
        seen.append(record["attributes"]["reading_time"])
        return add_minute(record)

    result = update_with_retry(site.fetch, site.send, transform, SCHEMA)
    assert result.attempts == 3 and site.fetches == 3
    assert seen == [7, 107, 207]  # each attempt transformed the fresh record
    assert [p.current_version for p in site.sends] == ["8065211", "8065212", "8065213"]
    assert site.server.stored["attributes"]["reading_time"] == 208  # nothing lost


def test_attempts_are_bounded() -> None:
    site = Site(meddle_times=10)
    with pytest.raises(RetryExhausted) as info:
        update_with_retry(site.fetch, site.send, add_minute, SCHEMA, max_attempts=3)
    assert info.value.attempts == 3 and len(site.sends) == 3
    assert isinstance(info.value.__cause__, StaleItemVersion)
    assert isinstance(info.value, DastError)
    assert "gave up after 3 attempts" in str(info.value)


def test_other_errors_propagate_without_retry() -> None:
    site = Site()

    def broken_send(payload: UpdatePayload) -> None:
        raise ConnectionError("network down")

    with pytest.raises(ConnectionError, match="network down"):
        update_with_retry(site.fetch, broken_send, add_minute, SCHEMA)
    assert site.fetches == 1

    def bad_transform(record: dict[str, Any]) -> dict[str, Any]:
        record["attributes"]["titel"] = "typo"
        return record

    with pytest.raises(PayloadError, match="has no field 'titel'"):
        update_with_retry(site.fetch, site.send, bad_transform, SCHEMA)
    assert site.sends == []


def test_nothing_to_change_sends_nothing() -> None:
    site = Site()
    result = update_with_retry(site.fetch, site.send, lambda r: r, SCHEMA)
    assert (result.sent, result.response, site.sends) == (False, None, [])
    assert result.payload is not None and result.payload.is_empty


def test_a_transform_that_forgets_to_return_is_caught() -> None:
    site = Site()
    with pytest.raises(PayloadError, match="transform returned None"):
        update_with_retry(site.fetch, site.send, lambda r: None, SCHEMA)  # type: ignore[arg-type,return-value]


def test_max_attempts_must_be_positive() -> None:
    site = Site()
    with pytest.raises(DastError, match="max_attempts must be a positive integer"):
        update_with_retry(site.fetch, site.send, add_minute, SCHEMA, max_attempts=0)


def test_async_twin_retries_the_same_way() -> None:
    site = Site(meddle_times=1)

    async def fetch() -> dict[str, Any]:
        await asyncio.sleep(0)
        return site.fetch()

    async def send(payload: UpdatePayload) -> dict[str, Any]:
        await asyncio.sleep(0)
        return site.send(payload)

    async def transform(record: dict[str, Any]) -> dict[str, Any]:
        return add_minute(record)

    result = asyncio.run(update_with_retry_async(fetch, send, transform, SCHEMA))
    assert result.attempts == 2 and result.sent
    assert site.server.stored["attributes"]["reading_time"] == 108
    site = Site(meddle_times=9)
    with pytest.raises(RetryExhausted):
        asyncio.run(update_with_retry_async(fetch, send, transform, SCHEMA, max_attempts=2))


@pytest.mark.parametrize(
    ("status", "body", "stale"),
    [
        (422, STALE_BODY, True),
        (None, STALE_BODY, True),
        (422, '{"data": [{"attributes": {"code": "STALE_ITEM_VERSION"}}]}', True),
        (422, b'{"data": [{"attributes": {"code": "STALE_ITEM_VERSION"}}]}', True),
        (500, STALE_BODY, False),
        (422, {"data": [{"attributes": {"code": "INVALID_FIELD"}}]}, False),
        (422, "<html>bad gateway</html>", False),
        (422, {"errors": []}, False),
    ],
    ids=[
        "dict",
        "no-status",
        "text",
        "bytes",
        "other-status",
        "other-code",
        "not-json",
        "other-shape",
    ],
)
def test_reading_a_stale_version_answer(status: int | None, body: Any, stale: bool) -> None:
    assert is_stale_version_response(status, body) is stale
    if stale:
        with pytest.raises(StaleItemVersion):
            raise_for_stale_version(status, body)
    else:
        raise_for_stale_version(status, body)
