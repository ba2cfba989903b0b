"""Plain request and response values, so the core never touches a socket."""

from __future__ import annotations

import enum
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

import orjson


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


@dataclass(frozen=True, slots=True)
class Delivery:
    """How a face delivers a response: after a delay, streamed, cut after some bytes, or dropped.

    Kept apart from the response so the stages that decide an answer never decide a socket's fate
    too: the fault stage alone sets `drop` and `cut_after`, and the faces alone act on them.
    """

    delay: float = 0.0
    drop: Drop | None = None
    chunks: Iterable[bytes] | None = None  # streamed instead of the body (video files), never copied whole
    cut_after: int | None = None  # with TRUNCATE and chunks: body bytes sent before the connection drops
    span: tuple[int, int, int] | None = None  # a file slice (start, stop, size): where a download cut may strike

    def streamed(self) -> Iterator[bytes]:
        """Yield the chunks, stopping after `cut_after` bytes when the download is cut."""
        if self.chunks is None:
            return
        left = self.cut_after
        for chunk in self.chunks:
            if left is None:
                yield chunk
                continue
            if left <= 0:
                return
            yield chunk[:left]
            left -= len(chunk)


PLAIN = Delivery()


@dataclass(frozen=True, slots=True)
class MockResponse:
    """One HTTP answer, immutable; `delivery` tells the faces how to send it (plain by default)."""

    status: int
    body: bytes
    headers: list[tuple[str, str]] = field(default_factory=list)
    content_type: str = "application/json"
    content_length: int | None = None  # announced instead of len(body) when the body is withheld or streamed
    delivery: Delivery = PLAIN

    def header(self, name: str) -> str | None:
        """Return the first value of header `name` (case-insensitive), or None."""
        lowered = name.lower()
        for key, value in self.headers:
            if key.lower() == lowered:
                return value
        return None

    def delivered(self, delivery: Delivery) -> MockResponse:
        """Return this answer with another way of delivering it."""
        return MockResponse(self.status, self.body, self.headers, self.content_type, self.content_length, delivery)


@dataclass(frozen=True, slots=True)
class Call:
    """One request and the answer the core gave, for assertions and the control API's call log."""

    request: MockRequest
    response: MockResponse
    operation_id: str | None
    tenant: str | None

    def json(self) -> Any:
        """Return the response body, parsed."""
        return orjson.loads(self.response.body)
