"""Turn an HTTP answer into the envelope's `data` or the matching typed error; no I/O."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from ._errors import (
    AccountError,
    APIError,
    AuthenticationError,
    ContentPolicyError,
    InvalidRequestError,
    MalformedResponseError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    ServerError,
)
from ._retry import parse_retry_after
from ._task import Envelope

# The reference table of business codes (shared/reference/api-facts.md): code -> (class, retryable).
CODE_TABLE: dict[int, tuple[type[APIError], bool]] = {
    1000: (AuthenticationError, False),
    1001: (AuthenticationError, False),
    1002: (AuthenticationError, False),
    1003: (AuthenticationError, False),
    1004: (AuthenticationError, False),
    1100: (AccountError, False),
    1101: (AccountError, False),
    1102: (AccountError, False),
    1103: (PermissionDeniedError, False),
    1200: (InvalidRequestError, False),
    1201: (InvalidRequestError, False),
    1202: (NotFoundError, False),
    1203: (NotFoundError, False),
    1300: (ContentPolicyError, False),
    1301: (ContentPolicyError, False),
    1302: (RateLimitError, True),
    1303: (RateLimitError, True),
    1304: (PermissionDeniedError, False),
    5000: (ServerError, True),
    5001: (ServerError, True),
    5002: (ServerError, True),
}

# When the code is missing or unknown, the HTTP status decides.
STATUS_TABLE: dict[int, type[APIError]] = {
    400: InvalidRequestError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    429: RateLimitError,
}


def error_class(status_code: int | None, code: int | None) -> tuple[type[APIError], bool]:
    """Pick the exception class and retryability for a status and business code."""
    if code is not None and code in CODE_TABLE:
        return CODE_TABLE[code]
    if status_code is not None:
        if status_code >= 500:
            return ServerError, True
        cls = STATUS_TABLE.get(status_code)
        if cls is not None:
            return cls, cls.default_retryable
    return APIError, False


def _as_int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _as_str(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def parse_envelope(status_code: int, headers: Mapping[str, str], content: bytes, now: float) -> Envelope:
    """Return the `data` object of a success envelope (with its request id), or raise the typed error it means."""
    try:
        body = json.loads(content) if content else None
    except ValueError:
        body = None
    retry_after = parse_retry_after(headers.get("retry-after"), now)
    if not isinstance(body, dict):
        if status_code == 200:
            raise MalformedResponseError(
                "The service answered HTTP 200 with a body that is not a JSON object",
                status_code=status_code,
                code=None,
                request_id=None,
                retry_after=retry_after,
            )
        cls, retryable = error_class(status_code, None)
        raise cls(
            f"The service answered HTTP {status_code} without a JSON error envelope",
            status_code=status_code,
            code=None,
            request_id=None,
            retryable=retryable,
            retry_after=retry_after,
        )
    code = _as_int(body.get("code"))
    request_id = _as_str(body.get("request_id"))
    data = body.get("data")
    if status_code == 200 and code == 0:
        if isinstance(data, dict):
            return Envelope(data, request_id, None)
        raise MalformedResponseError(
            "The service answered code 0 without a `data` object",
            status_code=status_code,
            code=code,
            request_id=request_id,
            retry_after=retry_after,
        )
    cls, retryable = error_class(status_code if status_code != 200 else None, code)
    message = _as_str(body.get("message")) or f"HTTP {status_code}"
    raise cls(
        message,
        status_code=status_code,
        code=code,
        request_id=request_id,
        retryable=retryable,
        retry_after=retry_after,
    )
