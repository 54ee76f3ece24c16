"""Rewrite one field of every record of a model, safely: :func:`edit_field`.

For each record (read as the editors see it: current version, blocks
nested), ``fn`` is applied to the field's value in each locale (or to the
value of a field that is not localized); the smallest payload is built and
sent with optimistic locking through ``update_with_retry``: a record saved
by someone else meanwhile is fetched again and ``fn`` applied again. Records
``fn`` leaves as they were are not written. The :class:`EditReport` says
which records were updated, unchanged, in conflict (they kept changing) or
failed (and why).

``fn`` gets the value as fetched (a DAST dict for structured text, with
block records nested) and returns the new value: a ``dast.walk.map_nodes``
rewrite (a ``Document``) or any JSON value.

>>> from dast.cma.client import Client
>>> from dast.cma.testing import FakeCma
>>> with FakeCma.example() as cma, Client(cma.token, base_url=cma.base_url) as client:
...     report = edit_field(client, model="article", field="title",
...                         fn=lambda title: title.replace("post", "article"))
...     report.updated, cma.record("article-1")["attributes"]["title"]["en"]
(['article-1', 'article-2', 'article-3'], 'First article')
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..errors import DastError
from .client import Client
from .errors import RetryExhausted
from .retry import update_with_retry
from .shapes import attributes_of, with_attributes

__all__ = ["EditReport", "FieldFunction", "edit_field"]

FieldFunction = Callable[[Any], Any]
"""``fn(value) -> new value`` for one locale's value of the field."""


@dataclass
class EditReport:
    """What :func:`edit_field` did, by record id.

    >>> report = EditReport(updated=["a"], unchanged=["b"], failed={"c": "422 ..."})
    >>> report.ok, report.summary()
    (False, 'updated 1, unchanged 1, conflicts 0, failed 1')
    """

    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    conflicts: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        """True when no record failed or stayed in conflict.

        >>> EditReport(updated=["a"]).ok
        True
        """
        return not (self.conflicts or self.failed)

    def summary(self) -> str:
        """One line of counts.

        >>> EditReport().summary()
        'updated 0, unchanged 0, conflicts 0, failed 0'
        """
        return (
            f"updated {len(self.updated)}, unchanged {len(self.unchanged)}, "
            f"conflicts {len(self.conflicts)}, failed {len(self.failed)}"
        )


def edit_field(
    client: Client,
    *,
    model: str,
    field: str,
    fn: FieldFunction,
    locales: Sequence[str] | None = None,
    ids: Sequence[str] | None = None,
    query: str | None = None,
    max_attempts: int = 5,
    on_record: Callable[[str, str], object] | None = None,
) -> EditReport:
    """Apply ``fn`` to ``field`` of every ``model`` record; send what changed, with locking.

    ``locales`` limits the locales ``fn`` sees (others are kept as they
    are), ``ids`` and ``query`` the records. ``fn`` is not called on a
    ``null`` value. ``on_record(record_id, outcome)`` follows the progress
    (``updated``, ``unchanged``, ``conflict``, ``failed``). An unknown model
    or field raises ``SchemaError`` before anything is sent; an error on one
    record (``fn`` raising a ``DastError``, a ``422``...) is reported for
    it and the others go on.

    >>> from dast.cma.testing import FakeCma
    >>> with FakeCma.example() as cma, Client(cma.token, base_url=cma.base_url) as client:
    ...     edit_field(client, model="article", field="views", fn=lambda n: n).summary()
    'updated 0, unchanged 3, conflicts 0, failed 0'
    """
    schema = client.schema()
    item_type = schema.item_type(model)
    target = schema.field(item_type.id, field)

    def rewrite(value: Any) -> Any:
        if not target.localized:
            return value if value is None else fn(value)
        if not isinstance(value, Mapping):
            return value
        return {
            locale: local if local is None or (locales and locale not in locales) else fn(local)
            for locale, local in value.items()
        }

    def transform(record: dict[str, Any]) -> Mapping[str, Any]:
        value = attributes_of(record).get(target.api_key)
        return with_attributes(record, {target.api_key: rewrite(value)})

    report = EditReport()
    for listed in client.items(type=item_type.id, ids=ids, query=query):
        rid = str(listed["id"])
        first: list[Mapping[str, Any]] = [listed]

        def fetch(rid: str = rid, first: list[Mapping[str, Any]] = first) -> Mapping[str, Any]:
            return first.pop() if first else client.item(rid)

        try:
            result = update_with_retry(
                fetch, client.update_item, transform, schema, max_attempts, sleep=client.sleep
            )
        except RetryExhausted:
            report.conflicts.append(rid)
            outcome = "conflict"
        except DastError as exc:
            report.failed[rid] = str(exc)
            outcome = "failed"
        else:
            outcome = "updated" if result.sent else "unchanged"
            (report.updated if result.sent else report.unchanged).append(rid)
        if on_record is not None:
            on_record(rid, outcome)
    return report
