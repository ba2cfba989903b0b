"""The served mock bounds what a slow or oversized client can hold: heads, bodies, shutdown (issue 24, point 3).

Each test starts `maas-kl-mock serve` with short limits (1 s timeouts), so a bounded wait is a
few seconds; the bounds asserted are generous multiples of the limits, never tight timings.
"""

from __future__ import annotations

import json
import socket
import time
from collections.abc import Iterator

import httpx
import pytest
from maas_kl_mock import MockServer

SHORT = ("--header-timeout", "1", "--body-timeout", "1", "--max-header-kb", "8")


@pytest.fixture(scope="module")
def mock() -> Iterator[MockServer]:
    with MockServer(*SHORT) as server:
        yield server


def _connect(mock: MockServer) -> socket.socket:
    host, port = mock.base_url.removeprefix("http://").rsplit(":", 1)
    sock = socket.create_connection((host, int(port)), timeout=30)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return sock


def _answer(sock: socket.socket) -> tuple[int, dict[str, object], bytes]:
    """Read until the server closes; return the status, the JSON body and the raw bytes."""
    received = b""
    while chunk := sock.recv(65536):
        received += chunk
    head, _, body = received.partition(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1]) if head else 0
    return status, json.loads(body) if body else {}, received


def _trickle(sock: socket.socket, data: bytes, every: float, until: float) -> bool:
    """Send one byte every `every` s until the server closes (True) or `until` s pass (False)."""
    started = time.monotonic()
    for byte in data:
        try:
            sock.sendall(bytes([byte]))
        except (BrokenPipeError, ConnectionResetError):
            return True
        if time.monotonic() - started > until:
            return False
        time.sleep(every)  # the attacker's pace, not a wait on the server
    return False


def test_a_head_over_the_limit_is_431_with_the_envelope(mock: MockServer) -> None:
    with _connect(mock) as sock:
        sock.sendall(b"GET /_mock/health HTTP/1.1\r\nHost: localhost\r\nX-Big: " + b"a" * 9000 + b"\r\n\r\n")
        status, body, _ = _answer(sock)
    assert status == 431
    assert body["code"] != 0
    assert "8192 bytes" in str(body["message"])
    assert httpx.get(f"{mock.base_url}/_mock/health").status_code == 200


def test_a_huge_head_is_refused_after_the_limit_not_parsed_whole(mock: MockServer) -> None:
    started = time.monotonic()
    with _connect(mock) as sock:
        sock.sendall(b"GET /_mock/health HTTP/1.1\r\nHost: localhost\r\nX-Big: ")
        refused = False
        for _ in range(100):  # up to 100 MB, 1 MB at a time, as the review sent it
            try:
                sock.sendall(b"a" * (1 << 20))
            except (BrokenPipeError, ConnectionResetError):
                refused = True
                break
        if not refused:
            status, _, _ = _answer(sock)
            assert status == 431
    assert time.monotonic() - started < 20


def test_a_head_sent_a_byte_at_a_time_is_cut_off(mock: MockServer) -> None:
    started = time.monotonic()
    with _connect(mock) as sock:
        sock.sendall(b"GET /_mock/health HTTP/1.1\r\nHost: localhost\r\n")
        closed = _trickle(sock, b"X-Slow: " + b"a" * 200, every=0.2, until=15)
        status, body, _ = _answer(sock)
    assert closed or status == 408
    assert status in (0, 408)  # 408 with the envelope, unless the reset raced the read
    if status:
        assert body["code"] != 0
    assert time.monotonic() - started < 15


def test_a_connection_that_sends_nothing_is_closed(mock: MockServer) -> None:
    started = time.monotonic()
    with _connect(mock) as sock:
        status, _, _ = _answer(sock)
    assert status == 408
    assert time.monotonic() - started < 10


@pytest.mark.parametrize("pace", ["trickle", "stall"])
def test_a_slow_body_is_cut_off_and_creates_nothing(mock: MockServer, pace: str) -> None:
    body = json.dumps({"prompt": "A dog " * 20}).encode()
    head = (
        f"POST /v1/ai/default/kling/videos/text2video HTTP/1.1\r\nHost: localhost\r\n"
        f"Authorization: Bearer {mock.token}\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    ).encode()
    started = time.monotonic()
    with _connect(mock) as sock:
        sock.sendall(head)
        if pace == "trickle":  # one byte every 0.3 s: never a pause of 1 s, but far under 1 KiB/s
            _trickle(sock, body[:-1], every=0.3, until=15)
        else:
            sock.sendall(body[:10])
        status, answer, _ = _answer(sock)
    assert status in (0, 408)
    if status:
        assert answer["code"] != 0
    assert time.monotonic() - started < 15
    assert mock.control.tasks() == []


def test_shutdown_is_bounded_while_a_client_holds_a_request_open() -> None:
    with MockServer("--body-timeout", "60", "--shutdown-timeout", "1") as server:
        sock = _connect(server)
        sock.sendall(
            b"POST /v1/ai/default/kling/videos/text2video HTTP/1.1\r\nHost: localhost\r\n"
            b"Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"
        )
        time.sleep(0.3)  # let the server start reading the body
        started = time.monotonic()
        server.stop(grace=30)  # SIGTERM; SIGKILL only after 30 s
        stopped = time.monotonic() - started
        sock.close()
    assert stopped < 10
    assert "Traceback" not in server.logs()
