"""Client-side pacing: never send more than ``limit`` requests in any ``period`` seconds.

The Content Management API allows 60 requests per 3 seconds per token and
answers ``429`` past that. :class:`RateLimiter` books a send time for each
request on a sliding window (so it also keeps under a server that counts in
fixed windows), shared by every thread or task using one client, and can be
paused for the time a ``429`` answer's headers ask (every caller then waits).
The clock is injectable, so tests and benchmarks need no real waiting.

Why not a library: pyrate-limiter (the maintained choice) has changed its API
at each major version, makes blocking waits and asyncio depend on the bucket
backend, and has no way to pause every caller until a server-given reset
time; tenacity, which the client uses for retries, has no pacing. The window
here is a deque and a lock.

>>> now = [0.0]
>>> limiter = RateLimiter(2, 1.0, clock=lambda: now[0], margin=0.0)
>>> [limiter.reserve() for _ in range(3)]
[0.0, 0.0, 1.0]
>>> limiter.pause(5.0); limiter.reserve()
5.0
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable

__all__ = ["RateLimiter", "parse_rate"]


def parse_rate(text: str) -> tuple[int, float]:
    """Read ``"60/3"`` (requests / seconds) as ``(60, 3.0)``; ``ValueError`` if malformed.

    >>> parse_rate("600/3"), parse_rate("10/0.5")
    ((600, 3.0), (10, 0.5))
    """
    count, sep, seconds = text.partition("/")
    try:
        limit, period = int(count), float(seconds) if sep else 1.0
    except ValueError:
        raise ValueError(f"a rate is REQUESTS/SECONDS, e.g. 60/3; got {text!r}") from None
    if limit < 1 or not period > 0:
        raise ValueError(f"a rate needs at least 1 request per a positive time; got {text!r}")
    return limit, period


class RateLimiter:
    """At most ``limit`` requests in any window of ``period`` seconds (``None``: no limit).

    :meth:`reserve` books the next free send time and returns how long to
    wait for it; :meth:`pause` holds every later request back (a ``429``).
    ``margin`` widens the window a little (2% by default) so that latency
    jitter between client and server does not push a request into the
    server's previous window. Thread-safe.

    >>> RateLimiter(None).reserve()
    0.0
    """

    def __init__(
        self,
        limit: int | None = 60,
        period: float = 3.0,
        *,
        clock: Callable[[], float] = time.monotonic,
        margin: float = 0.02,
    ) -> None:
        if limit is not None and (limit < 1 or not period > 0):
            raise ValueError("a rate limit needs limit >= 1 and period > 0")
        self.limit = limit
        self.period = period
        self.clock = clock
        self._window = period * (1.0 + margin)
        self._booked: deque[float] = deque(maxlen=limit or 1)
        self._paused_until = float("-inf")
        self._lock = threading.Lock()

    def reserve(self) -> float:
        """Book a send slot; return the seconds to wait before sending (0.0: now).

        >>> limiter = RateLimiter(1, 2.0, clock=lambda: 10.0, margin=0.0)
        >>> limiter.reserve(), limiter.reserve(), limiter.reserve()
        (0.0, 2.0, 4.0)
        """
        with self._lock:
            now = self.clock()
            at = max(now, self._paused_until)
            if self.limit is not None:
                if len(self._booked) == self.limit:
                    at = max(at, self._booked[0] + self._window)
                self._booked.append(at)
            return at - now

    def pause(self, seconds: float) -> None:
        """Send nothing for ``seconds`` from now (what a ``429`` answer asks).

        >>> limiter = RateLimiter(None, clock=lambda: 0.0)
        >>> limiter.pause(1.5); limiter.reserve()
        1.5
        """
        with self._lock:
            self._paused_until = max(self._paused_until, self.clock() + max(seconds, 0.0))
