"""Connection limits uvicorn's httptools protocol lacks: a request-head size, head and body read timeouts (M-LIMITS).

uvicorn bounds the head only on its h11 protocol (`h11_max_incomplete_event_size`), and its
keep-alive timer is reset by every byte, so a client that trickles a head or a body keeps a
connection (and up to the body limit of memory) for ever. `guarded(limits)` returns the mock's
protocol class with these limits: a head over `max_header_bytes` gets 431, a head not complete
within `header_timeout` gets 408, and a body whose reads stop for `body_timeout`, or that has
averaged under `MIN_BODY_RATE` bytes a second once `body_timeout` has passed, gets 408 (the
minimum-rate rule of ASP.NET Core's Kestrel). Each refusal is the API's error envelope, then the
connection closes. A connection costs one timer, re-armed only when it fires; a request costs a
few attribute writes.
"""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import dataclass
from typing import Any, ClassVar

import orjson

from .._spec import load_spec
from .asgi import ResettingHttpToolsProtocol, invalid_request_code

MIN_BODY_RATE = 1024.0  # bytes a second a body must average once `body_timeout` has passed
_HEAD, _BODY, _APP, _IDLE = "head", "body", "app", "idle"
_REASONS = {408: b"Request Timeout", 431: b"Request Header Fields Too Large", 503: b"Service Unavailable"}


@dataclass(frozen=True, slots=True)
class ServerLimits:
    """How much and how slowly a client may send before the server closes the connection."""

    max_header_bytes: int = 32 * 1024  # request line and headers; nginx's 4 x 8 KiB, twice h11's default
    header_timeout: float = 10.0  # from the first byte of a request (or the connection) to its last header
    body_timeout: float = 30.0  # longest pause between body reads; also the grace before the rate rule
    shutdown_timeout: float = 3.0  # SIGTERM: how long open requests may finish before they are cancelled

    def __post_init__(self) -> None:
        if not 1024 <= self.max_header_bytes <= 16 * 1024 * 1024:
            raise ValueError(f"the header limit {self.max_header_bytes} must be between 1 KiB and 16 MiB")
        for name in ("header_timeout", "body_timeout", "shutdown_timeout"):
            value = getattr(self, name)
            if not 0.05 <= value <= 3600:
                raise ValueError(f"{name.replace('_', '-')} {value} must be between 0.05 and 3600 seconds")


def guarded(limits: ServerLimits) -> type[GuardedHttpToolsProtocol]:
    """Return the protocol class uvicorn should build, bound to `limits`."""
    return type("GuardedHttpToolsProtocol", (GuardedHttpToolsProtocol,), {"limits": limits})


class GuardedHttpToolsProtocol(ResettingHttpToolsProtocol):
    """The mock's uvicorn protocol with a head size limit and read timeouts (see the module's docstring)."""

    # uvicorn internals, as ResettingHttpToolsProtocol's: this class also overrides `connection_made`,
    # `connection_lost`, `data_received`, `on_headers_complete`, `on_body`, `on_message_complete` and
    # `on_response_complete`, and uses `loop`; mock_server/tests/test_dependency_internals.py checks them.
    limits: ClassVar[ServerLimits] = ServerLimits()

    def connection_made(self, transport: Any) -> None:
        """Start the connection's clock: its first request head must arrive within the header timeout."""
        super().connection_made(transport)
        self._phase = _HEAD
        self._since = self.loop.time()
        self._head_bytes = 0
        self._body_bytes = 0
        self._last_read = self._since
        self._timer: asyncio.TimerHandle | None = self.loop.call_later(self.limits.header_timeout, self._check)

    def connection_lost(self, exc: Exception | None) -> None:
        """Stop the connection's timer."""
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        """Count the bytes of a request head; past the limit, answer 431 without parsing the rest."""
        if self._phase is _IDLE:
            self._phase = _HEAD  # on_message_begin sets the time once the parser sees the request start
            self._head_bytes = 0
        if self._phase is _HEAD:
            room = self.limits.max_header_bytes - self._head_bytes
            if len(data) > room:
                super().data_received(data[:room])  # the head may end inside the room
                if self.transport.is_closing():
                    return
                if self._phase is _HEAD:
                    self._refuse(431, f"the request line and headers exceed {self.limits.max_header_bytes} bytes")
                    return
                data = data[room:]
                if not data:
                    return
            else:
                self._head_bytes += len(data)
        super().data_received(data)

    def on_message_begin(self) -> None:
        """Start a request's head clock."""
        super().on_message_begin()
        self._phase = _HEAD
        self._since = self.loop.time()

    def on_headers_complete(self) -> None:
        """Watch the body's pace from here: the head is in."""
        self._phase = _BODY
        self._head_bytes = 0
        self._body_bytes = 0
        self._since = self._last_read = self.loop.time()
        super().on_headers_complete()

    def on_body(self, body: bytes) -> None:
        """Count a body chunk and when it came."""
        self._body_bytes += len(body)
        self._last_read = self.loop.time()
        super().on_body(body)

    def on_message_complete(self) -> None:
        """Stop the clocks: the app answers in its own time (latency faults included)."""
        self._phase = _APP
        super().on_message_complete()

    def on_response_complete(self) -> None:
        """Answered: the connection waits for the next request under uvicorn's keep-alive timeout."""
        if self._phase is _APP:
            self._phase = _IDLE
        super().on_response_complete()

    def shutdown(self) -> None:
        """On SIGTERM, cut off a request still arriving (it could not be answered in time); let answers finish."""
        if self._phase is _BODY:
            self._refuse(503, "the server is shutting down; send the request again", row="unavailable")
            return
        super().shutdown()

    def _check(self) -> None:
        """Refuse a head or body that is too slow, else look again later (the connection's one timer)."""
        self._timer = None
        if self.transport.is_closing():
            return
        now = self.loop.time()
        limits = self.limits
        wait = limits.header_timeout
        if self._phase is _HEAD:
            late = now - self._since
            if late >= limits.header_timeout:
                self._refuse(408, f"the request head did not arrive within {limits.header_timeout:g} s")
                return
            wait = limits.header_timeout - late
        elif self._phase is _BODY:
            quiet, elapsed = now - self._last_read, now - self._since
            if quiet >= limits.body_timeout:
                self._refuse(408, f"the request body stopped for {limits.body_timeout:g} s")
                return
            if elapsed >= limits.body_timeout and self._body_bytes < MIN_BODY_RATE * elapsed:
                self._refuse(408, f"the request body arrives slower than {MIN_BODY_RATE:g} bytes a second")
                return
            wait = min(limits.body_timeout - quiet, max(limits.body_timeout - elapsed, limits.body_timeout / 4))
        self._timer = self.loop.call_later(max(wait, 0.01), self._check)

    def _refuse(self, status: int, why: str, row: str = "invalid_request") -> None:
        """Answer with the API's envelope and close: the request is never handed to the app."""
        if row == "invalid_request":
            code, message = invalid_request_code(), f"Invalid request parameters: {why}; send the whole request at once"
        else:
            code, message = load_spec().facts.codes.named(row).code, f"Service unavailable: {why}"
        body = orjson.dumps({"code": code, "message": message, "request_id": f"{uuid.uuid4()}"})
        head = (
            b"HTTP/1.1 %d %s\r\ncontent-type: application/json\r\ncontent-length: %d\r\nconnection: close\r\n\r\n"
            % (status, _REASONS[status], len(body))
        )
        if self.cycle is not None and not self.cycle.response_complete:
            self.cycle.disconnected = True  # the app reading this request sees a disconnect, not a body
            self.cycle.message_event.set()
            if self.cycle.response_started:  # pragma: no cover  (the app never answers before the body is in)
                self.transport.close()
                return
        self.transport.write(head + body)
        self.transport.close()
