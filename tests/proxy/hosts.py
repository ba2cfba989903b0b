"""A fake API upstream and a fake video host on loopback, each logging the headers it receives."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any, Self

VIDEO_BYTES = b"\x00\x00\x00\x18ftypmp42" + bytes(range(256)) * 8


class _Logged(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    host: LoggingHost

    def log_message(self, format: str, *args: Any) -> None:
        """Stay quiet."""

    def _answer(self, status: int, body: bytes, headers: list[tuple[str, str]]) -> None:
        self.send_response_only(status)
        for name, value in headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _serve(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)
        seen = {name.lower(): value for name, value in self.headers.items()}
        self.host.seen.append((self.command, self.path, seen))
        self._answer(*self.host.answer(self.command, self.path, seen))

    do_GET = do_POST = do_HEAD = _serve  # noqa: N815


class LoggingHost:
    """A loopback HTTP server that records (method, path, headers) of every request."""

    def __init__(self) -> None:
        handler = type("Handler", (_Logged,), {"host": self})
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self._server.daemon_threads = True
        self.seen: list[tuple[str, str, dict[str, str]]] = []
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        """`http://127.0.0.1:PORT`."""
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def answer(self, method: str, path: str, headers: dict[str, str]) -> tuple[int, bytes, list[tuple[str, str]]]:
        """Return (status, body, headers) for a request."""
        raise NotImplementedError

    def __enter__(self) -> Self:
        self._thread.start()
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self._server.shutdown()
        self._server.server_close()


class VideoHost(LoggingHost):
    """A CDN: any GET answers the video bytes."""

    def answer(self, method: str, path: str, headers: dict[str, str]) -> tuple[int, bytes, list[tuple[str, str]]]:
        """Serve the video whatever was asked."""
        return 200, VIDEO_BYTES, [("Content-Type", "video/mp4")]


class ApiHost(LoggingHost):
    """An API gateway whose tasks succeed at once with a video on `video_base`; it sets a cookie and echoes secrets."""

    def __init__(self, video_base: str) -> None:
        super().__init__()
        self.video_base = video_base

    def answer(self, method: str, path: str, headers: dict[str, str]) -> tuple[int, bytes, list[tuple[str, str]]]:
        """Answer every create and query with one finished task; say back what a careless gateway says back."""
        echo = headers.get("x-api-key", "")
        data = {
            "task_id": "t-1",
            "task_status": "succeed",
            "task_status_msg": f"done for key {echo} via https://agent:hunter2@cdn.example/log",
            "created_at": 1,
            "updated_at": 1,
            "task_result": {
                "videos": [{"id": "v-1", "url": f"{self.video_base}/v-1.mp4?sig=abc", "duration": "5"}],
            },
        }
        body = json.dumps({"code": 0, "message": "SUCCEED", "request_id": "r-1", "data": data}).encode()
        headers_out = [
            ("Content-Type", "application/json"),
            ("Set-Cookie", "session=for-whoever-called-first; Path=/"),
            ("Connection", "keep-alive, X-Upstream-Hop"),
            ("X-Upstream-Hop", "private to the upstream's connection"),
            ("Keep-Alive", "timeout=5"),
            ("Server", "fake-gateway/1.0"),
            ("Date", "Mon, 07 Dec 2026 00:00:00 GMT"),
        ]
        return 200, body, headers_out
