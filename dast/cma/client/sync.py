"""The synchronous client of the Content Management API, on ``httpx.Client``.

>>> from dast.cma.testing import FakeCma
>>> with FakeCma.example() as cma, Client(cma.token, base_url=cma.base_url) as client:
...     [record["id"] for record in client.items(type="article")][:2]
['article-1', 'article-2']
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any, TypeVar

import httpx
from tenacity import Retrying

from ..payload import UpdatePayload
from ..retry import Backoff, UpdateResult, update_with_retry
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

__all__ = ["Client"]

T = TypeVar("T")

Transform = Callable[[dict[str, Any]], Mapping[str, Any]]


class Client:
    """Read and update records of one DatoCMS project (and environment).

    ``api_token`` defaults to ``DATOCMS_API_TOKEN``, ``base_url`` to
    ``DATOCMS_BASE_URL`` or ``https://site-api.datocms.com``; ``environment``
    sends ``X-Environment``. Requests are paced by ``limiter`` (default 60
    per 3 s, the CMA's limit; share one limiter between clients using one
    token); ``429``, ``5xx``, timeouts and connection errors are retried
    with ``backoff`` up to ``max_attempts`` tries. Every non-2xx answer
    raises a :class:`~dast.cma.errors.ApiError` subclass. ``sleep`` and the
    limiter's clock are injectable for tests; ``transport`` is httpx's seam;
    ``codec`` reads and writes JSON (see ``JsonCodec``: deep documents).
    Thread-safe; close it (or use ``with``).

    >>> Client("secret", base_url="http://127.0.0.1:9")
    Client(base_url='http://127.0.0.1:9', environment=None)
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
        sleep: Callable[[float], None] = time.sleep,
        codec: JsonCodec | None = None,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.settings = Settings.resolve(api_token, base_url=base_url, environment=environment)
        self.limiter = limiter if limiter is not None else RateLimiter()
        self.backoff = backoff if backoff is not None else Backoff(base=0.5, cap=30.0)
        self.max_attempts = max_attempts
        self.stats = ClientStats()
        self.codec = codec if codec is not None else JsonCodec()
        self.sleep = sleep
        self._schema: SchemaRepository | None = None
        self._http = httpx.Client(
            base_url=self.settings.base_url,
            headers=self.settings.headers(),
            timeout=timeout,
            transport=transport,
        )

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(base_url={self.settings.base_url!r}, "
            f"environment={self.settings.environment!r})"
        )

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the connections.

        >>> Client("t", base_url="http://127.0.0.1:9").close()
        """
        self._http.close()

    # --- requests -------------------------------------------------------------------------

    def _once(self, method: str, path: str, params: Mapping[str, str] | None, body: Any) -> Any:
        wait = self.limiter.reserve()
        if wait > 0:
            self.sleep(wait)
        self.stats.requests += 1
        token = self.settings.token
        try:
            content = request_parts(body, self.codec)
            response = self._http.request(method, path, params=params, content=content)
        except httpx.HTTPError as exc:
            raise transport_error(exc, method, path, token) from None
        if response.status_code == 429:
            self.stats.rate_limited += 1
        return decode(response, method, path, token, self.codec)

    def request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, str] | None = None,
        body: Any = None,
        locked_write: bool | None = None,
    ) -> Any:
        """Send one request (paced, retried); return the parsed JSON answer.

        ``path`` starts with ``/`` (``"/site"``). ``locked_write`` says a
        write carries ``meta.current_version`` (then it is retried like a
        read); an unlocked write (``False``) is retried only on ``429``.

        >>> from dast.cma.testing import FakeCma
        >>> with FakeCma.example() as cma, Client(cma.token, base_url=cma.base_url) as client:
        ...     client.request("GET", "/site")["data"]["attributes"]["locales"]
        ['en', 'it']
        """
        if locked_write is None and method.upper() not in ("GET", "HEAD"):
            locked_write = False
        retrying = Retrying(
            sleep=self.sleep,
            **retry_policy(
                max_attempts=self.max_attempts,
                backoff=self.backoff,
                limiter=self.limiter,
                stats=self.stats,
                locked_write=locked_write,
            ),
        )
        return retrying(self._once, method.upper(), path, params, body)

    # --- reads ----------------------------------------------------------------------------

    def site(self) -> dict[str, Any]:
        """The project (``GET /site``): its attributes include ``locales``.

        >>> from dast.cma.testing import FakeCma
        >>> with FakeCma.example() as cma, Client(cma.token, base_url=cma.base_url) as client:
        ...     client.site()["type"]
        'site'
        """
        return dict(self.request("GET", "/site")["data"])

    def locales(self) -> list[str]:
        """The project's locales, main locale first.

        >>> from dast.cma.testing import FakeCma
        >>> with FakeCma.example() as cma, Client(cma.token, base_url=cma.base_url) as client:
        ...     client.locales()
        ['en', 'it']
        """
        return list(self.site()["attributes"]["locales"])

    def item_types(self) -> list[dict[str, Any]]:
        """Every model and block model (``GET /item-types``), as JSON:API resources.

        >>> from dast.cma.testing import FakeCma
        >>> with FakeCma.example() as cma, Client(cma.token, base_url=cma.base_url) as client:
        ...     sorted(t["attributes"]["api_key"] for t in client.item_types())[:2]
        ['article', 'author']
        """
        return list(self.request("GET", "/item-types")["data"])

    def fields(self, item_type_id: str) -> list[dict[str, Any]]:
        """The fields of a model (``GET /item-types/:id/fields``), as JSON:API resources.

        >>> from dast.cma.testing import FakeCma
        >>> with FakeCma.example() as cma, Client(cma.token, base_url=cma.base_url) as client:
        ...     [f["attributes"]["api_key"] for f in client.fields("article")][:2]
        ['title', 'body']
        """
        return list(self.request("GET", f"/item-types/{item_type_id}/fields")["data"])

    def schema(self) -> SchemaRepository:
        """The project's schema, fetched lazily (each endpoint once) and kept.

        >>> from dast.cma.testing import FakeCma
        >>> with FakeCma.example() as cma, Client(cma.token, base_url=cma.base_url) as client:
        ...     client.schema().field("article", "body").field_type
        'structured_text'
        """
        if self._schema is None:
            self._schema = SchemaRepository.from_fetch(lambda path: self.request("GET", "/" + path))
        return self._schema

    def item(
        self, item_id: str, *, version: Version = "current", nested: bool = True
    ) -> dict[str, Any]:
        """One record (raw JSON:API shape), nested blocks as objects by default.

        >>> from dast.cma.testing import FakeCma
        >>> with FakeCma.example() as cma, Client(cma.token, base_url=cma.base_url) as client:
        ...     client.item("article-1")["meta"]["current_version"]
        '1'
        """
        params = item_params(version=version, nested=nested)
        return dict(unwrap_record(self.request("GET", f"/items/{item_id}", params=params)))

    def items(
        self,
        *,
        type: str | None = None,
        ids: Iterable[str] | None = None,
        query: str | None = None,
        fields: Mapping[str, Any] | None = None,
        version: Version = "current",
        nested: bool = True,
        page_size: int = MAX_PAGE_SIZE,
    ) -> Iterator[dict[str, Any]]:
        """Every record matching the filters, one page (``page_size`` records) at a time.

        ``type`` is a model's api_key or id (``filter[type]``), ``ids`` the
        records' ids, ``query`` a full-text query, ``fields`` a
        ``filter[fields]`` object (``{"title": {"matches": ...}}``). Reads the
        editors' current version by default (lists default to the published
        one on the server, which would skip drafts). Pages are fetched as the
        iteration goes, until ``meta.total_count`` records were seen.

        >>> from dast.cma.testing import FakeCma
        >>> with FakeCma.example() as cma, Client(cma.token, base_url=cma.base_url) as client:
        ...     len(list(client.items(type="article", page_size=1)))
        3
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
            body = self.request("GET", "/items", params={**params, "page[offset]": str(offset)})
            records, total = page_records(body)
            del body
            offset += len(records)
            yield from records
            if not records or offset >= total:
                return

    # --- writes ---------------------------------------------------------------------------

    def update_item(self, payload: UpdatePayload) -> dict[str, Any]:
        """Send an update (``PUT /items/:id``); return the updated record.

        With ``meta.current_version`` in the payload, a record changed since
        raises :class:`~dast.cma.errors.StaleItemVersion`.

        >>> from dast.cma.testing import FakeCma
        >>> from dast.cma import build_update_payload
        >>> with FakeCma.example() as cma, Client(cma.token, base_url=cma.base_url) as client:
        ...     record = client.item("article-1")
        ...     payload = build_update_payload(record, {"title": {"en": "New", "it": "Nuovo"}},
        ...                                    client.schema())
        ...     client.update_item(payload)["meta"]["current_version"]
        '2'
        """
        self.stats.writes += 1
        body = self.request(
            "PUT",
            f"/items/{payload.item_id}",
            body=payload.jsonapi(),
            locked_write=payload.current_version is not None,
        )
        return dict(unwrap_record(body))

    def update(
        self, item_id: str, transform: Transform, *, max_attempts: int = 5
    ) -> UpdateResult[dict[str, Any]]:
        """Fetch, transform, send the minimal payload with locking; retry when stale.

        ``update_with_retry`` over this client (nested record, current version).

        >>> from dast.cma.testing import FakeCma
        >>> with FakeCma.example() as cma, Client(cma.token, base_url=cma.base_url) as client:
        ...     def retitle(record):
        ...         record["attributes"]["title"]["en"] = "Hello"
        ...         return record
        ...     client.update("article-1", retitle).sent
        True
        """
        return update_with_retry(
            lambda: self.item(item_id),
            self.update_item,
            transform,
            self.schema(),
            max_attempts,
            sleep=self.sleep,
        )
