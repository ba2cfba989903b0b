"""What a batch reads from the spec: a job's family name as a task kind, and which 429 says the account is full.

The batch runner (`_batch`) knows no spec; the client hands it these as its Steps.
"""

from __future__ import annotations

from maas_kl_specfacts import snake

from ._envelope import CODES
from ._errors import MaasKLError, RateLimitError
from ._spec_data import OPERATIONS

ACCOUNT_FULL_CODES = frozenset({CODES.named("concurrency_limited").code})
"""Business codes that mean "the account's concurrent tasks are at its limit" (the spec's `concurrency_limited` row)."""


def family_kind(family: str) -> str:
    """Map a batch job's family name to its task kind, spelled as the spec's tags are ("video-extend": video_extend)."""
    kind = snake(family)
    if kind not in OPERATIONS:
        msg = f"Unknown family {family!r}; use one of {', '.join(sorted(OPERATIONS))}."
        raise ValueError(msg)
    return kind


def is_account_full(error: MaasKLError) -> bool:
    """Whether a 429 says the account's concurrency limit is reached, not that requests come too fast."""
    return isinstance(error, RateLimitError) and error.code in ACCOUNT_FULL_CODES


def is_rate_limited(error: MaasKLError) -> bool:
    """Whether a failure is any 429: a batch holds it for the whole batch instead of retrying one job."""
    return isinstance(error, RateLimitError)
