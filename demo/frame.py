"""The demo's input image: a PNG drawn with the standard library, so image to video needs no download."""

from __future__ import annotations

import struct
import zlib

WIDTH, HEIGHT = 640, 360


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def sunset_png(width: int = WIDTH, height: int = HEIGHT) -> bytes:
    """Draw a sky-to-sea gradient with a sun: a valid 8-bit RGB PNG that meets the API's image limits."""
    sun_x, sun_y, radius = width * 0.62, height * 0.48, min(width, height) * 0.14
    horizon = int(height * 0.58)
    rows = bytearray()
    for y in range(height):
        rows.append(0)  # filter type: none
        t = y / height
        sky = (int(40 + 200 * t), int(60 + 90 * t), int(140 - 60 * t))
        sea = (20, int(70 + 40 * (1 - t)), int(120 + 50 * (1 - t)))
        base = sky if y < horizon else sea
        for x in range(width):
            inside = (x - sun_x) ** 2 + (y - sun_y) ** 2 <= radius**2 and y < horizon
            rows.extend((255, 200, 80) if inside else base)
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", zlib.compress(bytes(rows), 6))
        + _chunk(b"IEND", b"")
    )
