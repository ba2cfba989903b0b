"""Check a request body against the spec's documented rules and capability map before sending it.

The rules are data rendered from the spec into `_spec_data`: the dereferenced request schemas
(bounds, enums, cross-field rules) and `x-capability-map`. Every message names the field and the
rule. Nothing here does I/O.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from functools import cache
from typing import Any

from ._errors import PreflightError
from ._spec_data import CAPABILITY_MAP, REQUEST_SCHEMAS
from ._specfacts import CapabilityMap

Violation = tuple[str, str]
Schema = Mapping[str, Any]

_TYPES: dict[str, tuple[type, ...]] = {
    "string": (str,),
    "integer": (int,),
    "number": (int, float),
    "boolean": (bool,),
    "object": (Mapping,),
    "array": (list, tuple),
}


@cache
def _compiled(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


def _join(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name


def _names(names: Sequence[str]) -> str:
    return ", ".join(names)


def _only_required(branches: Any) -> list[list[str]] | None:
    """Return the branches' `required` lists, when every branch is nothing but a `required` list."""
    if not isinstance(branches, list) or not all(isinstance(b, dict) and set(b) == {"required"} for b in branches):
        return None
    return [list(b["required"]) for b in branches]


def _type_ok(value: Any, expected: str) -> bool:
    if isinstance(value, bool) and expected in {"integer", "number"}:
        return False
    if expected == "integer" and isinstance(value, float):
        return value.is_integer()
    return isinstance(value, _TYPES.get(expected, (object,)))


def _describe_condition(schema: Schema) -> str:
    """Read an `if` of the form {properties: {name: {const: v}}} as words."""
    parts = [
        f"{name} is {sub['const']!r}"
        for name, sub in schema.get("properties", {}).items()
        if isinstance(sub, dict) and "const" in sub
    ]
    return " and ".join(parts) or "the condition holds"


def _range(low: float | None, high: float | None) -> str:
    """Say a numeric bound in words, one-sided when the schema gives only one end."""
    if low is None:
        return f"must be at most {high}"
    if high is None:
        return f"must be at least {low}"
    return f"must be between {low} and {high}"


def _count(low: int, high: int | None) -> str:
    """Say an item-count bound in words, one-sided when only one end constrains."""
    if high is None:
        return f"at least {low}"
    return f"at most {high}" if low == 0 else f"{low} to {high}"


def _check(value: Any, schema: Schema, path: str, out: list[Violation]) -> None:
    field = path or "body"
    expected = schema.get("type")
    if isinstance(expected, str) and not _type_ok(value, expected):
        out.append((field, f"must be of type {expected} (got {type(value).__name__} {value!r:.40})"))
        return
    negated = schema.get("not")
    if isinstance(negated, dict) and "const" in negated and value == negated["const"]:
        out.append((field, f"must not be {negated['const']!r}"))
    if "const" in schema and value != schema["const"]:
        out.append((field, f"must be {schema['const']!r} (got {value!r:.40})"))
    enum = schema.get("enum")
    if enum is not None and value not in enum:
        out.append((field, f"must be one of {_names([repr(v) for v in enum])} (got {value!r:.40})"))
    if isinstance(value, str):
        _check_string(value, schema, field, out)
    elif isinstance(value, int | float) and not isinstance(value, bool):
        low, high = schema.get("minimum"), schema.get("maximum")
        if (low is not None and value < low) or (high is not None and value > high):
            out.append((field, f"{_range(low, high)} (got {value})"))
    elif isinstance(value, list | tuple):
        low, high = schema.get("minItems", 0), schema.get("maxItems")
        if len(value) < low or (high is not None and len(value) > high):
            out.append((field, f"must have {_count(low, high)} items (got {len(value)})"))
        items = schema.get("items")
        if isinstance(items, dict):
            for index, item in enumerate(value):
                _check(item, items, f"{path}[{index}]", out)
    elif isinstance(value, Mapping):
        _check_object(value, schema, path, out)


def _check_string(value: str, schema: Schema, field: str, out: list[Violation]) -> None:
    low, high = schema.get("minLength"), schema.get("maxLength")
    if low is not None and len(value) < low:
        out.append((field, "must not be empty" if low == 1 else f"must have at least {low} characters"))
    if high is not None and len(value) > high:
        out.append((field, f"must have at most {high} characters (got {len(value)})"))
    pattern = schema.get("pattern")
    if pattern is not None and not (low is not None and len(value) < low) and not _compiled(pattern).search(value):
        if value.startswith("data:"):
            out.append((field, "Base64 images are sent without the `data:...;base64,` prefix; remove it"))
        else:
            out.append((field, f"must be an http(s) URL or raw Base64 (must match {pattern})"))


def _check_object(value: Mapping[str, Any], schema: Schema, path: str, out: list[Violation]) -> None:  # noqa: PLR0912
    properties: Mapping[str, Any] = schema.get("properties", {})
    for name in schema.get("required", []):
        if name not in value:
            out.append((_join(path, name), "is required"))
    if schema.get("additionalProperties") is False:
        for name in value:
            if name not in properties:
                known = _names(sorted(properties))
                out.append((_join(path, name), f"is not a field of this request; known fields: {known}"))
    for name, sub in properties.items():
        if name in value:  # null is a value the schema judges, as JSON Schema does (F3)
            _check(value[name], sub, _join(path, name), out)
    field = path or "body"
    any_of = _only_required(schema.get("anyOf"))
    if any_of is not None and not any(all(n in value for n in group) for group in any_of):
        out.append((field, f"at least one of {' or '.join(' and '.join(g) for g in any_of)} must be given"))
    negated = schema.get("not")
    if isinstance(negated, dict):
        pairs = _only_required(negated.get("anyOf"))
        if pairs is not None:
            for group in pairs:
                if all(n in value for n in group):
                    out.append((_join(path, group[0]), f"cannot be combined with {_names(group[1:])}"))
    for name, needed in schema.get("dependentRequired", {}).items():
        if name in value:
            missing = [n for n in needed if n not in value]
            if missing:
                out.append((_join(path, name), f"needs {_names(missing)} as well"))
    _check_one_of(value, schema, field, out)
    _check_conditional(value, schema, path, out)


def _check_one_of(value: Mapping[str, Any], schema: Schema, field: str, out: list[Violation]) -> None:
    branches = schema.get("oneOf")
    if not isinstance(branches, list):
        return
    holding = []
    for branch in branches:
        found: list[Violation] = []
        _check(value, branch, "", found)
        if not found:
            holding.append(branch)
    if len(holding) == 1:
        return
    names = [n for b in branches for n in b.get("required", [])]
    if len(names) == len(branches):
        # Each branch is "this one key present (and non-zero)": say it as such.
        chosen = [n for b in holding for n in b.get("required", [])]
        got = _names(chosen) if chosen else "none"
        out.append((field, f"exactly one of {_names(names)} must be non-zero (got {got})"))
    else:
        out.append((field, f"must match exactly one documented alternative (matches {len(holding)})"))


def _check_conditional(value: Mapping[str, Any], schema: Schema, path: str, out: list[Violation]) -> None:
    condition = schema.get("if")
    if not isinstance(condition, dict):
        return
    probe: list[Violation] = []
    _check(value, condition, "", probe)
    holds = not probe
    branch = schema.get("then" if holds else "else")
    if not isinstance(branch, dict):
        return
    when = _describe_condition(condition)
    for name in branch.get("required", []):
        if name not in value:
            out.append((_join(path, name), f"is required when {when}"))
    negated = branch.get("not")
    if isinstance(negated, dict):
        for name in negated.get("required", []):
            if name in value:
                out.append((_join(path, name), f"must be left out unless {when}"))


CAPABILITIES = CapabilityMap(CAPABILITY_MAP)


def check_capabilities(operation: str, body: Mapping[str, Any]) -> list[Violation]:
    """Check the model, mode and duration combination against every capability rule that applies."""
    return [(v.field, v.message) for v in CAPABILITIES.check(operation, body)]


def validate(operation: str, body: Mapping[str, Any]) -> None:
    """Raise PreflightError listing every documented rule `body` breaks for `operation`."""
    schema = REQUEST_SCHEMAS[operation]
    violations: list[Violation] = []
    _check(body, schema, "", violations)
    if not violations:
        violations = check_capabilities(operation, body)
    if violations:
        raise PreflightError(violations)
