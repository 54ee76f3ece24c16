"""The exception hierarchy shared by every part of the toolkit.

>>> try:
...     raise DastValidationError((Problem(("children", 0), "empty-children", "no children"),))
... except DastError as exc:
...     print(exc.problems[0])
children[0]: no children [empty-children]
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

__all__ = ["DastError", "DastValidationError", "Path", "Problem", "format_path", "json_pointer"]

Path = tuple[str | int, ...]
"""A location in a tree: ``("children", 2, "children", 0, "level")``."""


def format_path(path: Path) -> str:
    """Render a path as ``children[2].children[0].level`` (``""`` for the root).

    >>> format_path(("children", 2, "level"))
    'children[2].level'
    """
    out: list[str] = []
    for part in path:
        if isinstance(part, int):
            out.append(f"[{part}]")
        else:
            out.append(f".{part}" if out else part)
    return "".join(out)


def json_pointer(path: Path) -> str:
    """Render a path as an RFC 6901 JSON pointer.

    >>> json_pointer(("children", 2, "level"))
    '/children/2/level'
    """
    return "".join("/" + str(part).replace("~", "~0").replace("/", "~1") for part in path)


@dataclass(frozen=True)
class Problem:
    """One rule a document breaks: where, which rule, and a message.

    >>> Problem(("children", 0, "level"), "heading-level", "must be 1..6").pointer
    '/children/0/level'
    """

    path: Path
    code: str
    message: str

    @property
    def dotted(self) -> str:
        """The path as ``children[0].level``."""
        return format_path(self.path)

    @property
    def pointer(self) -> str:
        """The path as a JSON pointer, ``/children/0/level``."""
        return json_pointer(self.path)

    def __str__(self) -> str:
        where = self.dotted or "(root)"
        return f"{where}: {self.message} [{self.code}]"


class DastError(Exception):
    """Base class of every error this toolkit raises on purpose."""


class DastValidationError(DastError, ValueError):
    """A document breaks the DAST schema; ``problems`` lists every violation."""

    def __init__(self, problems: Iterable[Problem], source: str | None = None) -> None:
        self.problems: tuple[Problem, ...] = tuple(problems)
        self.source = source
        lines = [str(p) for p in self.problems]
        head = f"{source}: " if source else ""
        if len(lines) == 1:
            message = f"{head}invalid DAST document: {lines[0]}"
        else:
            message = f"{head}invalid DAST document, {len(lines)} problems:\n" + "\n".join(
                f"  {line}" for line in lines
            )
        super().__init__(message)
