"""Pull structured text fields into a folder of dastdown files, and push the edits back.

:func:`pull` writes one ``.dastdown`` file per record, field and locale,
named ``<model>/<record-id>.<field>.<locale>.dastdown`` (no locale part for
a field that is not localized), plus the manifest push needs:

- ``.dastdown-manifest.json``: the format version, the model and fields
  pulled, the locales asked for, the base URL and environment (never the
  token), and the schema of the model and of every block model (so a dry
  run needs no network);
- ``.dastdown-records/<record-id>.json``, one per record: its id, model,
  ``current_version``, the original values of the pulled fields (every
  locale, blocks nested as fetched) and, for each file, its field, locale
  and the SHA-256 of the text as written.

Every file is written atomically (``dastdown.cli.fileio``), records page by
page, so an interrupted pull leaves whole files only.

:func:`plan` reads the folder back (no network): a file whose hash changed is
parsed against its original value (``dastdown.parse(text, original)`` puts
the blocks back), and :class:`RecordChange` holds the minimal payload. A file
that does not parse is reported with its line and column and skipped; the
other files of its record still go.

:func:`push_async` sends each changed record with the pulled
``current_version`` (at most ``jobs`` at once, through an
:class:`~dast.cma.client.AsyncClient`). On ``STALE_ITEM_VERSION`` the record
is fetched again and each edited field locale compared: still equal to the
pulled original, the edit is applied on the fresh record and sent again;
already equal to the edited value (a write whose answer was lost), it counts
as pushed; changed otherwise, the record is a conflict and is not written.
After each record is pushed its record manifest is rewritten (atomically)
with the new version, values and hashes, so a second push sends nothing and
an interrupted push can simply be run again.

Translations. :func:`translation_sources` lists the pulled files of a
source locale (with their documents) for an XLIFF or JSON-unit export;
:func:`import_translations` writes the translated documents as files of the
target locale and records each one in its record manifest (the document
written, whose placeholders name the source locale's blocks, and no hash),
so :func:`plan` sees an edit of the target locale: its base is that
locale's value as pulled (``None`` for a record without it), its blocks
become the locale's own (``dast.translate.records.localize_blocks``), and a
record gaining a locale sends its other localized fields (kept in the
record manifest as ``others``) with the locale set to ``null``. After the
push the record manifest takes the server's values (the new blocks' ids).

>>> from dast.cma.client import AsyncClient, Client, JsonCodec
>>> from dast.cma.testing import FakeCma
>>> import asyncio, pathlib, tempfile
>>> async def push_folder(cma, folder):
...     async with AsyncClient(cma.token, base_url=cma.base_url) as client:
...         return await push_async(client, folder)
>>> with FakeCma.example() as cma, tempfile.TemporaryDirectory() as tmp:
...     with Client(cma.token, base_url=cma.base_url) as client:
...         pulled = pull(client, tmp, model="article", fields=["body"], locales=["en"])
...     path = pathlib.Path(tmp, "article", "article-2.body.en.dastdown")
...     _ = path.write_text(path.read_text().replace("Acme", "Apex"))
...     report = asyncio.run(push_folder(cma, tmp))
...     pulled.records, report.pushed, cma.record("article-2")["attributes"]["views"]
(3, ['article-2'], 20)
"""

from __future__ import annotations

import asyncio
import difflib
import hashlib
import json
import os
import re
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dast.cma._json import copy_json, json_equal, plain_json
from dast.cma.client import AsyncClient, Client, JsonCodec
from dast.cma.errors import CmaError, RetryExhausted, StaleItemVersion
from dast.cma.field_blocks import find_all_blocks
from dast.cma.payload import UpdatePayload, build_update_payload
from dast.cma.retry import update_with_retry_async
from dast.cma.schema import FieldSchema, SchemaRepository
from dast.cma.shapes import attributes_of, id_of, meta_of, with_attributes
from dast.errors import DastError
from dast.load import load_document
from dast.nodes import Document
from dast.review import ReviewEntry, review_text
from dast.translate.records import fresh_blocks, localize_blocks
from dast.translate.segments import (
    SegmentProblem,
    Translation,
    TranslationReport,
    apply_segments,
)

from .cli import jsontext
from .cli.fileio import BatchWriter, atomic_write
from .errors import DastdownParseError
from .integrity import IntegrityReport
from .parser import parse_with_report
from .serializer import serialize

__all__ = [
    "DEEP_JSON",
    "MANIFEST",
    "RECORDS",
    "FileEdit",
    "FileProblem",
    "ImportReport",
    "Plan",
    "PullReport",
    "PushReport",
    "RecordChange",
    "SourceFile",
    "TranslationSources",
    "WorkspaceError",
    "describe_change",
    "file_name",
    "import_translations",
    "payload_summary",
    "plan",
    "pull",
    "push_async",
    "read_manifest",
    "review_entries",
    "translation_sources",
]

MANIFEST = ".dastdown-manifest.json"
"""The folder's manifest (model, fields, schema, where the records came from)."""

RECORDS = ".dastdown-records"
"""The folder holding one record manifest per record."""

FORMAT = 1


class WorkspaceError(DastError):
    """The folder or the request cannot be used (no manifest, unknown field...).

    >>> str(WorkspaceError("no manifest"))
    'no manifest'
    """


@dataclass(frozen=True)
class FileProblem:
    """A file that was not pushed (or pulled), and why; ``line``/``column`` 1-based.

    >>> FileProblem("a/b.body.en.dastdown", "bad", 3, 1).render()
    'a/b.body.en.dastdown:3:1: error: bad'
    """

    path: str
    message: str
    line: int | None = None
    column: int | None = None

    def render(self) -> str:
        """``path:line:col: error: message``.

        >>> FileProblem("x.dastdown", "gone").render()
        'x.dastdown: error: gone'
        >>> FileProblem("x.dastdown", "warning: kept").render()
        'x.dastdown: warning: kept'
        """
        where = self.path
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        if self.message.startswith("warning: "):  # a warning says so itself
            return f"{where}: {self.message}"
        return f"{where}: error: {self.message}"


def file_name(model: str, record_id: str, field_key: str, locale: str | None) -> str:
    """The path (relative to the folder) of one record's field locale.

    >>> file_name("article", "r1", "body", "en"), file_name("page", "r2", "text", None)
    ('article/r1.body.en.dastdown', 'page/r2.text.dastdown')
    """
    parts = [record_id, field_key, *([locale] if locale else []), "dastdown"]
    return f"{model}/{'.'.join(parts)}"


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _compact(data: Any) -> str:
    # compact: the C encoder (``indent`` falls back to the pure-Python one, 10x slower);
    # documents nested deeper than it recurses go through the iterative writer
    try:
        return json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    except RecursionError:
        return jsontext.dumps(data)


DEEP_JSON = JsonCodec(loads=jsontext.loads, dumps=_compact)
"""A JSON codec for clients and manifests that works at any nesting depth."""


def _dump(data: Any) -> bytes:
    return (_compact(data) + "\n").encode("utf-8")


def _safe_id(record_id: str) -> bool:
    return (
        bool(record_id)
        and "/" not in record_id
        and "\\" not in record_id
        and not (record_id.startswith("."))
    )


# --- pull ---------------------------------------------------------------------------------------


@dataclass
class PullReport:
    """What :func:`pull` wrote: records and files, records skipped and why.

    >>> PullReport(records=2, files=4).ok
    True
    """

    records: int = 0
    files: int = 0
    skipped: list[FileProblem] = field(default_factory=list)
    failed: list[FileProblem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when nothing failed (skipped records with local edits are not failures).

        >>> PullReport(failed=[FileProblem("x", "bad")]).ok
        False
        """
        return not self.failed


def _schema_dump(client: Client, model_id: str) -> dict[str, Any]:
    types = client.item_types()
    wanted = [t for t in types if t["id"] == model_id or t["attributes"].get("modular_block")]
    fields: list[Any] = []
    for t in wanted:
        fields.extend(client.fields(t["id"]))
    return {"item_types": types, "fields": fields}


def _schema_of(manifest: Mapping[str, Any]) -> SchemaRepository:
    dump = manifest["schema"]
    types = dump["item_types"]
    owners = {t["id"] for t in types}
    by_owner: dict[str, list[Any]] = {i: [] for i in owners}
    for f in dump["fields"]:
        owner = f["relationships"]["item_type"]["data"]["id"]
        by_owner.setdefault(owner, []).append(f)
    return SchemaRepository.from_dumps(
        {"data": types}, {k: {"data": v} for k, v in by_owner.items()}
    )


def _pending_edits(directory: Path, record_manifest: Mapping[str, Any]) -> bool:
    for entry in record_manifest.get("files", ()):
        path = directory / entry["path"]
        try:
            if _sha(path.read_bytes()) != entry["sha256"]:
                return True
        except OSError:
            return True
    return False


def _locales_of(
    f: FieldSchema, value: Any, wanted: Sequence[str] | None, kept: Collection[object] = ()
) -> list[str | None]:
    """The locales of ``f`` to write: those ``wanted`` (all if None) and those ``kept``."""
    if not f.localized:
        return [None]
    have = list(value) if isinstance(value, Mapping) else []
    return [locale for locale in have if wanted is None or locale in wanted or locale in kept]


def _tracked_locales(record_manifest: object) -> dict[object, set[object]]:
    """Field -> the locales a record's previous manifest had files for."""
    tracked: dict[object, set[object]] = {}
    files = record_manifest.get("files") if isinstance(record_manifest, Mapping) else None
    for entry in files if isinstance(files, list) else ():
        if isinstance(entry, Mapping):
            tracked.setdefault(entry.get("field"), set()).add(entry.get("locale"))
    return tracked


def pull(
    client: Client,
    directory: str | os.PathLike[str],
    *,
    model: str,
    fields: Sequence[str],
    locales: Sequence[str] | None = None,
    ids: Sequence[str] | None = None,
    on_record: Callable[[str], object] | None = None,
) -> PullReport:
    """Write the structured text ``fields`` of every ``model`` record into ``directory``.

    ``locales`` limits the locales written (default: every locale a record
    has), ``ids`` the records; files of other locales the folder already
    tracks (a translation imported and pushed) are refreshed too. A record
    whose files were edited since the last pull and not pushed is skipped
    (reported), never overwritten.
    ``on_record(record_id)`` is called after each record (for a progress
    bar). Raises ``WorkspaceError`` for an unknown model or a field that is
    not structured text; API errors propagate.

    >>> from dast.cma.testing import FakeCma
    >>> import tempfile
    >>> with FakeCma.example() as cma, tempfile.TemporaryDirectory() as tmp:
    ...     with Client(cma.token, base_url=cma.base_url) as client:
    ...         pull(client, tmp, model="article", fields=["title"])
    Traceback (most recent call last):
    ...
    dastdown.workspace.WorkspaceError: field 'title' of 'article' is string, not structured text
    """
    root = Path(directory)
    schema = client.schema()
    found = schema.find_item_type(model)
    if found is None or found.modular_block:
        raise WorkspaceError(f"no model {model!r} in this project")
    chosen: list[FieldSchema] = []
    for key in fields:
        f = schema.find_field(found.id, key)
        if f is None:
            raise WorkspaceError(f"model {found.api_key!r} has no field {key!r}")
        if f.field_type != "structured_text":
            raise WorkspaceError(
                f"field {key!r} of {found.api_key!r} is {f.field_type}, not structured text"
            )
        chosen.append(f)
    if not chosen:
        raise WorkspaceError("give at least one field")
    keys = {f.api_key for f in chosen}
    others = [f for f in schema.fields(found.id) if f.localized and f.api_key not in keys]
    (root / found.api_key).mkdir(parents=True, exist_ok=True)
    (root / RECORDS).mkdir(exist_ok=True)
    manifest = {
        "format": FORMAT,
        "model": found.api_key,
        "model_id": found.id,
        "fields": [f.api_key for f in chosen],
        "locales": None if locales is None else list(locales),
        "base_url": client.settings.base_url,
        "environment": client.settings.environment,
        "schema": _schema_dump(client, found.id),
    }
    atomic_write(str(root / MANIFEST), _dump(manifest))
    report = PullReport()
    records = client.items(type=found.id, ids=ids, version="current", nested=True)
    with BatchWriter() as writer:
        pending = 0
        for record in records:
            pending += _pull_one(
                root, found.api_key, chosen, others, locales, record, writer, report
            )
            if on_record is not None:
                on_record(str(record.get("id")))
            if pending >= 200:
                _commit(writer, root, report)
                pending = 0
        _commit(writer, root, report)
    return report


def _commit(writer: BatchWriter, root: Path, report: PullReport) -> None:
    for path, exc in writer.commit().items():
        report.failed.append(FileProblem(os.path.relpath(path, root), str(exc.strerror or exc)))


def _pull_one(
    root: Path,
    model: str,
    chosen: Sequence[FieldSchema],
    others: Sequence[FieldSchema],
    locales: Sequence[str] | None,
    record: Mapping[str, Any],
    writer: BatchWriter,
    report: PullReport,
) -> int:
    rid = id_of(record) or ""
    manifest_path = root / RECORDS / f"{rid}.json"
    if not _safe_id(rid):
        report.failed.append(FileProblem(str(rid), "a record id that cannot be a file name"))
        return 0
    tracked: dict[object, set[object]] = {}
    if manifest_path.exists():
        try:
            old = jsontext.loads(manifest_path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            old = {}
        # files of other locales it had (a translation imported and pushed) stay tracked
        tracked = _tracked_locales(old)
        if isinstance(old, dict) and _pending_edits(root, old):
            report.skipped.append(
                FileProblem(
                    str(manifest_path.relative_to(root)),
                    f"record {rid} has edits not pushed yet: push them, or delete its files",
                )
            )
            return 0
    attrs = attributes_of(record)
    entries: list[dict[str, Any]] = []
    texts: list[tuple[str, bytes]] = []
    for f in chosen:
        value = attrs.get(f.api_key)
        for locale in _locales_of(f, value, locales, tracked.get(f.api_key, ())):
            local = (
                value.get(locale) if locale is not None and isinstance(value, Mapping) else value
            )
            name = file_name(model, rid, f.api_key, locale)
            try:
                data = serialize(local).encode("utf-8")
            except DastError as exc:
                report.failed.append(FileProblem(name, f"cannot write as dastdown: {exc}"))
                return 0
            texts.append((name, data))
            entries.append(
                {"path": name, "field": f.api_key, "locale": locale, "sha256": _sha(data)}
            )
    record_manifest = {
        "id": rid,
        "item_type": (record.get("relationships") or {})["item_type"]["data"]["id"],
        "current_version": meta_of(record).get("current_version"),
        "values": {f.api_key: attrs.get(f.api_key) for f in chosen},
        # the other localized fields: a push that adds a locale must send them all
        "others": {f.api_key: attrs.get(f.api_key) for f in others if f.api_key in attrs},
        "files": entries,
    }
    for name, data in texts:
        writer.add(str(root / name), data)
    writer.add(str(manifest_path), _dump(record_manifest))
    report.records += 1
    report.files += len(texts)
    return 1


# --- plan -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class FileEdit:
    """One edited file: its field and locale, the text as pulled and as it is now.

    >>> FileEdit("a/r.body.en.dastdown", "body", "en", "x\\n", "y\\n", None).changed_text
    True
    """

    path: str
    field: str
    locale: str | None
    original_text: str
    text: str
    document: Document | None
    translated: bool = False
    """An imported translation (its blocks are new, or the target locale's own)."""

    @property
    def changed_text(self) -> bool:
        """Whether the text differs from the text pulled.

        >>> FileEdit("p", "f", None, "a", "a", None).changed_text
        False
        """
        return self.original_text != self.text


@dataclass(frozen=True)
class RecordChange:
    """A record with edited files: the payload against the pulled version, and more.

    ``manifest`` is the record manifest as read; ``edits`` the files whose
    document changed; ``payload`` the minimal update (never empty here).
    Made by :func:`plan` (see :func:`describe_change` for one).

    >>> list(RecordChange.__dataclass_fields__)[:4]
    ['record_id', 'manifest', 'edits', 'payload']
    """

    record_id: str
    manifest: Mapping[str, Any]
    edits: tuple[FileEdit, ...]
    payload: UpdatePayload
    schema: SchemaRepository = field(repr=False, compare=False)
    values: Mapping[str, Any] = field(default_factory=dict, repr=False, compare=False)
    """The edited fields' whole values as pushed (every locale)."""


@dataclass
class Plan:
    """What :func:`plan` found: changes to send, files with problems, unchanged records.

    >>> Plan().changes, Plan().unchanged
    ([], 0)
    """

    changes: list[RecordChange] = field(default_factory=list)
    problems: list[FileProblem] = field(default_factory=list)
    unchanged: int = 0
    schema: SchemaRepository | None = None
    warnings: list[FileProblem] = field(default_factory=list)
    manifest: Mapping[str, Any] = field(default_factory=dict)


def read_manifest(directory: str | os.PathLike[str]) -> dict[str, Any]:
    """The folder's manifest; ``WorkspaceError`` when there is none or it is not one.

    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     read_manifest(tmp)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    dastdown.workspace.WorkspaceError: ...: no .dastdown-manifest.json: run 'dastdown pull' ...
    """
    root = Path(directory)
    path = root / MANIFEST
    try:
        manifest = jsontext.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise WorkspaceError(f"{root}: no {MANIFEST}: run 'dastdown pull' into it first") from None
    except (OSError, ValueError) as exc:
        raise WorkspaceError(f"{path}: cannot read the manifest: {exc}") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise WorkspaceError(f"{path}: not a dastdown manifest of format {FORMAT}")
    return manifest


def _record_manifests(root: Path) -> Iterator[tuple[Path, dict[str, Any] | None]]:
    folder = root / RECORDS
    if not folder.is_dir():
        return
    for path in sorted(folder.glob("*.json")):
        try:
            record = jsontext.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            record = None
        yield path, record if isinstance(record, dict) else None


def _local(value: Any, locale: str | None) -> Any:
    if locale is None:
        return value
    return value.get(locale) if isinstance(value, Mapping) else None


def _flat_record(manifest: Mapping[str, Any], values: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {
        "type": "item",
        "id": manifest["id"],
        "item_type": {"type": "item_type", "id": manifest["item_type"]},
        "meta": {"current_version": manifest["current_version"]},
    }
    out.update(values)
    return out


def _desired_values(
    manifest: Mapping[str, Any], edits: Iterable[FileEdit], schema: SchemaRepository
) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for edit in edits:
        f = schema.field(manifest["item_type"], edit.field)
        if f.localized:
            base = values.get(edit.field) or dict(manifest["values"].get(edit.field) or {})
            base[edit.locale] = edit.document
            values[edit.field] = base
        else:
            values[edit.field] = edit.document
    return values


def _fill_new_locales(
    current: Mapping[str, Any], changes: dict[str, Any], schema: SchemaRepository, model: str
) -> str:
    """Give every other localized field the locales ``changes`` adds (as ``null``).

    The CMA keeps one locale set per record: a push that adds a locale to a
    field (an imported translation for a record that had none) must send
    every localized field with it. ``current`` holds the record's values;
    returns a note naming what was set, or ``""``.
    """
    localized = [f for f in schema.fields(model) if f.localized]
    before = {
        locale
        for f in localized
        if isinstance(current.get(f.api_key), Mapping)
        for locale in current[f.api_key]
    }
    after = {
        locale
        for f in localized
        if isinstance(changes.get(f.api_key), Mapping)
        for locale in changes[f.api_key]
    }
    added = sorted(after - before)
    if not added:
        return ""
    names = []
    for f in localized:
        value = current.get(f.api_key)
        if f.api_key in changes or not isinstance(value, Mapping):
            continue
        changes[f.api_key] = {**value, **{locale: None for locale in added}}
        names.append(f.api_key)
    if not names:
        return ""
    return (
        f"the record gains locale {', '.join(added)}: "
        f"{', '.join(names)} set to null there (a record's localized fields share one "
        "locale set)"
    )


_REMOVALS = frozenset({"missing", "link-lost"})
"""Integrity codes that a deliberate edit makes: a block or a link deleted from the text."""


def plan(
    directory: str | os.PathLike[str], *, strict: bool = True, allow_removed: bool = True
) -> Plan:
    """Read the folder: which records changed, their payloads, and files that do not parse.

    A mangled placeholder or an unknown id is always a problem. With
    ``strict`` (the default) so is a block, inline block or linked record of
    the original duplicated, or a text fenced by a model, and, without
    ``allow_removed``, one that vanished; such a file's record is not pushed.
    What is allowed is listed in ``warnings`` (see :func:`dastdown.parse_with_report`).

    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     plan(tmp)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    dastdown.workspace.WorkspaceError: ...: no .dastdown-manifest.json: run 'dastdown pull' ...
    """
    root = Path(directory)
    manifest = read_manifest(root)
    schema = _schema_of(manifest)
    result = Plan(schema=schema, manifest=manifest)
    for path, record in _record_manifests(root):
        if record is None:
            result.problems.append(
                FileProblem(str(path.relative_to(root)), "cannot read this record manifest")
            )
            continue
        change = _record_change(
            root, record, schema, result.problems, strict, result.warnings, allow_removed
        )
        if change is None:
            result.unchanged += 1
        else:
            result.changes.append(change)
    return result


def _parse_file(
    name: str, data: bytes, original: Any
) -> tuple[str, Document, IntegrityReport] | FileProblem:
    """A file's text parsed against its original (blocks restored), or what is wrong."""
    try:
        text = data.decode("utf-8-sig")  # a byte order mark is not content
        document, report = parse_with_report(text, original)
    except UnicodeDecodeError as exc:
        return FileProblem(name, f"not valid UTF-8 at byte offset {exc.start}: {exc.reason}")
    except DastdownParseError as exc:
        return FileProblem(name, exc.message, exc.line, exc.column)
    except DastError as exc:
        return FileProblem(name, str(exc))
    return text, document, report


def _record_change(
    root: Path,
    record: Mapping[str, Any],
    schema: SchemaRepository,
    problems: list[FileProblem],
    strict: bool,
    warnings: list[FileProblem] | None = None,
    allow_removed: bool = True,
) -> RecordChange | None:
    edits: list[FileEdit] = []
    for entry in record["files"]:
        name = entry["path"]
        try:
            data = (root / name).read_bytes()
        except OSError as exc:
            problems.append(FileProblem(name, f"cannot read: {exc.strerror or exc}; not pushed"))
            continue
        if _sha(data) == entry["sha256"]:
            continue
        original = _local(record["values"].get(entry["field"]), entry["locale"])
        # an imported translation: its placeholders name the blocks of the document
        # the import wrote (the source locale's blocks, translated); the base for the
        # diff and for conflicts stays the target locale's value as pulled
        translation = entry.get("translation")
        parsed = _parse_file(name, data, original if translation is None else translation)
        if isinstance(parsed, FileProblem):
            problems.append(parsed)
            continue
        text, document, report = parsed
        if translation is not None:
            try:
                document = localize_blocks(document, original, schema)
            except DastError as exc:
                problems.append(FileProblem(name, str(exc)))
                continue
        # Records the edit lost, duplicated or fenced: errors when strict, except
        # removals (a block deleted from the text is deleted on the server) unless
        # ``allow_removed`` is off; warnings otherwise.
        refused = [
            p
            for p in report.problems
            if strict and not (allow_removed and p.code in _REMOVALS)
        ]
        if refused:
            problems.extend(
                FileProblem(name, f"{p.message} [{p.code}]; not pushed", p.line, p.column)
                for p in refused
            )
            continue
        if warnings is not None:
            warnings.extend(
                FileProblem(name, f"warning: {p.message} [{p.code}]", p.line, p.column)
                for p in report.problems
            )
        edits.append(
            FileEdit(
                name,
                entry["field"],
                entry["locale"],
                serialize(original),
                text,
                document,
                translation is not None,
            )
        )
    if not edits:
        return None
    others = record.get("others") or {}
    pulled = _flat_record(record, {**others, **record["values"]})
    values = _desired_values(record, edits, schema)
    filled = _fill_new_locales({**others, **record["values"]}, values, schema, record["item_type"])
    if filled and warnings is not None:
        warnings.append(FileProblem(edits[0].path, f"warning: {filled}"))
    desired = _flat_record(record, values)
    try:
        payload = build_update_payload(pulled, desired, schema)
    except DastError as exc:
        problems.append(FileProblem(edits[0].path, f"cannot build the update: {exc}"))
        return None
    if payload.is_empty:
        return None
    return RecordChange(record["id"], record, tuple(edits), payload, schema, values)


# --- translations -------------------------------------------------------------------------


@dataclass(frozen=True)
class SourceFile:
    """A pulled file to translate: its path in the folder, record, field, locale and document.

    ``document`` is the file's text as it is now, parsed against its original
    (so its blocks are the pulled block records).
    """

    path: str
    record_id: str
    model: str
    field: str
    locale: str
    document: Document


@dataclass
class TranslationSources:
    """What :func:`translation_sources` found: the files to translate, problems, notes.

    >>> TranslationSources().files
    []
    """

    files: list[SourceFile] = field(default_factory=list)
    problems: list[FileProblem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    schema: SchemaRepository | None = None


def _other_locales_note(skipped: Mapping[str, int], source_locale: str) -> str:
    count = sum(skipped.values())
    files = "file" if count == 1 else "files"
    return (
        f"skipped {count} {files} of other locales ({', '.join(sorted(skipped))}): "
        f"the source locale is {source_locale}"
    )


def translation_sources(
    directory: str | os.PathLike[str], source_locale: str
) -> TranslationSources:
    """The files of ``source_locale`` in a pulled folder, ready to be translated.

    Files of fields that are not localized and files of other locales are
    left out, each kind with a note. A file that does not parse is a problem
    (with its line and column). Raises ``WorkspaceError`` when the folder has
    no manifest.

    >>> from dast.cma.client import Client
    >>> from dast.cma.testing import FakeCma
    >>> import tempfile
    >>> with FakeCma.example() as cma, tempfile.TemporaryDirectory() as tmp:
    ...     with Client(cma.token, base_url=cma.base_url) as client:
    ...         _ = pull(client, tmp, model="article", fields=["body"], ids=["article-1"])
    ...     found = translation_sources(tmp, "en")
    >>> [f.path for f in found.files]
    ['article/article-1.body.en.dastdown']
    >>> print(*found.notes)
    skipped 1 file of other locales (it): the source locale is en
    """
    root = Path(directory)
    manifest = read_manifest(root)
    schema = _schema_of(manifest)
    out = TranslationSources(schema=schema)
    not_localized: set[str] = set()
    other_locales: dict[str, int] = {}
    for path, record in _record_manifests(root):
        if record is None:
            out.problems.append(
                FileProblem(str(path.relative_to(root)), "cannot read this record manifest")
            )
            continue
        for entry in record["files"]:
            name, locale = entry["path"], entry["locale"]
            if locale is None:
                not_localized.add(entry["field"])
                continue
            if locale != source_locale:
                other_locales[locale] = other_locales.get(locale, 0) + 1
                continue
            original = entry.get("translation")
            if original is None:
                original = _local(record["values"].get(entry["field"]), locale)
            try:
                data = (root / name).read_bytes()
            except OSError as exc:
                out.problems.append(FileProblem(name, f"cannot read: {exc.strerror or exc}"))
                continue
            parsed = _parse_file(name, data, original)
            if isinstance(parsed, FileProblem):
                out.problems.append(parsed)
                continue
            out.files.append(
                SourceFile(
                    name, record["id"], manifest["model"], entry["field"], locale, parsed[1]
                )
            )
    if not_localized:
        out.notes.append(
            f"skipped the fields that are not localized ({', '.join(sorted(not_localized))})"
        )
    if other_locales:
        out.notes.append(_other_locales_note(other_locales, source_locale))
    return out


@dataclass
class ImportReport:
    """What :func:`import_translations` wrote, and what it refused.

    ``rejected`` pairs a source file with a segment whose translation broke a
    code (that file was not written); ``refused`` lists target files edited
    locally (not overwritten without ``force``); ``reports`` the translation
    report of each file written, by source path.

    >>> ImportReport().ok
    True
    """

    written: list[str] = field(default_factory=list)
    rejected: list[tuple[SourceFile, SegmentProblem]] = field(default_factory=list)
    refused: list[FileProblem] = field(default_factory=list)
    failed: list[FileProblem] = field(default_factory=list)
    reports: dict[str, TranslationReport] = field(default_factory=dict)
    unmatched: dict[str, tuple[str, ...]] = field(default_factory=dict)
    """Source paths whose translations match no segment (nothing written), with those ids."""

    @property
    def ok(self) -> bool:
        """True when every file with translations was written.

        >>> ImportReport(refused=[FileProblem("a", "edited")]).ok
        False
        """
        return not (self.rejected or self.refused or self.failed)


_LOCALE = re.compile(r"[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{1,8})*")
"""A locale code (it, en-US, zh-Hant-TW): also a safe part of a file name."""


def _untouched(root: Path, entry: Mapping[str, Any] | None, name: str) -> bool:
    """Whether a target file may be (over)written: absent, as pulled, or as imported."""
    try:
        data = (root / name).read_bytes()
    except FileNotFoundError:
        return True
    except OSError:
        return False
    if entry is None:
        return False
    known = {entry.get("sha256"), entry.get("imported_sha256")} - {None}
    return _sha(data) in known


def import_translations(
    directory: str | os.PathLike[str],
    sources: TranslationSources,
    translations: Mapping[str, Mapping[str, Translation]],
    target_locale: str,
    *,
    allow_dropped_marks: bool = False,
    include_code: bool = False,
    strict: bool = True,
    force: bool = False,
) -> ImportReport:
    """Write the translations of pulled files as files of ``target_locale``, for ``push``.

    ``translations`` maps a source file's path to its translations by segment
    id. Each source file with translations becomes
    ``<model>/<record-id>.<field>.<target>.dastdown``, written atomically next
    to it, and is recorded in its record manifest so that :func:`plan` and
    :func:`push_async` treat it as an edit of the target locale: the base (for
    the diff and for conflicts) is the target locale's value as pulled
    (``None`` when the record had none), blocks become the target locale's
    (:func:`dast.translate.records.localize_blocks`: new ones, unless that
    locale holds the same blocks already). With ``strict`` a file with a
    rejected segment is not written (``report.rejected``); otherwise rejected
    segments keep their source text. A target file edited since it was
    pulled or imported is not overwritten unless ``force``.

    >>> from dast.cma.client import Client
    >>> from dast.cma.testing import FakeCma
    >>> from dast.translate import extract_segments
    >>> import pathlib, tempfile
    >>> with FakeCma.example() as cma, tempfile.TemporaryDirectory() as tmp:
    ...     with Client(cma.token, base_url=cma.base_url) as client:
    ...         _ = pull(client, tmp, model="article", fields=["body"], ids=["article-3"],
    ...                  locales=["en"])
    ...     found = translation_sources(tmp, "en")
    ...     source = found.files[0]
    ...     ids = [s.id for s in extract_segments(source.document, schema=found.schema)]
    ...     report = import_translations(tmp, found, {source.path: {ids[1]: "Acme fa 3."}}, "it")
    ...     text = pathlib.Path(tmp, report.written[0]).read_text()
    ...     change = plan(tmp).changes[0]
    >>> report.written, text
    (['article/article-3.body.it.dastdown'], '## Third post\\n\\nAcme fa 3.\\n')
    >>> [(e.path, e.locale) for e in change.edits], change.edits[0].original_text
    ([('article/article-3.body.it.dastdown', 'it')], "Acme presenta l'articolo 3.\\n")
    """
    if not _LOCALE.fullmatch(target_locale):
        raise WorkspaceError(f"{target_locale!r} is not a locale (such as it, en-US, pt-BR)")
    root = Path(directory)
    schema = sources.schema
    report = ImportReport()
    by_record: dict[str, list[tuple[SourceFile, Document, TranslationReport]]] = {}
    for source in sources.files:
        wanted = translations.get(source.path)
        if not wanted:
            continue
        if source.locale == target_locale:
            raise WorkspaceError(f"the target locale is the source locale {target_locale!r}")
        result = apply_segments(
            source.document,
            wanted,
            allow_dropped_marks=allow_dropped_marks,
            include_code=include_code,
            schema=schema,
            strict=False,
        )
        if strict and result.report.rejected:
            report.rejected.extend((source, problem) for problem in result.report.rejected)
            continue
        if not result.report.applied and not result.report.rejected:
            report.unmatched[source.path] = result.report.unknown
            continue
        by_record.setdefault(source.record_id, []).append(
            (source, result.document, result.report)
        )
    with BatchWriter() as writer:
        batch: list[tuple[Path, Any, list[_Staged]]]
        batch = []
        for record_id, done in by_record.items():
            pending = _import_record(root, record_id, done, target_locale, force, writer, report)
            if pending is not None:
                batch.append(pending)
            if len(batch) >= 200:
                _commit_imports(writer, root, batch, report)
                batch = []
        _commit_imports(writer, root, batch, report)
    return report


_Staged = tuple[str, dict[str, Any], Any, str, TranslationReport]
"""A target file staged by an import: its path, manifest entry, the entry it replaces,
its source file's path and the translation report."""


def _import_record(
    root: Path,
    record_id: str,
    done: Sequence[tuple[SourceFile, Document, TranslationReport]],
    target_locale: str,
    force: bool,
    writer: BatchWriter,
    report: ImportReport,
) -> tuple[Path, Any, list[_Staged]] | None:
    """Stage one record's target files in ``writer``; its manifest and the new entries."""
    manifest_path = root / RECORDS / f"{record_id}.json"
    try:
        record: Any = jsontext.loads(manifest_path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        report.failed.append(
            FileProblem(str(manifest_path.relative_to(root)), f"cannot read: {exc}")
        )
        return None
    entries = {entry["path"]: entry for entry in record["files"]}
    staged: list[_Staged] = []
    for source, document, translated in done:
        name = file_name(source.model, record_id, source.field, target_locale)
        old = entries.get(name)
        if not force and not _untouched(root, old, name):
            why = (
                "edited since it was pulled or imported"
                if old is not None
                else "not a file of this pull (pulled again since?)"
            )
            report.refused.append(
                FileProblem(name, f"{why}: not overwritten (move it away, or import with --force)")
            )
            continue
        data = serialize(document).encode("utf-8")
        try:
            writer.add(str(root / name), data)
        except OSError as exc:
            report.failed.append(FileProblem(name, str(exc.strerror or exc)))
            continue
        entry = {
            "path": name,
            "field": source.field,
            "locale": target_locale,
            "sha256": None if old is None else old.get("sha256"),
            "translated_from": source.locale,
            "source": source.path,
            "imported_sha256": _sha(data),
            "translation": document.to_json(),
        }
        staged.append((name, entry, old, source.path, translated))
    return (manifest_path, record, staged) if staged else None


def _commit_imports(
    writer: BatchWriter,
    root: Path,
    batch: Sequence[tuple[Path, Any, list[_Staged]]],
    report: ImportReport,
) -> None:
    """Rename the staged files into place (one sync), then record them in their manifests.

    A file that could not be written is reported and left out of its manifest.
    """
    errors = writer.commit()
    for manifest_path, record, staged in batch:
        changed = False
        for name, entry, old, source_path, translated in staged:
            error = errors.get(str(root / name))
            if error is not None:
                report.failed.append(FileProblem(name, str(error.strerror or error)))
                continue
            if old is None:
                record["files"].append(entry)
            else:
                record["files"][record["files"].index(old)] = entry
            report.written.append(name)
            report.reports[source_path] = translated
            changed = True
        if changed:
            _replace(manifest_path, _dump(record))


# --- describe (dry run) -----------------------------------------------------------------------


def _block_ids(value: Any, f: FieldSchema, schema: SchemaRepository) -> set[str]:
    ids: set[str] = set()
    for local in value.values() if f.localized and isinstance(value, Mapping) else [value]:
        if local is None:
            continue
        for block, _ in find_all_blocks(local, f, schema, lambda b: True):
            bid = block if isinstance(block, str) else id_of(block)
            if bid is not None:
                ids.add(bid)
    return ids


def payload_summary(change: RecordChange) -> str:
    """One line: the record, the fields (and locales) sent, blocks kept / edited / created /
    removed (``kept`` counts blocks sent as their id; blocks nested in them stay too).


    >>> from dast.cma.client import Client
    >>> from dast.cma.testing import FakeCma
    >>> import pathlib, tempfile
    >>> with FakeCma.example() as cma, tempfile.TemporaryDirectory() as tmp:
    ...     with Client(cma.token, base_url=cma.base_url) as client:
    ...         _ = pull(client, tmp, model="article", fields=["body"], ids=["article-3"])
    ...     path = pathlib.Path(tmp, "article", "article-3.body.en.dastdown")
    ...     _ = path.write_text(path.read_text().replace("Read on.", "Read more."))
    ...     change = plan(tmp).changes[0]
    >>> print(payload_summary(change))
    article/article-3: update body (en): blocks kept 0, edited 0, created 0, removed 0
    """
    schema = change.schema
    model = change.manifest["item_type"]
    desired = _desired_values(change.manifest, change.edits, schema)
    kept = edited = created = removed = 0
    names = []
    for key, sent in change.payload.attributes.items():
        f = schema.field(model, key)
        locales = sorted(str(e.locale) for e in change.edits if e.field == key and e.locale)
        names.append(f"{key} ({', '.join(locales)})" if locales else key)
        if not f.holds_blocks:
            continue
        for local in sent.values() if f.localized and isinstance(sent, Mapping) else [sent]:
            if local is None:
                continue
            for block, _ in find_all_blocks(local, f, schema, lambda b: True):
                if isinstance(block, str):
                    kept += 1
                elif id_of(block) is None:
                    created += 1
                else:
                    edited += 1
        before = _block_ids(change.manifest["values"].get(key), f, schema)
        removed += len(before - _block_ids(plain_json(desired.get(key)), f, schema))
    return (
        f"{change.manifest['item_type']}/{change.record_id}: update {'; '.join(names)}: "
        f"blocks kept {kept}, edited {edited}, created {created}, removed {removed}"
    )


def describe_change(change: RecordChange) -> str:
    """What ``push --dry-run`` prints for a record: a unified diff per file, then the summary.

    The text diff is followed by the structural changes (``dast.review.review_text``:
    nodes inserted, removed, moved, text and marks edited) and the payload summary.

    >>> from dast.cma.client import Client
    >>> from dast.cma.testing import FakeCma
    >>> import pathlib, tempfile
    >>> with FakeCma.example() as cma, tempfile.TemporaryDirectory() as tmp:
    ...     with Client(cma.token, base_url=cma.base_url) as client:
    ...         _ = pull(client, tmp, model="article", fields=["body"], ids=["article-3"])
    ...     path = pathlib.Path(tmp, "article", "article-3.body.en.dastdown")
    ...     _ = path.write_text(path.read_text().replace("Read on.", "Read more."))
    ...     change = plan(tmp).changes[0]
    >>> lines = describe_change(change).splitlines()
    >>> lines[0], "-Acme makes post 3. Read on." in lines, "+Acme makes post 3. Read more." in lines
    ('--- a/article/article-3.body.en.dastdown', True, True)
    >>> lines[-3:]  # doctest: +NORMALIZE_WHITESPACE
    ['== article/article-3 · body (en): 1 change',
     'children[1].children[0]: text "Acme makes post 3. Read [-on-]{+more+}."',
     'article/article-3: update body (en): blocks kept 0, edited 0, created 0, removed 0']
    """
    out: list[str] = []
    for edit in change.edits:
        out.extend(
            difflib.unified_diff(
                edit.original_text.splitlines(keepends=True),
                edit.text.splitlines(keepends=True),
                fromfile=f"a/{edit.path}",
                tofile=f"b/{edit.path}",
            )
        )
        if out and not out[-1].endswith("\n"):
            out[-1] += "\n\\ No newline at end of file\n"
    out.append(review_text(review_entries(change)) + "\n")
    out.append(payload_summary(change) + "\n")
    return "".join(out)


def review_entries(change: RecordChange) -> list[ReviewEntry]:
    """One :class:`dast.review.ReviewEntry` per edited file of a record (before, after).

    What ``push --dry-run`` describes structurally and ``push --html`` shows.

    >>> review_entries.__name__
    'review_entries'
    """
    label = f"{change.manifest['item_type']}/{change.record_id}"
    return [
        ReviewEntry(
            label,
            edit.field if edit.locale is None else f"{edit.field} ({edit.locale})",
            _local(change.manifest["values"].get(edit.field), edit.locale),
            edit.document,
        )
        for edit in change.edits
    ]


# --- push -------------------------------------------------------------------------------------


@dataclass
class PushReport:
    """What a push did; record ids per outcome, problems with files, dry-run output.

    >>> PushReport(pushed=["a"]).ok, PushReport(conflicts=["b"]).ok
    (True, False)
    """

    pushed: list[str] = field(default_factory=list)
    unchanged: int = 0
    conflicts: list[str] = field(default_factory=list)
    failed: list[FileProblem] = field(default_factory=list)
    problems: list[FileProblem] = field(default_factory=list)
    described: list[str] = field(default_factory=list)
    conflict_reasons: dict[str, str] = field(default_factory=dict)
    warnings: list[FileProblem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when nothing failed, conflicted or could not be read.

        >>> PushReport(problems=[FileProblem("x", "bad", 1, 1)]).ok
        False
        """
        return not (self.conflicts or self.failed or self.problems)

    def summary(self, dry_run: bool = False) -> str:
        """One line: counts per outcome.

        >>> PushReport(pushed=["a"], unchanged=2).summary()
        'pushed 1, unchanged 2, conflicts 0, failed 0'
        """
        verb = "would push" if dry_run else "pushed"
        failed = len(self.failed) + len(self.problems)
        return (
            f"{verb} {len(self.pushed)}, unchanged {self.unchanged}, "
            f"conflicts {len(self.conflicts)}, failed {failed}"
        )


class _Conflict(CmaError):
    pass


def _same(a: Any, b: Any) -> bool:
    return json_equal(a, b)


def _same_translation(remote: Any, document: Document | None, schema: SchemaRepository) -> bool:
    """Whether the server already holds a translated document (block ids aside).

    The blocks of a translation are created by the push, so the server's
    copy has ids the pushed one had not (a write whose answer was lost).
    """
    if remote is None or document is None:
        return remote is None and document is None
    try:
        loaded = load_document(remote)
        if loaded is None:
            return False
        return json_equal(
            fresh_blocks(loaded, schema).to_json(), fresh_blocks(document, schema).to_json()
        )
    except DastError:
        return False


async def push_async(
    client: AsyncClient | None,
    directory: str | os.PathLike[str],
    *,
    dry_run: bool = False,
    jobs: int = 4,
    describe: Callable[[RecordChange], str] = describe_change,
    on_record: Callable[[str, str], object] | None = None,
    on_start: Callable[[int], object] | None = None,
    max_attempts: int = 5,
    strict: bool = True,
    allow_removed: bool = True,
) -> PushReport:
    """Push the edited files of ``directory`` (see the module docstring).

    ``dry_run`` sends nothing (``client`` may be ``None``) and fills
    ``report.described`` with ``describe(change)`` per record. ``jobs``
    records are pushed at once. ``on_record(record_id, outcome)`` is called
    as each record ends (``pushed``, ``conflict``, ``failed``), after
    ``on_start(number of records to push)``. The module docstring has a
    whole pull, edit and push.

    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     asyncio.run(push_async(None, tmp, dry_run=True))  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    dastdown.workspace.WorkspaceError: ...: no .dastdown-manifest.json: run 'dastdown pull' ...
    """
    root = Path(directory)
    found = plan(root, strict=strict, allow_removed=allow_removed)
    report = PushReport(
        unchanged=found.unchanged, problems=list(found.problems), warnings=list(found.warnings)
    )
    if on_start is not None:
        on_start(len(found.changes))
    if dry_run:
        for change in found.changes:
            report.described.append(describe(change))
            report.pushed.append(change.record_id)
        return report
    if client is None:
        raise WorkspaceError("a push needs a client (or dry_run=True)")
    assert found.schema is not None
    schema = found.schema
    queue: asyncio.Queue[RecordChange] = asyncio.Queue()
    for change in found.changes:
        queue.put_nowait(change)

    async def worker() -> None:
        while not queue.empty():
            change = queue.get_nowait()
            outcome = await _push_one(client, root, change, schema, report, max_attempts)
            if on_record is not None:
                on_record(change.record_id, outcome)

    await asyncio.gather(*(worker() for _ in range(max(1, jobs))))
    return report


async def _push_one(
    client: AsyncClient,
    root: Path,
    change: RecordChange,
    schema: SchemaRepository,
    report: PushReport,
    max_attempts: int,
) -> str:
    manifest = change.manifest
    rid = change.record_id
    edits = {(e.field, e.locale): e for e in change.edits}
    fetched: list[Mapping[str, Any]] = []
    final: dict[str, Any] = {}

    async def fetch() -> Mapping[str, Any]:
        record = await client.item(rid)
        fetched.append(record)
        return record

    def transform(record: dict[str, Any]) -> Mapping[str, Any]:
        attrs = attributes_of(record)
        changes: dict[str, Any] = {}
        for (key, locale), edit in edits.items():
            f = schema.field(manifest["item_type"], key)
            remote = _local(attrs.get(key), locale)
            original = _local(manifest["values"].get(key), locale)
            done = (
                _same_translation(remote, edit.document, schema)
                if edit.translated
                else _same(remote, edit.document)
            )
            if not (_same(remote, original) or done):
                where = f"{key}.{locale}" if locale else key
                raise _Conflict(f"{where} changed on the server since the pull")
            # a translation the server holds already keeps the blocks the server created
            value = remote if edit.translated and done else edit.document
            if f.localized:
                base = changes.get(key) or dict(attrs.get(key) or {})
                base[locale] = value
                changes[key] = base
            else:
                changes[key] = value
        _fill_new_locales(attrs, changes, schema, manifest["item_type"])
        final.clear()
        final.update(changes)
        return with_attributes(record, changes)

    try:
        try:  # first, the payload plan built against the pulled version
            response: Any = await client.update_item(change.payload)
            final.update(change.values)
            sent = True
        except StaleItemVersion:  # changed since the pull: fetch, compare, apply again
            result = await update_with_retry_async(
                fetch, client.update_item, transform, schema, max_attempts, sleep=client.sleep
            )
            response, sent = result.response, result.sent
    except _Conflict as exc:
        report.conflicts.append(rid)
        report.conflict_reasons[rid] = exc.reason
        return "conflict"
    except RetryExhausted as exc:
        report.failed.append(FileProblem(change.edits[0].path, f"record {rid}: {exc}"))
        return "failed"
    except DastError as exc:
        report.failed.append(FileProblem(change.edits[0].path, f"record {rid}: {exc}"))
        return "failed"
    version = (
        meta_of(response).get("current_version")
        if sent and isinstance(response, Mapping)
        else meta_of(fetched[-1]).get("current_version")
    )
    if any(e.translated for e in change.edits):
        # the server gave the new blocks their ids: keep its values as the new base
        # (when nobody wrote in between), so the next edit keeps those blocks
        try:
            stored = await client.item(rid)
        except DastError:
            stored = {}
        if stored and meta_of(stored).get("current_version") == version:
            fresh = attributes_of(stored)
            for key in list(final):
                if key in fresh:
                    final[key] = fresh[key]
    # off the event loop: a rename costs milliseconds on some file systems
    await asyncio.to_thread(_record_pushed, root, manifest, final, version, change)
    report.pushed.append(rid)
    return "pushed"


def _record_pushed(
    root: Path,
    manifest: Mapping[str, Any],
    values: Mapping[str, Any],
    version: Any,
    change: RecordChange,
) -> None:
    """Rewrite the record manifest: new version, the pushed values, the files' hashes."""
    updated = dict(copy_json(manifest))
    updated["current_version"] = version
    for key, value in values.items():
        where = "others" if key in (updated.get("others") or {}) else "values"
        updated[where][key] = plain_json(value)
    by_path = {e.path: e for e in change.edits}
    for entry in updated["files"]:
        edit = by_path.get(entry["path"])
        if edit is not None:
            entry["sha256"] = _sha(edit.text.encode("utf-8"))
    _replace(root / RECORDS / f"{manifest['id']}.json", _dump(updated))


def _replace(path: Path, data: bytes) -> None:
    """Write ``path`` atomically (temporary file, then ``os.replace``), without fsync.

    After each pushed record: an interrupted push leaves the old manifest or
    the new one, never a torn one. Not syncing keeps pushes fast; after a
    power cut an old manifest only costs a re-check: the next push meets
    ``STALE_ITEM_VERSION``, sees the server holds the edit, and counts it.
    """
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        tmp.write_bytes(data)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
