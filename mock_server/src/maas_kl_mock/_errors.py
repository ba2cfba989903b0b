"""The API's refusals: an ApiError names a row of the spec's `x-business-codes`; the responder renders it."""

from __future__ import annotations

from typing import Final

from maas_kl_specfacts import BusinessCode, CodeTable

# Every row name the mock raises or serves; a spec that lacks one is refused at start-up, never with a 500 later.
CODE_NAMES: Final[frozenset[str]] = frozenset(
    {
        "authorization_empty",
        "authorization_invalid",
        "invalid_request",
        "invalid_value",
        "invalid_method",
        "not_found",
        "no_permission",
        "rate_limited",
        "concurrency_limited",
        "internal_error",
        "unavailable",
        "timeout",
    }
)


class SpecError(ValueError):
    """The spec cannot drive the mock (for example, a code name the mock needs is missing); said at start-up."""


def check_codes(codes: CodeTable) -> None:
    """Refuse a spec whose `x-business-codes` lacks a row the mock needs."""
    missing = sorted(CODE_NAMES - set(codes.by_name))
    if missing:
        msg = f"the spec's x-business-codes has no row named {', '.join(missing)}; the mock needs them"
        raise SpecError(msg)


class ApiError(Exception):
    """A refusal the core turns into the error envelope `{code, message, request_id}` of the row `name`."""

    def __init__(self, name: str, message: str | None = None, *, headers: list[tuple[str, str]] | None = None) -> None:
        self.name = name
        self.message = message or ""
        self.headers = headers or []
        super().__init__(f"{name}: {self.message}")

    def row(self, codes: CodeTable) -> BusinessCode:
        """Return the x-business-codes row this refusal is answered with."""
        return codes.named(self.name)
