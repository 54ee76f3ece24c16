"""Errors raised by the DatoCMS helpers, each saying what went wrong and where.

Every error carries ``path``: where in the value the problem sits, as a tuple
like ``("sections", 0, "attributes", "cards", 1)`` (``()`` when the problem is
not tied to one place). The message starts with that path.

>>> try:
...     raise BlockRecordError("a nested block is only an id", ("sections", 0))
... except DastError as exc:
...     print(exc)
sections[0]: a nested block is only an id
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from ..errors import DastError, Path, format_path

__all__ = [
    "ApiError",
    "AuthenticationError",
    "BlockRecordError",
    "CmaError",
    "LocaleMismatchError",
    "NotFoundError",
    "PayloadError",
    "RateLimited",
    "RetryExhausted",
    "SchemaError",
    "ServerError",
    "StaleItemVersion",
    "TransportError",
]


class CmaError(DastError):
    """Base class of the DatoCMS helpers' errors; ``path`` says where.

    >>> CmaError("boom", ("title", "en")).path
    ('title', 'en')
    """

    def __init__(self, message: str, path: Path = ()) -> None:
        self.path: Path = tuple(path)
        self.reason = message
        where = format_path(self.path)
        super().__init__(f"{where}: {message}" if where else message)


class SchemaError(CmaError, LookupError):
    """A schema dump is malformed, or a model / field is not in the schema.

    >>> str(SchemaError("unknown item type 'x'"))
    "unknown item type 'x'"
    """


class BlockRecordError(CmaError, ValueError):
    """A block record has a shape the helpers cannot use.

    >>> BlockRecordError("no item type", (0,)).path
    (0,)
    """


class PayloadError(CmaError, ValueError):
    """An update payload cannot be built from these two records.

    >>> str(PayloadError("unknown field 'titel'", ("titel",)))
    "titel: unknown field 'titel'"
    """


class LocaleMismatchError(PayloadError):
    """The localized fields of a desired record do not share one locale set.

    ``locale_sets`` maps each localized field's api_key to its locales.

    >>> err = LocaleMismatchError({"title": ("en", "it"), "content": ("en",)})
    >>> print(err)
    localized fields must share one locale set: content has en; title has en, it
    """

    def __init__(self, locale_sets: Mapping[str, tuple[str, ...]], note: str = "") -> None:
        self.locale_sets = dict(locale_sets)
        parts = "; ".join(
            f"{key} has {', '.join(locales) or 'no locale'}"
            for key, locales in sorted(self.locale_sets.items())
        )
        super().__init__(f"localized fields must share one locale set: {parts}{note}")


class ApiError(CmaError):
    """A request to the Content Management API failed (any non-2xx answer).

    ``status`` is the HTTP status (``None`` when no answer came), ``codes``
    the API's error codes (``"INVALID_FIELD"``...), ``details`` their
    ``details`` objects, ``request_id`` the server's request id header, and
    ``method`` / ``url_path`` the request (the path only: no host, no token).
    The API token never appears in any of them.

    >>> err = ApiError("field 'title' is invalid", status=422, codes=("INVALID_FIELD",),
    ...                method="PUT", url_path="/items/r1", request_id="abc")
    >>> print(err)
    PUT /items/r1: 422 INVALID_FIELD: field 'title' is invalid (request id abc)
    >>> err.status, err.codes
    (422, ('INVALID_FIELD',))
    """

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        codes: Sequence[str] = (),
        details: Sequence[Mapping[str, Any]] = (),
        request_id: str | None = None,
        method: str = "",
        url_path: str = "",
    ) -> None:
        self.status = status
        self.codes: tuple[str, ...] = tuple(codes)
        self.details: tuple[Mapping[str, Any], ...] = tuple(details)
        self.request_id = request_id
        self.method = method
        self.url_path = url_path
        head = " ".join(part for part in (method, url_path) if part)
        what = " ".join(
            part for part in (str(status) if status is not None else "", *self.codes) if part
        )
        text = ": ".join(part for part in (head, what, message) if part)
        if request_id:
            text += f" (request id {request_id})"
        super().__init__(text)


class AuthenticationError(ApiError):
    """``401``: the API token is missing, wrong or lacks the permission.

    >>> AuthenticationError("bad token", status=401).status
    401
    """


class NotFoundError(ApiError):
    """``404``: no such record, model or environment.

    >>> NotFoundError("no record", status=404).status
    404
    """


class RateLimited(ApiError):
    """``429``: too many requests; ``retry_after`` says how many seconds to wait.

    >>> RateLimited("slow down", status=429, retry_after=1.5).retry_after
    1.5
    """

    def __init__(self, message: str, *, retry_after: float = 1.0, **kwargs: Any) -> None:
        self.retry_after = retry_after
        super().__init__(message, **kwargs)


class ServerError(ApiError):
    """``5xx``: the server failed; the request may be retried.

    >>> ServerError("oops", status=503).status
    503
    """


class TransportError(ApiError):
    """No answer: the connection failed, was reset, or timed out.

    >>> TransportError("timed out", method="GET", url_path="/site").status is None
    True
    """


class StaleItemVersion(ApiError):
    """The signal for a ``422 STALE_ITEM_VERSION`` answer: the record changed.

    The ``send`` function given to ``update_with_retry`` raises it (build it
    from a response with ``dast.cma.retry.raise_for_stale_version``); the
    clients of ``dast.cma.client`` raise it with the answer's status,
    code and request id.

    >>> str(StaleItemVersion())
    'STALE_ITEM_VERSION: the record changed since it was fetched'
    """

    def __init__(
        self,
        message: str = "STALE_ITEM_VERSION: the record changed since it was fetched",
        **kwargs: Any,
    ) -> None:
        super().__init__(message, **kwargs)


class RetryExhausted(CmaError):
    """Every attempt of ``update_with_retry`` met a stale version.

    >>> RetryExhausted(5).attempts
    5
    """

    def __init__(self, attempts: int) -> None:
        self.attempts = attempts
        super().__init__(
            f"gave up after {attempts} attempts: the record kept changing "
            "(422 STALE_ITEM_VERSION each time)"
        )
