"""What a driver makes of an API answer: its body read within bounds, a failed exchange as a typed error, an event.

Both drivers (sync and async) read answers alike; what differs is only how the bytes arrive.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx

from ._errors import APIConnectionError, APIError, APITimeoutError, MaasKLError, MalformedResponseError
from ._plans import ResponseReceived, Send

# Errors raised before a single byte left: the server cannot have acted on the request.
_NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout, httpx.UnsupportedProtocol)


def transport_error(exc: httpx.TransportError) -> APIConnectionError:
    """Type a request that got no answer, saying whether the server may have seen it."""
    sent = not isinstance(exc, _NOT_SENT)
    what = type(exc).__name__
    if isinstance(exc, httpx.TimeoutException):
        return APITimeoutError(
            f"The request timed out ({what}); pass a larger timeout= if the network is slow.", request_sent=sent
        )
    return APIConnectionError(
        f"The request could not be completed ({what}: {exc}); check the network and base_url.", request_sent=sent
    )


MAX_RESPONSE_BYTES = 16 * 1024 * 1024
"""Largest API answer read: an envelope is a few kB, so anything near this is a broken or hostile peer."""


class BodyReader:
    """Collects an API answer's chunks, bounded in size and in total time, not only per chunk.

    httpx's read timeout restarts with every chunk, so a peer dripping a byte at a time would keep
    a call alive for ever; the whole body must arrive within the read timeout.
    """

    def __init__(self, response: httpx.Response, timeout: httpx.Timeout, now: Callable[[], float]) -> None:
        self._response = response
        self._chunks: list[bytes] = []
        self._size = 0
        self._now = now
        total = timeout.read
        self._deadline = None if total is None else now() + total
        self._total = total

    def add(self, chunk: bytes) -> None:
        """Take one chunk; raise a typed error once the body is too large or too slow."""
        self._size += len(chunk)
        if self._size > MAX_RESPONSE_BYTES:
            raise MalformedResponseError(
                f"The service sent more than {MAX_RESPONSE_BYTES} bytes for one API answer; it was cut off",
                status_code=self._response.status_code,
                code=None,
                request_id=None,
            )
        if self._deadline is not None and self._now() > self._deadline:
            raise APITimeoutError(
                f"The answer did not arrive within {self._total:g} s in total (the body trickled in); "
                "pass a larger timeout= if the network is slow.",
                request_sent=True,
            )
        self._chunks.append(chunk)

    @property
    def content(self) -> bytes:
        """The body read so far."""
        return b"".join(self._chunks)


MIN_REDACTED_KEY_LENGTH = 8
"""Shorter keys are no secret (guessable in seconds) and would mask ordinary words: "API ***ey"."""


def scrub(error: MaasKLError, secret: str) -> MaasKLError:
    """Mask the API key wherever a server or library echoed it into an error's message or request id."""
    if len(secret) < MIN_REDACTED_KEY_LENGTH or not isinstance(error, APIError):
        return error
    if secret in error.message or (error.request_id and secret in error.request_id):
        error.message = error.message.replace(secret, "***")
        error.request_id = error.request_id and error.request_id.replace(secret, "***")
        error.args = (str(error),)
    return error


def received(action: Send, outcome: Any, elapsed: float) -> ResponseReceived:
    """Describe what a Send produced (an Envelope, or the typed error) as a ResponseReceived event."""
    error: MaasKLError | None = outcome if isinstance(outcome, MaasKLError) else None
    if isinstance(outcome, APIError):
        status, request_id = outcome.status_code, outcome.request_id
    elif error is not None:
        status, request_id = None, None
    else:
        response = getattr(outcome, "response", None)
        status = response.status_code if response is not None else None
        request_id = getattr(outcome, "request_id", None)
    return ResponseReceived(action.method, action.path, status, request_id, error, elapsed)
