"""Writing indented, prefixed lines without recursion (for nested lists and quotes).

A ``LineWriter`` keeps a stack of prefixes: each level has the prefix of
its first line (``"- "``, ``"1. "``, ``"> "``) and the prefix of the lines
after it (``"  "``, ``"   "``, ``"> "``). Cumulative prefixes are cached per
level, so writing inside lists nested thousands of levels deep stays cheap.

>>> w = LineWriter()
>>> w.push("- ", "  ")
>>> w.write("item")
>>> w.push("- ", "  ")
>>> w.write("nested")
>>> w.pop(); w.pop()
>>> w.blank(); w.write("after")
>>> print(w.text(), end="")
- item
  - nested
<BLANKLINE>
after
"""

from __future__ import annotations

__all__ = ["LineWriter"]


class LineWriter:
    """Accumulates lines under a stack of (first-line, other-lines) prefixes.

    >>> w = LineWriter(); w.push("> ", "> "); w.write("a"); w.blank(); w.write("b")
    >>> w.text()
    '> a\\n>\\n> b\\n'
    """

    def __init__(self) -> None:
        self._lines: list[str] = []
        self._first: list[str] = []
        self._rest: list[str] = []
        self._cumulative: list[str] = [""]  # _cumulative[i]: rest prefixes of levels < i
        self._used = 0  # levels below this index have written their first line
        self._pending_blank = False

    def push(self, first: str, rest: str) -> None:
        """Open a level: its first line gets ``first``, later lines get ``rest``."""
        self._first.append(first)
        self._rest.append(rest)
        self._cumulative.append(self._cumulative[-1] + rest)

    def pop(self) -> None:
        """Close the innermost level."""
        self._first.pop()
        self._rest.pop()
        self._cumulative.pop()
        self._used = min(self._used, len(self._first))

    def blank(self) -> None:
        """Ask for one blank line before the next line (never at the start, never twice)."""
        if self._lines:
            self._pending_blank = True

    def write(self, line: str) -> None:
        """Write one line (it must not contain a newline) under the current prefixes."""
        if self._pending_blank:
            self._pending_blank = False
            self._lines.append(self._cumulative[self._used].rstrip())
        depth = len(self._first)
        prefix = self._cumulative[self._used]
        if self._used < depth:
            prefix += "".join(self._first[self._used :])
            self._used = depth
        self._lines.append((prefix + line).rstrip() if not line else prefix + line)

    def text(self) -> str:
        """Everything written, each line ending with ``\\n`` (``""`` if nothing)."""
        return "".join(line + "\n" for line in self._lines)
