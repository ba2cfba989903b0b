"""Generated videos checked with a real decoder (PyAV's ffmpeg): length, shape, identity, size."""

from __future__ import annotations

import base64
import io
import struct
import zlib
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import av
import av.logging
import orjson
import pytest
from maas_kl_mock import ManualClock, MockConfig, MockCore, MockRequest
from maas_kl_mock.media.mp4 import VideoShape, image_ratio, mp4, parse_ratio
from mock_harness import Harness


def probe(data: bytes) -> dict[str, Any]:
    """Decode every frame; return the container's duration, the frame size and count, and the middle frame's luma.

    Any warning or error ffmpeg logs while decoding fails the test: the stream must be clean.
    """
    level = av.logging.get_level()
    av.logging.set_level(av.logging.WARNING)
    try:
        with av.logging.Capture() as logs, av.open(io.BytesIO(data), "r") as container:
            stream = container.streams.video[0]
            frames = list(container.decode(stream))
            assert stream.duration is not None
            assert stream.time_base is not None
            found = {
                "duration": float(stream.duration * stream.time_base),
                "container_duration": (container.duration or 0) / 1_000_000,
                "size": (frames[0].width, frames[0].height),
                "frames": len(frames),
                "codec": stream.codec_context.name,
                "luma": bytes(frames[len(frames) // 2].planes[0]),
            }
    finally:
        av.logging.set_level(level)
    assert not [entry for entry in logs if entry[0] <= av.logging.WARNING], logs
    return found


def download(harness: Harness, video: dict[str, str]) -> bytes:
    url = urlsplit(video["url"])
    response = harness.send("GET", url.path, query=url.query)
    assert response.status == 200
    assert response.delivery.chunks is not None
    return b"".join(response.delivery.streamed())


def finished(harness: Harness, kind: str, body: dict[str, Any]) -> dict[str, Any]:
    created = harness.create(kind, body)
    assert created["code"] == 0, created
    harness.clock.advance(10)
    data: dict[str, Any] = harness.query(kind, created["data"]["task_id"])["data"]
    assert data["task_status"] == "succeed"
    return data


def video_of(data: dict[str, Any]) -> dict[str, str]:
    video: dict[str, str] = data["task_result"]["videos"][0]
    return video


@pytest.mark.parametrize("seconds", ["5", "10"])
def test_file_lasts_as_long_as_the_duration_field(seconds: str) -> None:
    harness = Harness()
    video = video_of(finished(harness, "text2video", {"prompt": "A dog", "duration": seconds, "mode": "std"}))
    found = probe(download(harness, video))
    assert abs(found["duration"] - float(video["duration"])) <= 0.1
    assert abs(found["container_duration"] - float(video["duration"])) <= 0.1
    assert abs(found["duration"] - int(seconds)) <= 0.1 + 1e-9, "a 5 s task lasts 5 s (5.1, decision M6)"
    assert found["frames"] == round(float(video["duration"]) * 30)
    assert found["codec"] == "h264"


@pytest.mark.parametrize(("seconds", "extensions", "total"), [("5", 1, 10), ("5", 2, 15), ("10", 1, 15)])
def test_extension_adds_the_documented_seconds_and_keeps_the_shape(seconds: str, extensions: int, total: int) -> None:
    harness = Harness()
    source = video_of(finished(harness, "text2video", {"prompt": "A dog", "aspect_ratio": "9:16", "duration": seconds}))
    seconds_added = harness.core.capabilities.seconds_added
    before = probe(download(harness, source))
    for _ in range(extensions):
        extended_task = finished(harness, "video-extend", {"video_id": source["id"]})
        assert extended_task["task_info"]["parent_video"]["id"] == source["id"]
        extended = video_of(extended_task)
        after = probe(download(harness, extended))
        assert abs(after["duration"] - (before["duration"] + seconds_added)) <= 0.1
        assert abs(after["duration"] - float(extended["duration"])) <= 0.1
        assert after["size"] == before["size"] == (90, 160)
        source, before = extended, after
    assert abs(before["duration"] - total) <= 0.1 + 1e-9, f"{seconds} s, extended {extensions} times"


@pytest.mark.parametrize(("ratio", "size"), [("16:9", (160, 90)), ("9:16", (90, 160)), ("1:1", (160, 160))])
def test_text2video_frames_have_the_requested_aspect_ratio(ratio: str, size: tuple[int, int]) -> None:
    harness = Harness()
    video = video_of(finished(harness, "text2video", {"prompt": "A dog", "aspect_ratio": ratio}))
    assert probe(download(harness, video))["size"] == size


def png(width: int, height: int) -> str:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    rows = b"".join(b"\0" + b"\x80" * width for _ in range(height))
    data = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0))
    data += chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")
    return base64.b64encode(data).decode()


def jpeg_header(width: int, height: int) -> str:
    app0 = b"\xff\xe0" + struct.pack(">H", 16) + b"JFIF\0\x01\x01\0\0\x01\0\x01\0\0"
    sof = b"\xff\xc0" + struct.pack(">HBHHB", 11, 8, height, width, 1) + b"\x01\x11\x00"
    return base64.b64encode(b"\xff\xd8" + app0 + sof + b"\xff\xd9").decode()


def test_image2video_takes_the_base64_image_ratio_and_16_9_for_a_url() -> None:
    harness = Harness()
    portrait = video_of(finished(harness, "image2video", {"image": png(300, 600)}))
    remote = video_of(finished(harness, "image2video", {"image": "https://example.test/a.jpg"}))
    assert probe(download(harness, portrait))["size"] == (80, 160)
    assert probe(download(harness, remote))["size"] == (160, 90)
    assert image_ratio(jpeg_header(1200, 900)) == (4, 3)
    assert image_ratio("not base64 at all!") is None
    assert parse_ratio("9:16") == (9, 16)
    assert parse_ratio("0:1") is None


def test_videos_differ_visibly_and_are_deterministic_per_id() -> None:
    one, other = VideoShape("11111111-aaaa", 5.1), VideoShape("22222222-bbbb", 5.1)
    assert mp4(one) == mp4(VideoShape("11111111-aaaa", 5.1))
    first, second = probe(mp4(one)), probe(mp4(other))
    assert first["luma"] != second["luma"], "two videos' frames must differ"
    with av.open(io.BytesIO(mp4(one)), "r") as container:
        lumas = [bytes(frame.planes[0]) for frame in container.decode(video=0)]
    assert lumas[0] != lumas[30], "the clock drawn in changes every second"
    assert lumas[31] == lumas[30], "frames between seconds are skipped, so cheap"


def test_same_bytes_after_a_restart_with_state(tmp_path: Path) -> None:
    state = tmp_path / "state.sqlite"

    def fetch(core: MockCore, url: str) -> bytes:
        parts = urlsplit(url)
        response = core.handle(MockRequest("GET", parts.path, {"authorization": "Bearer a"}, query=parts.query))
        assert response.delivery.chunks is not None
        return b"".join(response.delivery.streamed())

    clock = ManualClock()
    core = MockCore(MockConfig(state_path=state, seed=3), clock)
    body = b'{"prompt": "A dog", "aspect_ratio": "1:1"}'
    created = core.handle(MockRequest("POST", "/v1/ai/X/kling/videos/text2video", {"authorization": "Bearer a",
                                      "content-type": "application/json"}, body))  # fmt: skip
    clock.advance(10)
    task_id = orjson.loads(created.body)["data"]["task_id"]
    query = MockRequest("GET", f"/v1/ai/X/kling/videos/text2video/{task_id}", {"authorization": "Bearer a"})
    url = orjson.loads(core.handle(query).body)["data"]["task_result"]["videos"][0]["url"]
    before = fetch(core, url)
    core.store.close()
    again = MockCore(MockConfig(state_path=state, seed=3), clock)
    assert fetch(again, url) == before
    again.close()
    assert probe(before)["size"] == (160, 160)


def test_video_size_kb_pads_to_a_realistic_size_that_still_decodes() -> None:
    harness = Harness(video_size_kb=2048)
    video = video_of(finished(harness, "text2video", {"prompt": "A dog"}))
    data = download(harness, video)
    assert len(data) == 2048 * 1024
    assert data[4:8] == b"ftyp"
    assert abs(probe(data)["duration"] - 5.1) <= 0.1
    boxes, offset = [], 0
    while offset < len(data):
        size = int.from_bytes(data[offset : offset + 4], "big")
        assert size >= 8
        boxes.append(data[offset + 4 : offset + 8])
        offset += size
    assert offset == len(data), "top-level boxes cover the whole file"
    assert boxes == [b"ftyp", b"moov", b"mdat", b"free"]


def test_a_180_second_video_is_small_and_whole() -> None:
    data = mp4(VideoShape("long", 180.0))
    assert len(data) < 1_000_000
    found = probe(data)
    assert abs(found["duration"] - 180) <= 0.1
    assert found["frames"] == 5400
