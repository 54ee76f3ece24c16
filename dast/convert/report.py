"""What a conversion could not carry over: reports returned beside results.

Every converter returns a ``Conversion(result, report)``: the converted value
and a ``ConversionReport`` listing, in document order, each thing the target
format could not express and what was done about it (dropped, kept as text,
converted to a paragraph, ...). With ``strict=True`` a converter raises
``ConversionError`` instead of returning a non-empty report.

>>> entry = ReportEntry("image", 3, ("children", 1), "converted to a link", "![logo](a.png)")
>>> print(entry)
line 3, children[1]: image converted to a link: ![logo](a.png)
>>> report = ConversionReport((entry,))
>>> len(report), report.kinds()
(1, ('image',))
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from ..errors import DastError, Path, format_path

__all__ = [
    "Conversion",
    "ConversionError",
    "ConversionReport",
    "ReportEntry",
    "Reporter",
    "excerpt",
]

T = TypeVar("T")


@dataclass(frozen=True)
class ReportEntry:
    """One thing a conversion could not carry over as it was.

    ``kind`` names the construct (a mistune token type such as ``"image"`` or
    ``"table"`` when reading markdown, a DAST node type or attribute such as
    ``"inlineItem"`` or ``"style"`` when rendering), ``line`` is the 1-based
    source line (markdown input only, else ``None``), ``path`` the DAST path
    of the node concerned (relative to the root node) or ``None``,
    ``action`` what was done and ``detail`` a short excerpt or explanation.

    >>> ReportEntry("style", None, ("children", 0), "dropped", '"lead"').to_dict()["path"]
    'children[0]'
    """

    kind: str
    line: int | None
    path: Path | None
    action: str
    detail: str = ""

    def to_dict(self) -> dict[str, Any]:
        """A JSON-friendly dict (the path rendered as ``children[0]...``).

        >>> ReportEntry("table", 4, None, "dropped").to_dict()
        {'kind': 'table', 'line': 4, 'path': None, 'action': 'dropped', 'detail': ''}
        """
        return {
            "kind": self.kind,
            "line": self.line,
            "path": None if self.path is None else format_path(self.path),
            "action": self.action,
            "detail": self.detail,
        }

    def __str__(self) -> str:
        where = []
        if self.line is not None:
            where.append(f"line {self.line}")
        if self.path is not None:
            where.append(format_path(self.path) or "(root)")
        head = ", ".join(where)
        text = f"{self.kind} {self.action}"
        if self.detail:
            text += f": {self.detail}"
        return f"{head}: {text}" if head else text


@dataclass(frozen=True)
class ConversionReport:
    """An immutable, ordered collection of ``ReportEntry`` (empty means lossless).

    >>> bool(ConversionReport()), ConversionReport().to_list()
    (False, [])
    """

    entries: tuple[ReportEntry, ...] = ()

    def __iter__(self) -> Iterator[ReportEntry]:
        return iter(self.entries)

    def __len__(self) -> int:
        return len(self.entries)

    def __bool__(self) -> bool:
        return bool(self.entries)

    def __getitem__(self, index: int) -> ReportEntry:
        return self.entries[index]

    def kinds(self) -> tuple[str, ...]:
        """The distinct kinds reported, in order of first appearance.

        >>> ConversionReport((ReportEntry("a", None, None, "x"),
        ...                   ReportEntry("a", None, None, "y"))).kinds()
        ('a',)
        """
        return tuple(dict.fromkeys(entry.kind for entry in self.entries))

    def of_kind(self, kind: str) -> tuple[ReportEntry, ...]:
        """The entries of one kind.

        >>> ConversionReport((ReportEntry("a", 1, None, "x"),)).of_kind("a")[0].line
        1
        """
        return tuple(entry for entry in self.entries if entry.kind == kind)

    def to_list(self) -> list[dict[str, Any]]:
        """The entries as JSON-friendly dicts (what the snapshot tests pin).

        >>> ConversionReport((ReportEntry("a", None, None, "x"),)).to_list()[0]["kind"]
        'a'
        """
        return [entry.to_dict() for entry in self.entries]

    def __str__(self) -> str:
        return "\n".join(str(entry) for entry in self.entries)


class Conversion(tuple[T, ConversionReport], Generic[T]):
    """A conversion's result and the report of what it could not express.

    It is a pair, so it unpacks: ``result, report = to_html(doc)``.

    >>> result, report = Conversion("<p>x</p>", ConversionReport())
    >>> result, len(report)
    ('<p>x</p>', 0)
    >>> Conversion(1).report
    ConversionReport(entries=())
    """

    __slots__ = ()

    def __new__(cls, result: T, report: ConversionReport | None = None) -> Conversion[T]:
        return super().__new__(cls, (result, ConversionReport() if report is None else report))

    @property
    def result(self) -> T:
        """The converted value.

        >>> Conversion("text").result
        'text'
        """
        return self[0]

    @property
    def report(self) -> ConversionReport:
        """What the conversion could not express.

        >>> len(Conversion("text", ConversionReport()).report)
        0
        """
        return self[1]

    def __repr__(self) -> str:
        return f"Conversion(result={self[0]!r}, report={self[1]!r})"


class ConversionError(DastError):
    """A conversion that cannot (or, with ``strict=True``, may not) lose anything failed.

    ``entries`` holds the report entries that caused it (empty when the error
    is not about report entries, e.g. markdown nested too deeply).

    >>> err = ConversionError("cannot convert", [ReportEntry("table", 2, None, "dropped")])
    >>> print(err)
    cannot convert:
      line 2: table dropped
    """

    def __init__(self, message: str, entries: Iterable[ReportEntry] = ()) -> None:
        self.entries: tuple[ReportEntry, ...] = tuple(entries)
        self.message = message
        if self.entries:
            message += ":\n" + "\n".join(f"  {entry}" for entry in self.entries)
        super().__init__(message)


class Reporter:
    """A mutable collector converters append entries to while they work.

    >>> rep = Reporter()
    >>> rep.add("style", "dropped", '"lead"', path=("children", 0))
    >>> rep.finish().entries[0].action
    'dropped'
    """

    def __init__(self) -> None:
        self.entries: list[ReportEntry] = []

    def add(
        self,
        kind: str,
        action: str,
        detail: str = "",
        *,
        line: int | None = None,
        path: Path | None = None,
    ) -> None:
        """Record one entry.

        >>> rep = Reporter()
        >>> rep.add("image", "converted to a link", "![a](b)", line=4)
        >>> str(rep.entries[0])
        'line 4: image converted to a link: ![a](b)'
        """
        self.entries.append(ReportEntry(kind, line, path, action, detail))

    def finish(self, *, strict: bool = False, what: str = "conversion") -> ConversionReport:
        """Freeze the entries; with ``strict`` raise ``ConversionError`` if there are any.

        >>> rep = Reporter()
        >>> rep.add("table", "dropped", line=3)
        >>> rep.finish(strict=True, what="reading")
        Traceback (most recent call last):
          ...
        dast.convert.report.ConversionError: reading is not lossless (strict=True), 1 problem:
          line 3: table dropped
        """
        report = ConversionReport(tuple(self.entries))
        if strict and report:
            count = len(report)
            noun = "problem" if count == 1 else "problems"
            raise ConversionError(
                f"{what} is not lossless (strict=True), {count} {noun}", report.entries
            )
        return report


def excerpt(text: str, limit: int = 60) -> str:
    r"""A short one-line excerpt of ``text`` for report details.

    >>> print(excerpt("two\nlines" + "!" * 80, 16))
    two\nlines!!!!!…
    """
    flat = text.replace("\r", "\\r").replace("\n", "\\n")
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"
