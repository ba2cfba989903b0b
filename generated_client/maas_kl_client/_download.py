"""Download a video to disk atomically: stream into a temporary file, check the length, rename."""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable
from pathlib import Path, PurePosixPath
from typing import IO
from urllib.parse import urlsplit

import httpx

from ._errors import DownloadError

MAX_REDIRECTS = 5


def shown(url: str | httpx.URL) -> str:
    """Show the URL without its query, which for signed CDN links is a credential."""
    parts = urlsplit(str(url))
    return f"{parts.scheme}://{parts.netloc}{parts.path}"


def destination(url: str, path: str | os.PathLike[str]) -> Path:
    """Choose the file to write: `path` itself, or the URL's file name inside `path` when it is a folder.

    A folder is one that exists, or a path written with a trailing slash (`"out/"`), created on write.
    """
    text = os.fspath(path)
    target = Path(text)
    if target.is_dir() or text.endswith(("/", os.sep)):
        name = PurePosixPath(urlsplit(url).path).name
        # A URL ending in `/..` would name the folder's parent: never write outside `path`.
        target = target / (name if name not in {"", ".", ".."} else "video.mp4")
    return target


def temporary(target: Path) -> Path:
    """Name a unique sibling of `target`, on the same file system so the final rename is atomic."""
    return target.with_name(f".{target.name}.{uuid.uuid4().hex}.part")


def redirect_target(response: httpx.Response) -> httpx.URL:
    """Where a 3xx points, resolved against the request."""
    location = response.headers.get("location")
    if not location:
        msg = f"{shown(response.request.url)} answered HTTP {response.status_code} without a Location header."
        raise DownloadError(msg)
    return response.request.url.join(location)


def check_status(response: httpx.Response) -> tuple[int | None, bool]:
    """Raise for a non-200 answer; return the announced length (if any) and whether to read raw bytes.

    Content-Length counts the bytes on the wire, so it is checked against the raw stream; a body
    with a Content-Encoding is decoded instead and its length is not checked.
    """
    status = response.status_code
    if status != 200:
        msg = (
            f"GET {shown(response.request.url)} answered HTTP {status}; "
            "the URL may have expired (videos are deleted after 30 days): query the task again for a fresh one."
        )
        raise DownloadError(msg, retryable=status >= 500 or status == 429)
    encoding = response.headers.get("content-encoding", "identity").strip().lower()
    if encoding not in {"", "identity"}:
        return None, False
    length = response.headers.get("content-length")
    try:
        return (int(length) if length is not None else None), True
    except ValueError:
        return None, True


def transport_failure(url: httpx.URL, exc: httpx.TransportError) -> DownloadError:
    """Report a dropped connection or timeout while downloading: worth another try."""
    return DownloadError(
        f"GET {shown(url)} failed ({type(exc).__name__}); nothing was written. Download again.", retryable=True
    )


def too_many_redirects(url: httpx.URL) -> DownloadError:
    """Report a redirect loop or chain longer than MAX_REDIRECTS."""
    return DownloadError(f"GET {shown(url)} redirected more than {MAX_REDIRECTS} times; check the URL.")


def check_length(url: httpx.URL, expected: int | None, received: int) -> None:
    """Raise when the body is shorter or longer than Content-Length said."""
    if expected is not None and received != expected:
        msg = (
            f"GET {shown(url)} sent {received} bytes but announced {expected}; the connection was cut. "
            "Nothing was written; download again."
        )
        raise DownloadError(msg, retryable=True)


def open_temporary(target: Path) -> tuple[Path, IO[bytes]]:
    """Create the temporary file next to `target`."""
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = temporary(target)
    return tmp, tmp.open("xb")


def finish(tmp: Path, handle: IO[bytes], target: Path) -> Path:
    """Flush to disk and move the complete file into place."""
    handle.flush()
    os.fsync(handle.fileno())
    handle.close()
    tmp.replace(target)
    return target


def discard(tmp: Path | None, handle: IO[bytes] | None) -> None:
    """Remove the temporary file after a failure, so no partial video is left behind."""
    if handle is not None:
        handle.close()
    if tmp is not None:
        tmp.unlink(missing_ok=True)


def headers_for(url: httpx.URL, authorized: Callable[[httpx.URL], bool], bearer: str) -> dict[str, str]:
    """Return the Authorization header only for the API's own origin: never for a CDN or a redirect elsewhere."""
    return {"Authorization": bearer} if authorized(url) else {}
