"""Cassettes: recorded task flows on disk, one JSON file per flow, scrubbed of keys and URL signatures.

Format `maas-kl-mock/cassette/1` (documented in mock_server/README.md): a flow file holds
`{"format", "flow", "operation", "exchanges": [...]}`; each exchange is
`{"seq", "at", "kind", "operation", "request": {...}, "response": {...}}` with `at` in seconds since
the flow's first exchange. Keys are sorted and indented, so a re-recording diffs line by line.
Video bytes sit next to the flow as `<flow>.video-<n>.mp4`, named by the exchange that fetched them.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import stat
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

JSON = Any
FORMAT = "maas-kl-mock/cassette/1"
SCRUBBED = "<scrubbed>"
CREATE = "create"
QUERY = "query"
VIDEO = "video"
# Request and response headers worth keeping; Authorization and cookies never are.
KEPT_REQUEST_HEADERS = ("content-type", "prefer")
KEPT_RESPONSE_HEADERS = ("content-type", "retry-after", "allow")
_NUMBERED = re.compile(r"([0-9]{4,})-")
_URL = re.compile(r"(https?://[^\s\"'<>?#]+)\?([^\s\"'<>#]*)")
_BEARER = re.compile(r"(?i)(bearer\s+)[^\s\"',]+")
_USERINFO = re.compile(r"(?i)\b([a-z][a-z0-9+.-]*://)[^\s/?#@\"'<>]+@")  # https://user:password@host


class Scrubber:
    """Removes secrets from anything about to be stored or shown: API keys, Bearer tokens, URL query values."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        self._secrets: set[str] = {s for s in secrets if s}

    def learn(self, authorization: str | None) -> None:
        """Remember the key in an `Authorization` (or `x-api-key`) header, so it is scrubbed wherever it shows up."""
        if authorization:
            token = authorization.split(None, 1)[-1].strip()
            if len(token) >= 4:
                self._secrets.add(token)

    def text(self, value: str) -> str:
        """Return `value` with every known key, Bearer token, URL credential and URL query value scrubbed."""
        for secret in self._secrets:
            if secret in value:
                value = value.replace(secret, SCRUBBED)
        value = _BEARER.sub(lambda m: m.group(1) + SCRUBBED, value)
        value = _URL.sub(_scrub_query, value)
        return _USERINFO.sub(lambda m: f"{m.group(1)}{SCRUBBED}@", value)

    def query(self, value: str) -> str:
        """Return a raw query string with every value replaced: `a=<scrubbed>&b=<scrubbed>`."""
        pairs = [part.partition("=") for part in value.split("&") if part]
        return "&".join(f"{self.text(name)}={SCRUBBED}" if sep else self.text(name) for name, sep, _ in pairs)

    def json(self, value: JSON) -> JSON:
        """Scrub every string inside a JSON value (keys included)."""
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, list):
            return [self.json(v) for v in value]
        if isinstance(value, dict):
            return {self.text(str(k)): self.json(v) for k, v in value.items()}
        return value


def _scrub_query(match: re.Match[str]) -> str:
    pairs = [part.partition("=") for part in match.group(2).split("&") if part]
    query = "&".join(f"{name}={SCRUBBED}" if sep else name for name, sep, _ in pairs)
    return f"{match.group(1)}?{query}"


def body_value(body: bytes) -> dict[str, JSON]:
    """How a body is stored: `{"json": value}` when it parses, else `{"text": ...}` (or nothing when empty)."""
    if not body:
        return {}
    try:
        return {"json": orjson.loads(body)}
    except orjson.JSONDecodeError:
        return {"text": body.decode("utf-8", "replace")}


def body_bytes(stored: dict[str, JSON]) -> bytes:
    """Return the bytes `body_value` stored (JSON re-encoded compactly)."""
    if "json" in stored:
        return orjson.dumps(stored["json"])
    text = stored.get("text")
    return text.encode() if isinstance(text, str) else b""


@dataclass(slots=True)
class Flow:
    """One task flow: its create, every query of that task, and its video fetches."""

    name: str
    operation: str
    exchanges: list[dict[str, JSON]] = field(default_factory=list)
    path: Path | None = None

    def to_json(self) -> dict[str, JSON]:
        """Return the flow file's content."""
        return {"format": FORMAT, "flow": self.name, "operation": self.operation, "exchanges": self.exchanges}

    def of_kind(self, kind: str) -> list[dict[str, JSON]]:
        """Its exchanges of one kind, in recorded order."""
        return [e for e in self.exchanges if e.get("kind") == kind]


def dump(flow: Flow) -> str:
    """Return the flow file's text: sorted keys, two-space indent, a final newline."""
    return json.dumps(flow.to_json(), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def write_flow(directory: Path, flow: Flow) -> Path:
    """Rewrite a flow this recorder claimed (`claim_flow`) atomically as `<directory>/<name>.json`."""
    target = directory / f"{flow.name}.json"
    staged = target.with_name(target.name + ".tmp")
    staged.write_text(dump(flow), encoding="utf-8")
    staged.replace(target)
    return target


def create_exclusively(path: Path, data: bytes) -> None:
    """Write a new file, failing with FileExistsError when the name is taken (O_EXCL: no check-then-write race)."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o644)
    with os.fdopen(descriptor, "wb") as out:
        out.write(data)


def claim_flow(directory: Path, flow: Flow) -> Path:
    """Write a new flow's first state as `<directory>/<name>.json`; FileExistsError when another recording has it."""
    target = directory / f"{flow.name}.json"
    create_exclusively(target, dump(flow).encode())
    return target


def highest_number(directory: Path) -> int:
    """Return the highest `NNNN-` prefix of any file in a cassette directory (0 for none)."""
    numbers = [int(found.group(1)) for path in directory.iterdir() if (found := _NUMBERED.match(path.name))]
    return max(numbers, default=0)


def write_video(directory: Path, flow: Flow, number: int, data: bytes) -> dict[str, JSON]:
    """Store video bytes beside the flow, never over an existing file; return what the exchange records about them."""
    name = f"{flow.name}.video-{number}.mp4"
    create_exclusively(directory / name, data)
    return {"file": name, "length": len(data), "sha256": hashlib.sha256(data).hexdigest()}


class CassetteError(ValueError):
    """A cassette directory that cannot be replayed, with what is wrong in which file."""


MAX_FLOW_BYTES = 64 * 1024 * 1024  # one flow file; Base64 images in its creates make it a few MB
MAX_VIDEO_BYTES = 1024 * 1024 * 1024  # one recorded video file
KINDS = (CREATE, QUERY, VIDEO)
_SHA256 = re.compile(r"[0-9a-f]{64}")
_FILE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,199}")  # what write_video names, and nothing that leaves


def load_flows(directory: Path) -> list[Flow]:
    """Read and check every flow file of a cassette directory, in name order (the recording order).

    Only regular files inside the directory are read (a link is followed only when it stays
    inside), each flow's shape is checked, and every video exchange must name a file beside the
    flow with its `sha256`: anything else is a CassetteError naming the file, at start-up (P6).
    """
    if not directory.is_dir():
        raise CassetteError(f"{directory}: not a directory; pass the directory `proxy --record` wrote")
    root = directory.resolve()
    flows: list[Flow] = []
    for path in sorted(directory.glob("*.json")):
        data = _parse(path, _read_inside(root, path, MAX_FLOW_BYTES))
        flows.append(_flow(root, path, data))
    return flows


def _read_inside(root: Path, path: Path, limit: int) -> bytes:
    """Read a regular file that resolves inside `root`, of at most `limit` bytes; CassetteError otherwise."""
    try:
        real = path.resolve(strict=True)
    except (OSError, RuntimeError) as exc:
        raise CassetteError(f"{path}: cannot open it ({exc})") from None
    if not real.is_relative_to(root):
        raise CassetteError(f"{path}: it leads outside the cassette directory ({real}); copy the file in instead")
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    try:
        descriptor = os.open(real, flags)
    except OSError as exc:
        raise CassetteError(f"{path}: cannot open it ({exc.strerror})") from None
    with os.fdopen(descriptor, "rb") as handle:
        info = os.fstat(handle.fileno())
        if not stat.S_ISREG(info.st_mode):
            raise CassetteError(f"{path}: not a regular file; a cassette holds only files `proxy --record` wrote")
        if info.st_size > limit:
            raise CassetteError(f"{path}: {info.st_size} bytes, more than the {limit} a cassette file may hold")
        return handle.read(limit + 1)[:limit]


def _parse(path: Path, text: bytes) -> dict[str, JSON]:
    try:
        data = orjson.loads(text)  # nesting deeper than 1024 is a decode error here, not a RecursionError
    except orjson.JSONDecodeError as exc:
        raise CassetteError(f"{path}: cannot read it as JSON ({exc})") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT or not isinstance(data.get("exchanges"), list):
        raise CassetteError(f"{path}: not a cassette flow (expected format {FORMAT!r} with a list of exchanges)")
    return data


def _flow(root: Path, path: Path, data: dict[str, JSON]) -> Flow:
    """Check one flow's exchanges: kinds, objects where objects belong, statuses, video files and digests."""
    for key in ("flow", "operation"):
        if not isinstance(data.get(key, ""), str):
            raise CassetteError(f"{path}: {key!r} must be text")
    for n, exchange in enumerate(data["exchanges"]):
        where = f"{path}: exchange {n}"
        if not isinstance(exchange, dict) or exchange.get("kind") not in KINDS:
            raise CassetteError(f"{where} is not an exchange object with a kind of {', '.join(KINDS)}")
        request, response = exchange.get("request"), exchange.get("response")
        if not isinstance(request, dict) or not isinstance(response, dict):
            raise CassetteError(f"{where}: its request and response must be objects")
        at = exchange.get("at", 0)
        if isinstance(at, bool) or not isinstance(at, int | float) or not 0 <= at < 1e9:
            raise CassetteError(f"{where}: 'at' must be seconds since the flow began, got {str(at)[:40]}")
        status = response.get("status", 200)
        if isinstance(status, bool) or not isinstance(status, int) or not 100 <= status <= 599:
            raise CassetteError(f"{where}: the response status must be an HTTP status, got {str(status)[:40]}")
        for part, value in (("request", request), ("response", response)):
            if not isinstance(value.get("headers", {}), dict):
                raise CassetteError(f"{where}: its {part} headers must be an object")
            if not isinstance(value.get("text", ""), str):
                raise CassetteError(f"{where}: its {part} text must be a string")
        if exchange["kind"] == VIDEO and (status == 200 or "file" in response):  # a file named is a file served
            _check_video(root, where, response)
    return Flow(str(data.get("flow", path.stem)), str(data.get("operation", "")), data["exchanges"], path)


def _check_video(root: Path, where: str, response: dict[str, JSON]) -> None:
    name = response.get("file")
    if not isinstance(name, str) or not _FILE_NAME.fullmatch(name) or ".." in name:
        raise CassetteError(f"{where}: the video file must be a plain name beside the flow, got {str(name)[:80]!r}")
    if not isinstance(response.get("sha256"), str) or not _SHA256.fullmatch(response["sha256"]):
        raise CassetteError(f"{where}: the video {name} has no sha256; record it again with proxy --record")
    _check_file(root, root / name)


def _check_file(root: Path, path: Path) -> None:
    """Check a video file without reading it: inside the directory, regular, not too large."""
    try:
        real = path.resolve(strict=True)
        info = real.stat()
    except (OSError, RuntimeError) as exc:
        raise CassetteError(f"{path}: cannot open it ({exc})") from None
    if not real.is_relative_to(root):
        raise CassetteError(f"{path}: it leads outside the cassette directory ({real}); copy the file in instead")
    if not stat.S_ISREG(info.st_mode):
        raise CassetteError(f"{path}: not a regular file; a cassette holds only files `proxy --record` wrote")
    if info.st_size > MAX_VIDEO_BYTES:
        raise CassetteError(f"{path}: {info.st_size} bytes, more than the {MAX_VIDEO_BYTES} a video may hold")


def video_bytes(directory: Path, response: dict[str, JSON]) -> tuple[bytes, float]:
    """Read the bytes a video exchange stored (a regular file inside `directory`), checking their digest."""
    name = str(response.get("file", ""))
    if not _FILE_NAME.fullmatch(name) or ".." in name:
        raise CassetteError(f"video exchange names no file beside the flow: {name[:80]!r}")
    root = directory.resolve()
    path = root / name
    data = _read_inside(root, path, MAX_VIDEO_BYTES)
    if hashlib.sha256(data).hexdigest() != response.get("sha256"):
        raise CassetteError(f"{path}: its bytes do not match the recorded sha256")
    return data, path.stat().st_mtime
