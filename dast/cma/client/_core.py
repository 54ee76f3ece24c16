"""What the sync and async clients share: settings, requests, answers, retries, pages.

One request builder (:func:`request_parts`), one answer decoder
(:func:`decode`), one retry policy (:func:`retry_policy`, on tenacity) and
one pagination plan (:func:`page_params`); :class:`~dast.cma.client.Client`
and :class:`~dast.cma.client.AsyncClient` only drive them.

>>> settings = Settings.resolve("t0ken", base_url="http://127.0.0.1:9", environment="sandbox")
>>> settings.headers()["X-Environment"], "t0ken" in repr(settings)
('sandbox', False)
"""

from __future__ import annotations

import json
import os
import random
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

import httpx
from tenacity import RetryCallState, retry_if_exception, stop_after_attempt

from ..errors import (
    ApiError,
    AuthenticationError,
    NotFoundError,
    RateLimited,
    ServerError,
    StaleItemVersion,
    TransportError,
)
from ..retry import Backoff
from .pacing import RateLimiter

__all__ = [
    "DEFAULT_BASE_URL",
    "MAX_PAGE_SIZE",
    "ClientStats",
    "JsonCodec",
    "Settings",
    "Version",
    "decode",
    "item_params",
    "page_params",
    "page_records",
    "redact",
    "request_parts",
    "retry_policy",
    "transport_error",
]

DEFAULT_BASE_URL = "https://site-api.datocms.com"
"""The Content Management API."""

MAX_PAGE_SIZE = 500
"""The largest ``page[limit]`` the CMA accepts for records."""

Version = Literal["current", "published"]
"""Which version of a record to read: the editors' latest, or the published one."""

_REQUEST_ID_HEADERS = ("x-request-id", "x-api-request-id")


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


@dataclass(frozen=True)
class JsonCodec:
    """How request bodies are written and answers read (default: the ``json`` module).

    ``json`` recurses once per nesting level, so a record holding a document
    nested thousands of levels deep needs an iterative codec: the ``dastdown``
    command passes ``dastdown.cli.jsontext``'s.

    >>> JsonCodec().dumps({"a": [1]}), JsonCodec().loads('{"a": [1]}')
    ('{"a": [1]}', {'a': [1]})
    """

    loads: Callable[[str], Any] = json.loads
    dumps: Callable[[Any], str] = _dumps


_DEFAULT_CODEC = JsonCodec()


@dataclass(frozen=True)
class Settings:
    """Token, base URL and environment of a client (the token is never shown).

    >>> Settings.resolve("t", base_url="http://x/").base_url
    'http://x'
    """

    token: str = field(repr=False)
    base_url: str = DEFAULT_BASE_URL
    environment: str | None = None

    @classmethod
    def resolve(
        cls,
        api_token: str | None = None,
        *,
        base_url: str | None = None,
        environment: str | None = None,
    ) -> Settings:
        """Fill in from ``DATOCMS_API_TOKEN`` / ``DATOCMS_BASE_URL`` what is not given.

        >>> Settings.resolve("", base_url="http://x")  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        dast.cma.errors.AuthenticationError: no API token: pass api_token=... or set ...
        """
        token = api_token if api_token is not None else os.environ.get("DATOCMS_API_TOKEN", "")
        if not token:
            raise AuthenticationError("no API token: pass api_token=... or set DATOCMS_API_TOKEN")
        url = base_url or os.environ.get("DATOCMS_BASE_URL") or DEFAULT_BASE_URL
        return cls(token, url.rstrip("/"), environment or None)

    def headers(self) -> dict[str, str]:
        """The headers every request carries.

        >>> sorted(Settings("t", "http://x").headers())
        ['Accept', 'Authorization', 'Content-Type', 'X-Api-Version']
        """
        headers = {
            "Authorization": f"Bearer {self.token}",
            "Accept": "application/json",
            "Content-Type": "application/vnd.api+json",
            "X-Api-Version": "3",
        }
        if self.environment:
            headers["X-Environment"] = self.environment
        return headers


@dataclass
class ClientStats:
    """What a client did: requests sent, answered ``429``, retried, written.

    >>> ClientStats().requests
    0
    """

    requests: int = 0
    rate_limited: int = 0
    retried: int = 0
    writes: int = 0


def redact(text: str, token: str) -> str:
    """``text`` with every occurrence of the token replaced by ``***``.

    >>> redact("Bearer s3cr3t failed", "s3cr3t")
    'Bearer *** failed'
    """
    return text.replace(token, "***") if token else text


def request_parts(body: Any, codec: JsonCodec = _DEFAULT_CODEC) -> bytes | None:
    """The request body as JSON bytes (``None`` for no body).

    >>> request_parts({"data": {"id": "1"}})
    b'{"data": {"id": "1"}}'
    """
    return None if body is None else codec.dumps(body).encode("utf-8")


def _errors(body: Any) -> tuple[list[str], list[Mapping[str, Any]]]:
    codes: list[str] = []
    details: list[Mapping[str, Any]] = []
    data = body.get("data") if isinstance(body, Mapping) else None
    for error in data if isinstance(data, list) else ():
        attrs = error.get("attributes") if isinstance(error, Mapping) else None
        if isinstance(attrs, Mapping):
            if isinstance(attrs.get("code"), str):
                codes.append(attrs["code"])
            if isinstance(attrs.get("details"), Mapping):
                details.append(attrs["details"])
    return codes, details


def _retry_after(headers: httpx.Headers) -> float:
    for name in ("retry-after", "x-ratelimit-reset"):
        try:
            return max(float(headers[name]), 0.0)
        except (KeyError, ValueError):
            continue
    return 1.0


def _summary(details: Iterable[Mapping[str, Any]], fallback: str) -> str:
    parts = []
    for d in details:
        message = d.get("message")
        where = d.get("field") or d.get("field_api_key")
        if isinstance(message, str):
            parts.append(f"{where}: {message}" if isinstance(where, str) else message)
        elif isinstance(where, str):
            code = d.get("code")
            parts.append(f"{where}: {code}" if isinstance(code, str) else where)
    return "; ".join(parts) or fallback


def decode(
    response: httpx.Response, method: str, path: str, token: str, codec: JsonCodec = _DEFAULT_CODEC
) -> Any:
    """The parsed JSON of a 2xx answer; a typed ``ApiError`` for any other.

    401 ``AuthenticationError``, 404 ``NotFoundError``, 422 with
    ``STALE_ITEM_VERSION`` ``StaleItemVersion``, 429 ``RateLimited`` (with
    ``retry_after`` from ``Retry-After`` or ``X-RateLimit-Reset``), 5xx
    ``ServerError``, others ``ApiError``. The token is redacted from messages.

    >>> r = httpx.Response(404, json={"data": [{"type": "api_error", "attributes": {
    ...     "code": "NOT_FOUND", "details": {}}}]}, headers={"X-Request-Id": "r-1"})
    >>> decode(r, "GET", "/items/x", "tok")
    Traceback (most recent call last):
    ...
    dast.cma.errors.NotFoundError: GET /items/x: 404 NOT_FOUND: not found (request id r-1)
    """
    status = response.status_code
    if 200 <= status < 300:
        return codec.loads(response.text) if response.content else None
    try:
        body = codec.loads(response.text)
    except ValueError:
        body = None
    codes, details = _errors(body)
    request_id = next(
        (response.headers[h] for h in _REQUEST_ID_HEADERS if h in response.headers), None
    )
    message = redact(_summary(details, response.reason_phrase.lower() or "failed"), token)
    common: dict[str, Any] = {
        "status": status,
        "codes": codes,
        "details": details,
        "request_id": request_id,
        "method": method,
        "url_path": path,
    }
    if status == 422 and "STALE_ITEM_VERSION" in codes:
        raise StaleItemVersion("the record changed since it was fetched", **common)
    if status == 429:
        raise RateLimited(message, retry_after=_retry_after(response.headers), **common)
    kind: type[ApiError] = ApiError
    if status == 401:
        kind = AuthenticationError
    elif status == 404:
        kind = NotFoundError
    elif status >= 500:
        kind = ServerError
    raise kind(message, **common)


def transport_error(exc: Exception, method: str, path: str, token: str) -> TransportError:
    """A ``TransportError`` for an httpx failure (no answer), token redacted.

    >>> print(transport_error(httpx.ConnectError("refused"), "GET", "/site", "s3cr3t"))
    GET /site: ConnectError: refused
    """
    text = redact(f"{type(exc).__name__}: {exc}", token)
    return TransportError(text, method=method, url_path=path)


def _retryable(exc: BaseException, unlocked_write: bool) -> bool:
    if isinstance(exc, RateLimited):
        return True  # refused before being processed: always safe to send again
    # A write is retried on 5xx or a lost answer only when it carries the record's
    # version: a repeat of a write that did happen then fails with STALE_ITEM_VERSION
    # instead of applying twice (and creating its new blocks twice).
    return not unlocked_write and isinstance(exc, (ServerError, TransportError))


def retry_policy(
    *,
    max_attempts: int,
    backoff: Backoff,
    limiter: RateLimiter,
    stats: ClientStats,
    locked_write: bool | None,
) -> dict[str, Any]:
    """Keyword arguments for ``tenacity.Retrying`` / ``AsyncRetrying`` (without ``sleep``).

    Retries ``429`` (after pausing the limiter for what the headers say),
    ``5xx``, timeouts and connection errors, with exponential backoff and
    jitter, at most ``max_attempts`` tries in all; the last error is raised
    as it is. ``locked_write``: ``None`` for a read, ``True`` for a write
    carrying ``meta.current_version``, ``False`` for an unlocked write
    (retried on ``429`` only).

    >>> policy = retry_policy(max_attempts=3, backoff=Backoff(), limiter=RateLimiter(None),
    ...                       stats=ClientStats(), locked_write=None)
    >>> sorted(policy)
    ['after', 'reraise', 'retry', 'stop', 'wait']
    """
    write = locked_write is False

    def wait(state: RetryCallState) -> float:
        exc = state.outcome.exception() if state.outcome is not None else None
        if isinstance(exc, RateLimited):
            limiter.pause(exc.retry_after)  # holds this request (and every other) back
            # plus a little jitter, so that the requests held back do not all come at once
            return random.uniform(0.0, 0.1 * exc.retry_after)
        return backoff.delay(state.attempt_number)

    def after(state: RetryCallState) -> None:
        stats.retried += 1

    return {
        "retry": retry_if_exception(lambda exc: _retryable(exc, write)),
        "stop": stop_after_attempt(max_attempts),
        "wait": wait,
        "after": after,
        "reraise": True,
    }


def item_params(*, version: Version, nested: bool) -> dict[str, str]:
    """Query parameters for reading records.

    >>> item_params(version="current", nested=True)
    {'version': 'current', 'nested': 'true'}
    """
    if version not in ("current", "published"):
        raise ValueError(f"version must be 'current' or 'published', got {version!r}")
    params: dict[str, str] = {"version": version}
    if nested:
        params["nested"] = "true"
    return params


def page_params(
    *,
    item_type: str | None,
    ids: Iterable[str] | None,
    query: str | None,
    fields: Mapping[str, Any] | None,
    version: Version,
    nested: bool,
    page_size: int,
) -> dict[str, str]:
    """Query parameters of ``GET /items`` (without ``page[offset]``).

    ``fields`` is passed through as ``filter[fields][api_key][op]=value``.

    >>> page_params(item_type="article", ids=["a", "b"], query=None,
    ...     fields={"title": {"eq": "Hi"}}, version="current", nested=True, page_size=100)
    ... # doctest: +NORMALIZE_WHITESPACE
    {'version': 'current', 'nested': 'true', 'page[limit]': '100', 'filter[type]': 'article',
     'filter[ids]': 'a,b', 'filter[fields][title][eq]': 'Hi'}
    """
    if not 1 <= page_size <= MAX_PAGE_SIZE:
        raise ValueError(f"page_size must be between 1 and {MAX_PAGE_SIZE}, got {page_size}")
    params = item_params(version=version, nested=nested)
    params["page[limit]"] = str(page_size)
    if item_type:
        params["filter[type]"] = item_type
    if ids is not None:
        params["filter[ids]"] = ",".join(ids)
    if query:
        params["filter[query]"] = query
    for key, ops in (fields or {}).items():
        if isinstance(ops, Mapping):
            for op, value in ops.items():
                params[f"filter[fields][{key}][{op}]"] = str(value)
        else:
            params[f"filter[fields][{key}][eq]"] = str(ops)
    return params


def page_records(body: Any) -> tuple[list[Any], int]:
    """The records of one page and ``meta.total_count``.

    >>> page_records({"data": [{"id": "1"}], "meta": {"total_count": 7}})
    ([{'id': '1'}], 7)
    """
    data = body.get("data") if isinstance(body, Mapping) else None
    meta = body.get("meta") if isinstance(body, Mapping) else None
    total = meta.get("total_count") if isinstance(meta, Mapping) else None
    records = data if isinstance(data, list) else []
    return records, total if isinstance(total, int) else len(records)
