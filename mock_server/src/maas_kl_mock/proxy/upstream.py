"""The proxy's upstream connections: httpx on a last-in-first-out stack of idle keep-alive connections per origin.

httpcore's `AsyncConnectionPool` re-scans every connection for every queued request each time a
request starts or ends (encode/httpx#3215); with 50 concurrent callers that scan was most of the
proxy's CPU. Here taking and returning a connection is O(1); httpx still builds the requests,
maps the errors and reads the answers.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from typing import Any, cast

import httpcore
import httpx

KEEP_ALIVE_SECONDS = 5.0  # below uvicorn's default keep-alive (5 s) would race; equal is what httpcore uses


class _Stack:
    """Idle HTTP/1.1 connections by origin; a request takes the most recent one, or opens a new one."""

    def __init__(self, ssl_context: Any, max_idle: int) -> None:
        self._ssl = ssl_context
        self._max_idle = max_idle
        self._idle: dict[tuple[bytes, bytes, int], list[httpcore.AsyncHTTPConnection]] = {}

    async def handle_async_request(self, request: httpcore.Request) -> httpcore.Response:
        """Send `request` on an idle connection to its origin, or a new one; the answer's close gives it back."""
        origin = request.url.origin
        key = _key(origin)
        idle = self._idle.setdefault(key, [])
        connection = None
        while idle:
            candidate = idle.pop()
            if candidate.is_idle() and not candidate.has_expired():
                connection = candidate
                break
            await candidate.aclose()
        if connection is None:
            connection = httpcore.AsyncHTTPConnection(
                origin=origin, ssl_context=self._ssl, keepalive_expiry=KEEP_ALIVE_SECONDS
            )
        try:
            response = await connection.handle_async_request(request)
        except BaseException:
            await connection.aclose()
            raise
        stream = cast("AsyncIterator[bytes]", response.stream)
        return httpcore.Response(
            status=response.status,
            headers=response.headers,
            content=_GiveBack(stream, connection, key, self),
            extensions=response.extensions,
        )

    async def give_back(self, connection: httpcore.AsyncHTTPConnection, key: tuple[bytes, bytes, int]) -> None:
        """Keep a connection whose answer was read in full; close it otherwise, or when enough are idle."""
        idle = self._idle.setdefault(key, [])
        if connection.is_idle() and len(idle) < self._max_idle:
            idle.append(connection)
        else:
            await connection.aclose()

    async def aclose(self) -> None:
        """Close every idle connection."""
        for idle in self._idle.values():
            while idle:
                await idle.pop().aclose()


def _key(origin: httpcore.Origin) -> tuple[bytes, bytes, int]:
    return (origin.scheme, origin.host, origin.port)  # httpcore's Origin compares but does not hash


class _GiveBack:
    """An answer's body stream that returns its connection to the stack once closed."""

    def __init__(
        self,
        stream: AsyncIterator[bytes],
        connection: httpcore.AsyncHTTPConnection,
        key: tuple[bytes, bytes, int],
        stack: _Stack,
    ) -> None:
        self._stream = stream
        self._connection = connection
        self._key = key
        self._stack = stack

    async def __aiter__(self) -> AsyncIterator[bytes]:
        async for chunk in self._stream:
            yield chunk

    async def aclose(self) -> None:
        closing = getattr(self._stream, "aclose", None)
        if closing is not None:
            with contextlib.suppress(httpcore.NetworkError):
                await closing()
        await self._stack.give_back(self._connection, self._key)


class StackTransport(httpx.AsyncHTTPTransport):
    """httpx's transport with the connection stack in place of httpcore's pool (same requests, same errors)."""

    def __init__(self, max_idle: int = 100) -> None:
        super().__init__(trust_env=False, http1=True, http2=False)
        # httpx internals: AsyncHTTPTransport sends through its private `_pool` (an httpcore
        # AsyncConnectionPool) and has no public way to replace it. httpx and httpcore are pinned in
        # mock_server/pyproject.toml, and mock_server/tests/test_dependency_internals.py checks the attribute is there.
        self._pool = cast("httpcore.AsyncConnectionPool", _Stack(httpx.create_ssl_context(), max_idle))
