"""The exception hierarchy shared by every part of the toolkit.

>>> try:
...     raise DastValidationError((Problem(("children", 0), "empty-children", "no children"),))
... except DastError as exc:
...     print(exc.problems[0])
children[0]: no children [empty-children]
"""

from __future__ import annotations

from collections.abc import Iterable

__all__ = [
    "DastError",
    "DastValidationError",
    "Path",
    "PathLink",
    "Problem",
    "format_path",
    "json_pointer",
    "link_path",
]

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


PathLink = tuple["PathLink", int, object] | None
"""A node's place in a tree, shared by its descendants: ``(parent's link, index, node)``.

The path it stands for is ``("children", i, "children", j, ...)``; ``None``
is the root node. Problems found deep in a tree keep a link instead of a
path tuple, so their memory stays linear in the tree's depth."""


def link_path(link: PathLink) -> Path:
    """The path a link stands for.

    >>> link_path(((None, 2, {}), 0, {}))
    ('children', 2, 'children', 0)
    """
    parts: list[str | int] = []
    while link is not None:
        link, index, _ = link
        parts.append(index)
        parts.append("children")
    parts.reverse()
    return tuple(parts)


class Problem:
    """One rule a document breaks: where, which rule, and a message.

    >>> Problem(("children", 0, "level"), "heading-level", "must be 1..6").pointer
    '/children/0/level'
    """

    __slots__ = ("_link", "_tail", "code", "message")

    code: str
    message: str

    def __init__(self, path: Path, code: str, message: str) -> None:
        self._link: PathLink = None
        self._tail: Path = tuple(path)
        self.code = code
        self.message = message

    @classmethod
    def at(cls, link: PathLink, tail: Path, code: str, message: str) -> Problem:
        """A problem at ``link_path(link) + tail``, the path built only when read.

        >>> Problem.at((None, 1, {}), ("level",), "heading-level", "bad").path
        ('children', 1, 'level')
        """
        problem = cls(tail, code, message)
        object.__setattr__(problem, "_link", link)
        return problem

    @property
    def path(self) -> Path:
        """Where: ``("children", 2, "children", 0, "level")`` (``()`` for the root)."""
        if self._link is None:
            return self._tail
        return link_path(self._link) + self._tail

    @property
    def dotted(self) -> str:
        """The path as ``children[0].level``."""
        return format_path(self.path)

    @property
    def pointer(self) -> str:
        """The path as a JSON pointer, ``/children/0/level``."""
        return json_pointer(self.path)

    def relative_to(self, prefix: Path) -> Problem:
        """The same problem with ``prefix`` cut off its path (kept whole when it does not start so).

        >>> Problem(("children", 0, "value"), "invalid-attribute", "x").relative_to(
        ...     ("children", 0)).path
        ('value',)
        """
        path = self.path
        if path[: len(prefix)] != prefix:
            return self
        return Problem(path[len(prefix) :], self.code, self.message)

    def __eq__(self, other: object) -> bool:
        if type(other) is not Problem:
            return NotImplemented
        return (self.code, self.message, self.path) == (other.code, other.message, other.path)

    def __hash__(self) -> int:
        return hash((self.path, self.code, self.message))

    def __setattr__(self, name: str, value: object) -> None:
        if name in Problem.__slots__ and not hasattr(self, name):  # set once, in __init__
            object.__setattr__(self, name, value)
            return
        raise AttributeError(f"cannot assign to field {name!r}")  # frozen, like a dataclass

    def __repr__(self) -> str:
        return f"Problem(path={self.path!r}, code={self.code!r}, message={self.message!r})"

    def __str__(self) -> str:
        where = self.dotted or "(root)"
        return f"{where}: {self.message} [{self.code}]"


class DastError(Exception):
    """Base class of every error this toolkit raises on purpose."""


class DastValidationError(DastError, ValueError):
    """A document breaks the DAST schema; ``problems`` lists every violation.

    The message (``str(exc)``) is built when first read.
    """

    def __init__(self, problems: Iterable[Problem], source: str | None = None) -> None:
        self.problems: tuple[Problem, ...] = tuple(problems)
        self.source = source
        self._message: str | None = None
        super().__init__()

    def __str__(self) -> str:
        if self._message is None:
            lines = [str(p) for p in self.problems]
            head = f"{self.source}: " if self.source else ""
            if len(lines) == 1:
                self._message = f"{head}invalid DAST document: {lines[0]}"
            else:
                listed = "\n".join(f"  {line}" for line in lines)
                self._message = f"{head}invalid DAST document, {len(lines)} problems:\n{listed}"
        return self._message
