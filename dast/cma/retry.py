"""Update a record with optimistic locking: fetch, transform, send, and retry if stale.

:func:`update_with_retry` knows no HTTP: you give it ``fetch()`` (returns
the record as ``GET /items/:id?nested=true`` does), ``send(payload)`` (sends
an :class:`~dast.cma.payload.UpdatePayload`, returns whatever you like) and
``transform(record)`` (returns the record as you want it). When the server
answers ``422 STALE_ITEM_VERSION``, ``send`` raises
:class:`~dast.cma.errors.StaleItemVersion` (``raise_for_stale_version(status,
body)`` does that from any response); the record is fetched again, the
transform applied again to the fresh record, and the new payload sent, up to
``max_attempts`` times, waiting between attempts with exponential backoff and
full jitter (:class:`Backoff`: a random delay up to ``base * 2**(attempt-1)``,
at most ``cap`` seconds) so that writers racing on one record spread out.
Other errors propagate untouched.

A recipe with nothing but the standard library::

    import json, urllib.error, urllib.request
    HEADERS = {"Authorization": f"Bearer {TOKEN}", "Accept": "application/json",
               "X-Api-Version": "3", "Content-Type": "application/vnd.api+json"}
    def call(method, path, body=None):
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request("https://site-api.datocms.com" + path,
                                         data=data, method=method, headers=HEADERS)
        try:
            with urllib.request.urlopen(request) as response:
                return json.load(response)
        except urllib.error.HTTPError as error:
            raise_for_stale_version(error.code, error.read())  # 422 stale: retry
            raise
    result = update_with_retry(
        lambda: call("GET", f"/items/{ITEM_ID}?nested=true"),
        lambda payload: call("PUT", f"/items/{ITEM_ID}", payload.jsonapi()),
        transform, schema)

>>> from dast.cma.schema import SchemaRepository, ItemTypeSchema, FieldSchema
>>> schema = SchemaRepository([ItemTypeSchema("A", "article")],
...                           {"A": [FieldSchema("F", "views", "integer", False, "A")]})
>>> server = {"type": "item", "id": "r1", "item_type": {"type": "item_type", "id": "A"},
...           "views": 1, "meta": {"current_version": "1"}}
>>> def send(payload):
...     if payload.current_version == "1":  # someone else saved in between
...         server.update(views=10, meta={"current_version": "2"})
...         raise StaleItemVersion()
...     server.update(payload.flat())
...     return "ok"
>>> def add_one(record):
...     return {**record, "views": record["views"] + 1}
>>> result = update_with_retry(lambda: dict(server), send, add_one, schema)
>>> result.attempts, result.response, server["views"]
(2, 'ok', 11)
"""

from __future__ import annotations

import asyncio
import inspect
import json
import random
import time
from collections.abc import Awaitable, Callable, Collection, Generator, Mapping
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from ._json import copy_json
from .errors import CmaError, PayloadError, RetryExhausted, StaleItemVersion
from .payload import UpdatePayload, build_update_payload
from .schema import SchemaRepository
from .shapes import unwrap_record

__all__ = [
    "Backoff",
    "StaleItemVersion",
    "UpdateResult",
    "is_stale_version_response",
    "raise_for_stale_version",
    "update_with_retry",
    "update_with_retry_async",
]

T = TypeVar("T")

STALE_CODE = "STALE_ITEM_VERSION"


def _body(body: Any) -> Any:
    if isinstance(body, (bytes, bytearray)):
        body = body.decode("utf-8", "replace")
    if isinstance(body, str):
        try:
            return json.loads(body)
        except ValueError:
            return None
    return body


def is_stale_version_response(status: int | None, body: Any) -> bool:
    """Whether a response is ``422`` with error code ``STALE_ITEM_VERSION``.

    ``body`` is the parsed JSON, or its text / bytes. ``status`` may be
    ``None`` when only the body is known.

    >>> is_stale_version_response(422, {"data": [{"type": "api_error",
    ...     "attributes": {"code": "STALE_ITEM_VERSION", "details": {}}}]})
    True
    >>> is_stale_version_response(422, b'{"data": [{"attributes": {"code": "INVALID_FIELD"}}]}')
    False
    """
    if status is not None and status != 422:
        return False
    errors = _body(body)
    errors = errors.get("data") if isinstance(errors, Mapping) else None
    if not isinstance(errors, list):
        return False
    return any(
        isinstance(e, Mapping)
        and isinstance(e.get("attributes"), Mapping)
        and e["attributes"].get("code") == STALE_CODE
        for e in errors
    )


def raise_for_stale_version(status: int | None, body: Any) -> None:
    """Raise ``StaleItemVersion`` if the response is a stale-version answer; else return.

    >>> raise_for_stale_version(200, {"data": {}}) is None
    True
    """
    if is_stale_version_response(status, body):
        raise StaleItemVersion()


@dataclass(frozen=True)
class Backoff:
    """Exponential backoff with full jitter: how long to wait before attempt ``n + 1``.

    ``delay(n)`` is uniform in ``[0, min(cap, base * 2**(n-1))]`` (AWS's "full
    jitter"), or exactly that bound with ``jitter=False``. Shared by
    ``update_with_retry`` (stale versions) and ``dast.cma.client`` (5xx,
    timeouts, connection errors).

    >>> Backoff(base=0.5, cap=3.0, jitter=False).delay(1), Backoff(0.5, 3.0, False).delay(4)
    (0.5, 3.0)
    >>> 0 <= Backoff(base=0.1).delay(3) <= 0.4
    True
    """

    base: float = 0.05
    cap: float = 2.0
    jitter: bool = True

    def delay(self, attempt: int) -> float:
        """The wait after failed attempt number ``attempt`` (1-based), in seconds.

        >>> Backoff(base=1.0, jitter=False).delay(2)
        2.0
        """
        bound = min(self.cap, self.base * 2.0 ** max(attempt - 1, 0))
        return random.uniform(0.0, bound) if self.jitter else bound


DEFAULT_BACKOFF = Backoff()


@dataclass(frozen=True)
class UpdateResult(Generic[T]):
    """How an ``update_with_retry`` went.

    ``response`` is what ``send`` returned (``None`` if nothing was sent
    because nothing changed), ``payload`` the payload of the last attempt,
    ``attempts`` how many fetches it took.

    >>> UpdateResult(None, None, 1).sent
    False
    """

    response: T | None
    payload: UpdatePayload | None
    attempts: int
    sent: bool = False


_Step = tuple[str, Any]


def _attempts(
    schema: SchemaRepository,
    max_attempts: int,
    managed_locales: Collection[str] | None,
    backoff: Backoff | None,
) -> Generator[_Step, Any, UpdateResult[Any]]:
    """The retry loop, once for both drivers: yields ("fetch"|"transform"|"send"|"wait", arg)."""
    if not isinstance(max_attempts, int) or max_attempts < 1:
        raise CmaError(f"max_attempts must be a positive integer, got {max_attempts!r}")
    for attempt in range(1, max_attempts + 1):
        record = unwrap_record((yield ("fetch", None)))
        desired = yield ("transform", copy_json(record))
        if desired is None:
            raise PayloadError("transform returned None: did it forget to return the record?")
        payload = build_update_payload(record, desired, schema, managed_locales=managed_locales)
        if payload.is_empty:
            return UpdateResult(None, payload, attempt, sent=False)
        try:
            response = yield ("send", payload)
        except StaleItemVersion as stale:
            if attempt == max_attempts:
                raise RetryExhausted(max_attempts) from stale
            if backoff is not None:
                yield ("wait", backoff.delay(attempt))
            continue
        return UpdateResult(response, payload, attempt, sent=True)
    raise AssertionError("unreachable")  # pragma: no cover


def update_with_retry(
    fetch: Callable[[], Mapping[str, Any]],
    send: Callable[[UpdatePayload], T],
    transform: Callable[[dict[str, Any]], Mapping[str, Any]],
    schema: SchemaRepository,
    max_attempts: int = 5,
    *,
    managed_locales: Collection[str] | None = None,
    backoff: Backoff | None = DEFAULT_BACKOFF,
    sleep: Callable[[float], object] = time.sleep,
) -> UpdateResult[T]:
    """Fetch, transform, build the payload (with the fetched version), send; retry if stale.

    ``transform`` gets a deep copy of the fetched record (it may edit it in
    place and return it). An empty diff sends nothing. ``RetryExhausted``
    after ``max_attempts`` stale answers; any other error propagates.
    Between attempts it calls ``sleep(backoff.delay(attempt))`` (``backoff=None``:
    no wait).

    >>> from dast.cma.schema import SchemaRepository, ItemTypeSchema
    >>> schema = SchemaRepository([ItemTypeSchema("A", "a")], {"A": []})
    >>> record = {"type": "item", "id": "r", "item_type": {"type": "item_type", "id": "A"}}
    >>> update_with_retry(lambda: record, print, lambda r: r, schema).sent
    False
    """
    steps: dict[str, Callable[[Any], Any]] = {
        "fetch": lambda _: fetch(),
        "send": send,
        "transform": transform,
        "wait": sleep,
    }
    walk = _attempts(schema, max_attempts, managed_locales, backoff)
    step = next(walk)
    while True:
        try:
            result = steps[step[0]](step[1])
        except Exception as exc:  # handed to the loop, which retries or re-raises
            step = _throw(walk, exc)
        else:
            step = _send(walk, result)
        if isinstance(step, UpdateResult):
            return step


def _send(walk: Generator[_Step, Any, UpdateResult[Any]], value: Any) -> Any:
    try:
        return walk.send(value)
    except StopIteration as done:
        return done.value


def _throw(walk: Generator[_Step, Any, UpdateResult[Any]], exc: Exception) -> Any:
    try:
        return walk.throw(exc)
    except StopIteration as done:
        return done.value


async def update_with_retry_async(
    fetch: Callable[[], Awaitable[Mapping[str, Any]]] | Callable[[], Mapping[str, Any]],
    send: Callable[[UpdatePayload], Awaitable[T]],
    transform: Callable[[dict[str, Any]], Awaitable[Mapping[str, Any]]]
    | Callable[[dict[str, Any]], Mapping[str, Any]],
    schema: SchemaRepository,
    max_attempts: int = 5,
    *,
    managed_locales: Collection[str] | None = None,
    backoff: Backoff | None = DEFAULT_BACKOFF,
    sleep: Callable[[float], Awaitable[object]] = asyncio.sleep,
) -> UpdateResult[T]:
    """Like ``update_with_retry``, awaiting ``fetch``, ``send`` and ``transform``.

    Each may also be a plain function (its result is used as is); between
    attempts it awaits ``sleep(backoff.delay(attempt))``.

    >>> import asyncio
    >>> from dast.cma.schema import SchemaRepository, ItemTypeSchema
    >>> schema = SchemaRepository([ItemTypeSchema("A", "a")], {"A": []})
    >>> async def fetch():
    ...     return {"type": "item", "id": "r", "item_type": {"type": "item_type", "id": "A"}}
    >>> asyncio.run(update_with_retry_async(fetch, print, lambda r: r, schema)).attempts
    1
    """
    steps: dict[str, Callable[[Any], Any]] = {
        "fetch": lambda _: fetch(),
        "send": send,
        "transform": transform,
        "wait": sleep,
    }
    walk = _attempts(schema, max_attempts, managed_locales, backoff)
    step = next(walk)
    while True:
        try:
            result = steps[step[0]](step[1])
            if inspect.isawaitable(result):
                result = await result
        except Exception as exc:  # handed to the loop, which retries or re-raises
            step = _throw(walk, exc)
        else:
            step = _send(walk, result)
        if isinstance(step, UpdateResult):
            return step
