"""Download a video to disk atomically: stream into a temporary file, check it, rename (protocol: _download_plan)."""

from __future__ import annotations

import asyncio
import errno
import os
import re
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, TypeVar
from urllib.parse import urlsplit

import httpx

from ._errors import DownloadError, DownloadTargetExists

MAX_REDIRECTS = 5
T = TypeVar("T")


def shown(url: str | httpx.URL) -> str:
    """Show the URL without its query, which for signed CDN links is a credential."""
    parts = urlsplit(str(url))
    return f"{parts.scheme}://{parts.netloc}{parts.path}"


FALLBACK_NAME = "video.mp4"
# A name Windows would read as a device (CON, NUL, COM1, ...), whatever its extension.
_RESERVED = re.compile(r"(?i)(con|prn|aux|nul|com[0-9\u00b9\u00b2\u00b3]|lpt[0-9\u00b9\u00b2\u00b3])(\..*)?")
_UNSAFE = frozenset('<>:"|?*') | {chr(c) for c in range(32)} | {chr(127)}


def file_name(url: str) -> str:
    r"""Return the URL's last path segment when it is one safe file name on every platform, else `video.mp4`.

    Both `/` and `\` separate (a `..\x.mp4` segment is `x.mp4`); a drive (`C:x.mp4`), a stream
    (`a:b`), a device name (`NUL.mp4`), `.`, `..` and names ending in a dot or space are not used.
    """
    name = re.split(r"[/\\]", urlsplit(url).path)[-1]
    if (
        name in {"", ".", ".."}
        or any(c in _UNSAFE for c in name)
        or name.endswith((".", " "))
        or _RESERVED.fullmatch(name)
        or len(name.encode()) > 200  # room for the temporary name beside it
    ):
        return FALLBACK_NAME
    return name


def destination(url: str, path: str | os.PathLike[str], *, overwrite: bool = False) -> Path:
    """Choose the file to write: `path` itself, or the URL's file name inside `path` when it is a folder.

    A folder is one that exists, or a path written with a trailing slash (`"out/"`), created on write.
    The name taken from the URL never leaves the folder on any platform (`file_name`). An existing
    file is never replaced unless `overwrite=True`: DownloadTargetExists names it (decision S18).
    """
    text = os.fspath(path)
    target = Path(text)
    if target.is_dir() or text.endswith(("/", os.sep)):
        target = target / file_name(url)
    if not overwrite and (target.exists() or target.is_symlink()):
        raise DownloadTargetExists(target)
    return target


def temporary(target: Path) -> Path:
    """Name a unique sibling of `target`, on the same file system so the final rename is atomic."""
    return target.with_name(f".{target.name}.{uuid.uuid4().hex}.part")


def transport_failure(url: httpx.URL, exc: httpx.TransportError) -> DownloadError:
    """Report a dropped connection or timeout while downloading: worth another try (resuming where it stopped)."""
    return DownloadError(
        f"GET {shown(url)} failed ({type(exc).__name__}); nothing was written. Download again.", retryable=True
    )


@dataclass(frozen=True, slots=True)
class DownloadProgress:
    """How far a download is: bytes in the file so far and the whole file's size when the server said.

    `download_video(..., on_progress=lambda p: print(p.received, p.total))` gets one after each chunk.
    """

    received: int
    total: int | None
    url: str  # without its query, which for signed links is a credential


OnProgress = Callable[[DownloadProgress], None]


class PartFile:
    """The temporary file a download writes next to its target; renamed into place only once complete and checked."""

    def __init__(self, target: Path, *, overwrite: bool = False) -> None:
        self.target = target
        self.overwrite = overwrite
        self.path = temporary(target)
        self._handle: IO[bytes] | None = None
        self._unflushed_from = 0  # where the bytes begin that the kernel was not yet asked to write back

    def start_at(self, offset: int) -> None:
        """Position writes at `offset`, dropping anything after it (0 starts over)."""
        if self._handle is None:
            self.target.parent.mkdir(parents=True, exist_ok=True)
            self._handle = self.path.open("x+b")
        self._handle.seek(offset)
        self._handle.truncate()
        self._unflushed_from = offset

    def write(self, chunks: Sequence[bytes]) -> None:
        """Append `chunks` at the current position, and start writing them to disk without waiting.

        The chunks go to the file as they came off the socket (no copy into one buffer), and the
        kernel is asked to start writing them back at once, so `finish`'s fsync has little left to wait for.
        """
        handle = self._handle
        assert handle is not None
        handle.writelines(chunks)
        handle.flush()
        end = handle.tell()
        start_writeback(handle.fileno(), self._unflushed_from, end - self._unflushed_from)
        self._unflushed_from = end

    def finish(self, size: int) -> Path:
        """Check the file holds exactly `size` bytes, flush it to disk and move it into place."""
        if self._handle is None:
            self.start_at(0)
        handle = self._handle
        assert handle is not None
        handle.flush()
        written = os.fstat(handle.fileno()).st_size
        if written != size:
            msg = f"the download of {self.target.name} holds {written} bytes, not {size}; nothing was written"
            raise DownloadError(msg, retryable=True)
        os.fsync(handle.fileno())
        handle.close()
        self._handle = None
        if self.overwrite:
            self.path.replace(self.target)
        else:
            self._place()
        return self.target

    def _place(self) -> None:
        """Move the file into place only if nothing is there: a hard link fails on an existing name (no race)."""
        try:
            os.link(self.path, self.target)
        except FileExistsError:
            raise DownloadTargetExists(self.target) from None
        except OSError as exc:  # a file system without hard links (FAT, some network shares)
            if exc.errno not in {errno.EPERM, errno.EOPNOTSUPP, errno.ENOTSUP, errno.EXDEV, errno.EMLINK}:
                raise
            if self.target.exists() or self.target.is_symlink():
                raise DownloadTargetExists(self.target) from None
            self.path.replace(self.target)
            return
        self.path.unlink()

    def discard(self) -> None:
        """Remove the temporary file after a failure, so no partial video is left behind."""
        if self._handle is not None:
            self._handle.close()
            self._handle = None
        self.path.unlink(missing_ok=True)


WRITE_SIZE = 1 << 20  # bytes gathered before one write: a thread hop per MiB, not per chunk


def start_writeback(fd: int, offset: int, length: int) -> None:
    """Ask the kernel to begin writing a written range to disk now, without waiting (Linux; elsewhere a no-op).

    POSIX_FADV_DONTNEED starts write-back of the range's dirty pages on Linux; the fsync before the
    rename then waits only for the last of them, not for the whole file (issue 22: curl never fsyncs,
    this keeps the fsync and overlaps it with the transfer).
    """
    advise = getattr(os, "posix_fadvise", None)
    if advise is not None and length > 0:
        advise(fd, offset, length, os.POSIX_FADV_DONTNEED)


async def in_thread(function: Callable[..., T], *args: Any) -> T:
    """Run blocking file work off the event loop (the sync client calls `inline` instead, see unasync)."""
    return await asyncio.to_thread(function, *args)


class AsyncPartWriter:
    """Writes a download's chunks in a worker thread while the next ones are read: one write in flight at a time."""

    def __init__(self, part: PartFile) -> None:
        self.part = part
        self._writing: asyncio.Future[None] | None = None

    async def write(self, chunks: Sequence[bytes]) -> None:
        """Wait for the write before (its error surfaces here), then start this one without waiting for it."""
        await self.drain()
        self._writing = asyncio.ensure_future(asyncio.to_thread(self.part.write, chunks))

    async def drain(self) -> None:
        """Wait until every chunk handed to `write` is in the file."""
        writing, self._writing = self._writing, None
        if writing is not None:
            await writing


class PartWriter:
    """Writes a download's chunks in the calling thread: the sync twin of `AsyncPartWriter`."""

    def __init__(self, part: PartFile) -> None:
        self.part = part

    def write(self, chunks: Sequence[bytes]) -> None:
        """Append the chunks to the part file."""
        self.part.write(chunks)

    def drain(self) -> None:
        """Nothing is ever in flight in the calling thread."""


def inline(function: Callable[..., T], *args: Any) -> T:
    """Run file work in the calling thread: the sync twin of `in_thread`."""
    return function(*args)


def raw_body(response: httpx.Response) -> bool:
    """Whether to read the wire bytes (identity encoding, not yet read) rather than decoded ones."""
    encoding = response.headers.get("content-encoding", "identity").strip().lower()
    return (
        encoding in {"", "identity"} and not response.is_stream_consumed
    )  # in-process transports hand over a read body


def headers_for(url: httpx.URL, authorized: Callable[[httpx.URL], bool], bearer: str) -> dict[str, str]:
    """Return the Authorization header only for the API's own origin: never for a CDN or a redirect elsewhere."""
    return {"Authorization": bearer} if authorized(url) else {}


@dataclass(slots=True)
class Transfer:
    """A download driver's state: the part file, the progress callback, and the open answer a Stream will read."""

    part: PartFile
    on_progress: OnProgress | None
    response: httpx.Response | None = None
