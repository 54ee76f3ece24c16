"""One code path for localized (``{locale: value}``) and non-localized field values.

Every helper takes the field value and whether the field is localized (a
bool, or the ``FieldSchema``). A non-localized value is treated as one entry
whose locale is ``None``; a localized one as one entry per locale, in the
order the object lists them. Callbacks get ``(locale, value)``.

>>> to_normalized_field_value_entries({"en": "Hi", "it": "Ciao"}, True)
[('en', 'Hi'), ('it', 'Ciao')]
>>> to_normalized_field_value_entries("Hi", False)
[(None, 'Hi')]
>>> map_normalized_field_values({"en": "a"}, True, lambda locale, value: value.upper())
{'en': 'A'}
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Mapping
from typing import Any

from .._traverse import Walker, drive, drive_async
from ..errors import Path
from .errors import CmaError
from .schema import FieldSchema

__all__ = [
    "Entry",
    "every_normalized_field_value",
    "every_normalized_field_value_async",
    "filter_normalized_field_values",
    "filter_normalized_field_values_async",
    "from_normalized_field_value_entries",
    "map_normalized_field_values",
    "map_normalized_field_values_async",
    "some_normalized_field_values",
    "some_normalized_field_values_async",
    "to_normalized_field_value_entries",
    "visit_normalized_field_values",
    "visit_normalized_field_values_async",
]

Entry = tuple[str | None, Any]
"""``(locale, value)``; the locale is ``None`` for a non-localized value."""

Localized = bool | FieldSchema


def _is_localized(localized: Localized) -> bool:
    return localized.localized if isinstance(localized, FieldSchema) else bool(localized)


def to_normalized_field_value_entries(
    value: Any, localized: Localized, path: Path = ()
) -> list[Entry]:
    """The value as ``[(locale, value), ...]`` (``[(None, value)]`` if not localized).

    A localized value of ``None`` (no locale at all) gives ``[]``.

    >>> to_normalized_field_value_entries(None, True)
    []
    """
    if not _is_localized(localized):
        return [(None, value)]
    if value is None:
        return []
    if not isinstance(value, Mapping):
        raise CmaError(
            f"a localized value must be an object keyed by locale, got {type(value).__name__}",
            path,
        )
    return list(value.items())


def from_normalized_field_value_entries(
    entries: Iterable[Entry], localized: Localized, path: Path = ()
) -> Any:
    """The inverse of ``to_normalized_field_value_entries``.

    >>> from_normalized_field_value_entries([("en", 1), ("it", 2)], True)
    {'en': 1, 'it': 2}
    >>> from_normalized_field_value_entries([(None, "x")], False)
    'x'
    """
    items = list(entries)
    if _is_localized(localized):
        out: dict[str, Any] = {}
        for locale, value in items:
            if not isinstance(locale, str):
                raise CmaError(f"a localized entry needs a locale string, got {locale!r}", path)
            out[locale] = value
        return out
    if len(items) != 1 or items[0][0] is not None:
        raise CmaError(
            f"a non-localized value is exactly one entry with locale None, got {items!r}", path
        )
    return items[0][1]


# --- walkers: each helper is written once, run by the engine's sync or async driver --------


def _map(value: Any, localized: Localized) -> Walker[Any]:
    entries = to_normalized_field_value_entries(value, localized)
    out: list[Entry] = []
    for locale, v in entries:
        out.append((locale, (yield (locale, v))))
    return from_normalized_field_value_entries(out, localized)


def _filter(value: Any, localized: Localized) -> Walker[Any]:
    kept: list[Entry] = []
    for locale, v in to_normalized_field_value_entries(value, localized):
        if (yield (locale, v)):
            kept.append((locale, v))
    if not _is_localized(localized):
        return value if kept else None
    return from_normalized_field_value_entries(kept, localized)


def _visit(value: Any, localized: Localized) -> Walker[None]:
    # not ``yield from``: it would pass the visitor's results to the list's iterator
    for entry in to_normalized_field_value_entries(value, localized):  # noqa: UP028
        yield entry


def _some(value: Any, localized: Localized) -> Walker[bool]:
    for entry in to_normalized_field_value_entries(value, localized):
        if (yield entry):
            return True
    return False


def _every(value: Any, localized: Localized) -> Walker[bool]:
    for entry in to_normalized_field_value_entries(value, localized):
        if not (yield entry):
            return False
    return True


def map_normalized_field_values(
    value: Any, localized: Localized, mapper: Callable[[str | None, Any], Any]
) -> Any:
    """Apply ``mapper(locale, value)`` to each locale (or to the single value).

    >>> map_normalized_field_values(2, False, lambda locale, value: value * 10)
    20
    """
    return drive(_map(value, localized), mapper)


def filter_normalized_field_values(
    value: Any, localized: Localized, predicate: Callable[[str | None, Any], bool]
) -> Any:
    """Keep the locales the predicate is true for; a non-localized value becomes ``None``
    when it is rejected.

    >>> filter_normalized_field_values({"en": "a", "it": ""}, True, lambda l, v: bool(v))
    {'en': 'a'}
    """
    return drive(_filter(value, localized), predicate)



def visit_normalized_field_values(
    value: Any, localized: Localized, visitor: Callable[[str | None, Any], object]
) -> None:
    """Call ``visitor(locale, value)`` for each locale (or once for the single value).

    >>> visit_normalized_field_values({"en": 1, "it": 2}, True, lambda l, v: print(l, v))
    en 1
    it 2
    """
    drive(_visit(value, localized), visitor)


def some_normalized_field_values(
    value: Any, localized: Localized, predicate: Callable[[str | None, Any], bool]
) -> bool:
    """True if the predicate holds for at least one locale (or for the single value).

    >>> some_normalized_field_values({"en": "", "it": "x"}, True, lambda l, v: bool(v))
    True
    """
    return drive(_some(value, localized), predicate)


def every_normalized_field_value(
    value: Any, localized: Localized, predicate: Callable[[str | None, Any], bool]
) -> bool:
    """True if the predicate holds for every locale (or for the single value).

    >>> every_normalized_field_value({"en": "", "it": "x"}, True, lambda l, v: bool(v))
    False
    """
    return drive(_every(value, localized), predicate)



async def map_normalized_field_values_async(
    value: Any, localized: Localized, mapper: Callable[[str | None, Any], Awaitable[Any] | Any]
) -> Any:
    """Like ``map_normalized_field_values``, awaiting the mapper (one locale at a time).

    >>> import asyncio
    >>> async def up(locale, value):
    ...     return value.upper()
    >>> asyncio.run(map_normalized_field_values_async({"en": "a"}, True, up))
    {'en': 'A'}
    """
    return await drive_async(_map(value, localized), mapper)


async def filter_normalized_field_values_async(
    value: Any,
    localized: Localized,
    predicate: Callable[[str | None, Any], Awaitable[bool] | bool],
) -> Any:
    """Like ``filter_normalized_field_values``, awaiting the predicate.

    >>> import asyncio
    >>> async def english(locale, value):
    ...     return locale == "en"
    >>> asyncio.run(filter_normalized_field_values_async({"en": 1, "it": 2}, True, english))
    {'en': 1}
    """
    return await drive_async(_filter(value, localized), predicate)


async def visit_normalized_field_values_async(
    value: Any,
    localized: Localized,
    visitor: Callable[[str | None, Any], Awaitable[object] | object],
) -> None:
    """Like ``visit_normalized_field_values``, awaiting the visitor.

    >>> import asyncio
    >>> async def show(locale, value):
    ...     print(locale, value)
    >>> asyncio.run(visit_normalized_field_values_async("x", False, show))
    None x
    """
    await drive_async(_visit(value, localized), visitor)


async def some_normalized_field_values_async(
    value: Any,
    localized: Localized,
    predicate: Callable[[str | None, Any], Awaitable[bool] | bool],
) -> bool:
    """Like ``some_normalized_field_values``, awaiting the predicate (stops at the first).

    >>> import asyncio
    >>> async def yes(locale, value):
    ...     return True
    >>> asyncio.run(some_normalized_field_values_async({}, True, yes))
    False
    """
    return await drive_async(_some(value, localized), predicate)


async def every_normalized_field_value_async(
    value: Any,
    localized: Localized,
    predicate: Callable[[str | None, Any], Awaitable[bool] | bool],
) -> bool:
    """Like ``every_normalized_field_value``, awaiting the predicate (stops at the first).

    >>> import asyncio
    >>> async def no(locale, value):
    ...     return False
    >>> asyncio.run(every_normalized_field_value_async({"en": 1}, True, no))
    False
    """
    return await drive_async(_every(value, localized), predicate)
