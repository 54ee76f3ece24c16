"""Snapshot tests of documents as readable ``.dastdown`` files (a syrupy extension).

People who transform content test their transformations with snapshots;
a DAST JSON snapshot is unreadable in review, a dastdown one reads like the
text. ``DastdownSnapshotExtension`` stores a document (``Document``, DAST
JSON or the CDA wrapper) as a ``.dastdown`` file; the block records it
holds (``block`` / ``inlineBlock`` items given as objects) are stored
beside the text, after a separator line, as JSON (the item of every block
and inline block, in document order), so the snapshot is
complete (in the same file: syrupy deletes files in its snapshot folders
that no extension owns). Snapshots are compared structurally (the documents, not the
bytes: a reformatted snapshot file still matches) and a mismatch prints the
structural diff (``dast.diff``) before the text diff.

Install with ``pip install dast-toolkit[testing]`` (syrupy), then::

    @pytest.fixture
    def snapshot(snapshot):
        return snapshot.use_extension(DastdownSnapshotExtension)

and ``assert transform(doc) == snapshot`` in a test; ``pytest
--snapshot-update`` writes the files. This module lives in ``dastdown``
because it writes dastdown (``dast`` never imports ``dastdown``), and it is
the only module importing syrupy.

>>> import dast.builders as b
>>> text = snapshot_text(b.doc(b.h(1, "Hi"), b.block({"id": "b1", "label": "x"})))
>>> print(text)
# Hi
<BLANKLINE>
<block id="b1"/>
<BLANKLINE>
--- block records ---
{
  "blocks": [
    {
      "id": "b1",
      "label": "x"
    }
  ],
  "inline_blocks": []
}
<BLANKLINE>
>>> read_snapshot(text) == b.doc(b.h(1, "Hi"), b.block({"id": "b1", "label": "x"}))
True
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from typing import Any

from syrupy.extensions.single_file import SingleFileSnapshotExtension, WriteMode
from syrupy.types import PropertyFilter, PropertyMatcher, SerializableData, SerializedData

from dast._traverse import iter_json_nodes
from dast.diff import diff, format_diff
from dast.errors import DastError
from dast.load import load_document
from dast.nodes import Document

from .parser import parse
from .serializer import serialize

__all__ = ["DastdownSnapshotExtension", "read_snapshot", "snapshot_text"]

_SEPARATOR = "\n--- block records ---\n"
_NO_DOCUMENT = "--- no document (an empty field) ---\n"


def _items(doc: Document) -> dict[str, list[Any]]:
    """The items of the block and inline block nodes, in document order."""
    found: dict[str, list[Any]] = {"blocks": [], "inline_blocks": []}
    for node in iter_json_nodes(doc.document.to_json()):
        if node.get("type") in ("block", "inlineBlock"):
            found["blocks" if node["type"] == "block" else "inline_blocks"].append(node["item"])
    return found


def snapshot_text(data: object) -> str:
    """What a snapshot holds: the dastdown text, then the block records (if any) as JSON.

    >>> snapshot_text(None)
    '--- no document (an empty field) ---\\n'
    """
    doc = load_document(data)
    if doc is None:
        return _NO_DOCUMENT
    text = serialize(doc)
    records = _items(doc)
    if any(isinstance(item, Mapping) for items in records.values() for item in items):
        shown = json.dumps(records, indent=2, sort_keys=True, ensure_ascii=False)
        text += _SEPARATOR + shown + "\n"
    return text


def read_snapshot(text: str) -> Document | None:
    """The document a snapshot text holds, its block records put back.

    >>> read_snapshot(snapshot_text(None)) is None
    True
    """
    if text == _NO_DOCUMENT:
        return None
    body, _, records = text.partition(_SEPARATOR)
    doc = parse(body)
    if not records:
        return doc
    found = json.loads(records)
    queues: dict[object, Iterator[Any]] = {
        "block": iter(found.get("blocks", ())),
        "inlineBlock": iter(found.get("inline_blocks", ())),
    }
    data: dict[str, Any] = doc.to_json()
    for node in iter_json_nodes(data["document"]):
        queue = queues.get(node["type"])
        item = None if queue is None else next(queue, None)
        if item is not None and isinstance(node, dict):
            node["item"] = item
    restored: Document = load_document(data)
    return restored


class DastdownSnapshotExtension(SingleFileSnapshotExtension):
    """A syrupy extension: documents as ``.dastdown`` snapshot files (see the module).

    >>> DastdownSnapshotExtension.file_extension
    'dastdown'
    """

    file_extension = "dastdown"
    _write_mode = WriteMode.TEXT

    def serialize(
        self,
        data: SerializableData,
        *,
        exclude: PropertyFilter | None = None,
        include: PropertyFilter | None = None,
        matcher: PropertyMatcher | None = None,
    ) -> SerializedData:
        """The snapshot text of a document (``Document``, DAST JSON or CDA wrapper)."""
        return snapshot_text(data)

    def matches(
        self, *, serialized_data: SerializableData, snapshot_data: SerializableData
    ) -> bool:
        """Equal documents (and block records), whatever the formatting of the files."""
        try:
            return bool(read_snapshot(str(serialized_data)) == read_snapshot(str(snapshot_data)))
        except (DastError, ValueError):
            return bool(serialized_data == snapshot_data)

    def diff_lines(
        self, serialized_data: SerializedData, snapshot_data: SerializedData
    ) -> Iterator[str]:
        """The structural diff (snapshot -> received), then syrupy's text diff."""
        try:
            old = read_snapshot(str(snapshot_data))
            new = read_snapshot(str(serialized_data))
            changes = format_diff(diff(old, new))
        except (DastError, ValueError) as exc:
            changes = f"(no structural diff: {exc})"
        yield "structural diff (snapshot -> received):"
        for line in changes.splitlines() or ["(the documents are equal; the block records differ)"]:
            yield f"  {line}"
        yield "text diff:"
        yield from super().diff_lines(serialized_data, snapshot_data)
