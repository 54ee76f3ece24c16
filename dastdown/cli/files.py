"""Finding the files a ``dastdown`` command works on.

Command-line paths are files or folders. Files named on the command line
are always kept. Folders are walked recursively in sorted order, keeping
the files with the wanted extensions, and skipping:

* folders that are never documents: ``.git`` (and other version-control
  folders), ``node_modules``, ``__pycache__``, tool caches, and virtual
  environments (any folder holding a ``pyvenv.cfg``);
* what the ``.gitignore`` files say (those of the walked folders and of
  their parents up to the repository's top), read with ``pathspec``;
* the ``exclude`` patterns (gitignore syntax, relative to the folder given).

``ignore=False`` (``--no-ignore``) keeps the first two. Symbolic links to
folders are not followed (so a link loop cannot trap the walk); a link that
leads back to one of its own parent folders is reported as a warning.
Folders that cannot be read are reported, not fatal.

>>> import pathlib, tempfile
>>> with tempfile.TemporaryDirectory() as tmp:
...     top = pathlib.Path(tmp)
...     for name in ("b/x.json", "a.dastdown", "b/notes.txt", "node_modules/m.json"):
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
from typing import TYPE_CHECKING

from .diagnostics import Diagnostic, os_error_message

if TYPE_CHECKING:
    from pathspec import GitIgnoreSpec

__all__ = ["SKIPPED_FOLDERS", "Found", "discover"]

SKIPPED_FOLDERS = frozenset(
    {
        ".git",
        ".hg",
        ".svn",
        ".bzr",
        "node_modules",
        "__pycache__",
        ".mypy_cache",
        ".pytest_cache",
        ".ruff_cache",
        ".tox",
        ".nox",
        ".venv",
    }
)
"""Folder names never walked into (unless ``ignore=False``); virtual environments are
recognised by their ``pyvenv.cfg`` whatever their name."""


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
# A spec and the folder its patterns are relative to ("" = the walked root,
# "../" prefixes for the parents of the root).
_Rules = tuple[tuple[str, "GitIgnoreSpec"], ...]


def _spec(lines: Iterable[str]) -> GitIgnoreSpec:
    from pathspec import GitIgnoreSpec

    return GitIgnoreSpec.from_lines(lines)


def _read_gitignore(folder: str) -> GitIgnoreSpec | None:
    try:
        with open(os.path.join(folder, ".gitignore"), encoding="utf-8", errors="replace") as f:
            lines = f.read().splitlines()
    except OSError:
        return None
    return _spec(lines) if any(line.strip() for line in lines) else None


def _parent_rules(top: str) -> list[tuple[str, GitIgnoreSpec]]:
    """The ``.gitignore`` files of the parents of ``top``, up to its repository's top.

    Outside a repository (no ``.git`` above), parents' files are not read.
    """
    real = os.path.realpath(top)
    chain: list[str] = []
    folder = real
    while True:
        if os.path.exists(os.path.join(folder, ".git")):
            break
        parent = os.path.dirname(folder)
        if parent == folder:
            return []  # not in a repository
        chain.append(folder)
        folder = parent
    chain.append(folder)  # the repository's top
    rules: list[tuple[str, GitIgnoreSpec]] = []
    for ancestor in reversed(chain[1:]):  # outermost first, ``top`` itself is walked
        spec = _read_gitignore(ancestor)
        if spec is not None:
            below = os.path.relpath(real, ancestor).replace(os.sep, "/")
            rules.append((below + "/", spec))
    return rules


def _walk(
    top: str,
    suffixes: tuple[str, ...],
    skip: str | None,
    exclude: GitIgnoreSpec | None,
    ignore: bool,
) -> tuple[list[Found], list[Diagnostic]]:
    """Walk ``top`` depth first in sorted order (files, then subfolders), iteratively."""
    found: list[Found] = []
    problems: list[Diagnostic] = []
    skip_real = os.path.realpath(skip) if skip is not None else None
    # Each frame: a folder, its path below top + "/", and the gitignore rules that apply.
    # The rules of the parents of ``top`` have their base as ``top``'s path below them,
    # marked by a leading "/" so they are told apart from the walked folders' own.
    outer: _Rules = ()
    if ignore:
        outer = tuple(("/" + base, spec) for base, spec in _parent_rules(top))
    stack: list[tuple[str, str, _Rules]] = [(top, "", outer)]
    while stack:
        folder, prefix, rules = stack.pop()
        try:
            with os.scandir(folder) as listing:
                entries = sorted(listing, key=_name)
        except OSError as exc:
            problems.append(Diagnostic(folder, os_error_message(exc)))
            continue
        if ignore:
            names = {entry.name for entry in entries}
            if prefix and "pyvenv.cfg" in names:
                continue  # a virtual environment
            if ".gitignore" in names:
                spec = _read_gitignore(folder)
                if spec is not None:
                    rules = (*rules, (prefix, spec))
        subfolders: list[tuple[str, str, _Rules]] = []
        for entry in entries:
            name = entry.name
            try:
                if entry.is_dir(follow_symlinks=False):
                    relative = prefix + name + "/"
                    if ignore and (name in SKIPPED_FOLDERS or _matches(rules, relative)):
                        continue
                    if exclude is not None and exclude.match_file(relative):
                        continue
                    if skip_real is None or os.path.realpath(entry.path) != skip_real:
                        subfolders.append((entry.path, relative, rules))
                    continue
                link = entry.is_symlink()
                if link and _is_folder(entry.path):
                    if _loops(entry.path):
                        message = "symbolic link to a parent folder (a loop), not followed"
                        problems.append(Diagnostic(entry.path, message, severity="warning"))
                    continue  # links to folders are not followed (no loops)
                if not name.lower().endswith(suffixes):
                    continue
                relative = prefix + name
                if ignore and _matches(rules, relative):
                    continue
                if exclude is not None and exclude.match_file(relative):
                    continue
            except OSError:  # pragma: no cover - vanished while listing
                continue
            found.append(Found(entry.path, top, relative, link))
        stack.extend(reversed(subfolders))
    return found, problems


def _matches(rules: _Rules, relative: str) -> bool:
    """Whether the gitignore ``rules`` ignore ``relative`` (``/``-ended for a folder).

    The deepest ``.gitignore`` with a matching pattern decides, as in git.
    """
    for base, spec in reversed(rules):
        if base.startswith("/"):  # a parent of the walked root: base is the root below it
            path = base[1:] + relative
        elif relative.startswith(base):
            path = relative[len(base) :]
        else:  # pragma: no cover - rules only apply below their folder
            continue
        result = spec.check_file(path).include
        if result is not None:
            return bool(result)
    return False


def _is_folder(path: str) -> bool:
    try:
        return stat.S_ISDIR(os.stat(path).st_mode)
    except OSError:
        return False


def _loops(link: str) -> bool:
    """Whether a link to a folder points to one of the folders it is in (or itself)."""
    target = os.path.realpath(link)
    here = os.path.realpath(os.path.dirname(link))
    return here == target or here.startswith(target.rstrip(os.sep) + os.sep)


def discover(
    paths: Iterable[str],
    suffixes: Sequence[str],
    skip: str | None = None,
    exclude: Sequence[str] = (),
    ignore: bool = True,
) -> tuple[list[Found], list[Diagnostic]]:
    """The files named by ``paths``, folders walked for ``suffixes``.

    Files named directly are kept whatever their extension and whatever the
    ignore rules (the caller decides what to do with them); a missing path
    is reported. ``skip`` is a folder left out of the walk (the output folder
    of a conversion); ``exclude`` are gitignore-style patterns matched below
    each folder walked; ``ignore=False`` walks the usually skipped folders and
    reads no ``.gitignore``.

    >>> found, problems = discover(["/nonexistent"], (".json",))
    >>> found, [p.render() for p in problems]
    ([], ['/nonexistent: error: No such file or directory'])
    """
    wanted = tuple(s.lower() for s in suffixes)
    excluded = _spec(exclude) if exclude else None
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
            more, trouble = _walk(path, wanted, skip, excluded, ignore)
            found += more
            problems += trouble
        else:
            link = os.path.islink(path)
            found.append(Found(path, os.path.dirname(path), os.path.basename(path), link))
    return found, problems
