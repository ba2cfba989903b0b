"""Capability-rules stage: the spec's `x-capability-map` as data, checked per create request."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ._errors import ApiError

JSON = Any


@dataclass(frozen=True, slots=True)
class CapabilityRule:
    """One row of the map: when these fields are (absent/)present, only these models and modes work."""

    name: str
    operation: str
    when_present: tuple[str, ...]
    when_absent: tuple[str, ...]
    supported: Mapping[str, frozenset[str]]  # canonical model -> {"std5", "pro10", ...}
    requires: Mapping[str, JSON]  # dotted field -> required value

    def applies(self, operation: str, body: Mapping[str, JSON]) -> bool:
        """Whether this rule governs a request of `operation` with `body`."""
        if operation != self.operation:
            return False
        for name in self.when_present:
            if name not in body:
                return False
        return all(name not in body for name in self.when_absent)


@dataclass(frozen=True, slots=True)
class Selection:
    """The model, mode and duration a create asks for, defaults filled in and aliases resolved."""

    model: str
    mode: str
    duration: str

    @property
    def combination(self) -> str:
        """The map's notation, e.g. `std5`."""
        return f"{self.mode}{self.duration}"


class CapabilityMap:
    """Every rule of the map, plus its aliases and defaults; `check` refuses unsupported combinations."""

    def __init__(self, data: Mapping[str, JSON], *, enabled: bool = True) -> None:
        self.enabled = enabled
        self.aliases: dict[str, str] = dict(data.get("aliases", {}))
        defaults = data.get("defaults", {})
        self.default_model = str(defaults.get("model_name", "MaaS_KL_V1"))
        self.default_mode = str(defaults.get("mode", "std"))
        self.default_duration = str(defaults.get("duration", "5"))
        self.rules = tuple(
            CapabilityRule(
                name=str(raw["name"]),
                operation=str(raw["operation"]),
                when_present=tuple(raw.get("when_present", [])),
                when_absent=tuple(raw.get("when_absent", [])),
                supported={str(m): frozenset(c) for m, c in raw.get("supported", {}).items()},
                requires=dict(raw.get("requires", {})),
            )
            for raw in data.get("rules", [])
        )
        # The rules of each operation, in map order, so a create only looks at its own.
        self._rules_of: dict[str, tuple[CapabilityRule, ...]] = {}
        for rule in self.rules:
            self._rules_of[rule.operation] = (*self._rules_of.get(rule.operation, ()), rule)
        extend = data.get("video_extend", {})
        # The create that extends a video, and the body field that names the video (D26).
        self.extend_operation: str | None = extend.get("operation")
        self.parent_field = str(extend.get("parent_field", "video_id"))
        self.extendable_models = frozenset(extend.get("extendable_models", []))
        self.seconds_added = float(extend.get("seconds_added", 5))
        self.max_total_seconds = float(extend.get("max_total_seconds", 180))
        self.retention_days = float(extend.get("retention_days", 30))

    def canonical(self, model: str) -> str:
        """`MaaS_KL_V1` for `kling-v1`; other names unchanged."""
        return self.aliases.get(model, model)

    def selection(self, body: Mapping[str, JSON]) -> Selection:
        """Return what the body asks for, with the map's defaults."""
        return Selection(
            model=self.canonical(str(body.get("model_name", self.default_model))),
            mode=str(body.get("mode", self.default_mode)),
            duration=str(body.get("duration", self.default_duration)),
        )

    def check(self, operation: str, body: Mapping[str, JSON]) -> None:
        """Raise 400 / 1201 when a rule does not support the body's model, mode and duration."""
        if not self.enabled:
            return
        rules = self._rules_of.get(operation)
        if not rules:
            return
        chosen = self.selection(body)
        for rule in rules:
            if not rule.applies(operation, body):
                continue
            allowed = rule.supported.get(chosen.model, frozenset())
            if chosen.combination not in allowed:
                raise ApiError("invalid_value", f"Invalid key or value: {_unsupported(rule, chosen)}")
            for dotted, value in rule.requires.items():
                if _lookup(body, dotted) != value:
                    raise ApiError(
                        "invalid_value", f"Invalid key or value: {rule.name} requires {dotted} to be {value!r}"
                    )

    def extendable(self, model: str) -> bool:
        """Whether videos made by `model` may be extended (always, when the map is switched off)."""
        return not self.enabled or self.canonical(model) in self.extendable_models


def _lookup(body: Mapping[str, JSON], dotted: str) -> JSON:
    node: JSON = body
    for part in dotted.split("."):
        node = node.get(part) if isinstance(node, Mapping) else None
    return node


def _describe_combinations(combinations: frozenset[str]) -> str:
    parts = []
    for combo in sorted(combinations, key=lambda c: (c[:3], int(c[3:]))):
        parts.append(f"{combo[:3]} mode with {combo[3:]}s duration")
    return " or ".join(parts)


def _unsupported(rule: CapabilityRule, chosen: Selection) -> str:
    allowed = rule.supported.get(chosen.model, frozenset())
    if allowed:
        return (
            f"{rule.name} on {chosen.model} is only supported in {_describe_combinations(allowed)}; "
            f"you asked for {chosen.mode} mode with {chosen.duration}s duration"
        )
    others = [m for m, c in rule.supported.items() if c]
    hint = f"use {' or '.join(others)}" if others else "no model supports it"
    return f"{rule.name} is not supported on {chosen.model}; {hint}"
