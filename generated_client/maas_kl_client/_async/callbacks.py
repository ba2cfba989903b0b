"""Call a user's callback in one place: on the async client it may be a coroutine function, whose result is awaited."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


async def call(callback: Callable[[T], object], value: T) -> object:
    """Return `callback(value)`, awaited when it is awaitable (the sync twin only calls)."""
    called = callback(value)
    if inspect.isawaitable(called):  # unasync: drop
        return await called  # unasync: drop
    return called
