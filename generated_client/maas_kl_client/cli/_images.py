"""Local images for image fields: read the header with the standard library, check the documented limits, encode.

The limits (formats, size, pixels per side, aspect ratio) are the field's `x-image` in the spec,
read from `_spec_data.REQUEST_SCHEMAS`; base64 goes without a `data:` prefix. No image library is
needed: the PNG IHDR chunk and the JPEG SOFn marker carry the size.
"""

from __future__ import annotations

import base64
import struct
from dataclasses import dataclass
from pathlib import Path

from maas_kl_specfacts import ImageLimits, image_fields

from .._spec_data import REQUEST_SCHEMAS

MB = 1024 * 1024

_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_JPEG_SOI = b"\xff\xd8"
# Start-of-frame markers that carry the image size (every SOFn except DHT, JPG and DAC).
_SOF_MARKERS = frozenset({0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF})
# Markers with no length field after them.
_STANDALONE = frozenset({0x01, *range(0xD0, 0xD8)})


class ImageError(ValueError):
    """A local image breaks one of the documented limits; the message says which and how to fix it."""


def megabytes(limits: ImageLimits) -> str:
    """Say the size limit as the messages do, e.g. `10 MB`."""
    return f"{limits.max_bytes / MB:g} MB"


def listed(formats: tuple[str, ...]) -> str:
    """Say a list of formats in words: `jpg, jpeg and png`."""
    return " and ".join(filter(None, (", ".join(formats[:-1]), formats[-1])))


# The limits of the spec's first image field: what a caller that names no field is checked against.
SPEC_LIMITS = next(limits for schema in REQUEST_SCHEMAS.values() for limits in image_fields(schema).values())


@dataclass(frozen=True, slots=True)
class ImageInfo:
    """What the header says: the format and the size in pixels."""

    format: str
    width: int
    height: int


def is_url(value: str) -> bool:
    """Whether an --image argument is a URL the service fetches itself, rather than a local file."""
    return value.startswith(("http://", "https://"))


def inspect_image(data: bytes, name: str = "image", limits: ImageLimits = SPEC_LIMITS) -> ImageInfo:
    """Read the format (by magic bytes, not the file name) and the size from a PNG or JPEG header."""
    if data.startswith(_PNG_SIGNATURE):
        return _png(data, name)
    if data.startswith(_JPEG_SOI):
        return _jpeg(data, name)
    msg = f"{name} is not a PNG or JPEG file (by its first bytes); the service accepts only {listed(limits.formats)}."
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


def _too_large(name: str, size: int, limits: ImageLimits) -> ImageError:
    return ImageError(
        f"{name} is {size / MB:.1f} MB; the service accepts at most {megabytes(limits)}. Compress or resize it."
    )


def check_image(data: bytes, name: str = "image", limits: ImageLimits = SPEC_LIMITS) -> ImageInfo:
    """Check the field's limits from the spec (format, size, pixels per side, aspect ratio); return the header."""
    if len(data) > limits.max_bytes:
        raise _too_large(name, len(data), limits)
    info = inspect_image(data, name, limits)
    if min(info.width, info.height) < limits.min_side:
        msg = (
            f"{name} is {info.width}x{info.height} px; each side must be at least {limits.min_side} px. "
            "Use a larger image."
        )
        raise ImageError(msg)
    ratio = info.width / info.height
    if not 1 / limits.max_ratio <= ratio <= limits.max_ratio:
        msg = (
            f"{name} is {info.width}x{info.height} px (aspect ratio {ratio:.2f}); the ratio must lie between "
            f"1:{limits.max_ratio:g} and {limits.max_ratio:g}:1. Crop it."
        )
        raise ImageError(msg)
    return info


def encode_image(data: bytes, name: str = "image", limits: ImageLimits = SPEC_LIMITS) -> str:
    """Check an image and return it as plain base64 (no `data:` prefix), as the API wants it."""
    check_image(data, name, limits)
    return base64.b64encode(data).decode("ascii")


def image_argument(value: str, limits: ImageLimits = SPEC_LIMITS) -> str:
    """Turn an --image argument into the API's field: a URL passes through, a local file is checked and encoded."""
    if is_url(value):
        return value
    path = Path(value).expanduser()
    if not path.is_file():
        msg = f"{value} is neither an http(s) URL nor a readable file; pass a local jpg/png path or a URL."
        raise ImageError(msg)
    size = path.stat().st_size
    if size > limits.max_bytes:
        raise _too_large(value, size, limits)
    return encode_image(path.read_bytes(), value, limits)
