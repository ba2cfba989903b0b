"""The SDK against a hostile server on a real socket: typed errors, bounded time, the key kept at home.

Complements tests/sdk (malformed envelopes, download redirects through httpx.MockTransport) with what
only a socket shows: bodies that trickle in, bodies far too large, truncation mid-body, and a redirect
to another host whose listener records what it was sent.
"""

from __future__ import annotations

import asyncio
import contextlib
import socketserver
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
from maas_kl_client import (
    APITimeoutError,
    AsyncMaasKL,
    DownloadError,
    MaasKL,
    MaasKLError,
    MalformedResponseError,
    RetryPolicy,
)

KEY = "sk-hostile-0123456789"
Behaviour = Callable[[socketserver.StreamRequestHandler], None]


def _head(status: str, length: int | None, extra: str = "") -> bytes:
    size = "" if length is None else f"Content-Length: {length}\r\n"
    return f"HTTP/1.1 {status}\r\nContent-Type: application/json\r\n{size}{extra}Connection: close\r\n\r\n".encode()


class Server:
    """A one-behaviour HTTP server on loopback that records every raw request it got."""

    def __init__(self, behaviour: Behaviour) -> None:
        self.requests: list[bytes] = []
        outer = self

        class Handler(socketserver.StreamRequestHandler):
            def handle(self) -> None:
                head = b""
                while not head.endswith(b"\r\n\r\n"):
                    line = self.rfile.readline()
                    if not line:
                        return
                    head += line
                outer.requests.append(head)
                length = next(
                    (int(h.split(b":")[1]) for h in head.split(b"\r\n") if h.lower().startswith(b"content-length")),
                    0,
                )
                self.rfile.read(length)
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                    behaviour(self)

        self.server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def serve() -> Iterator[Callable[[Behaviour], Server]]:
    servers: list[Server] = []

    def start(behaviour: Behaviour) -> Server:
        servers.append(Server(behaviour))
        return servers[-1]

    yield start
    for s in servers:
        s.close()


def huge(handler: socketserver.StreamRequestHandler) -> None:
    chunk = b" " * 65536
    handler.wfile.write(_head("200 OK", None, "Transfer-Encoding: chunked\r\n"))
    for _ in range(400):  # 26 MB of whitespace, as chunks
        handler.wfile.write(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n")


def truncated(handler: socketserver.StreamRequestHandler) -> None:
    body = b'{"code": 0, "message": "SUCCEED", "data": {"task_id": "1", "task_status": "succ'
    handler.wfile.write(_head("200 OK", len(body) + 40) + body)


def wrong_types(handler: socketserver.StreamRequestHandler) -> None:
    body = b'{"code": "0", "message": 7, "data": [1, 2, 3]}'
    handler.wfile.write(_head("200 OK", len(body)) + body)


def client(url: str, **kw: object) -> MaasKL:
    retry = RetryPolicy(max_attempts=1)
    return MaasKL(api_key=KEY, endpoint_path="XXX", base_url=url, retry=retry, **kw)  # type: ignore[arg-type]


class TickingClock:
    """The SDK's clock, moving `step` seconds on each reading: a dripping body runs out of time after a few
    chunks, decided by this clock, not by waiting."""

    def __init__(self, step: float) -> None:
        self.now = 0.0
        self.step = step

    def monotonic(self) -> float:
        self.now += self.step
        return self.now

    def time(self) -> float:
        return 1_700_000_000.0 + self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds

    async def asleep(self, seconds: float) -> None:
        self.now += seconds


def counted_drip(sent: list[int]) -> Behaviour:
    """`drip`, recording how many body bytes went out before the client hung up."""

    def behaviour(handler: socketserver.StreamRequestHandler) -> None:
        body = b'{"code": 0, "message": "SUCCEED", "data": {"task_id": "1"}}' + b" " * 200
        handler.wfile.write(_head("200 OK", len(body)))
        for byte in body:
            handler.wfile.write(bytes([byte]))
            handler.wfile.flush()
            sent.append(byte)
            time.sleep(0.05)  # the peer's pace; the verdict comes from the SDK's clock

    return behaviour


# With a 10 s read timeout and the clock moving 4 s per reading, the body is out of time after a few
# chunks; by the wall clock the SDK would read for 10 s, 200 bytes at this pace.
FEW_BYTES = 40


def test_slow_drip_is_cut_at_the_total_timeout(serve: Callable[[Behaviour], Server]) -> None:
    sent: list[int] = []
    server = serve(counted_drip(sent))
    slow = client(server.url, timeout=httpx.Timeout(10.0), clock=TickingClock(step=4.0))
    with pytest.raises(APITimeoutError, match="in total"):
        slow.text2video.get("1")
    assert len(sent) < FEW_BYTES, "the SDK's clock did not decide that the drip took too long"


def test_slow_drip_is_cut_in_the_async_client_too(serve: Callable[[Behaviour], Server]) -> None:
    sent: list[int] = []
    server = serve(counted_drip(sent))

    async def go() -> None:
        async with AsyncMaasKL(
            api_key=KEY,
            endpoint_path="XXX",
            base_url=server.url,
            retry=RetryPolicy(max_attempts=1),
            timeout=10.0,
            clock=TickingClock(step=4.0),
        ) as c:
            await c.image2video.get("1")

    with pytest.raises(APITimeoutError):
        asyncio.run(go())
    assert len(sent) < FEW_BYTES


def test_huge_body_is_refused_typed_without_reading_it_all(serve: Callable[[Behaviour], Server]) -> None:
    server = serve(huge)
    with pytest.raises(MalformedResponseError, match="more than"):
        client(server.url, timeout=10.0).text2video.get("1")


@pytest.mark.parametrize("behaviour", [truncated, wrong_types])
def test_truncated_or_mistyped_answers_are_typed(serve: Callable[[Behaviour], Server], behaviour: Behaviour) -> None:
    server = serve(behaviour)
    with pytest.raises(MaasKLError) as caught:
        client(server.url, timeout=5.0).text2video.get("1")
    assert KEY not in str(caught.value)


def test_redirects_to_another_host_never_carry_the_key(serve: Callable[[Behaviour], Server], tmp_path: Path) -> None:
    def video(h: socketserver.StreamRequestHandler) -> None:
        h.wfile.write(_head("200 OK", 4) + b"\x00\x00\x00\x18")

    elsewhere = serve(video)

    def to_elsewhere(h: socketserver.StreamRequestHandler) -> None:
        # localhost vs 127.0.0.1: another origin for the same listener
        h.wfile.write(_head("302 Found", 0, f"Location: http://localhost:{elsewhere.port}/v.mp4\r\n"))

    api = serve(to_elsewhere)
    sdk = client(api.url, timeout=5.0)
    with pytest.raises(MaasKLError):
        sdk.text2video.get("1")  # API calls never follow a redirect
    assert elsewhere.requests == []
    sdk.download_video(f"{api.url}/files/v.mp4", tmp_path / "v.mp4")  # downloads follow, without the key
    assert len(elsewhere.requests) == 1
    assert b"authorization" not in elsewhere.requests[0].lower()
    assert KEY.encode() not in elsewhere.requests[0]
    assert b"authorization: bearer" in api.requests[-1].lower(), "the API's own origin does get the key"


def test_download_drip_and_cut_are_typed(serve: Callable[[Behaviour], Server], tmp_path: Path) -> None:
    server = serve(truncated)
    with pytest.raises(DownloadError):
        client(server.url, timeout=5.0).download_video(f"{server.url}/v.mp4", tmp_path / "v.mp4")
    assert list(tmp_path.iterdir()) == []
