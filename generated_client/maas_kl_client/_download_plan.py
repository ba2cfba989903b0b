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
from ._plans import Again, Context, Done, Sleep, Tries, Verdict, repeat
from ._spec_data import VIDEO_RETENTION_DAYS

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
        f"GET {shown(url)} answered HTTP {status}; the URL may have expired "
        f"(videos are deleted after {VIDEO_RETENTION_DAYS} days): "
        "query the task again for a fresh one.",
        retryable=status >= 500 or status == 429,
    )


@dataclass(slots=True)
class _DownloadState:
    """What a download holds between attempts: where it is fetched from, the bytes in the part file, their ETag."""

    url: httpx.URL
    offset: int = 0
    total: int | None = None
    etag: str | None = None
    best: int = 0  # the most bytes ever held: only going past it counts as progress
    redirects: int = 0

    def restart(self) -> None:
        """Drop what the part file holds: the next part cannot be proved to belong to the same file."""
        self.offset, self.total, self.etag = 0, None, None


BODY_STATUSES = frozenset({200, 206})
"""The only answers whose body the plan may stream; drivers may close any other answer at once."""


def download(url: str | httpx.URL, ctx: Context) -> Plan:
    """GET `url` into the part file, resuming after a cut; returns the Complete file once its length (and ETag) check.

    A cut or short transfer resumes from the bytes already written with `Range: bytes=N-` and
    `If-Range: <ETag>`; a 200 instead of 206 (Range ignored, or the file changed) starts over.
    Each attempt is a step of the one retry loop (`_plans.repeat`); retries count from the last
    attempt that got further than any before.
    """
    state = _DownloadState(httpx.URL(str(url)))
    return (yield from repeat(lambda tries: _attempt(state, tries), Tries(ctx)))


def _open(state: _DownloadState) -> Generator[Open, Any, Opened | DownloadError]:
    """Send the GET, following redirects: they are steps of one attempt, not retries."""
    while True:
        validator = _strong(state.etag)
        if state.offset and validator is None:
            state.offset = 0  # no validator to prove the parts belong to one file: start over
        headers = {"Range": f"bytes={state.offset}-", "If-Range": validator or ""} if state.offset else {}
        opened: Opened | DownloadError = yield Open(state.url, headers)
        if isinstance(opened, DownloadError) or not (300 <= opened.status < 400 and opened.status != 304):
            return opened
        location = opened.headers.get("location")
        if not location:
            raise DownloadError(f"{shown(state.url)} answered HTTP {opened.status} without a Location header.")
        state.redirects += 1
        if state.redirects > MAX_REDIRECTS:
            raise DownloadError(f"GET {shown(state.url)} redirected more than {MAX_REDIRECTS} times; check the URL.")
        state.url = state.url.join(location)


def _attempt(t: _DownloadState, tries: Tries) -> Generator[Open | Stream, Any, Verdict[Complete]]:  # noqa: PLR0911 - every return is a case of RFC 9110
    """One attempt: open (after redirects), check what the answer holds, stream it; a restart is an attempt too."""
    opened = yield from _open(t)
    if isinstance(opened, DownloadError):
        return tries.retry(opened, report=False)
    if opened.status == 416 and t.offset:
        whole = opened.headers.get("content-range", "").strip() == f"bytes */{t.offset}"
        if whole and _content_range(opened.headers) is None:
            return Done(Complete(t.offset, t.etag))  # every byte was already here
        t.restart()  # the file is shorter than what we hold: another file
        return Again()
    if opened.status == 206 and t.offset:
        found = _content_range(opened.headers)
        served = opened.headers.get("etag")
        if found is None or found[0] != t.offset or (served is not None and served != t.etag):
            t.restart()  # not the part we asked for: start over cleanly
            return Again()
        t.total = found[2] if found[2] is not None else t.total
    elif opened.status == 200:
        t.offset = 0  # a full answer: Range was ignored or the file changed, so start over
        t.etag = opened.headers.get("etag")
        t.total = _length(opened.headers)
    else:
        return tries.retry(_status_error(t.url, opened.status), report=False)
    streamed: Streamed = yield Stream(t.offset, t.total)
    t.offset += streamed.received
    if t.offset > t.best:  # progress: the policy counts again from here
        t.best = t.offset
        tries.progress()
    error = streamed.error
    if error is None and t.total is not None and t.offset > t.total:
        raise DownloadError(
            f"GET {shown(t.url)} sent {t.offset} bytes of a file announced as {t.total}; download again."
        )
    if error is None and (t.total is None or t.offset == t.total):
        return Done(Complete(t.offset, t.etag))
    if error is None:
        error = DownloadError(
            f"GET {shown(t.url)} sent {t.offset} bytes but announced {t.total}; the connection was cut. "
            "Nothing was written; download again.",
            retryable=True,
        )
    return tries.retry(error, report=False)
