"""End to end: the SDK against the standalone mock, started as a subprocess on a free loopback port."""

from __future__ import annotations

import base64
import struct
import zlib
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

import httpx
import maas_kl_client as sdk
import pytest
from maas_kl_client import PollSchedule
from maas_kl_mock import MockServer

from contract_tests.coverage import RECORDER, Exchange, from_httpx

KEY = "e2e-key"
FAST_POLL = PollSchedule(initial=0.05, multiplier=1.5, maximum=0.5)


def _serve(*flags: str) -> Iterator[str]:
    """Start `maas-kl-mock serve` on a free port and yield its origin; stop it afterwards."""
    with MockServer("--token", KEY, *flags) as mock:
        yield mock.base_url
    assert "Traceback" not in mock.logs(), mock.logs()


@pytest.fixture(scope="module")
def origin() -> Iterator[str]:
    yield from _serve("--submitted-seconds", "0.05", "--processing-seconds", "0.1")


@pytest.fixture(scope="module")
def busy_origin() -> Iterator[str]:
    # Tasks stay unfinished for 10 minutes, so the slot count alone decides the burst: no timing.
    yield from _serve("--concurrency", "2", "--submitted-seconds", "600")


@pytest.fixture(scope="module")
def throttled_origin() -> Iterator[str]:
    yield from _serve("--rate-limit", "3/600")


def _observe(response: httpx.Response) -> None:
    """Count every JSON answer the SDK gets in the run's coverage report (videos are left unread)."""
    if "json" in response.headers.get("content-type", ""):
        response.read()
        RECORDER.record(from_httpx(response, "sdk"))


def _http(**kwargs: object) -> httpx.Client:
    """An httpx client for the SDK that lets the coverage report see each exchange."""
    return httpx.Client(event_hooks={"response": [_observe]}, **kwargs)  # type: ignore[arg-type]


@contextmanager
def _client(origin: str, **kwargs: object) -> Iterator[sdk.MaasKL]:
    """The SDK on the mock, over an httpx client the coverage report sees (closed with it)."""
    with ExitStack() as stack:
        if "http_client" not in kwargs:
            kwargs["http_client"] = stack.enter_context(_http())
        yield stack.enter_context(sdk.MaasKL(KEY, "default", origin, poll=FAST_POLL, **kwargs))  # type: ignore[arg-type]


def _png(width: int = 320, height: int = 320) -> bytes:
    """A valid grey PNG of the given size (the service wants each side at least 300 px)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    rows = b"".join(b"\x00" + b"\x80" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


def test_text2video_waits_to_succeed_then_downloads_then_extends(origin: str, tmp_path: Path) -> None:
    with _client(origin) as client:
        task = client.text2video.create_and_wait(prompt="A dog running on the grass", timeout=60)
        assert str(task.task_status) == "succeed"
        video = task.videos[0]
        saved = client.download_video(video.url, tmp_path)
        assert saved.read_bytes()[4:8] == b"ftyp", "the download is an MP4"
        extended = client.video_extend.create_and_wait(video_id=video.id, prompt="The dog jumps", timeout=60)
        longer = extended.videos[0]
        assert longer.id != video.id, "an extension is a new video"
        assert float(longer.duration) > float(video.duration)
    # The file route's Prefer scenario: the same video, cut off mid-body.
    cut = {"Prefer": "scenario=download-cut"}
    with _http(headers=cut) as http, pytest.raises(httpx.RemoteProtocolError):
        http.get(video.url).read()
    RECORDER.record(Exchange("sdk", "GET", httpx.URL(video.url).path, cut["Prefer"]))


def test_image2video_with_a_local_image(origin: str, tmp_path: Path) -> None:
    image = tmp_path / "frame.png"
    image.write_bytes(_png())
    encoded = base64.b64encode(image.read_bytes()).decode("ascii")  # no data: prefix (D14)
    with _client(origin) as client:
        task = client.image2video.create_and_wait(image=encoded, prompt="The frame comes alive", timeout=60)
    assert str(task.task_status) == "succeed"
    assert task.videos


def test_a_failed_task_raises_task_failed(origin: str) -> None:
    # Extra headers reach the mock through an injected httpx client: Prefer picks the failing scenario.
    with (
        _http(headers={"Prefer": "scenario=fail"}) as http,
        _client(origin, http_client=http) as client,
        pytest.raises(sdk.TaskFailed) as caught,
    ):
        client.text2video.create_and_wait(prompt="A dog running on the grass", timeout=60)
    assert "risk control" in str(caught.value)


def test_a_burst_over_the_concurrency_limit_is_refused_with_1303(busy_origin: str) -> None:
    outcomes: list[object] = []
    with _client(busy_origin, max_retries=0) as client:
        for n in range(5):
            try:
                outcomes.append(client.text2video.create(prompt=f"Burst {n}").task_id)
            except sdk.RateLimitError as error:
                outcomes.append(error.code)
    assert [o for o in outcomes if isinstance(o, str)] == outcomes[:2], "the first two take the two slots"
    assert outcomes[2:] == [1303, 1303, 1303]


def test_a_burst_over_the_rate_limit_is_refused_with_1302(throttled_origin: str) -> None:
    codes: list[int | None] = []
    waits: list[float | None] = []
    with _client(throttled_origin, max_retries=0) as client:
        for _ in range(5):
            try:
                client.text2video.get("no-such-task")
            except sdk.NotFoundError as missing:
                codes.append(missing.code)
            except sdk.RateLimitError as error:
                codes.append(error.code)
                waits.append(error.retry_after)
    assert codes == [1203, 1203, 1203, 1302, 1302]
    assert all(wait is not None for wait in waits), "a 1302 says when to retry (Retry-After)"
    assert all(wait > 0 for wait in waits if wait is not None)
