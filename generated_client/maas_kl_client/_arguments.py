"""The types of the SDK's call arguments: NOT_GIVEN for an omitted option, timeouts and callbacks."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Literal

import httpx

from ._task import Task

OnUpdate = Callable[[Task], object]
"""Called with the Task after every poll of a wait (and after the create of a create_and_wait); may be async."""
OnEvent = Callable[[Any], object]
"""Called with every ClientEvent of a call; may be async on AsyncMaasKL."""
Timeout = float | httpx.Timeout | None
"""Seconds for every phase of one HTTP request, an httpx.Timeout, or None for the client's default."""


class NotGiven:
    """The default of an optional argument the caller left out; None can then stay a value of its own."""

    __slots__ = ()

    def __bool__(self) -> Literal[False]:
        return False

    def __repr__(self) -> str:
        return "NOT_GIVEN"


NOT_GIVEN = NotGiven()
