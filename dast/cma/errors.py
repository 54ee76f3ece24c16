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

from collections.abc import Mapping

from ..errors import DastError, Path, format_path

__all__ = [
    "BlockRecordError",
    "CmaError",
    "LocaleMismatchError",
    "PayloadError",
    "RetryExhausted",
    "SchemaError",
    "StaleItemVersion",
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


class StaleItemVersion(CmaError):
    """The signal for a ``422 STALE_ITEM_VERSION`` answer: the record changed.

    The ``send`` function given to ``update_with_retry`` raises it (build it
    from a response with ``dast.cma.retry.raise_for_stale_version``).

    >>> str(StaleItemVersion())
    'STALE_ITEM_VERSION: the record changed since it was fetched'
    """

    def __init__(
        self, message: str = "STALE_ITEM_VERSION: the record changed since it was fetched"
    ) -> None:
        super().__init__(message)


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
