"""The capability map (`x-capability-map`), one set of semantics for the SDK's preflight and the mock.

Semantics (F3): a field that is absent or `null` takes the map's default and does not count as
present; any other value, empty ones included, is taken as sent (the schema judges it). A
`requires` rule on a field that is absent fails: the requirement is not met. A model a rule does
not list is not constrained by that rule; a model listed with no combinations is refused.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ._schema import Violation

JSON = Any


@dataclass(frozen=True, slots=True)
class Selection:
    """The model, mode and duration a create asks for, defaults filled in and aliases resolved."""

    model: str
    shown_model: str
    mode: str
    duration: str

    @property
    def combination(self) -> str:
        """The map's notation, e.g. `std5`."""
        return f"{self.mode}{self.duration}"


@dataclass(frozen=True, slots=True)
class CapabilityRule:
    """One row of the map: when these fields are present (and those absent), only these combinations work."""

    name: str
    operation: str
    when_present: tuple[str, ...]
    when_absent: tuple[str, ...]
    supported: Mapping[str, tuple[str, ...]]  # model -> combinations, in map order
    requires: Mapping[str, JSON]

    def applies(self, body: Mapping[str, JSON]) -> bool:
        """Whether this rule governs `body` (its operation already matched)."""
        return all(present(body, n) for n in self.when_present) and not any(present(body, n) for n in self.when_absent)


def present(body: Mapping[str, JSON], name: str) -> bool:
    """Whether `name` is sent with a value: absent and `null` are the same (F3)."""
    return body.get(name) is not None


def lookup(body: Mapping[str, JSON], dotted: str) -> JSON:
    """Return the value at `a.b.c`, or None when any step is absent."""
    node: JSON = body
    for part in dotted.split("."):
        node = node.get(part) if isinstance(node, Mapping) else None
    return node


def _pointer(dotted: str) -> str:
    """`camera_control.type` as the JSON pointer `/camera_control/type`."""
    return "/" + dotted.replace(".", "/")


def explain(combination: str) -> str:
    """`std5` in words: `std mode, 5 s`."""
    mode = combination.rstrip("0123456789")
    return f"{mode} mode, {combination[len(mode) :]} s"


class CapabilityMap:
    """The rules, aliases, defaults and extension facts of `x-capability-map`."""

    def __init__(self, data: Mapping[str, JSON]) -> None:
        self.aliases: dict[str, str] = {str(k): str(v) for k, v in (data.get("aliases") or {}).items()}
        defaults = data.get("defaults") or {}
        self.default_model = str(defaults.get("model_name", ""))
        self.default_mode = str(defaults.get("mode", ""))
        self.default_duration = str(defaults.get("duration", ""))
        self.rules = tuple(
            CapabilityRule(
                name=str(raw["name"]),
                operation=str(raw["operation"]),
                when_present=tuple(raw.get("when_present") or ()),
                when_absent=tuple(raw.get("when_absent") or ()),
                supported={str(m): tuple(str(x) for x in c) for m, c in (raw.get("supported") or {}).items()},
                requires=dict(raw.get("requires") or {}),
            )
            for raw in data.get("rules") or ()
        )
        self._rules_of: dict[str, tuple[CapabilityRule, ...]] = {}
        for rule in self.rules:
            self._rules_of[rule.operation] = (*self._rules_of.get(rule.operation, ()), rule)
        extend = data.get("video_extend") or {}
        self.extend_operation: str | None = extend.get("operation")
        self.parent_field = str(extend.get("parent_field", "video_id"))
        self.extendable_models = frozenset(str(m) for m in extend.get("extendable_models") or ())
        self.seconds_added = float(extend.get("seconds_added", 5))
        self.max_total_seconds = float(extend.get("max_total_seconds", 180))
        self.retention_days = float(extend.get("retention_days", 30))

    def canonical(self, model: str) -> str:
        """`MaaS_KL_V1` for its alias `kling-v1`; other names unchanged."""
        return self.aliases.get(model, model)

    def selection(self, body: Mapping[str, JSON]) -> Selection:
        """Return what `body` asks for; absent or null fields take the map's defaults (F3)."""
        shown = str(body["model_name"]) if present(body, "model_name") else self.default_model
        return Selection(
            model=self.canonical(shown),
            shown_model=shown,
            mode=str(body["mode"]) if present(body, "mode") else self.default_mode,
            duration=str(body["duration"]) if present(body, "duration") else self.default_duration,
        )

    def check(self, operation: str, body: Mapping[str, JSON]) -> list[Violation]:
        """Every capability rule of `operation` that `body` breaks, in map order."""
        rules = self._rules_of.get(operation)
        if not rules:
            return []
        chosen = self.selection(body)
        out: list[Violation] = []
        for rule in rules:
            if not rule.applies(body):
                continue
            field = rule.when_present[0] if rule.when_present else "model_name"
            supported: tuple[str, ...] | None = rule.supported.get(chosen.model)
            if supported is None:
                continue  # a model the rule does not list is not constrained by it (F3)
            shown = chosen.shown_model
            if shown != chosen.model:
                shown = f"{shown} ({chosen.model})"
            if not supported:
                others = [m for m, c in rule.supported.items() if c]
                hint = f"use {' or '.join(others)}" if others else "no model supports it"
                out.append(Violation(_pointer(field), rule.name, f"{rule.name} is not supported by {shown}; {hint}"))
            elif chosen.combination not in supported:
                allowed = ", ".join(f"{c} ({explain(c)})" for c in supported)
                got = f"{chosen.combination} ({explain(chosen.combination)})"
                out.append(
                    Violation(
                        _pointer(field), rule.name, f"{rule.name} with {shown} supports only {allowed}; got {got}"
                    )
                )
            for dotted, required in rule.requires.items():
                actual = lookup(body, dotted)
                if actual != required:
                    out.append(
                        Violation(
                            _pointer(dotted),
                            rule.name,
                            f"{rule.name} requires {dotted} to be {required!r} (got {actual!r})",
                        )
                    )
        return out

    def extendable(self, model: str) -> bool:
        """Whether videos made by `model` may be extended."""
        return self.canonical(model) in self.extendable_models
