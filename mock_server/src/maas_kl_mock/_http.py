"""Plain request and response values, so the core never touches a socket."""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass, field


class Drop(enum.Enum):
    """How an adapter should break the connection instead of answering cleanly."""

    RESET = "reset"  # no answer at all: the connection is reset
    TRUNCATE = "truncate"  # headers and part of the body, then the connection closes


@dataclass(frozen=True, slots=True)
class MockRequest:
    """One HTTP request as the core sees it; header names are lower-case.

    `path` is the raw path as sent, still percent-encoded (`/.../job%2F1`): the router decodes each
    segment after splitting, so an encoded `/` inside an id is not a separator.
    """

    method: str
    path: str
    headers: dict[str, str]
    body: bytes = b""
    query: str = ""
    base_url: str = "http://127.0.0.1:4010"
    body_too_large: bool = False


@dataclass(slots=True)
class MockResponse:
    """One HTTP answer; `drop` and `delay` tell the adapter how to deliver it."""

    status: int
    body: bytes
    headers: list[tuple[str, str]] = field(default_factory=list)
    content_type: str = "application/json"
    drop: Drop | None = None
    delay: float = 0.0
    content_length: int | None = None  # announced instead of len(body) when the body is withheld (HEAD)
    chunks: Iterable[bytes] | None = (
        None  # streamed instead of `body` (video files); with TRUNCATE, all of them, then the cut
    )

    def header(self, name: str) -> str | None:
        """Return the first value of header `name` (case-insensitive), or None."""
        lowered = name.lower()
        for key, value in self.headers:
            if key.lower() == lowered:
                return value
        return None
