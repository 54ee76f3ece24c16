"""Interruption: SIGINT and SIGTERM end the command cleanly, whatever it is doing.

While a command runs (:func:`handle_signals`), SIGINT raises
``KeyboardInterrupt`` and SIGTERM raises :class:`Terminated` in the main
thread; ``main`` then removes the temporary files not yet renamed, ends the
worker processes and returns 130 or 143. A second signal during that
clean-up is ignored. Worker processes (:func:`worker_signals`) leave SIGINT
to the main process and, on SIGTERM or when the main process dies, remove
their temporary files and exit at once. Files already renamed into place
are complete: outputs are only ever renamed whole.

With the environment variable ``DASTDOWN_DEBUG`` set, the command prints
``dastdown: debug: ...`` lines on standard error (its process id, each
worker's, when it starts waiting for standard input), for tests and bug
reports.

>>> Terminated().status
143
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import threading
from collections.abc import Iterator
from types import FrameType

from .fileio import discard_temporaries

__all__ = ["Terminated", "debug", "handle_signals", "interrupt_status", "worker_signals"]


class Terminated(KeyboardInterrupt):
    """Raised in the main thread when the process receives SIGTERM.

    A ``KeyboardInterrupt`` so that every clean-up written for Ctrl-C runs.

    >>> isinstance(Terminated(), KeyboardInterrupt)
    True
    """

    status = 128 + signal.SIGTERM


def interrupt_status(exc: KeyboardInterrupt) -> int:
    """The exit status for an interruption: 143 for SIGTERM, 130 for SIGINT.

    >>> interrupt_status(KeyboardInterrupt()), interrupt_status(Terminated())
    (130, 143)
    """
    return exc.status if isinstance(exc, Terminated) else 128 + signal.SIGINT


def debug(message: str) -> None:
    """Print ``dastdown: debug: message`` on standard error when ``DASTDOWN_DEBUG`` is set.

    >>> debug("not shown unless DASTDOWN_DEBUG is set")
    """
    if os.environ.get("DASTDOWN_DEBUG"):
        sys.stderr.write(f"dastdown: debug: {message}\n")
        sys.stderr.flush()


def _raise_interrupt(signum: int, frame: FrameType | None) -> None:
    # one interruption is enough: ignore the next ones while cleaning up
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    raise Terminated() if signum == signal.SIGTERM else KeyboardInterrupt()


@contextlib.contextmanager
def handle_signals() -> Iterator[None]:
    """While the block runs, SIGINT and SIGTERM raise in the main thread (see above).

    Handlers are installed only in the main thread and only for signals not
    ignored (a command started in the background keeps SIGINT ignored); the
    previous handlers come back at the end.

    >>> with handle_signals():
    ...     signal.getsignal(signal.SIGTERM) is not signal.SIG_DFL
    True
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    saved = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        for sig, previous in saved.items():
            if previous is not signal.SIG_IGN:
                signal.signal(sig, _raise_interrupt)
        yield
    finally:
        for sig, previous in saved.items():
            signal.signal(sig, previous if previous is not None else signal.SIG_DFL)


def _worker_exit(signum: int, frame: FrameType | None) -> None:
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    discard_temporaries()
    os._exit(128 + signum)


def _die_with_parent() -> None:
    """Linux: have the kernel send SIGTERM to this process when its parent dies."""
    if not sys.platform.startswith("linux"):
        return
    try:
        import ctypes

        pr_set_pdeathsig = 1
        ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, int(signal.SIGTERM))
    except (OSError, AttributeError):  # pragma: no cover - no prctl in this libc
        pass


def worker_signals(parent: int) -> None:
    """Signal handling of a worker process of the main process ``parent``.

    SIGINT is ignored (the main process handles Ctrl-C and ends the
    workers); SIGTERM, or the death of the main process, removes the
    worker's temporary files and ends it with status 143.

    >>> worker_signals  # doctest: +ELLIPSIS
    <function worker_signals at ...>
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, _worker_exit)
    _die_with_parent()
    if os.getppid() != parent:  # the parent died before the line above
        _worker_exit(signal.SIGTERM, None)
    debug(f"worker pid {os.getpid()}")
