"""Capability-rules stage: the spec's `x-capability-map`, read by the shared interpreter (specfacts)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from maas_kl_specfacts import CapabilityMap as _Map
from maas_kl_specfacts import CapabilityRule, Selection

from .._errors import ApiError

JSON = Any
__all__ = ["CapabilityMap", "CapabilityRule", "Selection"]


class CapabilityMap(_Map):
    """The shared map plus the mock's switch; `check_or_refuse` answers the first broken rule as invalid_value."""

    def __init__(self, data: Mapping[str, JSON], *, enabled: bool = True) -> None:
        super().__init__(data)
        self.enabled = enabled

    def check_or_refuse(self, operation: str, body: Mapping[str, JSON]) -> None:
        """Raise invalid_value naming the field and the rule when `body` breaks the map (unless switched off)."""
        if not self.enabled:
            return
        broken = self.check(operation, body)
        if broken:
            first = broken[0]
            raise ApiError("invalid_value", f"Invalid key or value: {first.field}: {first.message}")

    def extendable(self, model: str) -> bool:
        """Whether videos made by `model` may be extended (always, when the map is switched off)."""
        return not self.enabled or super().extendable(model)
