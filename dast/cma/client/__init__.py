"""HTTP clients of the DatoCMS Content Management API: :class:`Client` and :class:`AsyncClient`.

Both stand on one core (request builder, answer decoder, retry policy,
pagination) and httpx:

- auth with ``Authorization: Bearer <token>`` (the argument or
  ``DATOCMS_API_TOKEN``), ``X-Api-Version: 3``, ``X-Environment`` for a
  sandbox, base URL overridable (``base_url=`` / ``DATOCMS_BASE_URL``);
- reads of the site, models, fields (a :class:`~dast.cma.SchemaRepository`),
  one record and paginated records (``version=current`` and ``nested=true``
  by default: records as the editors see them);
- updates with an :class:`~dast.cma.UpdatePayload` and optimistic locking,
  and ``update(id, transform)`` over ``update_with_retry``;
- typed errors (:class:`~dast.cma.errors.ApiError` and its subclasses:
  status, error codes, details, request id; never the token);
- pacing (:class:`RateLimiter`, 60 requests per 3 s by default), ``429``
  honoured as its headers say, ``5xx`` / timeouts / connection errors
  retried with exponential backoff and jitter, a bounded number of times;
  bounded concurrency in the async client.

Dependencies: httpx (sync and async clients with one API, a transport seam,
HTTP/1.1 keep-alive) and tenacity (the retry loop: stop, wait and retry
conditions, sync and asyncio, injectable sleep). Pacing is local: see
:mod:`dast.cma.client.pacing` for why.

>>> from dast.cma.testing import FakeCma
>>> with FakeCma.example() as cma, Client(cma.token, base_url=cma.base_url) as client:
...     client.item("article-3")["attributes"]["title"]["en"]
'Third post'
"""

from ._core import DEFAULT_BASE_URL, MAX_PAGE_SIZE, ClientStats, JsonCodec, Version
from .aio import AsyncClient
from .pacing import RateLimiter, parse_rate
from .sync import Client

__all__ = [
    "DEFAULT_BASE_URL",
    "MAX_PAGE_SIZE",
    "AsyncClient",
    "Client",
    "ClientStats",
    "JsonCodec",
    "RateLimiter",
    "Version",
    "parse_rate",
]
