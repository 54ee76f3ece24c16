"""A one-line progress bar for folder conversions, on a terminal only.

The bar is drawn on standard error and only when standard error is a
terminal, so pipes, logs and CI output never see carriage returns. Redraws
are throttled; messages printed while the bar is shown clear it first.

>>> render_progress(5, 20, width=50, elapsed=1.5)
'[#######......................]  5/20  25%    1.5s'
"""

from __future__ import annotations

import shutil
import time
from typing import TextIO

__all__ = ["ProgressBar", "render_progress"]


def render_progress(done: int, total: int, width: int, elapsed: float) -> str:
    """Render the bar line for ``done`` of ``total`` files in ``width`` columns.

    The counter and percentage keep a fixed width so the line does not jump;
    the bar takes what is left (at least 10 cells).

    >>> render_progress(0, 3, width=30, elapsed=0.0)
    '[...........] 0/3   0%    0.0s'
    >>> render_progress(3, 3, width=30, elapsed=12.25)
    '[###########] 3/3 100%   12.2s'
    """
    total = max(total, 0)
    done = min(max(done, 0), total)
    digits = len(str(total))
    percent = 100 * done // total if total else 100
    tail = f" {done:>{digits}}/{total} {percent:>3}% {elapsed:>6.1f}s"
    cells = max(10, width - len(tail) - 2)
    filled = cells * done // total if total else cells
    return f"[{'#' * filled}{'.' * (cells - filled)}]{tail}"


class ProgressBar:
    """A progress bar on ``stream``, drawn only when the stream is a terminal.

    >>> import io
    >>> bar = ProgressBar(io.StringIO(), total=10)
    >>> bar.enabled
    False
    """

    def __init__(self, stream: TextIO, total: int, interval: float = 0.1) -> None:
        self.stream = stream
        self.total = total
        self.done = 0
        self.interval = interval
        isatty = getattr(stream, "isatty", None)
        self.enabled = bool(isatty and isatty())
        self._start = time.monotonic()
        self._last_draw = float("-inf")
        self._shown = False

    def advance(self, count: int = 1) -> None:
        """Count ``count`` more files done and redraw if enough time passed.

        >>> import io
        >>> bar = ProgressBar(io.StringIO(), total=4)
        >>> bar.advance(3)
        >>> bar.done
        3
        """
        self.done += count
        if not self.enabled:
            return
        now = time.monotonic()
        if now - self._last_draw >= self.interval or self.done >= self.total:
            self._draw(now)

    def _draw(self, now: float) -> None:
        width = shutil.get_terminal_size((80, 24)).columns
        line = render_progress(self.done, self.total, width - 1, now - self._start)
        self.stream.write("\r" + line)
        self.stream.flush()
        self._last_draw = now
        self._shown = True

    def clear(self) -> None:
        """Erase the bar (before printing a message, or at the end).

        >>> import io
        >>> ProgressBar(io.StringIO(), total=1).clear()
        """
        if self.enabled and self._shown:
            width = shutil.get_terminal_size((80, 24)).columns
            self.stream.write("\r" + " " * (width - 1) + "\r")
            self.stream.flush()
            self._shown = False

    def write(self, text: str) -> None:
        """Print ``text`` (a message) above the bar, then draw the bar again.

        >>> import io
        >>> out = io.StringIO()
        >>> ProgressBar(out, total=1).write("a.json: error: bad\\n")
        >>> out.getvalue()
        'a.json: error: bad\\n'
        """
        self.clear()
        self.stream.write(text)
        self.stream.flush()
        if self.enabled:
            self._draw(time.monotonic())
