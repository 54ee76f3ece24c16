"""The asynchronous client of the Content Management API, on ``httpx.AsyncClient``.

Same requests, answers, retries and pacing as :class:`~dast.cma.client.Client`
(one shared core), with at most ``max_concurrency`` requests in flight.

>>> import asyncio
>>> from dast.cma.testing import FakeCma
>>> async def titles(cma):
...     async with AsyncClient(cma.token, base_url=cma.base_url) as client:
...         return [r["id"] async for r in client.items(type="article")]
>>> with FakeCma.example() as cma:
...     asyncio.run(titles(cma))
['article-1', 'article-2', 'article-3']
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Mapping
from typing import Any

import httpx
from tenacity import AsyncRetrying

from ..payload import UpdatePayload
from ..retry import Backoff, UpdateResult, update_with_retry_async
from ..schema import SchemaRepository
from ..shapes import unwrap_record
from ._core import (
    MAX_PAGE_SIZE,
    ClientStats,
    JsonCodec,
    Settings,
    Version,
    decode,
    item_params,
    page_params,
    page_records,
    request_parts,
    retry_policy,
    transport_error,
)
from .pacing import RateLimiter

__all__ = ["AsyncClient"]

AsyncTransform = (
    Callable[[dict[str, Any]], Awaitable[Mapping[str, Any]]]
    | Callable[[dict[str, Any]], Mapping[str, Any]]
)


class AsyncClient:
    """The async twin of :class:`~dast.cma.client.Client` (same arguments, awaited methods).

    ``max_concurrency`` bounds the requests in flight (default 8); the
    limiter still paces them all. The schema is fetched once with
    :meth:`load_schema` (or lazily by :meth:`update`).

    >>> AsyncClient("secret", base_url="http://127.0.0.1:9", max_concurrency=2)
    AsyncClient(base_url='http://127.0.0.1:9', environment=None, max_concurrency=2)
    """

    def __init__(
        self,
        api_token: str | None = None,
        *,
        base_url: str | None = None,
        environment: str | None = None,
        limiter: RateLimiter | None = None,
        backoff: Backoff | None = None,
        max_attempts: int = 8,
        timeout: float = 30.0,
        max_concurrency: int = 8,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        codec: JsonCodec | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        if max_concurrency < 1:
            raise ValueError("max_concurrency must be at least 1")
        self.settings = Settings.resolve(api_token, base_url=base_url, environment=environment)
        self.limiter = limiter if limiter is not None else RateLimiter()
        self.backoff = backoff if backoff is not None else Backoff(base=0.5, cap=30.0)
        self.max_attempts = max_attempts
        self.max_concurrency = max_concurrency
        self.stats = ClientStats()
        self.codec = codec if codec is not None else JsonCodec()
        self.sleep = sleep
        self._schema: SchemaRepository | None = None
        self._gate: asyncio.Semaphore | None = None
        self._schema_lock: asyncio.Lock | None = None
        self._http = httpx.AsyncClient(
            base_url=self.settings.base_url,
            headers=self.settings.headers(),
            timeout=timeout,
            transport=transport,
            limits=httpx.Limits(max_connections=max_concurrency),
        )

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(base_url={self.settings.base_url!r}, "
            f"environment={self.settings.environment!r}, "
            f"max_concurrency={self.max_concurrency})"
        )

    async def __aenter__(self) -> AsyncClient:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Close the connections.

        >>> asyncio.run(AsyncClient("t", base_url="http://127.0.0.1:9").aclose())
        """
        await self._http.aclose()

    # --- requests -------------------------------------------------------------------------

    async def _once(
        self, method: str, path: str, params: Mapping[str, str] | None, body: Any
    ) -> Any:
        if self._gate is None:
            self._gate = asyncio.Semaphore(self.max_concurrency)
        async with self._gate:
            wait = self.limiter.reserve()
            if wait > 0:
                await self.sleep(wait)
            self.stats.requests += 1
            token = self.settings.token
            try:
                response = await self._http.request(
                    method, path, params=params, content=request_parts(body, self.codec)
                )
            except httpx.HTTPError as exc:
                raise transport_error(exc, method, path, token) from None
        if response.status_code == 429:
            self.stats.rate_limited += 1
        return decode(response, method, path, token, self.codec)

    async def request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, str] | None = None,
        body: Any = None,
        locked_write: bool | None = None,
    ) -> Any:
        """Send one request (paced, retried, bounded); return the parsed JSON answer.

        >>> from dast.cma.testing import FakeCma
        >>> async def locales(cma):
        ...     async with AsyncClient(cma.token, base_url=cma.base_url) as client:
        ...         return (await client.request("GET", "/site"))["data"]["attributes"]["locales"]
        >>> with FakeCma.example() as cma:
        ...     asyncio.run(locales(cma))
        ['en', 'it']
        """
        if locked_write is None and method.upper() not in ("GET", "HEAD"):
            locked_write = False
        retrying = AsyncRetrying(
            sleep=self.sleep,
            **retry_policy(
                max_attempts=self.max_attempts,
                backoff=self.backoff,
                limiter=self.limiter,
                stats=self.stats,
                locked_write=locked_write,
            ),
        )
        return await retrying(self._once, method.upper(), path, params, body)

    # --- reads ----------------------------------------------------------------------------

    async def site(self) -> dict[str, Any]:
        """The project (``GET /site``).

        >>> from dast.cma.testing import FakeCma
        >>> async def site(cma):
        ...     async with AsyncClient(cma.token, base_url=cma.base_url) as client:
        ...         return (await client.site())["attributes"]["locales"]
        >>> with FakeCma.example() as cma:
        ...     asyncio.run(site(cma))
        ['en', 'it']
        """
        return dict((await self.request("GET", "/site"))["data"])

    async def load_schema(self) -> SchemaRepository:
        """Fetch every model and its fields once; return the schema (kept).

        >>> from dast.cma.testing import FakeCma
        >>> async def schema(cma):
        ...     async with AsyncClient(cma.token, base_url=cma.base_url) as client:
        ...         return (await client.load_schema()).is_block_model("quote")
        >>> with FakeCma.example() as cma:
        ...     asyncio.run(schema(cma))
        True
        """
        if self._schema_lock is None:
            self._schema_lock = asyncio.Lock()
        async with self._schema_lock:  # concurrent callers wait for one fetch
            if self._schema is None:
                types = await self.request("GET", "/item-types")
                bodies = await asyncio.gather(
                    *(self.request("GET", f"/item-types/{t['id']}/fields") for t in types["data"])
                )
                self._schema = SchemaRepository.from_dumps(types, list(bodies))
            return self._schema

    async def item(
        self, item_id: str, *, version: Version = "current", nested: bool = True
    ) -> dict[str, Any]:
        """One record (raw JSON:API shape), nested blocks as objects by default.

        >>> from dast.cma.testing import FakeCma
        >>> async def one(cma):
        ...     async with AsyncClient(cma.token, base_url=cma.base_url) as client:
        ...         return (await client.item("article-2"))["id"]
        >>> with FakeCma.example() as cma:
        ...     asyncio.run(one(cma))
        'article-2'
        """
        params = item_params(version=version, nested=nested)
        return dict(unwrap_record(await self.request("GET", f"/items/{item_id}", params=params)))

    async def items(
        self,
        *,
        type: str | None = None,
        ids: Iterable[str] | None = None,
        query: str | None = None,
        fields: Mapping[str, Any] | None = None,
        version: Version = "current",
        nested: bool = True,
        page_size: int = MAX_PAGE_SIZE,
    ) -> AsyncIterator[dict[str, Any]]:
        """Every record matching the filters, page by page (see ``Client.items``).

        >>> from dast.cma.testing import FakeCma
        >>> async def count(cma):
        ...     async with AsyncClient(cma.token, base_url=cma.base_url) as client:
        ...         return len([r async for r in client.items(ids=["article-3"])])
        >>> with FakeCma.example() as cma:
        ...     asyncio.run(count(cma))
        1
        """
        params = page_params(
            item_type=type,
            ids=None if ids is None else list(ids),
            query=query,
            fields=fields,
            version=version,
            nested=nested,
            page_size=page_size,
        )
        offset = 0
        while True:
            body = await self.request(
                "GET", "/items", params={**params, "page[offset]": str(offset)}
            )
            records, total = page_records(body)
            del body
            offset += len(records)
            for record in records:
                yield record
            if not records or offset >= total:
                return

    # --- writes ---------------------------------------------------------------------------

    async def update_item(self, payload: UpdatePayload) -> dict[str, Any]:
        """Send an update (``PUT /items/:id``); return the updated record.

        >>> from dast.cma.testing import FakeCma
        >>> from dast.cma import build_update_payload
        >>> async def bump(cma):
        ...     async with AsyncClient(cma.token, base_url=cma.base_url) as client:
        ...         record = await client.item("article-1")
        ...         payload = build_update_payload(
        ...             record, {"title": {"en": "New", "it": "Nuovo"}}, await client.load_schema())
        ...         return (await client.update_item(payload))["meta"]["current_version"]
        >>> with FakeCma.example() as cma:
        ...     asyncio.run(bump(cma))
        '2'
        """
        self.stats.writes += 1
        body = await self.request(
            "PUT",
            f"/items/{payload.item_id}",
            body=payload.jsonapi(),
            locked_write=payload.current_version is not None,
        )
        return dict(unwrap_record(body))

    async def update(
        self, item_id: str, transform: AsyncTransform, *, max_attempts: int = 5
    ) -> UpdateResult[dict[str, Any]]:
        """Fetch, transform, send with locking; retry when stale (``update_with_retry_async``).

        >>> from dast.cma.testing import FakeCma
        >>> async def retitle(cma):
        ...     async with AsyncClient(cma.token, base_url=cma.base_url) as client:
        ...         def edit(record):
        ...             record["attributes"]["title"]["en"] = "Hello"
        ...             return record
        ...         return (await client.update("article-1", edit)).attempts
        >>> with FakeCma.example() as cma:
        ...     asyncio.run(retitle(cma))
        1
        """
        schema = await self.load_schema()
        return await update_with_retry_async(
            lambda: self.item(item_id),
            self.update_item,
            transform,
            schema,
            max_attempts,
            sleep=self.sleep,
        )
