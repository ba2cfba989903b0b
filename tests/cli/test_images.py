"""Local image checks: format by magic bytes, PNG and JPEG sizes from the header, the documented limits."""

from __future__ import annotations

import base64
import struct
from pathlib import Path

import pytest
from maas_kl_client.cli._images import ImageError, check_image, image_argument, inspect_image

from demo.frame import sunset_png


def jpeg_header(width: int, height: int, sof: int = 0xC0) -> bytes:
    """SOI, an APP0 segment, then a start-of-frame segment: enough for the size."""
    app0 = b"\xff\xe0" + struct.pack(">H", 16) + b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
    frame = bytes([0xFF, sof]) + struct.pack(">HBHHB", 11, 8, height, width, 1) + b"\x01\x11\x00"
    return b"\xff\xd8" + app0 + frame + b"\xff\xd9"


def test_png_size_is_read_from_ihdr() -> None:
    info = inspect_image(sunset_png(640, 360))
    assert (info.format, info.width, info.height) == ("png", 640, 360)


@pytest.mark.parametrize("sof", [0xC0, 0xC2])  # baseline and progressive
def test_jpeg_size_is_read_from_the_frame_header(sof: int) -> None:
    info = inspect_image(jpeg_header(800, 600, sof))
    assert (info.format, info.width, info.height) == ("jpeg", 800, 600)


def test_format_is_judged_by_content_not_name(tmp_path: Path) -> None:
    fake = tmp_path / "frame.png"
    fake.write_bytes(b"GIF89a" + b"\x00" * 100)
    with pytest.raises(ImageError, match="not a PNG or JPEG"):
        image_argument(str(fake))


@pytest.mark.parametrize(
    ("width", "height", "rule"),
    [
        (299, 600, "at least 300 px"),
        (600, 299, "at least 300 px"),
        (751, 300, "aspect ratio"),
        (300, 751, "aspect ratio"),
    ],
)
def test_limits(width: int, height: int, rule: str) -> None:
    with pytest.raises(ImageError, match=rule):
        check_image(jpeg_header(width, height))


@pytest.mark.parametrize(("width", "height"), [(300, 300), (750, 300), (300, 750)])
def test_bounds_are_inclusive(width: int, height: int) -> None:
    assert check_image(jpeg_header(width, height)).width == width


def test_more_than_10_mb_is_refused_before_reading(tmp_path: Path) -> None:
    big = tmp_path / "big.png"
    with big.open("wb") as handle:
        handle.write(sunset_png(320, 320))
        handle.truncate(10 * 1024 * 1024 + 1)
    with pytest.raises(ImageError, match="at most 10 MB"):
        image_argument(str(big))


def test_truncated_headers_are_refused() -> None:
    with pytest.raises(ImageError, match="truncated"):
        inspect_image(b"\x89PNG\r\n\x1a\n\x00\x00")
    with pytest.raises(ImageError, match="no frame header"):
        inspect_image(b"\xff\xd8\xff\xda\x00\x08")


def test_local_file_becomes_plain_base64_and_urls_pass_through(tmp_path: Path) -> None:
    frame = tmp_path / "frame.png"
    frame.write_bytes(sunset_png())
    encoded = image_argument(str(frame))
    assert base64.b64decode(encoded, validate=True) == frame.read_bytes()
    assert image_argument("https://example.com/a.jpg") == "https://example.com/a.jpg"
    with pytest.raises(ImageError, match="neither an http"):
        image_argument(str(tmp_path / "missing.png"))
