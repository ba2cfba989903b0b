"""The call log: what a debugger needs of each request, key-free, in excerpts, within a count and a byte budget.

Recording a call costs a few attribute reads: small bodies are kept by reference, and only a body
over `KEEP_BYTES` (a Base64 image, a hostile upload) is cut to an excerpt when it is recorded.
Credentials are masked when a call is read (`call.request`, the control API), never shown as sent.
"""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Iterator
from functools import lru_cache
from typing import Any

import orjson

from .._http import Delivery, MockRequest, MockResponse
from .auth import tenant_label

JSON = Any
KEEP_BYTES = 8 * 1024  # a body up to this size is kept as it came (every create body the SDK sends without an image)
EXCERPT_BYTES = 16 * 1024  # an excerpt never holds more than this
STRING_HEAD = 64  # characters kept of a long JSON string
STRING_CUT = 256  # JSON strings longer than this are cut to their head and their length
TEXT_HEAD = 1024  # bytes kept of a long non-JSON text body
HEADER_VALUE_BYTES = 1024  # longer header values are cut, so a huge header costs the log nothing
_NESTING_LIMIT = 4096  # brackets in a large body past which it is not parsed for an excerpt (a flood of `{}`)
_OVERHEAD = 400  # what a call's record, its small strings and list slots cost beyond the bytes counted
SECRET_HEADERS = frozenset(
    {"authorization", "proxy-authorization", "x-api-key", "cookie", "set-cookie", "x-mock-control-token"}
)
_SECRET_QUERY = re.compile(r"(?i)(^|&)(sig|signature|x-amz-signature|token|key|api_key)=([^&]*)")
_URL_QUERY = re.compile(r"(https?://[^\s\"'<>?#]+\?)([^\s\"'<>#]*)")
MASK = "***"


class Call:
    """One request and the answer the core gave, as the call log keeps them; `request` reads key-free.

    Tests read `call.request.body` (the body, or its excerpt when it was over 8 KiB),
    `call.request.headers` (credentials masked), `call.response` and `call.json()`.
    """

    __slots__ = (
        "_request",
        "_tenant",
        "at",
        "fault",
        "latency",
        "operation_id",
        "recorded",
        "request_size",
        "response",
        "response_size",
        "seq",
        "size",
        "violations",
    )

    def __init__(  # noqa: PLR0913  (one record, every field named)
        self,
        request: MockRequest,
        response: MockResponse,
        operation_id: str | None,
        tenant: str | None,
        *,
        at: float = 0.0,
        latency: float = 0.0,
        fault: str | None = None,
        recorded: bool | None = None,
        violations: tuple[JSON, ...] = (),
    ) -> None:
        self.request_size = len(request.body)
        self.response_size = len(response.body) if response.content_length is None else response.content_length
        headers = request.headers
        header_bytes = sum(map(len, headers.values()))
        if self.request_size > KEEP_BYTES or header_bytes > EXCERPT_BYTES or len(request.path) > HEADER_VALUE_BYTES:
            request = _slim_request(request)
            header_bytes = sum(map(len, request.headers.values()))
        if len(response.body) > KEEP_BYTES or response.delivery.chunks is not None:
            response = _slim_response(response)
        self._request = request
        self.response = response
        self.operation_id = operation_id
        self._tenant = tenant
        self.at = at
        self.latency = latency + response.delivery.delay
        self.fault = fault
        self.recorded = recorded
        self.violations = violations
        self.seq = 0
        self.size = len(request.body) + len(response.body) + header_bytes + len(request.path) + _OVERHEAD

    @property
    def request(self) -> MockRequest:
        """The request as kept: credentials masked, a large body cut to its excerpt."""
        raw = self._request
        headers = raw.headers
        if not SECRET_HEADERS.isdisjoint(headers):
            headers = {name: mask_header(name, value) for name, value in headers.items()}
        return MockRequest(
            raw.method, raw.path, headers, raw.body, mask_query(raw.query), raw.base_url, raw.body_too_large
        )

    @property
    def tenant(self) -> str | None:
        """The tenant's label (`mo...aa6ab55f`), never its key."""
        return None if self._tenant is None else _label(self._tenant)

    def json(self) -> Any:
        """Return the response body, parsed."""
        return orjson.loads(self.response.body)

    def business_code(self) -> int | None:
        """Return the envelope's `code`, when the answer is a JSON envelope."""
        if self.response.content_type != "application/json" or not self.response.body:
            return None
        try:
            body = orjson.loads(self.response.body)
        except orjson.JSONDecodeError:
            return None
        code = body.get("code") if isinstance(body, dict) else None
        return code if isinstance(code, int) and not isinstance(code, bool) else None

    def __repr__(self) -> str:
        return (
            f"Call({self._request.method} {self._request.path[:80]} -> {self.response.status}, "
            f"operation={self.operation_id}, tenant={self.tenant})"
        )


class CallLog:
    """The last calls, oldest first, bounded by a count and by the bytes they keep.

    >>> log = CallLog(max_calls=2, max_bytes=1_000_000)
    >>> for n in range(3):
    ...     log.append(Call(MockRequest("GET", f"/{n}", {}), MockResponse(200, b"{}"), None, None))
    >>> [c.request.path for c in log]
    ['/1', '/2']
    """

    def __init__(self, max_calls: int | None = 1_000, max_bytes: int = 8 * 1024 * 1024) -> None:
        self.max_calls = max_calls
        self.max_bytes = max_bytes
        self.bytes = 0  # what the kept calls hold, as `Call.size` counts it
        self.total = 0  # calls recorded since the last clear; also the next call's number
        self._calls: deque[Call] = deque()

    def append(self, call: Call) -> None:
        """Keep `call`, forgetting the oldest while over the count or the byte budget."""
        self.total += 1
        call.seq = self.total
        calls = self._calls
        calls.append(call)
        self.bytes += call.size
        while self.bytes > self.max_bytes or (self.max_calls is not None and len(calls) > self.max_calls):
            self.bytes -= calls.popleft().size
            if not calls:
                break

    def clear(self) -> None:
        """Forget every call."""
        self._calls.clear()
        self.bytes = 0
        self.total = 0

    def find(self, seq: int) -> Call | None:
        """Return the call numbered `seq`, if it is still kept."""
        calls = self._calls
        if not calls or not calls[0].seq <= seq <= calls[-1].seq:
            return None
        return calls[seq - calls[0].seq]

    def __iter__(self) -> Iterator[Call]:
        return iter(self._calls)

    def __len__(self) -> int:
        return len(self._calls)

    def __getitem__(self, index: int) -> Call:
        return self._calls[index]


def excerpt(body: bytes) -> bytes:
    """Return a bounded excerpt of `body`: JSON with long strings cut (still JSON), text cut, binary dropped.

    >>> cut = orjson.loads(excerpt(orjson.dumps({"image": "A" * 100_000, "prompt": "a dog"})))
    >>> cut["image"][-16:], cut["prompt"]
    ('A\u2026 (100000 bytes)', 'a dog')
    """
    if len(body) <= KEEP_BYTES:
        return body
    stripped = body.lstrip()
    if stripped[:1] in (b"{", b"[") and body.count(b"{") + body.count(b"[") <= _NESTING_LIMIT:
        try:
            value = orjson.loads(body)
        except orjson.JSONDecodeError:
            pass
        else:
            cut = orjson.dumps(_cut_strings(value))
            if len(cut) <= EXCERPT_BYTES:
                return cut
    if stripped[:1] in (b"{", b"[", b'"'):
        return orjson.dumps(f"{len(body)} bytes of JSON, too large to keep an excerpt of")
    head = body[:TEXT_HEAD]
    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start < len(head) - 3:  # not a character cut at the edge: binary, not kept
            return b""
        text = head[: exc.start].decode("utf-8")
    return f"{text}\u2026 ({len(body)} bytes)".encode()


def _cut_strings(value: JSON) -> JSON:
    if isinstance(value, str):
        if len(value) > STRING_CUT:
            return f"{value[:STRING_HEAD]}\u2026 ({len(value.encode())} bytes)"
        return value
    if isinstance(value, dict):
        return {_cut_strings(k) if len(k) > STRING_CUT else k: _cut_strings(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_cut_strings(v) for v in value]
    return value


def _slim_request(request: MockRequest) -> MockRequest:
    headers = {name[:HEADER_VALUE_BYTES]: _cut_header(value) for name, value in list(request.headers.items())[:100]}
    path = request.path if len(request.path) <= HEADER_VALUE_BYTES else request.path[:HEADER_VALUE_BYTES] + "\u2026"
    query = request.query[:HEADER_VALUE_BYTES]
    return MockRequest(
        request.method, path, headers, excerpt(request.body), query, request.base_url, request.body_too_large
    )


def _slim_response(response: MockResponse) -> MockResponse:
    delivery = response.delivery
    kept = Delivery(delivery.delay, delivery.drop, None, delivery.cut_after, delivery.span)
    length = len(response.body) if response.content_length is None else response.content_length
    return MockResponse(response.status, excerpt(response.body), response.headers, response.content_type, length, kept)


def _cut_header(value: str) -> str:
    return value if len(value) <= HEADER_VALUE_BYTES else f"{value[:HEADER_VALUE_BYTES]}\u2026 ({len(value)} bytes)"


@lru_cache(maxsize=256)
def _label(secret: str) -> str:
    return tenant_label(secret)


def mask_header(name: str, value: str) -> str:
    """Return a header value fit to show: a credential becomes its label (`Bearer mo...aa6ab55f`)."""
    if name not in SECRET_HEADERS:
        return value
    scheme, sep, token = value.strip().partition(" ")
    if sep and scheme.lower() in ("bearer", "basic", "token"):
        return f"{scheme} {_label(token.strip())}"
    return _label(value) if value else value


def mask_query(query: str) -> str:
    """Return a raw query string with URL signatures and keys masked (`sig=***`)."""
    if not query or "=" not in query:
        return query
    return _SECRET_QUERY.sub(lambda m: f"{m.group(1)}{m.group(2)}={MASK}", query)


def mask_text(text: str) -> str:
    """Mask the signatures of URLs inside a text (a response body's video links)."""
    if "?" not in text:
        return text
    return _URL_QUERY.sub(lambda m: m.group(1) + mask_query(m.group(2)), text)
