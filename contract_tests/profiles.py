"""Hypothesis profiles `ci` (derandomized, bounded for make test) and `deep` (make contract-deep)."""

from __future__ import annotations

import os
from typing import Any

from hypothesis import HealthCheck, settings

PROFILE_ENV = "MAAS_KL_CONTRACT_PROFILE"
_HEALTH = [HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.data_too_large]

# name: (hypothesis settings, schemathesis examples per operation and phase, stateful steps)
PROFILES: dict[str, tuple[dict[str, Any], int, dict[str, Any]]] = {
    "ci": (
        {"max_examples": 40, "derandomize": True, "deadline": None, "database": None, "suppress_health_check": _HEALTH},
        20,
        {"max_examples": 12, "stateful_step_count": 6, "derandomize": True, "deadline": None, "database": None},
    ),
    "deep": (
        {"max_examples": 1_000, "deadline": None, "suppress_health_check": _HEALTH},
        500,
        {"max_examples": 300, "stateful_step_count": 12, "deadline": None},
    ),
}


def active() -> str:
    """Return the profile named by MAAS_KL_CONTRACT_PROFILE (default `ci`), refusing unknown names."""
    name = os.environ.get(PROFILE_ENV, "ci")
    if name not in PROFILES:
        raise ValueError(f"{PROFILE_ENV}={name!r} is not a profile; use one of {sorted(PROFILES)}")
    return name


def register() -> None:
    """Register both profiles with Hypothesis and load the active one."""
    for name, (hypothesis_settings, _, _) in PROFILES.items():
        settings.register_profile(f"contract-{name}", **hypothesis_settings)
    settings.load_profile(f"contract-{active()}")


def examples_budget() -> int:
    """Examples per operation and phase for schemathesis in the active profile."""
    return PROFILES[active()][1]


def stateful_settings() -> dict[str, Any]:
    """Hypothesis settings for the stateful phase in the active profile."""
    return {**PROFILES[active()][2], "suppress_health_check": _HEALTH}
