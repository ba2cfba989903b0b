"""The review of issue 24, replayed: its hostile inputs against a served mock, with memory, answers and state checked.

One `maas-kl-mock serve` (1 s read timeouts, an 8 KiB head limit) gets, in turn: a 100 MB head
sent 1 MB at a time, a head and a body trickled a byte at a time, a 50 MB body, 100k-deep JSON,
a `Range` and a `Content-Length` of 5,000 digits, and fault plans with unbounded numbers; then
`serve --replay` gets hostile cassettes. Every answer is the API's envelope (or a closed
connection), the server's resident memory grows by less than `RSS_BOUND`, no task appears, the
fault plan is unchanged and the server still answers at once. The cross-site control calls of
the review (point 4) are the control surface's, tested with it.
"""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from maas_kl_mock import MockServer

RSS_BOUND = 64 * 1024 * 1024  # bytes the server may grow by over the whole run (it grew 400 MB in the review)
LIMITS = ("--header-timeout", "1", "--body-timeout", "1", "--max-header-kb", "8")
DIGITS = "9" * 5000


def _rss(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text(encoding="utf-8").splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    raise AssertionError("no VmRSS line")


@pytest.fixture(scope="module")
def mock() -> Iterator[MockServer]:
    if not Path("/proc/self/status").exists():
        pytest.skip("resident memory is read from /proc (Linux)")
    with MockServer(*LIMITS) as server:
        yield server


def _connect(mock: MockServer) -> socket.socket:
    host, port = mock.base_url.removeprefix("http://").rsplit(":", 1)
    return socket.create_connection((host, int(port)), timeout=30)


def _send(mock: MockServer, data: bytes, *, then: bytes = b"", every: float = 0.0, times: int = 0) -> tuple[int, bytes]:
    """Send `data`, then `then` `times` times `every` s apart (stopping when the server closes); return status, body."""
    with _connect(mock) as sock:
        try:
            sock.sendall(data)
            for _ in range(times):
                sock.sendall(then)
                if every:
                    time.sleep(every)  # the hostile client's pace
        except (BrokenPipeError, ConnectionResetError):
            pass
        received = b""
        try:
            while chunk := sock.recv(65536):
                received += chunk
        except ConnectionResetError:
            pass
    head, _, rest = received.partition(b"\r\n\r\n")
    length = next(
        (int(line.split(b":")[1]) for line in head.lower().split(b"\r\n") if line.startswith(b"content-length:")), 0
    )
    return (int(head.split(b" ", 2)[1]) if head else 0), rest[:length]  # the first answer


def _envelope(status: int, body: bytes, *expected: int) -> None:
    assert status in expected, (status, body[:200])
    if status:
        parsed = json.loads(body)
        assert set(parsed) >= {"code", "message", "request_id"}
        assert parsed["code"] != 0


API = "/v1/ai/default/kling/videos/text2video"


def _head(mock: MockServer, method: str, path: str, extra: str = "") -> bytes:
    return (
        f"{method} {path} HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer {mock.token}\r\n"
        f"Content-Type: application/json\r\n{extra}"
    ).encode()


def test_the_reviews_hostile_inputs_leave_memory_answers_and_state_bounded(mock: MockServer) -> None:
    started = time.monotonic()
    plan = mock.control.faults()["plan"]
    before = _rss(mock.pid or 0)

    # Point 3: a 100 MB head, 1 MB at a time: 431 after 8 KiB, never parsed whole.
    status, body = _send(mock, _head(mock, "GET", "/_mock/health") + b"X-Big: ", then=b"a" * (1 << 20), times=100)
    _envelope(status, body, 431, 0)
    # A head and a body trickled a byte at a time: 408 within the 1 s timeouts (the body under 1 KiB/s).
    status, body = _send(mock, _head(mock, "GET", "/_mock/health"), then=b"a", every=0.25, times=40)
    _envelope(status, body, 408, 0)
    status, body = _send(mock, _head(mock, "POST", API, "Content-Length: 100\r\n\r\n"), then=b" ", every=0.25, times=40)
    _envelope(status, body, 408, 0)
    # What held up must hold: a 50 MB body and 100k-deep JSON get clean 400s.
    status, body = _send(mock, _head(mock, "POST", API, f"Content-Length: {50 << 20}\r\n\r\n") + b"{" * 65536)
    _envelope(status, body, 400, 0)
    deep = b"[" * 100_000 + b"]" * 100_000
    answer = httpx.post(f"{mock.api_base_url}/videos/text2video", headers=mock.headers, content=deep)
    _envelope(answer.status_code, answer.content, 400)
    # Point 10: numbers past int()'s digit limit, and unbounded fault settings.
    status, body = _send(mock, _head(mock, "POST", API, f"Content-Length: {DIGITS}\r\n\r\n"))
    _envelope(status, body, 400, 413)
    task = httpx.post(f"{mock.api_base_url}/videos/text2video", headers=mock.headers, json={"prompt": "A dog"})
    task_id = task.json()["data"]["task_id"]
    mock.control.advance(60)
    video = httpx.get(f"{mock.api_base_url}/videos/text2video/{task_id}", headers=mock.headers).json()
    url = video["data"]["task_result"]["videos"][0]["url"]
    ranged = httpx.get(url, headers={**mock.headers, "Range": f"bytes={DIGITS}-"})
    assert ranged.status_code == 416
    for hostile in ({"latency": f"fixed:{'9' * 400}"}, {"kinds": {"500": "inf"}}, {"rate": "nan"}):
        refused = httpx.put(f"{mock.base_url}/_mock/faults", json=hostile)
        _envelope(refused.status_code, refused.content, 400)

    grown = _rss(mock.pid or 0) - before
    assert grown < RSS_BOUND, f"resident memory grew by {grown / 2**20:.0f} MiB"
    assert mock.control.faults()["plan"] == plan
    assert [t["task_id"] for t in mock.control.tasks()] == [task_id]  # only the one task made on purpose
    assert mock.control.stats()["internal_errors"] == 0
    quick = time.monotonic()
    assert httpx.get(f"{mock.base_url}/_mock/health").status_code == 200
    assert time.monotonic() - quick < 2  # no latency of fixed:inf was accepted
    assert time.monotonic() - started < 60
    assert "Traceback" not in mock.logs()


@pytest.mark.parametrize(
    "content",
    ["[" * 100_000 + "]" * 100_000, '{"format": "maas-kl-mock/cassette/1", "exchanges": [1, 2]}', "{not json"],
    ids=["100k-nested", "non-object-exchanges", "bad-json"],
)
def test_a_hostile_cassette_stops_start_up_with_a_message(tmp_path: Path, content: str) -> None:
    (tmp_path / "0001-flow.json").write_text(content, encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "maas_kl_mock", "serve", "--port", "0", "--replay", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 2
    assert f"cannot start: {tmp_path / '0001-flow.json'}" in done.stderr
    assert "Traceback" not in done.stderr
