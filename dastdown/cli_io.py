"""File input and output of the ``dastdown`` command.

Reading turns every failure (missing file, a directory, bad UTF-8) into a
:class:`~dastdown.cli_diagnostics.CliFailure` with a compiler-style message.
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
import functools
import os
import stat
import sys
import tempfile

from .cli_diagnostics import CliFailure, Diagnostic, os_error_message

__all__ = [
    "atomic_write",
    "decode_utf8",
    "read_stdin",
    "read_text",
    "same_file",
    "write_stdout",
]


def decode_utf8(data: bytes, display: str) -> str:
    """Decode UTF-8, reporting the line and column of the first bad byte.

    >>> decode_utf8(b"ok", "a.json")
    'ok'
    >>> decode_utf8(b"a\\n\\xc3\\xa9\\xff", "a.json")
    Traceback (most recent call last):
    ...
    dastdown.cli_diagnostics.CliFailure: a.json:2:2: error: not valid UTF-8: invalid start byte 0xff
    """
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        start = exc.start
        line = data.count(b"\n", 0, start) + 1
        line_start = data.rfind(b"\n", 0, start) + 1
        column = len(data[line_start:start].decode("utf-8", "replace")) + 1
        reason = exc.reason
        raise CliFailure(
            [Diagnostic(display, f"not valid UTF-8: {reason} 0x{data[start]:02x}", line, column)]
        ) from None


def read_text(path: str, display: str | None = None) -> str:
    """Read a UTF-8 text file, raising ``CliFailure`` with a clear message.

    >>> read_text("/nonexistent/x.json")
    Traceback (most recent call last):
    ...
    dastdown.cli_diagnostics.CliFailure: /nonexistent/x.json: error: No such file or directory
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

    >>> write_stdout("ok\\n")
    ok
    """
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


def atomic_write(path: str, data: bytes) -> None:
    """Replace the file at ``path`` by ``data`` atomically, keeping its mode.

    The owner and group are kept too when the process may set them.

    A symbolic link is followed (its target is rewritten, the link stays).
    Raises ``OSError`` when the file cannot be written (``IsADirectoryError``
    when ``path`` is a directory); the old file is then untouched and no
    temporary file is left behind.

    >>> import pathlib, tempfile
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     target = pathlib.Path(tmp) / "f.txt"
    ...     atomic_write(str(target), b"one")
    ...     atomic_write(str(target), b"two")
    ...     target.read_bytes(), sorted(p.name for p in target.parent.iterdir())
    (b'two', ['f.txt'])
    """
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
    fd, tmp = tempfile.mkstemp(dir=directory, prefix=f".{name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
            if owner is not None and hasattr(os, "fchown"):
                with contextlib.suppress(OSError):  # keep the owner when allowed to
                    os.fchown(handle.fileno(), *owner)
        os.chmod(tmp, mode)
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
