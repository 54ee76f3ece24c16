"""File input and output of the ``dastdown`` command.

Reading turns every failure (missing file, a directory, bad UTF-8) into a
:class:`~dastdown.cli.diagnostics.CliFailure` with a compiler-style message.
Writing is atomic: the data goes to a temporary file in the target's
directory, is flushed and fsynced, takes the mode of the file it replaces,
and is renamed over the target with ``os.replace``. A reader therefore sees
the old file or the new one, never a truncated or half-written one, and a
failure leaves the old file untouched and no temporary file behind.

>>> import os, tempfile
>>> with tempfile.TemporaryDirectory() as tmp:
...     target = os.path.join(tmp, "out.txt")
...     atomic_write(target, "héllo\\n".encode())
...     read_text(target)
'héllo\\n'
"""

from __future__ import annotations

import contextlib
import errno
import functools
import os
import secrets
import stat
import sys
from collections.abc import Callable, Sequence
from typing import NamedTuple

from .diagnostics import CliFailure, Diagnostic, os_error_message

_O_CLOEXEC = getattr(os, "O_CLOEXEC", 0)
_O_DIRECTORY = getattr(os, "O_DIRECTORY", 0)

__all__ = [
    "UTF8_BOM",
    "BatchWriter",
    "atomic_write",
    "decode_utf8",
    "discard_temporaries",
    "read_stdin",
    "read_text",
    "same_file",
    "silence_stdout",
    "write_stdout",
]


UTF8_BOM = b"\xef\xbb\xbf"
"""The UTF-8 byte order mark some editors put at the start of a file."""


def decode_utf8(data: bytes, display: str) -> str:
    """Decode UTF-8 (a leading byte order mark is dropped), reporting the first bad byte.

    The error names the byte's offset in the file (0-based, as hex editors
    count), its line and its column.

    >>> decode_utf8(b"\\xef\\xbb\\xbfok", "a.json")
    'ok'
    >>> try:
    ...     decode_utf8(b"a\\n\\xc3\\xa9\\xff", "a.json")
    ... except CliFailure as exc:
    ...     print(exc.diagnostics[0].render())
    a.json:2:2: error: not valid UTF-8 at byte offset 4: invalid start byte 0xff
    """
    skip = len(UTF8_BOM) if data.startswith(UTF8_BOM) else 0
    try:
        return data[skip:].decode("utf-8") if skip else data.decode("utf-8")
    except UnicodeDecodeError as exc:
        start = exc.start + skip
        line = data.count(b"\n", 0, start) + 1
        line_start = max(data.rfind(b"\n", 0, start) + 1, skip)
        column = len(data[line_start:start].decode("utf-8", "replace")) + 1
        reason = exc.reason
        message = f"not valid UTF-8 at byte offset {start}: {reason} 0x{data[start]:02x}"
        raise CliFailure([Diagnostic(display, message, line, column)]) from None


def read_text(path: str, display: str | None = None) -> str:
    """Read a UTF-8 text file, raising ``CliFailure`` with a clear message.

    >>> read_text("/nonexistent/x.json")
    Traceback (most recent call last):
    ...
    dastdown.cli.diagnostics.CliFailure: /nonexistent/x.json: error: No such file or directory
    """
    shown = path if display is None else display
    try:
        with open(path, "rb") as handle:
            data = handle.read()
    except OSError as exc:
        raise CliFailure([Diagnostic(shown, os_error_message(exc))]) from None
    return decode_utf8(data, shown)


def read_stdin() -> str:
    """Read standard input as UTF-8 (whatever the locale says).

    >>> import io, sys
    >>> saved, sys.stdin = sys.stdin, io.TextIOWrapper(io.BytesIO("é".encode()))
    >>> try:
    ...     read_stdin()
    ... finally:
    ...     sys.stdin = saved
    'é'
    """
    buffer = getattr(sys.stdin, "buffer", None)
    if buffer is None:  # a replaced sys.stdin without a byte layer
        return sys.stdin.read()
    try:
        data = buffer.read()
    except OSError as exc:
        raise CliFailure([Diagnostic("<stdin>", os_error_message(exc))]) from None
    return decode_utf8(data, "<stdin>")


def write_stdout(text: str) -> None:
    """Write ``text`` to standard output as UTF-8 (whatever the locale says).

    A closed pipe raises ``BrokenPipeError`` (the command then ends
    quietly); any other failure (a full disk, say) raises ``CliFailure``
    naming standard output, and later writes go nowhere.

    >>> write_stdout("ok\\n")
    ok
    """
    try:
        _write_stdout(text)
    except BrokenPipeError:
        raise
    except OSError as exc:
        silence_stdout()
        message = f"cannot write to standard output: {os_error_message(exc)}"
        raise CliFailure([Diagnostic("dastdown", message)]) from None


def _write_stdout(text: str) -> None:
    out = sys.stdout
    buffer = getattr(out, "buffer", None)
    if buffer is None:
        out.write(text)
        out.flush()
        return
    out.flush()
    data = memoryview(text.encode("utf-8"))
    while data:  # a pipe may take only part of a large write
        written = buffer.write(data)
        data = data[len(data) if written is None else written :]
    buffer.flush()


def silence_stdout() -> None:
    """Point standard output at the null device, so that later flushes (at exit) are quiet.

    Used after a write failed (closed pipe, full disk): Python would
    otherwise try to flush the buffered data again at exit and complain.

    >>> silence_stdout()  # under doctest, standard output is not a file: nothing to do
    """
    try:
        fileno = sys.stdout.fileno()
    except (OSError, ValueError, AttributeError):
        return  # not a real file: nothing is flushed at exit
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        try:
            os.dup2(devnull, fileno)
        finally:
            os.close(devnull)
    except OSError:  # pragma: no cover - no /dev/null
        pass


@functools.cache
def _default_mode() -> int:
    """The mode ``open()`` gives a new file: 0o666 minus the umask."""
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def same_file(a: str, b: str) -> bool:
    """Whether two paths name the same file (links resolved; it may not exist).

    >>> same_file("x/../a.json", "a.json")
    True
    """
    try:
        return os.path.samefile(a, b)
    except OSError:
        return os.path.realpath(a) == os.path.realpath(b)


# Temporary files not yet renamed over their target, of every writer of this
# process: a signal handler removes them (``discard_temporaries``) before the
# process ends. A name is registered *before* the file is created and
# unregistered after the rename, so no window leaves a file unregistered.
_TEMPORARIES: set[str] = set()


def discard_temporaries() -> None:
    """Remove every temporary file of this process not yet renamed (on a signal).

    Safe to call at any moment, also from a signal handler: a name whose file
    was never created, or was already renamed, is skipped.

    >>> discard_temporaries()
    """
    for name in list(_TEMPORARIES):
        with contextlib.suppress(OSError):
            os.unlink(name)
        _TEMPORARIES.discard(name)


class _Pending(NamedTuple):
    """A written temporary file waiting to be renamed over its target."""

    temporary: str
    target: str
    path: str  # the path asked for (``target`` with a final link resolved)


def _prepare(path: str, data: bytes) -> _Pending:
    """Write ``data`` to a new temporary file beside ``path`` (not synced yet)."""
    # Only a link at the end matters: os.replace works through linked folders.
    target = os.path.realpath(path) if os.path.islink(path) else path
    owner: tuple[int, int] | None = None
    try:
        status = os.stat(target)
    except FileNotFoundError:
        mode = _default_mode()
    else:
        if stat.S_ISDIR(status.st_mode):
            raise IsADirectoryError(21, "Is a directory", path)
        mode = stat.S_IMODE(status.st_mode)
        owner = (status.st_uid, status.st_gid)
    directory, name = os.path.split(target)
    while True:
        tmp = os.path.join(directory, f".{name}.{secrets.token_hex(4)}.tmp")
        _TEMPORARIES.add(tmp)  # before creating it: a signal may come at any point
        try:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _O_CLOEXEC, 0o600)
        except FileExistsError:  # pragma: no cover - a 32-bit random name taken
            _TEMPORARIES.discard(tmp)
            continue
        except BaseException:
            _TEMPORARIES.discard(tmp)
            raise
        break
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            if owner is not None and hasattr(os, "fchown"):
                with contextlib.suppress(OSError):  # keep the owner when allowed to
                    os.fchown(handle.fileno(), *owner)
        os.chmod(tmp, mode)
    except BaseException:
        _drop(tmp)
        raise
    return _Pending(tmp, target, path)


def _drop(tmp: str) -> None:
    """Remove a temporary file (and forget it)."""
    with contextlib.suppress(OSError):
        os.unlink(tmp)
    _TEMPORARIES.discard(tmp)


def _fsync_path(path: str, flags: int = os.O_RDONLY) -> None:
    """fsync the file or folder at ``path``."""
    fd = os.open(path, flags | _O_CLOEXEC)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_folder(folder: str) -> None:
    """fsync a folder so the renames in it are durable (where folders can be fsynced)."""
    with contextlib.suppress(OSError):  # some file systems refuse to fsync a folder
        _fsync_path(folder or ".", _O_DIRECTORY)


@functools.cache
def _syncfs() -> Callable[[int], int] | None:
    """The Linux ``syncfs(fd)`` call, or ``None`` elsewhere."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        function: Callable[[int], int] = libc.syncfs
    except (OSError, AttributeError):  # pragma: no cover - no syncfs in this libc
        return None
    return function


def _sync_data(pending: Sequence[_Pending], marker: int | None) -> None:
    """Make the data of the temporary files durable, in as few syncs as possible.

    Many files on Linux: one ``syncfs`` of their file system (``marker`` is a
    descriptor opened there before they were written, so it reports any
    write-back error since). Otherwise one ``fsync`` per file.
    """
    syncfs = _syncfs() if marker is not None else None
    if syncfs is not None and marker is not None:
        if syncfs(marker) == 0:
            return
        import ctypes

        error = ctypes.get_errno()
        if error not in (errno.ENOSYS, errno.EINVAL):
            raise OSError(error, os.strerror(error))
    for item in pending:
        fd = os.open(item.temporary, os.O_RDONLY | _O_CLOEXEC)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


class BatchWriter:
    """Write many files atomically, syncing them together: no file is ever left partial.

    :meth:`add` writes each file's data to a temporary file beside it;
    :meth:`commit` makes all their data durable at once (one ``syncfs`` on
    Linux instead of one ``fsync`` per file), renames each over its target
    and fsyncs each folder once. A reader (or a machine that lost power)
    sees each target either as it was or complete. A signal, an error or
    leaving the ``with`` block without :meth:`commit` removes the temporary
    files.

    >>> import pathlib, tempfile
    >>> with tempfile.TemporaryDirectory() as tmp, BatchWriter() as writer:
    ...     for name in ("a.txt", "b.txt"):
    ...         writer.add(str(pathlib.Path(tmp) / name), name.encode())
    ...     errors = writer.commit()
    ...     errors, sorted(p.name for p in pathlib.Path(tmp).iterdir())
    ({}, ['a.txt', 'b.txt'])
    """

    SYNCFS_FROM = 4
    """From this many files in a folder, one ``syncfs`` replaces their ``fsync`` calls."""

    def __init__(self) -> None:
        self._pending: list[_Pending] = []
        self._markers: dict[str, int] = {}  # folder -> descriptor opened before writing

    def __enter__(self) -> BatchWriter:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.discard()

    def add(self, path: str, data: bytes) -> None:
        """Write ``data`` for ``path`` to a temporary file; ``OSError`` if it cannot be.

        On failure the target is untouched and no temporary file is left.
        """
        folder = os.path.dirname(path)
        if folder not in self._markers and _syncfs() is not None:
            with contextlib.suppress(OSError):
                self._markers[folder] = os.open(folder or ".", os.O_RDONLY | _O_CLOEXEC)
        self._pending.append(_prepare(path, data))

    def commit(self) -> dict[str, OSError]:
        """Sync, then rename every file over its target; return the failures by path.

        When syncing fails every file of the batch fails (none is renamed).
        """
        pending, self._pending = self._pending, []
        errors: dict[str, OSError] = {}
        by_folder: dict[str, list[_Pending]] = {}
        for item in pending:
            by_folder.setdefault(os.path.dirname(item.temporary), []).append(item)
        for folder, items in by_folder.items():
            marker = self._markers.get(folder) if len(items) >= self.SYNCFS_FROM else None
            try:
                _sync_data(items, marker)
            except OSError as exc:
                for item in items:
                    _drop(item.temporary)
                    errors[item.path] = exc
                continue
            for item in items:
                try:
                    os.replace(item.temporary, item.target)
                except OSError as exc:
                    _drop(item.temporary)
                    errors[item.path] = exc
                else:
                    _TEMPORARIES.discard(item.temporary)
            _fsync_folder(folder)
        self._close_markers()
        return errors

    def discard(self) -> None:
        """Remove the temporary files not committed (idempotent)."""
        pending, self._pending = self._pending, []
        for item in pending:
            _drop(item.temporary)
        self._close_markers()

    def _close_markers(self) -> None:
        markers, self._markers = self._markers, {}
        for fd in markers.values():
            with contextlib.suppress(OSError):
                os.close(fd)


def atomic_write(path: str, data: bytes) -> None:
    """Replace the file at ``path`` by ``data`` atomically, keeping its mode.

    The data goes to a temporary file in the target's folder, is flushed and
    fsynced, takes the mode (and, when the process may set them, the owner
    and group) of the file it replaces, and is renamed over the target with
    ``os.replace``; the folder is then fsynced. A symbolic link is followed
    (its target is rewritten, the link stays). Raises ``OSError`` when the
    file cannot be written (``IsADirectoryError`` when ``path`` is a
    directory); the old file is then untouched and no temporary file is left
    behind. Many files are written faster with :class:`BatchWriter`.

    >>> import pathlib, tempfile
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     target = pathlib.Path(tmp) / "f.txt"
    ...     atomic_write(str(target), b"one")
    ...     atomic_write(str(target), b"two")
    ...     target.read_bytes(), sorted(p.name for p in target.parent.iterdir())
    (b'two', ['f.txt'])
    """
    item = _prepare(path, data)
    try:
        _sync_data([item], None)
        os.replace(item.temporary, item.target)
    except BaseException:
        _drop(item.temporary)
        raise
    _TEMPORARIES.discard(item.temporary)
    _fsync_folder(os.path.dirname(item.target))
