"""Synthesised MP4 videos: a tiny H.264 (I_PCM + P_Skip) muxer, deterministic per video id, no codec library.

Each video is 30 fps, as long as its task says, in its task's aspect ratio (long side 160 px).
Frame 0 is an IDR picture whose macroblocks are raw samples (I_PCM): a background colour drawn
from the video id, the id itself and a clock `00:00`. Every later frame is a P picture: at each
whole second the macroblocks whose pixels changed (the clock) are coded again as I_PCM, every
other macroblock is P_Skip, which costs a few bits. So a 180 s video is under 1 MB and is built
in milliseconds, and any real decoder (ffmpeg, browsers) plays it. References: ITU-T H.264
(baseline profile, 7.3 syntax) and ISO/IEC 14496-12/-15 (MP4 boxes, avcC).
"""

from __future__ import annotations

import binascii
import hashlib
import math
import struct
from collections import OrderedDict
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

FPS = 30
TIMESCALE = 15_360  # ticks per second in the track (512 per frame), as ffmpeg writes 30 fps
LONG_SIDE = 160
MEDIA_VERSION = 1  # part of every ETag: bump when the bytes a video id produces change
_TICKS = TIMESCALE // FPS
_LOG2_MAX_FRAME_NUM = 16
_FREE_HEADER = 8
FALLBACK_RATIO = (16, 9)  # an image the mock cannot read (a URL it does not fetch): decision M7

# A 3x5 pixel font for what the frames show: hex digits of the id, '-', ':' and the clock.
_FONT = {
    "0": "111101101101111",
    "1": "010110010010111",
    "2": "111001111100111",
    "3": "111001111001111",
    "4": "101101111001001",
    "5": "111100111001111",
    "6": "111100111101111",
    "7": "111001001001001",
    "8": "111101111101111",
    "9": "111101111001111",
    "a": "010101111101101",
    "b": "110101110101110",
    "c": "011100100100011",
    "d": "110101101101110",
    "e": "111100111100111",
    "f": "111100111100100",
    "-": "000000111000000",
    ":": "000010000010000",
    " ": "000000000000000",
}


@dataclass(frozen=True, slots=True)
class VideoShape:
    """What a synthesised video must be: whose it is, how long, and which aspect ratio (width:height)."""

    video_id: str
    duration: float
    ratio: tuple[int, int] = FALLBACK_RATIO

    @property
    def frames(self) -> int:
        """Frame count at 30 fps (durations are tenths of a second, so this is exact)."""
        return max(1, round(self.duration * FPS))

    @property
    def size(self) -> tuple[int, int]:
        """Display width and height in pixels: the long side 160, both even, ratio kept."""
        rw, rh = self.ratio
        if rw >= rh:
            return LONG_SIDE, max(16, 2 * round(LONG_SIDE * rh / rw / 2))
        return max(16, 2 * round(LONG_SIDE * rw / rh / 2)), LONG_SIDE


class _Bits:
    """An MSB-first bit writer with Exp-Golomb codes, collecting into one integer."""

    def __init__(self) -> None:
        self.value = 0
        self.count = 0

    def u(self, bits: int, value: int) -> None:
        self.value = (self.value << bits) | (value & ((1 << bits) - 1))
        self.count += bits

    def ue(self, value: int) -> None:
        code = value + 1
        self.u(2 * code.bit_length() - 1, code)

    def se(self, value: int) -> None:
        self.ue(2 * value - 1 if value > 0 else -2 * value)

    def align(self) -> None:
        self.u(-self.count % 8, 0)

    def trailing(self) -> bytes:
        self.u(1, 1)
        self.align()
        return self.value.to_bytes(self.count // 8, "big")

    def take(self) -> bytes:
        """Return the whole bytes written so far (the writer must be aligned) and start again."""
        out = self.value.to_bytes(self.count // 8, "big")
        self.value = self.count = 0
        return out


def _nal(ref_idc: int, kind: int, rbsp: bytes) -> bytes:
    """Wrap an RBSP as a NAL unit, inserting emulation-prevention bytes after each 00 00."""
    header = bytes([(ref_idc << 5) | kind])
    if b"\0\0" not in rbsp:  # the common case (PCM samples are never 0): nothing to escape
        return header + rbsp
    out = bytearray(header)
    zeros = 0
    for byte in rbsp:
        if zeros >= 2 and byte <= 3:
            out.append(3)
            zeros = 0
        out.append(byte)
        zeros = zeros + 1 if byte == 0 else 0
    return bytes(out)


class _Picture:
    """The planes of one frame (Y, Cb, Cr at 4:2:0) in macroblock-aligned size."""

    def __init__(self, width: int, height: int, colour: tuple[int, int, int]) -> None:
        self.mbw, self.mbh = -(-width // 16), -(-height // 16)
        self.width, self.height = self.mbw * 16, self.mbh * 16
        y, cb, cr = colour
        self.y = bytearray([y]) * (self.width * self.height)
        self.cb = bytes([cb]) * (self.width * self.height // 4)
        self.cr = bytes([cr]) * (self.width * self.height // 4)
        self._chroma: dict[tuple[int, int], bytes] = {}

    def text(self, x: int, y: int, text: str, scale: int, luma: int) -> None:
        for i, char in enumerate(text):
            glyph = _FONT.get(char, _FONT[" "])
            for row in range(5):
                for col in range(3):
                    if glyph[row * 3 + col] == "1":
                        px, py = x + (i * 4 + col) * scale, y + row * scale
                        for dy in range(scale):
                            start = (py + dy) * self.width + px
                            if 0 <= py + dy < self.height and px >= 0 and px + scale <= self.width:
                                self.y[start : start + scale] = bytes([luma]) * scale

    def macroblocks(self, rows: range | None = None) -> dict[int, bytes]:
        """Return the I_PCM samples (256 luma, 64 Cb, 64 Cr) of the macroblocks in `rows` (default all), by address."""
        out = {}
        w, cw = self.width, self.width // 2
        luma = memoryview(self.y)
        for my in rows if rows is not None else range(self.mbh):
            for mx in range(self.mbw):
                top = my * 16 * w + mx * 16
                chroma = self._chroma.get((mx, my))
                if chroma is None:  # the chroma planes never change after construction
                    chroma = self._chroma[mx, my] = b"".join(
                        plane[(my * 8 + r) * cw + mx * 8 : (my * 8 + r) * cw + mx * 8 + 8]
                        for plane in (self.cb, self.cr)
                        for r in range(8)
                    )
                out[my * self.mbw + mx] = b"".join(luma[top + r * w : top + r * w + 16] for r in range(16)) + chroma
        return out


class _Encoder:
    """Writes the parameter sets and the slices of one video's H.264 stream."""

    def __init__(self, width: int, height: int) -> None:
        self.width, self.height = width, height
        self.mbw, self.mbh = -(-width // 16), -(-height // 16)
        self._skip: tuple[int, int, int] | None = None

    def sps(self) -> bytes:
        b = _Bits()
        b.u(8, 66)  # baseline
        b.u(8, 0xC0)  # constraint_set0 and 1: constrained baseline
        b.u(8, 30)  # level 3.0
        b.ue(0)  # seq_parameter_set_id
        b.ue(_LOG2_MAX_FRAME_NUM - 4)
        b.ue(2)  # pic_order_cnt_type 2: output order is decoding order
        b.ue(1)  # max_num_ref_frames
        b.u(1, 0)  # gaps_in_frame_num_value_allowed_flag
        b.ue(self.mbw - 1)
        b.ue(self.mbh - 1)
        b.u(1, 1)  # frame_mbs_only_flag
        b.u(1, 1)  # direct_8x8_inference_flag
        right, bottom = (self.mbw * 16 - self.width) // 2, (self.mbh * 16 - self.height) // 2
        b.u(1, 1 if right or bottom else 0)  # frame_cropping_flag
        if right or bottom:
            for offset in (0, right, 0, bottom):
                b.ue(offset)
        b.u(1, 0)  # vui_parameters_present_flag
        return _nal(3, 7, b.trailing())

    def pps(self) -> bytes:
        b = _Bits()
        b.ue(0)  # pic_parameter_set_id
        b.ue(0)  # seq_parameter_set_id
        b.u(1, 0)  # entropy_coding_mode_flag: CAVLC
        b.u(1, 0)  # bottom_field_pic_order_in_frame_present_flag
        b.ue(0)  # num_slice_groups_minus1
        b.ue(0)  # num_ref_idx_l0_default_active_minus1
        b.ue(0)  # num_ref_idx_l1_default_active_minus1
        b.u(1, 0)  # weighted_pred_flag
        b.u(2, 0)  # weighted_bipred_idc
        b.se(0)  # pic_init_qp_minus26
        b.se(0)  # pic_init_qs_minus26
        b.se(0)  # chroma_qp_index_offset
        b.u(1, 1)  # deblocking_filter_control_present_flag: slices switch the filter off
        b.u(1, 0)  # constrained_intra_pred_flag
        b.u(1, 0)  # redundant_pic_cnt_present_flag
        return _nal(3, 8, b.trailing())

    def slice(self, index: int, coded: dict[int, bytes]) -> bytes:
        """Frame `index`: an IDR of all macroblocks when 0, else a P slice of `coded` as I_PCM, the rest skipped."""
        idr = index == 0
        if not coded and not idr:
            return self._skipped(index)
        b = _Bits()
        b.ue(0)  # first_mb_in_slice
        b.ue(7 if idr else 5)  # slice_type: I or P (all slices of the picture)
        b.ue(0)  # pic_parameter_set_id
        b.u(_LOG2_MAX_FRAME_NUM, index)  # frame_num: every picture is a reference picture
        if idr:
            b.ue(0)  # idr_pic_id
        else:
            b.u(1, 0)  # num_ref_idx_active_override_flag
            b.u(1, 0)  # ref_pic_list_modification_flag_l0
        b.u(1, 0)  # no_output_of_prior_pics_flag / adaptive_ref_pic_marking_mode_flag
        if idr:
            b.u(1, 0)  # long_term_reference_flag
        b.se(0)  # slice_qp_delta
        b.ue(1)  # disable_deblocking_filter_idc: PCM and skipped blocks are left as they are
        parts: list[bytes] = []
        total = self.mbw * self.mbh
        previous = -1
        for address in sorted(coded):
            if not idr:
                b.ue(address - previous - 1)  # mb_skip_run
            b.ue(25 if idr else 30)  # mb_type I_PCM (I slice 25; P slice 5 + 25)
            b.align()  # pcm_alignment_zero_bits
            parts.append(b.take())
            parts.append(coded[address])
            previous = address
        if not idr and previous < total - 1:
            b.ue(total - 1 - previous)
        parts.append(b.trailing())
        return _nal(3, 5 if idr else 1, b"".join(parts))

    def _skipped(self, index: int) -> bytes:
        """Return a P picture that skips every macroblock: the template's bits with this frame_num set."""
        if self._skip is None:
            template = _Bits()
            template.ue(0)
            template.ue(5)
            template.ue(0)
            head = template.count
            template.u(_LOG2_MAX_FRAME_NUM, 0)
            for _ in range(3):
                template.u(1, 0)
            template.se(0)
            template.ue(1)
            template.ue(self.mbw * self.mbh)
            rbsp = template.trailing()
            self._skip = (int.from_bytes(rbsp, "big"), len(rbsp), len(rbsp) * 8 - head - _LOG2_MAX_FRAME_NUM)
        value, length, shift = self._skip
        return _nal(3, 1, (value | (index << shift)).to_bytes(length, "big"))


def _colours(video_id: str) -> tuple[tuple[int, int, int], int]:
    """Pick a background colour (Y, Cb, Cr) and a text luma from the id, so different videos look different."""
    digest = hashlib.sha256(video_id.encode()).digest()
    y = 40 + digest[0] % 160
    return (y, 64 + digest[1] % 128, 64 + digest[2] % 128), (16 if y > 128 else 235)


def _lines(text: str, per_line: int) -> list[str]:
    return [text[i : i + per_line] for i in range(0, len(text), per_line)] or [""]


def h264_frames(shape: VideoShape) -> tuple[bytes, bytes, list[bytes]]:
    """Return the SPS, the PPS and each frame's NAL unit for `shape`."""
    width, height = shape.size
    background, ink = _colours(shape.video_id)
    picture = _Picture(width, height, background)
    lines = _lines(shape.video_id.lower(), max(1, (width - 4) // 4))
    for row, line in enumerate(lines):
        picture.text(2, 2 + row * 7, line, 1, ink)
    still = bytes(picture.y)
    scale = max(1, min(4, (width - 8) // 20))  # the clock `mm:ss` is 5 glyphs of 4 columns
    top = max(2 + len(lines) * 7 + 4, height // 2 - 5 * scale // 2)
    rows = range(top // 16, min(picture.mbh, (top + 5 * scale - 1) // 16 + 1))  # the macroblocks the clock touches
    encoder = _Encoder(width, height)
    frames: list[bytes] = []
    previous: dict[int, bytes] = {}
    for index in range(shape.frames):
        coded: dict[int, bytes] = {}
        if index % FPS == 0:
            second = index // FPS
            picture.y[:] = still
            picture.text(4, top, f"{second // 60:02d}:{second % 60:02d}", scale, ink)
            blocks = picture.macroblocks(None if index == 0 else rows)
            coded = {a: mb for a, mb in blocks.items() if index == 0 or mb != previous[a]}
            previous.update(blocks)
        frames.append(encoder.slice(index % (1 << _LOG2_MAX_FRAME_NUM), coded))
    return encoder.sps(), encoder.pps(), frames


def _box(kind: bytes, *payload: bytes) -> bytes:
    body = b"".join(payload)
    return struct.pack(">I", 8 + len(body)) + kind + body


def _full(kind: bytes, version: int, flags: int, *payload: bytes) -> bytes:
    return _box(kind, struct.pack(">I", (version << 24) | flags), *payload)


_MATRIX = struct.pack(">9I", 0x10000, 0, 0, 0, 0x10000, 0, 0, 0, 0x40000000)


def mp4(shape: VideoShape) -> bytes:
    """Return the whole MP4 file (ftyp, moov before mdat) for `shape`."""
    sps, pps, frames = h264_frames(shape)
    width, height = shape.size
    samples = [struct.pack(">I", len(f)) + f for f in frames]
    ticks = len(samples) * _TICKS
    millis = round(len(samples) * 1000 / FPS)
    avcc = _box(b"avcC", bytes([1, 66, 0xC0, 30, 0xFF, 0xE1]), struct.pack(">H", len(sps)), sps, b"\x01",
                struct.pack(">H", len(pps)), pps)  # fmt: skip
    avc1 = _box(
        b"avc1",
        b"\0" * 6 + struct.pack(">H", 1) + b"\0" * 16,
        struct.pack(">HHIIIH", width, height, 0x480000, 0x480000, 0, 1),
        bytes([14]) + b"maas-kl-mock".ljust(31, b"\0"),
        struct.pack(">Hh", 0x18, -1),
        avcc,
    )
    stbl = _box(
        b"stbl",
        _full(b"stsd", 0, 0, struct.pack(">I", 1), avc1),
        _full(b"stts", 0, 0, struct.pack(">III", 1, len(samples), _TICKS)),
        _full(b"stss", 0, 0, struct.pack(">II", 1, 1)),
        _full(b"stsc", 0, 0, struct.pack(">IIII", 1, 1, len(samples), 1)),
        _full(b"stsz", 0, 0, struct.pack(f">II{len(samples)}I", 0, len(samples), *map(len, samples))),
        _full(b"stco", 0, 0, struct.pack(">II", 1, 0)),  # the offset is patched once moov's size is known
    )
    minf = _box(
        b"minf",
        _full(b"vmhd", 0, 1, b"\0" * 8),
        _box(b"dinf", _full(b"dref", 0, 0, struct.pack(">I", 1), _full(b"url ", 0, 1))),
        stbl,
    )
    mdia = _box(
        b"mdia",
        _full(b"mdhd", 0, 0, struct.pack(">IIIIHH", 0, 0, TIMESCALE, ticks, 0x55C4, 0)),
        _full(b"hdlr", 0, 0, struct.pack(">I4s12x", 0, b"vide"), b"VideoHandler\0"),
        minf,
    )
    tkhd = _full(
        b"tkhd", 0, 3, struct.pack(">IIIII8xhhH2x", 0, 0, 1, 0, millis, 0, 0, 0), _MATRIX,
        struct.pack(">II", width << 16, height << 16),
    )  # fmt: skip
    mvhd = _full(b"mvhd", 0, 0, struct.pack(">IIIIIH10x", 0, 0, 1000, millis, 0x10000, 0x100), _MATRIX,
                 b"\0" * 24, struct.pack(">I", 2))  # fmt: skip
    moov = bytearray(_box(b"moov", mvhd, _box(b"trak", tkhd, mdia)))
    ftyp = _box(b"ftyp", b"isom", struct.pack(">I", 0x200), b"isomiso2avc1mp41")
    mdat_data = len(ftyp) + len(moov) + 8
    stco = moov.rindex(b"stco") + 12  # after the box type, version/flags and the entry count
    moov[stco : stco + 4] = struct.pack(">I", mdat_data)
    payload = b"".join(samples)
    return ftyp + bytes(moov) + struct.pack(">I", 8 + len(payload)) + b"mdat" + payload


@dataclass(frozen=True, slots=True)
class MediaFile:
    """A video file as served: the real MP4, then (when asked for a size) a `free` box of zeros to pad it."""

    data: bytes
    size: int
    etag: str

    def chunks(self, start: int, stop: int, chunk: int = 256 * 1024) -> Iterator[bytes]:
        """Yield bytes [start, stop) in pieces of at most `chunk`, without copying the file or the padding."""
        position = start
        while position < stop:
            end = min(stop, position + chunk)
            if position < len(self.data):
                piece = self.data[position : min(end, len(self.data))]
            else:
                piece = _zeros(end - position)
            position += len(piece)
            yield piece


def _zeros(count: int) -> bytes:
    return _ZERO[:count] if count <= len(_ZERO) else bytes(count)


_ZERO = bytes(256 * 1024)


def media_file(shape: VideoShape, data: bytes, size_kb: int | None = None) -> MediaFile:
    """Wrap `data` as the served file, padded with a `free` box to `size_kb` KiB when that is larger."""
    target = 0 if size_kb is None else size_kb * 1024
    padding = target - len(data)
    if padding >= _FREE_HEADER:
        data += struct.pack(">I", padding) + b"free"
        size = target
    else:
        size = len(data)
    key = f"{MEDIA_VERSION}\0{shape.video_id}\0{shape.duration:.1f}\0{shape.ratio}\0{size}"
    return MediaFile(data, size, '"' + hashlib.sha256(key.encode()).hexdigest()[:32] + '"')


class MediaCache:
    """Builds each video on first request and keeps recent ones, bounded in bytes (least recently used go first)."""

    def __init__(self, max_bytes: int = 64 * 1024 * 1024, size_kb: int | None = None) -> None:
        self.max_bytes = max_bytes
        self.size_kb = size_kb
        self._files: OrderedDict[VideoShape, MediaFile] = OrderedDict()
        self._bytes = 0
        self.built = 0

    def get(self, shape: VideoShape) -> MediaFile:
        """Return the file for `shape`, building it if it is not cached."""
        found = self._files.get(shape)
        if found is not None:
            self._files.move_to_end(shape)
            return found
        file = media_file(shape, mp4(shape), self.size_kb)
        self.built += 1
        self._files[shape] = file
        self._bytes += len(file.data)
        while self._bytes > self.max_bytes and len(self._files) > 1:
            _, old = self._files.popitem(last=False)
            self._bytes -= len(old.data)
        return file

    def __len__(self) -> int:
        return len(self._files)


def reduce_ratio(width: int, height: int) -> tuple[int, int]:
    """`1920, 1080` → `(16, 9)`."""
    divisor = math.gcd(width, height) or 1
    return width // divisor, height // divisor


def image_ratio(image: str) -> tuple[int, int] | None:
    """Return the width:height of a Base64 PNG or JPEG image, or None (a URL, or bytes this cannot read)."""
    if "://" in image[:16]:
        return None
    try:
        data = binascii.a2b_base64(image[: 4 * (len(image) // 4)])
    except (binascii.Error, ValueError):
        return None
    size = _png_size(data) or _jpeg_size(data)
    return reduce_ratio(*size) if size else None


def _png_size(data: bytes) -> tuple[int, int] | None:
    if data[:8] != b"\x89PNG\r\n\x1a\n" or data[12:16] != b"IHDR":
        return None
    width, height = struct.unpack(">II", data[16:24])
    return (width, height) if width and height else None


def _jpeg_size(data: bytes) -> tuple[int, int] | None:
    if data[:2] != b"\xff\xd8":
        return None
    at = 2
    while at + 9 <= len(data):
        if data[at] != 0xFF:
            return None
        marker = data[at + 1]
        if marker in (0xD8, 0x01) or 0xD0 <= marker <= 0xD7:  # markers without a length
            at += 2
            continue
        length = struct.unpack(">H", data[at + 2 : at + 4])[0]
        if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):  # a start-of-frame: height, then width
            height, width = struct.unpack(">HH", data[at + 5 : at + 9])
            return (width, height) if width and height else None
        at += 2 + length
    return None


def parse_ratio(text: str) -> tuple[int, int] | None:
    """`"9:16"` → `(9, 16)`; None for anything else."""
    width, _, height = str(text)[:16].partition(":")
    if not (width.isascii() and width.isdigit() and height.isascii() and height.isdigit()):
        return None
    if not int(width) or not int(height):
        return None
    return reduce_ratio(int(width), int(height))


def spec_default_ratio(document: Mapping[str, Any]) -> tuple[int, int]:
    """Return the spec's default `aspect_ratio` (16:9 when it gives none): what a text-to-video create gets."""
    schemas = document.get("components", {}).get("schemas", {})
    for schema in schemas.values():
        prop = schema.get("properties", {}).get("aspect_ratio") if isinstance(schema, Mapping) else None
        if isinstance(prop, Mapping):
            ref = str(prop.get("$ref", ""))
            target = schemas.get(ref.rsplit("/", 1)[-1], {}) if ref else prop
            found = parse_ratio(str(target.get("default", "")))
            if found:
                return found
    return FALLBACK_RATIO


def requested_ratio(body: Mapping[str, Any], default: tuple[int, int]) -> tuple[int, int]:
    """Return the ratio a create asks for: `aspect_ratio`, else its image's own ratio (M7), else `default`."""
    asked = body.get("aspect_ratio")
    if asked is not None:
        return parse_ratio(str(asked)) or default
    for key in ("image", "image_tail"):
        image = body.get(key)
        if isinstance(image, str):
            return image_ratio(image) or FALLBACK_RATIO
    return default
