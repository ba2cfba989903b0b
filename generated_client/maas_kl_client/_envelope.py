"""Turn an HTTP answer into the envelope's `data` or the matching typed error; no I/O."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any

from maas_kl_specfacts import CodeTable

from . import _errors
from ._errors import (
    APIError,
    AuthenticationError,
    InvalidRequestError,
    MalformedResponseError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    ServerError,
)
from ._retry import parse_retry_after
from ._spec_data import BUSINESS_CODES
from ._task import Envelope

CODES = CodeTable.from_document({"x-business-codes": BUSINESS_CODES})


def _class_named(name: str) -> type[APIError]:
    """Find the SDK error class the spec's `x-business-codes` names; a test checks every name exists."""
    found = getattr(_errors, name, None)
    if isinstance(found, type) and issubclass(found, APIError):
        return found
    return APIError


# The spec's business codes: code -> (class, retryable).
CODE_TABLE: dict[int, tuple[type[APIError], bool]] = {
    row.code: (_class_named(row.error_class), row.retryable) for row in CODES.rows
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


def may_have_created(status_code: int | None, code: int | None) -> bool:
    """Whether a create answered this way may still have stored a task: the spec's `may_have_created`, else any 5xx."""
    row = CODES.by_code.get(code) if code is not None else None
    if row is not None:
        return row.may_have_created
    return status_code is not None and status_code >= 500


def _as_int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _as_str(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def parse_envelope(status_code: int, headers: Mapping[str, str], content: bytes, now: Callable[[], float]) -> Envelope:
    """Return the `data` object of a success envelope (with its request id), or raise the typed error it means.

    `now` (wall time, for an HTTP-date Retry-After) is read only when the answer is not a success.
    """
    try:
        body = json.loads(content) if content else None
    except ValueError:
        body = None
    if status_code == 200 and type(body) is dict:  # the common case first: no header lookups, no helpers
        code, data = body.get("code"), body.get("data")
        if code == 0 and type(code) is int and type(data) is dict:  # json makes exact ints, dicts and strs
            request_id = body.get("request_id")
            return Envelope(data, request_id if type(request_id) is str else None, None)
    retry_after = parse_retry_after(headers.get("retry-after"), now())
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
