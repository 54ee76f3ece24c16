"""Run traversals written once as generators, with a sync or an async driver.

A traversal is a generator that yields :class:`Call` (call the user's
function with these arguments and send me the result) or :class:`Descend`
(run this sub-traversal and send me what it returns). The drivers keep the
generators on an explicit stack, so nesting depth is limited by memory only,
and the same traversal serves plain and async callbacks.

>>> def count_down(n):
...     if n:
...         got = yield Descend(count_down(n - 1))
...         return (yield Call((n, got)))
...     return 0
>>> drive(count_down(3000), lambda n, below: n + below)
4501500
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable, Generator
from typing import Any, TypeVar

__all__ = ["Call", "Descend", "Stop", "Traversal", "drive", "drive_async"]

R = TypeVar("R")


class Call(tuple[Any, ...]):
    """Arguments for one call of the user's function.

    >>> Call(("a", 1))
    ('a', 1)
    """

    __slots__ = ()


class Descend:
    """A sub-traversal to run; its return value is sent back.

    >>> def g():
    ...     return 1
    ...     yield
    >>> Descend(g()).gen is not None
    True
    """

    __slots__ = ("gen",)

    def __init__(self, gen: Traversal[Any]) -> None:
        self.gen = gen


class Stop(Exception):
    """Raised inside a traversal to end it at once with ``value``.

    >>> Stop(True).value
    True
    """

    def __init__(self, value: Any) -> None:
        super().__init__()
        self.value = value


Traversal = Generator["Call | Descend", Any, R]
"""A traversal generator returning ``R``."""


def _step(stack: list[Traversal[Any]], value: Any) -> tuple[bool, Any]:
    """Advance until a ``Call`` or the end: ``(True, call)`` or ``(False, result)``."""
    while stack:
        try:
            request = stack[-1].send(value)
        except StopIteration as done:
            stack.pop()
            value = done.value
            continue
        if isinstance(request, Descend):
            stack.append(request.gen)
            value = None
            continue
        return True, request
    return False, value


def drive(traversal: Traversal[R], fn: Callable[..., Any]) -> R:
    """Run a traversal, calling ``fn`` for each ``Call``.

    >>> def one():
    ...     return (yield Call((2,)))
    >>> drive(one(), lambda x: x * 10)
    20
    """
    stack: list[Traversal[Any]] = [traversal]
    value: Any = None
    try:
        while True:
            pending, got = _step(stack, value)
            if not pending:
                return got  # type: ignore[no-any-return]
            value = fn(*got)
    except Stop as stop:
        return stop.value  # type: ignore[no-any-return]
    finally:
        for gen in reversed(stack):
            gen.close()


async def drive_async(traversal: Traversal[R], fn: Callable[..., Awaitable[Any] | Any]) -> R:
    """Run a traversal, awaiting ``fn``'s result for each ``Call`` when awaitable.

    >>> import asyncio
    >>> async def ten(x):
    ...     return x * 10
    >>> def one():
    ...     return (yield Call((2,)))
    >>> asyncio.run(drive_async(one(), ten))
    20
    """
    stack: list[Traversal[Any]] = [traversal]
    value: Any = None
    try:
        while True:
            pending, got = _step(stack, value)
            if not pending:
                return got  # type: ignore[no-any-return]
            value = fn(*got)
            if inspect.isawaitable(value):
                value = await value
    except Stop as stop:
        return stop.value  # type: ignore[no-any-return]
    finally:
        for gen in reversed(stack):
            gen.close()
