"""Finding the files a ``dastdown`` command works on.

Command-line paths are files or folders; folders are walked recursively in
sorted order (symbolic links to folders are not followed, so a link loop
cannot trap the walk) and only files with the wanted extensions are kept.
Folders that cannot be read are reported, not fatal.

>>> import pathlib, tempfile
>>> top = pathlib.Path(tempfile.mkdtemp())
>>> for name in ("b/x.json", "a.dastdown", "b/notes.txt"):
...     (top / name).parent.mkdir(exist_ok=True)
...     _ = (top / name).write_text("")
>>> [f.relative for f in discover([str(top)], (".json", ".dastdown"))[0]]
['a.dastdown', 'b/x.json']
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from .cli_diagnostics import Diagnostic, os_error_message

__all__ = ["Found", "discover"]


@dataclass(frozen=True)
class Found:
    """A file to work on: its path, how to show it, and its path under its root.

    ``relative`` is the path below the folder given on the command line
    (the file name itself for a file given directly), with ``/`` separators.

    >>> Found("docs/sub/a.json", "docs", "sub/a.json").relative
    'sub/a.json'
    """

    path: str
    root: str
    relative: str


def _walk(
    top: str, suffixes: tuple[str, ...], skip: str | None
) -> tuple[list[Found], list[Diagnostic]]:
    found: list[Found] = []
    problems: list[Diagnostic] = []

    def onerror(exc: OSError) -> None:
        problems.append(Diagnostic(exc.filename or top, os_error_message(exc)))

    skip_real = os.path.realpath(skip) if skip is not None else None
    for directory, dirnames, filenames in os.walk(top, onerror=onerror):
        dirnames.sort()
        if skip_real is not None:
            dirnames[:] = [
                d for d in dirnames if os.path.realpath(os.path.join(directory, d)) != skip_real
            ]
        for name in sorted(filenames):
            if name.lower().endswith(suffixes):
                path = os.path.join(directory, name)
                relative = os.path.relpath(path, top).replace(os.sep, "/")
                found.append(Found(path, top, relative))
    return found, problems


def discover(
    paths: Iterable[str], suffixes: Sequence[str], skip: str | None = None
) -> tuple[list[Found], list[Diagnostic]]:
    """The files named by ``paths``, folders walked for ``suffixes``.

    Files named directly are kept whatever their extension (the caller
    decides what to do with them); a missing path is reported. ``skip`` is
    a folder left out of the walk (the output folder of a conversion).

    >>> found, problems = discover(["/nonexistent"], (".json",))
    >>> found, [p.render() for p in problems]
    ([], ['/nonexistent: error: No such file or directory'])
    """
    wanted = tuple(s.lower() for s in suffixes)
    found: list[Found] = []
    problems: list[Diagnostic] = []
    for path in paths:
        if path == "-":
            found.append(Found(path, "", path))
            continue
        try:
            is_dir = stat.S_ISDIR(os.stat(path).st_mode)
        except OSError as exc:
            problems.append(Diagnostic(path, os_error_message(exc)))
            continue
        if is_dir:
            more, trouble = _walk(path, wanted, skip)
            found += more
            problems += trouble
        else:
            found.append(Found(path, os.path.dirname(path), os.path.basename(path)))
    return found, problems
