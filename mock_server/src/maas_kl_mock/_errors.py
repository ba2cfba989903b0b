"""The API's error envelope and its business-code table, from shared/reference/api-facts.md."""

from __future__ import annotations

from typing import Final

# code -> (HTTP status, the service's short message)
BUSINESS_CODES: Final[dict[int, tuple[int, str]]] = {
    1000: (401, "Authentication failed"),
    1001: (401, "Authorization is empty"),
    1002: (401, "Authorization is invalid"),
    1003: (401, "Token is not yet valid"),
    1004: (401, "Token has expired"),
    1100: (429, "Account status is abnormal"),
    1101: (429, "Account is in arrears"),
    1102: (429, "Resource pack exhausted or expired"),
    1103: (403, "No permission to access this API or model"),
    1200: (400, "Invalid request parameters"),
    1201: (400, "Invalid key or value"),
    1202: (404, "Invalid request method"),
    1203: (404, "Resource not found"),
    1300: (400, "Platform policy triggered"),
    1301: (400, "Content security policy triggered"),
    1302: (429, "Request rate limit exceeded"),
    1303: (429, "Concurrent task limit exceeded"),
    1304: (429, "IP not in allow-list"),
    5000: (500, "Internal server error"),
    5001: (503, "Service unavailable"),
    5002: (504, "Server timeout"),
}

# Codes a client should retry (api-facts "retry?" column): what `Prefer: code=429` alone serves (decision M5).
RETRYABLE_CODES: Final[frozenset[int]] = frozenset({1302, 1303, 5000, 5001, 5002})

# The code the mock answers when only an HTTP status is asked for (Prefer: code=...).
DEFAULT_CODE_FOR_STATUS: Final[dict[int, int]] = {
    400: 1200,
    401: 1000,
    403: 1103,
    404: 1203,
    429: 1302,
    500: 5000,
    503: 5001,
    504: 5002,
}


class ApiError(Exception):
    """A refusal the core turns into the error envelope `{code, message, request_id}`."""

    def __init__(self, code: int, message: str | None = None, *, headers: list[tuple[str, str]] | None = None) -> None:
        status, default = BUSINESS_CODES[code]
        self.code = code
        self.status = status
        self.message = message or default
        self.headers = headers or []
        super().__init__(f"{status}/{code}: {self.message}")
