"""Errors raised while reading dastdown text.

Every problem in the text is a :class:`DastdownParseError` carrying the
1-based ``line`` and ``column`` of the offending text (the column counted in
characters of that source line, like lark tokens) and, for the excerpt, the
offending line itself.

>>> err = DastdownParseError("heading level 7: a heading has 1 to 6 '#'", 1, 1, "####### h7")
>>> print(err)
line 1, column 1: heading level 7: a heading has 1 to 6 '#'
  ####### h7
  ^
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from dast.errors import DastError, Path, format_path

if TYPE_CHECKING:
    from .integrity import IntegrityProblem

__all__ = [
    "DastdownIntegrityError",
    "DastdownParseError",
    "DastdownPlaceholderError",
    "DastdownSerializeError",
    "DastdownUnknownBlockError",
]

_WINDOW = 72
"""Longest excerpt shown; longer lines are cut around the column."""


def _excerpt(source_line: str, column: int) -> str:
    """The line (or a window of it around ``column``) and a caret under it."""
    start = 0
    if len(source_line) > _WINDOW:
        start = max(0, min(column - 1 - _WINDOW // 2, len(source_line) - _WINDOW))
    shown = source_line[start : start + _WINDOW]
    lead = "..." if start else ""
    tail = "..." if start + _WINDOW < len(source_line) else ""
    # Tabs stay tabs under the line so that the caret lines up with the text.
    pad = "".join("\t" if char == "\t" else " " for char in shown[: max(0, column - 1 - start)])
    return f"  {lead}{shown}{tail}\n  {' ' * len(lead)}{pad}^"


class DastdownParseError(DastError, ValueError):
    """Malformed dastdown: a message, the 1-based ``line`` and ``column``.

    ``source_line`` is the offending line of the text (``None`` when
    unknown); ``str()`` shows ``line L, column C: message`` then that line
    with a caret under the column.

    >>> err = DastdownParseError("unexpected text", 2, 3, "> # h")
    >>> (err.line, err.column, err.message)
    (2, 3, 'unexpected text')
    """

    def __init__(
        self, message: str, line: int, column: int, source_line: str | None = None
    ) -> None:
        self.message = message
        self.line = line
        self.column = column
        self.source_line = source_line
        super().__init__(message, line, column, source_line)

    def __str__(self) -> str:
        head = f"line {self.line}, column {self.column}: {self.message}"
        if self.source_line is None:
            return head
        return head + "\n" + _excerpt(self.source_line, self.column)


class DastdownUnknownBlockError(DastdownParseError):
    """``parse(text, original)`` met a block id that ``original`` does not hold.

    ``block_id`` is the id; new blocks are created with the block builders,
    not by writing a tag.

    >>> err = DastdownUnknownBlockError("b9", 3, 1, '<block id="b9"/>')
    >>> err.block_id, err.message
    ('b9', "unknown block id 'b9': the original document has no block with this id")
    """

    def __init__(
        self, block_id: str, line: int, column: int, source_line: str | None = None
    ) -> None:
        self.block_id = block_id
        super().__init__(
            f"unknown block id {block_id!r}: the original document has no block with this id",
            line,
            column,
            source_line,
        )
        self.args = (block_id, line, column, source_line)


class DastdownPlaceholderError(DastdownParseError):
    """A tag close to a placeholder but not one (``<block id='X' />``): never read as text.

    ``suggestion`` is the placeholder meant (``None`` for a stray closing
    tag), ``item_id`` its id.

    >>> err = DastdownPlaceholderError("malformed block placeholder", 2, 1,
    ...     suggestion='<block id="b1"/>', item_id="b1")
    >>> err.suggestion
    '<block id="b1"/>'
    """

    def __init__(
        self,
        message: str,
        line: int,
        column: int,
        source_line: str | None = None,
        *,
        suggestion: str | None = None,
        item_id: str | None = None,
    ) -> None:
        super().__init__(message, line, column, source_line)
        self.suggestion = suggestion
        self.item_id = item_id


class DastdownIntegrityError(DastdownParseError):
    """``parse(text, original, strict=True)``: records not accounted for after an edit.

    ``problems`` lists every :class:`~dastdown.integrity.IntegrityProblem`
    (missing, duplicated, unknown... each with its line and column);
    ``line`` and ``column`` are the first one's, and ``str()`` shows them all.

    >>> from dastdown.integrity import IntegrityProblem
    >>> err = DastdownIntegrityError([
    ...     IntegrityProblem("missing", "block", "b2", 3, 1, "block 'b2' is missing")])
    >>> print(err)
    line 3, column 1: 1 record not accounted for
      line 3, column 1: block 'b2' is missing [missing]
    """

    def __init__(self, problems: Sequence[IntegrityProblem]) -> None:
        self.problems: tuple[IntegrityProblem, ...] = tuple(problems)
        first = self.problems[0] if self.problems else None
        count = len(self.problems)
        super().__init__(
            f"{count} record{'s' if count != 1 else ''} not accounted for",
            first.line if first is not None else 1,
            first.column if first is not None else 1,
        )
        self.args = (self.problems,)

    def __str__(self) -> str:
        head = f"line {self.line}, column {self.column}: {self.message}"
        return "\n".join([head, *(f"  {problem}" for problem in self.problems)])


class DastdownSerializeError(DastError, ValueError):
    """A valid document that dastdown cannot express (``path`` says where).

    >>> str(DastdownSerializeError(("children", 0, "item"), "no id"))
    'children[0].item: no id'
    """

    def __init__(self, path: Path, message: str) -> None:
        self.path = path
        super().__init__(f"{format_path(path)}: {message}")
