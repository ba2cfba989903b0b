"""Authenticate stage: a Bearer token names its tenant; each token is its own account."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Collection

from .._errors import ApiError

# RFC 6750 b64token: what a well-formed Bearer credential looks like.
_BEARER = re.compile(r"Bearer ([A-Za-z0-9\-._~+/]+=*)", re.IGNORECASE)


class Authenticator:
    """Turns the Authorization header into a tenant, or refuses with authorization_empty or authorization_invalid."""

    def __init__(self, tokens: Collection[str] | None = None) -> None:
        self.tokens = frozenset(tokens) if tokens else None

    def tenant(self, authorization: str | None) -> str:
        """Return the tenant named by `authorization`; any well-formed token unless a list was configured."""
        if authorization is None or not authorization.strip():
            raise ApiError(
                "authorization_empty", "Authorization is empty: send the header 'Authorization: Bearer <your API key>'"
            )
        found = _BEARER.fullmatch(authorization.strip())
        if found is None:
            raise ApiError(
                "authorization_invalid", "Authorization is invalid: expected 'Bearer <token>' with a single token"
            )
        token = found.group(1)
        if self.tokens is not None and token not in self.tokens:
            raise ApiError("authorization_invalid", "Authorization is invalid: this API key is not known to the server")
        return token


def tenant_label(token: str) -> str:
    """Return the non-secret name the control API shows for a token: at most 4 (a quarter) chars, then SHA-256.

    A developer may point a real key at the mock; the label is stable (across restarts too) and
    distinct, yet never shows more than a quarter of the key.

    >>> tenant_label("mock-token")
    'mo...aa6ab55f'
    """
    digest = hashlib.sha256(token.encode()).hexdigest()[:8]
    return f"{token[: min(4, len(token) // 4)]}...{digest}"
