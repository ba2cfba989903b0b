"""The download protocol as a sans-I/O generator: follow redirects, resume a cut transfer with Range + If-Range.

The plan yields `Open` (send a GET, report the status and headers), `Stream` (write the body at
`offset` of the part file, report how many bytes arrived) and `Sleep`; the sync and async clients
drive it, so resuming, restarting and the final checks exist once and are tested without a network.
It returns the `Complete` file's length and ETag once every byte is in and checked.
"""

from __future__ import annotations

import re
from collections.abc import Generator, Mapping
from dataclasses import dataclass, field
from typing import Any

import httpx

from ._download import MAX_REDIRECTS, shown
from ._errors import DownloadError
from ._plans import Context, Sleep

_CONTENT_RANGE = re.compile(r"\s*bytes\s+(\d+)-(\d+)/(\d+|\*)\s*")


@dataclass(frozen=True, slots=True)
class Open:
    """Send a GET to `url` with `headers` (Range, If-Range); the outcome is an `Opened` or a DownloadError."""

    url: httpx.URL
    headers: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Opened:
    """The answer's status and headers (names lower-case); its body waits for a `Stream` or is discarded."""

    status: int
    headers: Mapping[str, str]


@dataclass(frozen=True, slots=True)
class Stream:
    """Write the open answer's body into the part file from byte `offset` on (dropping anything after it)."""

    offset: int
    total: int | None


@dataclass(frozen=True, slots=True)
class Streamed:
    """How many bytes of the body arrived, and the transfer error that ended it early, if any."""

    received: int
    error: DownloadError | None = None


@dataclass(frozen=True, slots=True)
class Complete:
    """The checked result: the file's length and the ETag every part was served under (None if none was)."""

    size: int
    etag: str | None


Action = Open | Stream | Sleep
Plan = Generator[Action, Any, Complete]


def _strong(etag: str | None) -> str | None:
    """Return the validator If-Range may carry: only a strong ETag (a weak one cannot promise byte-equal parts)."""
    return etag if etag and not etag.startswith("W/") else None


def _length(headers: Mapping[str, str]) -> int | None:
    if headers.get("content-encoding", "identity").strip().lower() not in {"", "identity"}:
        return None  # the decoded body is longer than Content-Length counts
    text = headers.get("content-length", "")
    return int(text) if text.isdigit() else None


def _content_range(headers: Mapping[str, str]) -> tuple[int, int, int | None] | None:
    found = _CONTENT_RANGE.fullmatch(headers.get("content-range", ""))
    if found is None:
        return None
    total = None if found.group(3) == "*" else int(found.group(3))
    return int(found.group(1)), int(found.group(2)) + 1, total


def _status_error(url: httpx.URL, status: int) -> DownloadError:
    return DownloadError(
        f"GET {shown(url)} answered HTTP {status}; the URL may have expired (videos are deleted after 30 days): "
        "query the task again for a fresh one.",
        retryable=status >= 500 or status == 429,
    )


def download(url: str | httpx.URL, ctx: Context) -> Plan:  # noqa: PLR0912, PLR0915 - one protocol, every branch is a case of RFC 9110
    """GET `url` into the part file, resuming after a cut; returns the Complete file once its length (and ETag) check.

    A cut or short transfer resumes from the bytes already written with `Range: bytes=N-` and
    `If-Range: <ETag>`; a 200 instead of 206 (Range ignored, or the file changed) starts over.
    Retries follow the policy, counted from the last attempt that made progress.
    """
    current = httpx.URL(str(url))
    offset = 0
    total: int | None = None
    etag: str | None = None
    started = ctx.now()
    attempt = 0
    best = 0  # the most bytes ever held: only going past it counts as progress
    redirects = 0
    while True:
        headers: dict[str, str] = {}
        validator = _strong(etag)
        if offset and validator is None:
            offset = 0  # no validator to prove the parts belong to one file: start over
        if offset:
            headers = {"Range": f"bytes={offset}-", "If-Range": validator or ""}
        attempt += 1
        opened: Opened | DownloadError = yield Open(current, headers)
        error: DownloadError | None = None
        if isinstance(opened, DownloadError):
            error = opened
        elif 300 <= opened.status < 400 and opened.status != 304:
            location = opened.headers.get("location")
            if not location:
                raise DownloadError(f"{shown(current)} answered HTTP {opened.status} without a Location header.")
            redirects += 1
            if redirects > MAX_REDIRECTS:
                raise DownloadError(f"GET {shown(current)} redirected more than {MAX_REDIRECTS} times; check the URL.")
            current = current.join(location)
            attempt -= 1  # a redirect is not a failed attempt
            continue
        elif opened.status == 416 and offset:
            found = _content_range(opened.headers)
            if found is None and opened.headers.get("content-range", "").strip() == f"bytes */{offset}":
                return Complete(offset, etag)  # every byte was already here
            offset, total, etag = 0, None, None  # the file is shorter than what we hold: another file
            continue
        elif opened.status == 206 and offset:
            found = _content_range(opened.headers)
            served = opened.headers.get("etag")
            if found is None or found[0] != offset or (served is not None and served != etag):
                offset, total, etag = 0, None, None  # not the part we asked for: start over cleanly
                continue
            total = found[2] if found[2] is not None else total
        elif opened.status == 200:
            offset = 0  # a full answer: Range was ignored or the file changed, so start over
            etag = opened.headers.get("etag")
            total = _length(opened.headers)
        else:
            error = _status_error(current, opened.status)
        if error is None:
            streamed: Streamed = yield Stream(offset, total)
            offset += streamed.received
            if offset > best:  # progress: the policy counts again from here
                best, started, attempt = offset, ctx.now(), 0
            error = streamed.error
            if error is None and total is not None and offset > total:
                raise DownloadError(
                    f"GET {shown(current)} sent {offset} bytes of a file announced as {total}; download again."
                )
            if error is None and (total is None or offset == total):
                return Complete(offset, etag)
            if error is None:
                error = DownloadError(
                    f"GET {shown(current)} sent {offset} bytes but announced {total}; the connection was cut. "
                    "Nothing was written; download again.",
                    retryable=True,
                )
        if not error.retryable:
            raise error
        wait = ctx.retry.delay(attempt=max(attempt, 1), retry_after=None, elapsed=ctx.now() - started,
                               random=ctx.random)  # fmt: skip
        if wait is None:
            raise error
        yield Sleep(wait)
