"""A small misbehaving upstream: each create prompt or query id picks one way to break the spec."""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any, ClassVar, Self

TASK = {"task_id": "t-1", "task_status": "submitted", "created_at": 1, "updated_at": 1}


def _ok(data: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    return 200, {"code": 0, "message": "SUCCEED", "request_id": "r-ok", "data": data}


# query id (or create prompt) -> (status, body); None means: drop the connection without answering
ANSWERS: dict[str, tuple[int, dict[str, Any]] | None] = {
    "fine": _ok(TASK),
    "missing-field": _ok({k: v for k, v in TASK.items() if k != "task_id"}),
    "wrong-code": (429, {"code": 1201, "message": "Invalid key or value", "request_id": "r-wc"}),
    "unknown-status": _ok({**TASK, "task_status": "queued"}),
    "error-with-data": (404, {"code": 1203, "message": "Resource not found", "request_id": "r-ed", "data": {}}),
    "reset": None,
    "with-video": _ok(
        {
            **TASK,
            "task_status": "succeed",
            "task_result": {"videos": [{"id": "v-1", "url": "https://cdn.example/v-1.mp4?sig=abc", "duration": "5"}]},
        }
    ),
}


class _Handler(BaseHTTPRequestHandler):
    seen: ClassVar[list[str]] = []
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        """Stay quiet."""

    def handle_one_request(self) -> None:
        """Treat a client that hung up as the end of the connection, not an error."""
        try:
            super().handle_one_request()
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True

    def do_GET(self) -> None:
        """Answer a query by the behaviour its id names."""
        self._answer(self.path.rsplit("/", 1)[-1])

    def do_POST(self) -> None:
        """Answer a create by the behaviour its prompt names."""
        length = int(self.headers.get("content-length") or 0)
        body = json.loads(self.rfile.read(length) or b"{}")
        self._answer(str(body.get("prompt", "fine")))

    def _answer(self, name: str) -> None:
        self.seen.append(f"{self.command} {self.path} auth={self.headers.get('authorization')}")
        if name == "slow":
            time.sleep(1.5)
            name = "fine"
        answer = ANSWERS.get(name, ANSWERS["fine"])
        if answer is None:
            self.close_connection = True
            self.connection.close()
            return
        status, body = answer
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(data)))
        self.end_headers()
        try:
            self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):  # the proxy gave up first (its --timeout)
            self.close_connection = True


class MisbehavingUpstream:
    """The upstream in a thread on a port the OS picks; `seen` lists every request it received."""

    def __init__(self) -> None:
        handler = type("Handler", (_Handler,), {"seen": []})
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.seen: list[str] = handler.seen  # type: ignore[attr-defined]
        self.base_url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> Self:
        self._thread.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.server.shutdown()
        self.server.server_close()
        self._thread.join(10)
