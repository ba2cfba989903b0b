"""The ASGI face: a raw ASGI app over MockCore (no framework), plus a uvicorn protocol that can reset connections."""

from __future__ import annotations

import asyncio
import contextlib
import socket
import struct
import uuid
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any
from urllib.parse import quote, quote_from_bytes

import orjson
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from .._core import MockConfig, MockCore
from .._http import Delivery, Drop, MockRequest, MockResponse
from .._spec import load_spec
from .guard import ControlAccess

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ABORT_EXTENSION = "maas_kl_mock.abort"
_JSON_TYPE = b"application/json"
# Every printable ASCII character but `%`: what a raw path may hold as is; the rest is percent-encoded.
_PATH_SAFE = "".join(chr(c) for c in range(0x21, 0x7F) if chr(c) != "%")


class ClientGone(Exception):  # noqa: N818  (it names what happened to the client, not an error here)
    """Raised by `read_request` when the client went away (or was cut off) before its body was in."""


class ConnectionDropped(Exception):  # noqa: N818  (it names what happened to the client, not an error here)
    """Raised to make an ASGI server close the connection when it cannot reset it."""


class MockApp:
    """`MockApp(core)` is an ASGI 3 application serving the mock.

    >>> import uvicorn
    >>> app = MockApp(MockCore(MockConfig()))
    >>> # uvicorn.run(app, port=4010)
    """

    def __init__(self, core: MockCore | None = None, access: ControlAccess | None = None) -> None:
        self.core = core or MockCore(MockConfig())
        self.access = access or ControlAccess()  # served: the control surface is guarded (M-CONTROL)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Serve one HTTP request; lifespan events are acknowledged, websockets refused."""
        kind = scope["type"]
        if kind == "lifespan":
            await _lifespan(receive, send, self.core)
            return
        if kind != "http":
            return
        try:
            request = await self._request(scope, receive)
        except ClientGone:  # a cut-off request is never handled: no task, no state change
            return
        error = self.access.refusal(request) if request.path.startswith("/_mock/") else None
        response = self.core.handle(request) if error is None else self.core.responder.error(error)
        delivery = response.delivery
        if delivery.delay > 0:
            await asyncio.sleep(delivery.delay)
        await self._send(scope, send, response, delivery)

    async def _request(self, scope: Scope, receive: Receive) -> MockRequest:
        return await read_request(scope, receive, self.core.config.max_body_bytes)

    async def _send(self, scope: Scope, send: Send, response: MockResponse, delivery: Delivery) -> None:
        """Send `response` as `delivery` says: whole, streamed, cut mid-body or not at all."""
        if delivery.drop is Drop.RESET:
            await _drop(scope, reset=True)
            return
        content_type = _JSON_TYPE if response.content_type == "application/json" else response.content_type.encode()
        length = len(response.body) if response.content_length is None else response.content_length
        headers = [(b"content-type", content_type), (b"content-length", b"%d" % length)]
        for name, value in response.headers:
            headers.append((name.lower().encode("latin-1"), value.encode("latin-1")))
        await send({"type": "http.response.start", "status": response.status, "headers": headers})
        if delivery.chunks is not None:  # a video slice: streamed, so a 20 MB file is never copied whole
            for chunk in delivery.streamed():
                await send({"type": "http.response.body", "body": chunk, "more_body": True})
            if delivery.drop is Drop.TRUNCATE:
                await _drop(scope, reset=False)
                return
            await send({"type": "http.response.body", "body": b""})
            return
        if delivery.drop is Drop.TRUNCATE:
            await send(
                {"type": "http.response.body", "body": response.body[: len(response.body) // 2], "more_body": True}
            )
            await _drop(scope, reset=False)
            return
        await send({"type": "http.response.body", "body": response.body})


async def read_request(scope: Scope, receive: Receive, limit: int) -> MockRequest:
    """Read one HTTP request off ASGI into a MockRequest; a body over `limit` bytes is dropped and flagged.

    Raises ClientGone when the connection ends before the body does (the client left, or a read
    timeout cut it off): half a request is never handled.
    """
    raw_headers = scope["headers"]
    headers = {name.decode("latin-1").lower(): value.decode("latin-1") for name, value in raw_headers}
    if len(headers) != len(raw_headers):  # a repeated header: join its values, as RFC 9110 allows
        headers = {}
        for raw_name, raw_value in raw_headers:
            name = raw_name.decode("latin-1").lower()
            value = raw_value.decode("latin-1")
            headers[name] = f"{headers[name]}, {value}" if name in headers else value
    chunks: list[bytes] = []
    size = 0
    too_large = False
    declared = headers.get("content-length", "")
    if declared.isascii() and declared.isdigit() and (len(declared) > 18 or int(declared) > limit):
        too_large = True
    more = not too_large
    while more:
        message = await receive()
        if message["type"] != "http.request":
            raise ClientGone
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            too_large = True
            chunks.clear()
        elif chunk:
            chunks.append(chunk)
        more = message.get("more_body", False)
    host = headers.get("host") or _server_host(scope)
    return MockRequest(
        method=scope["method"],
        path=_raw_path(scope),
        headers=headers,
        body=b"".join(chunks),
        query=scope.get("query_string", b"").decode("latin-1"),
        base_url=f"{scope.get('scheme', 'http')}://{host}",
        body_too_large=too_large,
    )


async def _drop(scope: Scope, *, reset: bool) -> None:
    abort = scope.get("extensions", {}).get(ABORT_EXTENSION)
    if abort is not None:
        abort(reset)
        await asyncio.sleep(0)  # let the server see the lost connection before the app returns
        return
    raise ConnectionDropped("maas-kl-mock dropped the connection on purpose (fault injection)")


def _raw_path(scope: Scope) -> str:
    """Return the path as sent, still percent-encoded, so the router can tell `job%2F1` from `job/1`."""
    raw: bytes | None = scope.get("raw_path")
    if raw is None:  # a server that cannot give the raw path: re-encode the decoded one (an encoded `/` is lost)
        return quote(scope["path"], safe=_PATH_SAFE)
    raw = raw.split(b"?", 1)[0]
    if raw.isascii():
        return raw.decode("ascii")
    return quote_from_bytes(raw, safe=_PATH_SAFE + "%")  # stray UTF-8 bytes become escapes the router decodes


def _server_host(scope: Scope) -> str:
    server = scope.get("server")
    if not server:
        return "127.0.0.1"
    host, port = server
    return f"[{host}]:{port}" if ":" in str(host) else f"{host}:{port}"


async def _lifespan(receive: Receive, send: Send, core: MockCore) -> None:
    """Acknowledge start-up; on shutdown close the core, so a SQLite store is closed cleanly."""
    while True:
        message = await receive()
        if message["type"] == "lifespan.startup":
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            core.close()
            await send({"type": "lifespan.shutdown.complete"})
            return


class ResettingHttpToolsProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol, plus a scope extension that drops the connection: RST, or FIN mid-body."""

    # uvicorn internals: HttpToolsProtocol is not a public extension point. This class overrides its
    # `on_message_begin` and `send_400_response` and uses its `scope` and `transport` attributes.
    # uvicorn is pinned in mock_server/pyproject.toml; mock_server/tests/test_dependency_internals.py checks them.

    def on_message_begin(self) -> None:
        """Start a request and offer the app a way to reset this connection."""
        super().on_message_begin()  # uvicorn internal: builds self.scope for the new request
        extensions: dict[str, Any] = {ABORT_EXTENSION: self._reset}
        self.scope["extensions"] = extensions

    def send_400_response(self, msg: str) -> None:  # uvicorn internal: called on a parse error
        """Answer a request uvicorn could not parse with the API's error envelope, not plain text."""
        del msg  # uvicorn's text; the envelope says the same in the API's words
        body = orjson.dumps(
            {
                "code": invalid_request_code(),
                "message": "Invalid request parameters: the HTTP request could not be parsed (request line, "
                "headers or chunked body); send a well-formed HTTP/1.1 request",
                "request_id": f"{uuid.uuid4()}",
            }
        )
        head = (
            b"HTTP/1.1 400 Bad Request\r\ncontent-type: application/json\r\n"
            b"content-length: " + str(len(body)).encode() + b"\r\nconnection: close\r\n\r\n"
        )
        self.transport.write(head + body)
        self.transport.close()

    def _reset(self, reset: bool) -> None:
        sock = self.transport.get_extra_info("socket")
        if sock is not None and reset:
            # linger 0: close() sends RST instead of FIN, as a crashed gateway would
            with contextlib.suppress(OSError):
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.transport.abort()


def create_app(config: MockConfig | None = None) -> MockApp:
    """Return an ASGI app over a fresh core: the entry point for ASGI servers and in-process tests.

    >>> app = create_app(MockConfig(concurrency_limit=50))
    """
    return MockApp(MockCore(config))


def invalid_request_code() -> int:
    """Return `invalid_request`'s code from the bundled spec: the HTTP parser runs before any core is chosen."""
    return load_spec().facts.codes.named("invalid_request").code
