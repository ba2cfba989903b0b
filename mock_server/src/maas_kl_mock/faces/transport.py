"""The in-process face: httpx transports (sync and async) and a respx router over MockCore, no network."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Iterable, Iterator
from typing import TYPE_CHECKING, Any

import httpx

from .._core import Call, MockConfig, MockCore
from .._http import Drop, MockRequest, MockResponse
from ..state.clock import Clock

if TYPE_CHECKING:
    import respx

DEFAULT_BASE_URL = "http://maas-kl-mock.test"
DEFAULT_TOKEN = "mock-token"  # noqa: S105  (a placeholder the mock accepts, not a secret)


class InProcessMock:
    """A mock service reached through httpx without sockets.

    >>> mock = InProcessMock()
    >>> with httpx.Client(transport=mock.transport(), base_url=mock.api_url) as client:
    ...     client.get("/videos/text2video/nope", headers=mock.auth_headers).status_code
    404
    """

    def __init__(
        self,
        config: MockConfig | None = None,
        clock: Clock | None = None,
        base_url: str = DEFAULT_BASE_URL,
        token: str = DEFAULT_TOKEN,
        endpoint_path: str = "default",
    ) -> None:
        self.core = MockCore(config, clock)
        self.base_url = base_url.rstrip("/")
        self.token = token
        self.api_url = f"{self.base_url}/v1/ai/{endpoint_path}/kling"

    @property
    def auth_headers(self) -> dict[str, str]:
        """`Authorization: Bearer <token>` for the default tenant."""
        return {"Authorization": f"Bearer {self.token}"}

    @property
    def calls(self) -> list[Call]:
        """Every request the mock answered, oldest first."""
        return list(self.core.calls)

    def handler(self, request: httpx.Request) -> httpx.Response:
        """Answer `request` synchronously (the `httpx.MockTransport` handler for sync clients)."""
        response = self.core.handle(_to_mock(request))
        if response.delivery.delay > 0:
            time.sleep(response.delivery.delay)
        return _to_httpx(request, response)

    async def async_handler(self, request: httpx.Request) -> httpx.Response:
        """Answer `request` for async clients; latency is awaited, not slept."""
        response = self.core.handle(_to_mock(request))
        if response.delivery.delay > 0:
            await asyncio.sleep(response.delivery.delay)
        return _to_httpx(request, response, asynchronous=True)

    def transport(self) -> httpx.MockTransport:
        """Return a transport for `httpx.Client(transport=...)`."""
        return httpx.MockTransport(self.handler)

    def async_transport(self) -> httpx.MockTransport:
        """Return a transport for `httpx.AsyncClient(transport=...)`."""
        return httpx.MockTransport(self.async_handler)

    def client(self, **kwargs: Any) -> httpx.Client:
        """Return an httpx.Client bound to the mock, with the token set."""
        kwargs.setdefault("base_url", self.api_url)
        kwargs.setdefault("headers", self.auth_headers)
        return httpx.Client(transport=self.transport(), **kwargs)

    def async_client(self, **kwargs: Any) -> httpx.AsyncClient:
        """Return an httpx.AsyncClient bound to the mock, with the token set."""
        kwargs.setdefault("base_url", self.api_url)
        kwargs.setdefault("headers", self.auth_headers)
        return httpx.AsyncClient(transport=self.async_transport(), **kwargs)

    def respx_router(self, **kwargs: Any) -> respx.MockRouter:
        """Return a respx router whose catch-all route is the mock, for code that builds its own clients."""
        try:
            import respx  # noqa: PLC0415  (respx is optional)
        except ModuleNotFoundError as missing:
            raise ModuleNotFoundError(
                "InProcessMock.respx_router() needs respx: pip install 'maas-kl-mock[respx]' "
                "(transport() and async_transport() need nothing more)",
                name="respx",
            ) from missing

        kwargs.setdefault("base_url", self.base_url)
        kwargs.setdefault("assert_all_called", False)
        router = respx.MockRouter(**kwargs)
        router.route(name="maas_kl_mock").mock(side_effect=self.handler)
        return router


def _to_mock(request: httpx.Request) -> MockRequest:
    url = request.url
    headers: dict[str, str] = {}
    for name, value in request.headers.multi_items():
        key = name.lower()
        headers[key] = f"{headers[key]}, {value}" if key in headers else value
    port = f":{url.port}" if url.port else ""
    return MockRequest(
        method=request.method,
        path=url.raw_path.split(b"?", 1)[0].decode("ascii", "replace"),  # still percent-encoded
        headers=headers,
        body=request.content,
        query=url.query.decode("ascii", "replace"),
        base_url=f"{url.scheme}://{url.host}{port}",
    )


def _to_httpx(request: httpx.Request, response: MockResponse, *, asynchronous: bool = False) -> httpx.Response:
    delivery = response.delivery
    if delivery.chunks is not None:  # a video slice, streamed; a cut raises mid-body as a dropped socket would
        headers = [("content-type", response.content_type), *response.headers]
        headers.append(("content-length", str(response.content_length)))
        cut = delivery.drop is Drop.TRUNCATE
        chunks = delivery.streamed()
        stream: Any = _achunks(request, chunks, cut) if asynchronous else _chunks(request, chunks, cut)
        return httpx.Response(response.status, headers=headers, content=stream, request=request)
    if delivery.drop is Drop.RESET:
        raise httpx.ReadError("[Errno 104] Connection reset by peer (maas-kl-mock fault)", request=request)
    if delivery.drop is Drop.TRUNCATE:
        raise httpx.RemoteProtocolError(
            "peer closed connection without sending complete message body: "
            f"received {len(response.body) // 2} bytes, expected {len(response.body)} (maas-kl-mock fault)",
            request=request,
        )
    headers = [("content-type", response.content_type), *response.headers]
    if response.content_length is not None:  # a HEAD answer: the GET's length, no body
        headers.append(("content-length", str(response.content_length)))
    return httpx.Response(response.status, headers=headers, content=response.body, request=request)


def _cut(request: httpx.Request) -> httpx.RemoteProtocolError:
    return httpx.RemoteProtocolError(
        "peer closed connection without sending complete message body (maas-kl-mock download-cut)", request=request
    )


def _chunks(request: httpx.Request, chunks: Iterable[bytes], cut: bool) -> Iterator[bytes]:
    yield from chunks
    if cut:
        raise _cut(request)


async def _achunks(request: httpx.Request, chunks: Iterable[bytes], cut: bool) -> AsyncIterator[bytes]:
    for chunk in chunks:
        yield chunk
    if cut:
        raise _cut(request)
