"""Local images for image to video: read the header with the standard library, check the documented limits, encode.

The document's limits: jpg, jpeg or png; at most 10 MB; each side at least 300 px; aspect ratio
between 1:2.5 and 2.5:1; base64 without a `data:` prefix. No image library is needed: the PNG
IHDR chunk and the JPEG SOFn marker carry the size.
"""

from __future__ import annotations

import base64
import struct
from dataclasses import dataclass
from pathlib import Path

MAX_BYTES = 10 * 1024 * 1024
MIN_SIDE = 300
MAX_RATIO = 2.5

_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_JPEG_SOI = b"\xff\xd8"
# Start-of-frame markers that carry the image size (every SOFn except DHT, JPG and DAC).
_SOF_MARKERS = frozenset({0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF})
# Markers with no length field after them.
_STANDALONE = frozenset({0x01, *range(0xD0, 0xD8)})


class ImageError(ValueError):
    """A local image breaks one of the documented limits; the message says which and how to fix it."""


@dataclass(frozen=True, slots=True)
class ImageInfo:
    """What the header says: the format and the size in pixels."""

    format: str
    width: int
    height: int


def is_url(value: str) -> bool:
    """Whether an --image argument is a URL the service fetches itself, rather than a local file."""
    return value.startswith(("http://", "https://"))


def inspect_image(data: bytes, name: str = "image") -> ImageInfo:
    """Read the format (by magic bytes, not the file name) and the size from a PNG or JPEG header."""
    if data.startswith(_PNG_SIGNATURE):
        return _png(data, name)
    if data.startswith(_JPEG_SOI):
        return _jpeg(data, name)
    msg = f"{name} is not a PNG or JPEG file (by its first bytes); the service accepts only jpg, jpeg and png."
    raise ImageError(msg)


def _png(data: bytes, name: str) -> ImageInfo:
    # Signature (8), then the IHDR chunk: length (4), type (4), width (4), height (4).
    if len(data) < 24 or data[12:16] != b"IHDR":
        msg = f"{name} looks like a PNG but its header is truncated or damaged; export it again."
        raise ImageError(msg)
    width, height = struct.unpack(">II", data[16:24])
    return ImageInfo("png", width, height)


def _jpeg(data: bytes, name: str) -> ImageInfo:
    pos = 2
    while pos + 4 <= len(data):
        if data[pos] != 0xFF:
            break
        marker = data[pos + 1]
        if marker == 0xFF:  # fill byte
            pos += 1
            continue
        if marker in _STANDALONE:
            pos += 2
            continue
        (length,) = struct.unpack(">H", data[pos + 2 : pos + 4])
        if marker in _SOF_MARKERS and pos + 9 <= len(data):
            height, width = struct.unpack(">HH", data[pos + 5 : pos + 9])
            return ImageInfo("jpeg", width, height)
        if marker == 0xDA or length < 2:  # start of scan before any frame header, or a broken length
            break
        pos += 2 + length
    msg = f"{name} looks like a JPEG but no frame header gives its size; export it again."
    raise ImageError(msg)


def check_image(data: bytes, name: str = "image") -> ImageInfo:
    """Check the documented limits (format, 10 MB, 300 px per side, ratio 1:2.5 to 2.5:1); return the header."""
    if len(data) > MAX_BYTES:
        msg = f"{name} is {len(data) / 1024 / 1024:.1f} MB; the service accepts at most 10 MB. Compress or resize it."
        raise ImageError(msg)
    info = inspect_image(data, name)
    if min(info.width, info.height) < MIN_SIDE:
        msg = f"{name} is {info.width}x{info.height} px; each side must be at least {MIN_SIDE} px. Use a larger image."
        raise ImageError(msg)
    ratio = info.width / info.height
    if not 1 / MAX_RATIO <= ratio <= MAX_RATIO:
        msg = (
            f"{name} is {info.width}x{info.height} px (aspect ratio {ratio:.2f}); the ratio must lie between "
            "1:2.5 and 2.5:1. Crop it."
        )
        raise ImageError(msg)
    return info


def encode_image(data: bytes, name: str = "image") -> str:
    """Check an image and return it as plain base64 (no `data:` prefix), as the API wants it."""
    check_image(data, name)
    return base64.b64encode(data).decode("ascii")


def image_argument(value: str) -> str:
    """Turn an --image argument into the API's field: a URL passes through, a local file is checked and encoded."""
    if is_url(value):
        return value
    path = Path(value).expanduser()
    if not path.is_file():
        msg = f"{value} is neither an http(s) URL nor a readable file; pass a local jpg/png path or a URL."
        raise ImageError(msg)
    size = path.stat().st_size
    if size > MAX_BYTES:
        msg = f"{value} is {size / 1024 / 1024:.1f} MB; the service accepts at most 10 MB. Compress or resize it."
        raise ImageError(msg)
    return encode_image(path.read_bytes(), value)
