"""CDN semantics of the video routes as pure functions: conditional requests and byte ranges (RFC 9110 §13-14).

`answer(method, headers, resource)` decides status, headers and which bytes to send; the route
streams that slice. `in_memory` applies it to bytes already held (replayed and proxied videos).
Nothing here reads a socket, a clock or a file.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from email.utils import formatdate, parsedate_to_datetime

from .._http import MockResponse

_MAX_DIGITS = 18  # a byte position past 10**18 is past every file; longer numbers are not parsed (int's digit limit)
_RANGE = re.compile(r"\s*bytes\s*=\s*([0-9]*)\s*-\s*([0-9]*)\s*")


@dataclass(frozen=True, slots=True)
class Resource:
    """What the CDN knows about a file: its length, strong validator and modification time (Unix seconds)."""

    size: int
    etag: str
    modified: float


@dataclass(frozen=True, slots=True)
class Answer:
    """The status, the headers and the byte slice [start, stop) of the body to send (empty for HEAD, 304, 416)."""

    status: int
    headers: list[tuple[str, str]] = field(default_factory=list)
    start: int = 0
    stop: int = 0
    length: int = 0  # Content-Length: the slice's length, also announced (without a body) on HEAD


def http_date(seconds: float) -> str:
    """Format `seconds` as an IMF-fixdate, as Last-Modified carries it."""
    return formatdate(int(seconds), usegmt=True)


def _parse_date(text: str) -> float | None:
    try:
        return parsedate_to_datetime(text).timestamp()
    except (TypeError, ValueError, IndexError, OverflowError):
        return None


def _etags(header: str) -> list[str]:
    return [tag.strip() for tag in header.split(",") if tag.strip()]


def _weak_match(header: str, etag: str) -> bool:
    """If-None-Match uses the weak comparison: W/"x" matches "x"."""
    bare = etag.removeprefix("W/")
    return any(tag == "*" or tag.removeprefix("W/") == bare for tag in _etags(header))


def _if_range_holds(header: str, resource: Resource) -> bool:
    """If-Range: a strong ETag match, or a date equal to Last-Modified; anything else means 'send it all'."""
    value = header.strip()
    if value.startswith(('"', "W/")):
        return not value.startswith("W/") and value == resource.etag
    when = _parse_date(value)
    return when is not None and int(when) == int(resource.modified)


def byte_range(header: str, size: int) -> range | None:
    """Parse a single-range `Range` header against `size`: the bytes to send, empty if unsatisfiable, None to ignore it.

    A header that is not one valid `bytes=` range (other units, several ranges, bad syntax) is
    ignored, as RFC 9110 §14.2 allows, so the whole file is sent.
    """
    found = _RANGE.fullmatch(header)
    if found is None:
        return None
    first, last = found.group(1), found.group(2)
    if not first and not last:
        return None
    if not first:  # suffix: the last N bytes
        return range(max(0, size - _position(last)), size) if _position(last) else range(0)
    start = _position(first)
    if last and _position(last) < start:
        return None  # invalid, so ignored
    return range(start, size if not last else min(size, _position(last) + 1)) if start < size else range(0)


def _position(digits: str) -> int:
    """Read a byte position; one past any file's size when it has more digits than int() should parse."""
    digits = digits.lstrip("0") or "0"
    return int(digits) if len(digits) <= _MAX_DIGITS else 10**_MAX_DIGITS


def not_modified(headers: Mapping[str, str], resource: Resource) -> bool:
    """Whether If-None-Match (or, without it, If-Modified-Since) says the client's copy is current."""
    none_match = headers.get("if-none-match")
    if none_match is not None:
        return _weak_match(none_match, resource.etag)
    since = headers.get("if-modified-since")
    when = _parse_date(since) if since else None
    return when is not None and int(resource.modified) <= int(when)


def answer(method: str, headers: Mapping[str, str], resource: Resource) -> Answer:
    """Decide the answer to a GET or HEAD on `resource`; header names in `headers` are lower-case."""
    common = [
        ("Accept-Ranges", "bytes"),
        ("ETag", resource.etag),
        ("Last-Modified", http_date(resource.modified)),
        ("Cache-Control", "private, max-age=86400"),
    ]
    if not_modified(headers, resource):
        return Answer(304, common)
    wanted = headers.get("range")
    condition = headers.get("if-range")
    if wanted is not None and method in ("GET", "HEAD") and (condition is None or _if_range_holds(condition, resource)):
        chosen = byte_range(wanted, resource.size)
        if chosen is not None and not chosen:
            return Answer(416, [*common, ("Content-Range", f"bytes */{resource.size}")])
        if chosen is not None:
            content_range = ("Content-Range", f"bytes {chosen.start}-{chosen.stop - 1}/{resource.size}")
            return Answer(206, [*common, content_range], chosen.start, chosen.stop, len(chosen))
    return Answer(200, common, 0, resource.size, resource.size)


def etag_of(data: bytes) -> str:
    """Return a strong validator for bytes held in memory: their digest, so the same bytes keep the same ETag."""
    return f'"{hashlib.sha256(data).hexdigest()[:32]}"'


def in_memory(method: str, headers: Mapping[str, str], data: bytes, modified: float, content_type: str) -> MockResponse:
    """Answer a GET or HEAD on `data` as the video route does: Range 206/416, ETag, 304, If-Range, HEAD."""
    decided = answer(method, headers, Resource(len(data), etag_of(data), modified))
    body = b"" if method == "HEAD" else data[decided.start : decided.stop]
    return MockResponse(
        decided.status, body, list(decided.headers), content_type=content_type, content_length=decided.length
    )
