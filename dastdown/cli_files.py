"""Finding the files a ``dastdown`` command works on.

Command-line paths are files or folders; folders are walked recursively in
sorted order (symbolic links to folders are not followed, so a link loop
cannot trap the walk) and only files with the wanted extensions are kept.
Folders that cannot be read are reported, not fatal.

>>> import pathlib, tempfile
>>> with tempfile.TemporaryDirectory() as tmp:
...     top = pathlib.Path(tmp)
...     for name in ("b/x.json", "a.dastdown", "b/notes.txt"):
...         (top / name).parent.mkdir(exist_ok=True)
...         _ = (top / name).write_text("")
...     [f.relative for f in discover([tmp], (".json", ".dastdown"))[0]]
['a.dastdown', 'b/x.json']
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from operator import attrgetter

from .cli_diagnostics import Diagnostic, os_error_message

__all__ = ["Found", "discover"]


@dataclass(frozen=True)
class Found:
    """A file to work on: its path, how to show it, and its path under its root.

    ``relative`` is the path below the folder given on the command line
    (the file name itself for a file given directly), with ``/`` separators;
    ``link`` says whether the file is a symbolic link.

    >>> Found("docs/sub/a.json", "docs", "sub/a.json").relative
    'sub/a.json'
    """

    path: str
    root: str
    relative: str
    link: bool = False


_name = attrgetter("name")


def _walk(
    top: str, suffixes: tuple[str, ...], skip: str | None
) -> tuple[list[Found], list[Diagnostic]]:
    """Walk ``top`` depth first in sorted order (files, then subfolders), iteratively."""
    found: list[Found] = []
    problems: list[Diagnostic] = []
    skip_real = os.path.realpath(skip) if skip is not None else None
    stack: list[tuple[str, str]] = [(top, "")]  # (folder, its path below top + "/")
    while stack:
        folder, prefix = stack.pop()
        try:
            with os.scandir(folder) as listing:
                entries = sorted(listing, key=_name)
        except OSError as exc:
            problems.append(Diagnostic(folder, os_error_message(exc)))
            continue
        subfolders: list[tuple[str, str]] = []
        for entry in entries:
            name = entry.name
            try:
                if entry.is_dir(follow_symlinks=False):
                    if skip_real is None or os.path.realpath(entry.path) != skip_real:
                        subfolders.append((entry.path, prefix + name + "/"))
                    continue
                if not name.lower().endswith(suffixes):
                    continue
                link = entry.is_symlink()
                if link and entry.is_dir():
                    continue  # links to folders are not followed (no loops)
            except OSError:  # pragma: no cover - vanished while listing
                continue
            found.append(Found(entry.path, top, prefix + name, link))
        stack.extend(reversed(subfolders))
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
            link = os.path.islink(path)
            found.append(Found(path, os.path.dirname(path), os.path.basename(path), link))
    return found, problems
