"""Request and response validity, read once: the JSON Schema subset the spec uses, with messages that say what to fix.

Only the keywords in `ASSERTIONS` and `ANNOTATIONS` (and `x-` extensions) are understood; compiling a schema
that uses any other raises `UnknownKeywordError`, so a spec change can never silently weaken a check. Violations
come in document order (the schema's own keyword order, depth first), so "the first" is the same everywhere.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

from ._refs import escape, pointer

JSON = Any
Path = tuple[str | int, ...]

ASSERTIONS = frozenset(
    {
        "$ref", "type", "const", "enum", "minLength", "maxLength", "pattern", "minimum", "maximum",
        "minItems", "maxItems", "items", "required", "properties", "additionalProperties",
        "dependentRequired", "allOf", "anyOf", "oneOf", "not", "if", "then", "else",
    }
)  # fmt: skip
ANNOTATIONS = frozenset({"description", "title", "examples", "example", "default", "format", "deprecated", "$comment"})
_TYPES: dict[str, tuple[type, ...]] = {
    "string": (str,),
    "integer": (int,),
    "number": (int, float),
    "boolean": (bool,),
    "object": (Mapping,),
    "array": (list, tuple),
    "null": (type(None),),
}


class _BrokenError(Exception):
    """Raised by `_Probe` at the first violation: a probe needs a yes or no, not the list."""


class _Probe(list):  # type: ignore[type-arg]
    """A violation list that stops the check at its first entry (for `anyOf`, `oneOf`, `not` and `if`)."""

    def append(self, _item: object) -> None:
        """Stop: the probed schema does not hold."""
        raise _BrokenError

    def extend(self, items: object) -> None:
        """Stop when there is anything to add."""
        if any(True for _ in items):  # type: ignore[attr-defined]
            raise _BrokenError


class _First(list):  # type: ignore[type-arg]
    """A violation list that keeps its first entry and stops the check there (violations come in document order)."""

    def append(self, item: object) -> None:
        """Keep `item` and stop."""
        super().append(item)
        raise _BrokenError

    def extend(self, items: object) -> None:
        """Keep the first of `items`, if any, and stop."""
        for item in items:  # type: ignore[attr-defined]
            self.append(item)


class UnknownKeywordError(ValueError):
    """The spec uses a JSON Schema keyword this interpreter does not check; teach it before relying on it."""


@dataclass(frozen=True, slots=True)
class Violation:
    """One broken rule: where (JSON pointer into the instance), which rule (keyword or capability rule), what to fix."""

    pointer: str
    rule: str
    message: str

    @property
    def field(self) -> str:
        """The pointer as a name a caller writes: `camera_control.config`, `dynamic_masks[0].mask`; "" for the root."""
        text = ""
        for token in self.pointer.split("/")[1:]:
            part = token.replace("~1", "/").replace("~0", "~")
            text += f"[{part}]" if part.isdigit() else (f".{part}" if text else part)
        return text


def to_pointer(path: Path) -> str:
    """Return the JSON pointer of a path: `("a", 0, "b")` -> `/a/0/b`."""
    return "".join(f"/{escape(str(p))}" for p in path)


_ECMA_SPACE = "\\t\\n\\v\\f\\r \\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000\\ufeff"
_ECMA_OUTSIDE = {"s": f"[{_ECMA_SPACE}]", "S": f"[^{_ECMA_SPACE}]", "d": "[0-9]", "D": "[^0-9]"}


@cache
def _compiled(pattern: str) -> re.Pattern[str]:
    """Compile an ECMA-262 `pattern` (what JSON Schema says it is, C1) as Python `re` reads it the same way.

    `$` is the end of input, `.` stops at every line terminator, the space and digit classes are ECMA's sets.
    """
    out: list[str] = []
    in_class = False
    chars = iter(pattern)
    for char in chars:
        if char == "\\":
            nxt = next(chars, "")
            if in_class and nxt in "sd":
                out.append(_ECMA_SPACE if nxt == "s" else "0-9")
            elif in_class and nxt in "SD":
                msg = f"pattern {pattern!r}: a negated class escape inside [...] is not supported; rewrite it"
                raise UnknownKeywordError(msg)
            else:
                out.append(_ECMA_OUTSIDE.get(nxt, "\\" + nxt) if not in_class else "\\" + nxt)
        elif in_class:
            in_class = char != "]"
            out.append(char)
        elif char == "[":
            in_class = True
            out.append(char)
        elif char == "$":
            out.append(r"\Z")
        elif char == ".":
            out.append("[^\\n\\r\\u2028\\u2029]")
        else:
            out.append(char)
    return re.compile("".join(out))


def _shown(value: JSON) -> str:
    """Render a value short and bounded (never the repr of a deeply nested body)."""
    if isinstance(value, Mapping | list | tuple):
        return f"of {len(value)} item{'' if len(value) == 1 else 's'}"
    return f"{value!r:.40}"


def _names(names: list[str]) -> str:
    return ", ".join(names)


def _same(a: JSON, b: JSON) -> bool:
    """JSON equality: booleans are not numbers."""
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    return bool(a == b)


def _type_ok(value: JSON, expected: str) -> bool:
    if isinstance(value, bool) and expected in {"integer", "number"}:
        return False
    if expected == "integer" and isinstance(value, float):
        return value.is_integer()
    return isinstance(value, _TYPES.get(expected, (object,)))


def _only_required(branches: JSON) -> list[list[str]] | None:
    """Return the branches' `required` lists, when every branch is nothing but a `required` list."""
    if not isinstance(branches, list) or not all(isinstance(b, dict) and set(b) == {"required"} for b in branches):
        return None
    return [list(b["required"]) for b in branches]


def _range(low: float | None, high: float | None) -> str:
    if low is None:
        return f"must be at most {high}"
    if high is None:
        return f"must be at least {low}"
    return f"must be between {low} and {high}"


def _count(low: int, high: int | None) -> str:
    if high is None:
        return f"at least {low}"
    return f"at most {high}" if low == 0 else f"{low} to {high}"


def _describe_condition(schema: Mapping[str, JSON]) -> str:
    """Read an `if` of the form {properties: {name: {const: v}}} as words."""
    parts = [
        f"{name} is {sub['const']!r}"
        for name, sub in schema.get("properties", {}).items()
        if isinstance(sub, dict) and "const" in sub
    ]
    return " and ".join(parts) or "the condition holds"


class Validator:
    """One schema (with the document its `$ref`s point into), checked for unknown keywords when built."""

    def __init__(self, schema: JSON, root: JSON = None) -> None:
        self.schema = schema
        self.root = schema if root is None else root
        self._targets: dict[str, JSON] = {}
        self._plans: dict[int, tuple[_Handler, ...]] = {}  # schema nodes live as long as `root` does
        self._known(schema, "#", set())

    def violations(self, instance: JSON) -> list[Violation]:
        """Every rule `instance` breaks, in document order."""
        out: list[Violation] = []
        self._check(instance, self.schema, (), out)
        return out

    def first(self, instance: JSON) -> Violation | None:
        """Return the first rule `instance` breaks (the head of `violations`), or None when it is valid."""
        found = _First()
        try:
            self._check(instance, self.schema, (), found)
        except _BrokenError:
            return found[0]  # type: ignore[no-any-return]
        return None

    def _known(self, schema: JSON, where: str, seen: set[str]) -> None:
        """Refuse any keyword this interpreter does not check (at load time, not on the first request)."""
        if not isinstance(schema, dict):
            msg = f"{where}: a schema must be an object"
            raise UnknownKeywordError(msg)
        for key, sub in schema.items():
            if key in ANNOTATIONS or key.startswith("x-"):
                continue
            if key not in ASSERTIONS:
                msg = f"{where}: JSON Schema keyword {key!r} is not understood by specfacts._schema; teach it first"
                raise UnknownKeywordError(msg)
            if key == "pattern":
                _compiled(sub)  # an ECMA-262 construct it cannot read fails now
            if key == "$ref" and sub not in seen:
                seen.add(sub)
                self._known(pointer(self.root, sub), sub, seen)
            elif key in ("items", "not", "if", "then", "else") or (key == "additionalProperties" and sub is not False):
                self._known(sub, f"{where}/{key}", seen)
            elif key in ("allOf", "anyOf", "oneOf"):
                for index, branch in enumerate(sub):
                    self._known(branch, f"{where}/{key}/{index}", seen)
            elif key == "properties":
                for name, prop in sub.items():
                    self._known(prop, f"{where}/properties/{escape(name)}", seen)

    def _check(self, value: JSON, schema: Mapping[str, JSON], path: Path, out: list[Violation]) -> None:
        expected = schema.get("type")
        if isinstance(expected, str) and not _type_ok(value, expected):
            got = f"{type(value).__name__} {_shown(value)}"
            out.append(Violation(to_pointer(path), "type", f"must be of type {expected} (got {got})"))
            return
        plan = self._plans.get(id(schema))
        if plan is None:
            plan = self._plans[id(schema)] = _plan(schema)
        for handler in plan:
            handler(self, value, schema, path, out)

    def _ref(self, value: JSON, schema: Mapping[str, JSON], path: Path, out: list[Violation]) -> None:
        ref = schema["$ref"]
        target = self._targets.get(ref)
        if target is None:
            target = self._targets[ref] = pointer(self.root, ref)
        self._check(value, target, path, out)

    def _all_of(self, value: JSON, schema: Mapping[str, JSON], path: Path, out: list[Violation]) -> None:
        for branch in schema["allOf"]:
            self._check(value, branch, path, out)

    def _holds(self, value: JSON, schema: Mapping[str, JSON]) -> bool:
        try:
            self._check(value, schema, (), _Probe())
        except _BrokenError:
            return False
        return True

    def _any_of(self, value: JSON, schema: Mapping[str, JSON], path: Path, out: list[Violation]) -> None:
        branches = schema["anyOf"]
        if any(self._holds(value, b) for b in branches):
            return
        groups = _only_required(branches)
        if groups is not None:
            text = " or ".join(" and ".join(g) for g in groups)
            out.append(Violation(to_pointer(path), "anyOf", f"at least one of {text} must be given"))
        else:
            out.append(Violation(to_pointer(path), "anyOf", "must match at least one documented alternative"))

    def _one_of(self, value: JSON, schema: Mapping[str, JSON], path: Path, out: list[Violation]) -> None:
        branches = schema["oneOf"]
        holding = [b for b in branches if self._holds(value, b)]
        if len(holding) == 1:
            return
        names = [n for b in branches for n in b.get("required", [])]
        if len(names) == len(branches):  # each branch is "this one key present (and valid)": say it as such
            chosen = [n for b in holding for n in b.get("required", [])]
            got = _names(chosen) if chosen else "none"
            out.append(
                Violation(to_pointer(path), "oneOf", f"exactly one of {_names(names)} must be non-zero (got {got})")
            )
        else:
            text = f"must match exactly one documented alternative (matches {len(holding)})"
            out.append(Violation(to_pointer(path), "oneOf", text))

    def _not(self, value: JSON, schema: Mapping[str, JSON], path: Path, out: list[Violation]) -> None:
        negated = schema["not"]
        if not self._holds(value, negated):
            return
        pairs = _only_required(negated.get("anyOf"))
        if "const" in negated:
            out.append(Violation(to_pointer(path), "not", f"must not be {negated['const']!r}"))
        elif pairs is not None and isinstance(value, Mapping):
            group = next(g for g in pairs if all(n in value for n in g))
            out.append(Violation(to_pointer((*path, group[0])), "not", f"cannot be combined with {_names(group[1:])}"))
        elif set(negated) == {"required"} and negated["required"]:
            out.append(Violation(to_pointer((*path, negated["required"][0])), "not", "must be left out"))
        else:
            out.append(Violation(to_pointer(path), "not", "must not match the excluded form"))

    def _if(self, value: JSON, schema: Mapping[str, JSON], path: Path, out: list[Violation]) -> None:
        condition = schema["if"]
        holds = self._holds(value, condition)
        branch = schema.get("then" if holds else "else")
        if not isinstance(branch, dict):
            return
        found: list[Violation] = []
        self._check(value, branch, path, found)
        joint = "when" if holds else "unless"
        when = _describe_condition(condition)
        out.extend(Violation(v.pointer, v.rule, f"{v.message} {joint} {when}") for v in found)

    def _scalar(self, value: JSON, schema: Mapping[str, JSON], path: Path, out: list[Violation]) -> None:
        """`const` and `enum`, checked once per schema at the first of them."""
        where = to_pointer(path)
        if "const" in schema and not _same(value, schema["const"]):
            out.append(Violation(where, "const", f"must be {schema['const']!r} (got {_shown(value)})"))
        enum = schema.get("enum")
        if enum is not None and not any(_same(value, o) for o in enum):
            out.append(
                Violation(where, "enum", f"must be one of {_names([repr(o) for o in enum])} (got {_shown(value)})")
            )

    def _string(self, value: JSON, schema: Mapping[str, JSON], path: Path, out: list[Violation]) -> None:
        if not isinstance(value, str):
            return
        where = to_pointer(path)
        low, high = schema.get("minLength"), schema.get("maxLength")
        if low is not None and len(value) < low:
            text = "must not be empty" if low == 1 else f"must have at least {low} characters"
            out.append(Violation(where, "minLength", text))
            return
        if high is not None and len(value) > high:
            out.append(Violation(where, "maxLength", f"must have at most {high} characters (got {len(value)})"))
        pattern = schema.get("pattern")
        if pattern is not None and not _compiled(pattern).search(value):
            hint = _first_sentence(str(schema.get("description", "")))
            out.append(Violation(where, "pattern", f"must match {pattern}" + (f" ({hint})" if hint else "")))

    def _number(self, value: JSON, schema: Mapping[str, JSON], path: Path, out: list[Violation]) -> None:
        if not isinstance(value, int | float) or isinstance(value, bool):
            return
        low, high = schema.get("minimum"), schema.get("maximum")
        if low is not None and value < low:
            out.append(Violation(to_pointer(path), "minimum", f"{_range(low, high)} (got {value})"))
        elif high is not None and value > high:
            out.append(Violation(to_pointer(path), "maximum", f"{_range(low, high)} (got {value})"))

    def _array(self, value: JSON, schema: Mapping[str, JSON], path: Path, out: list[Violation]) -> None:
        if not isinstance(value, list | tuple):
            return
        low, high = schema.get("minItems", 0), schema.get("maxItems")
        rule = "minItems" if len(value) < low else "maxItems" if high is not None and len(value) > high else ""
        if rule:
            out.append(Violation(to_pointer(path), rule, f"must have {_count(low, high)} items (got {len(value)})"))

    def _items(self, value: JSON, schema: Mapping[str, JSON], path: Path, out: list[Violation]) -> None:
        if isinstance(value, list | tuple):
            for index, item in enumerate(value):
                self._check(item, schema["items"], (*path, index), out)

    def _required(self, value: JSON, schema: Mapping[str, JSON], path: Path, out: list[Violation]) -> None:
        if isinstance(value, Mapping):
            for name in schema["required"]:
                if name not in value:
                    out.append(Violation(to_pointer((*path, name)), "required", "is required"))

    def _properties(self, value: JSON, schema: Mapping[str, JSON], path: Path, out: list[Violation]) -> None:
        if isinstance(value, Mapping):
            for name, sub in schema["properties"].items():
                if name in value:  # null is a value the schema judges, as JSON Schema does (F3)
                    self._check(value[name], sub, (*path, name), out)

    def _additional(self, value: JSON, schema: Mapping[str, JSON], path: Path, out: list[Violation]) -> None:
        if not isinstance(value, Mapping):
            return
        known: Mapping[str, JSON] = schema.get("properties", {})
        extra = schema["additionalProperties"]
        for name in value:
            if name in known or extra is True:
                continue
            if extra is False:
                text = f"is not a documented field; known fields: {_names(sorted(known))}"
                out.append(Violation(to_pointer((*path, name)), "additionalProperties", text))
            else:
                self._check(value[name], extra, (*path, name), out)

    def _dependent(self, value: JSON, schema: Mapping[str, JSON], path: Path, out: list[Violation]) -> None:
        if not isinstance(value, Mapping):
            return
        for name, needed in schema["dependentRequired"].items():
            missing = [n for n in needed if n not in value]
            if name in value and missing:
                out.append(
                    Violation(to_pointer((*path, name)), "dependentRequired", f"needs {_names(missing)} as well")
                )


_Handler = Callable[[Validator, JSON, Mapping[str, JSON], Path, list[Violation]], None]


_GROUPS: tuple[tuple[str, ...], ...] = (
    ("const", "enum"),
    ("minLength", "maxLength", "pattern"),
    ("minimum", "maximum"),
    ("minItems", "maxItems"),
)


def _plan(schema: Mapping[str, JSON]) -> tuple[_Handler, ...]:
    """List a schema node's handlers in document order; keywords checked together run once, at the first."""
    plan: list[_Handler] = []
    for key in schema:
        group = next((g for g in _GROUPS if key in g), None)
        if group is not None and next(k for k in schema if k in group) != key:
            continue
        handler = _HANDLERS.get(key)
        if handler is not None:
            plan.append(handler)
    return tuple(plan)


_HANDLERS: dict[str, _Handler] = {
    "$ref": Validator._ref,
    "allOf": Validator._all_of,
    "anyOf": Validator._any_of,
    "oneOf": Validator._one_of,
    "not": Validator._not,
    "if": Validator._if,
    **dict.fromkeys(_GROUPS[0], Validator._scalar),
    **dict.fromkeys(_GROUPS[1], Validator._string),
    **dict.fromkeys(_GROUPS[2], Validator._number),
    **dict.fromkeys(_GROUPS[3], Validator._array),
    "items": Validator._items,
    "required": Validator._required,
    "properties": Validator._properties,
    "additionalProperties": Validator._additional,
    "dependentRequired": Validator._dependent,
}


def _json_schema(holder: Mapping[str, JSON]) -> JSON:
    return holder.get("content", {}).get("application/json", {}).get("schema")


class SpecSchemas:
    """Every request and response schema of a spec document, compiled (and keyword-checked) when built."""

    def __init__(self, document: Mapping[str, JSON]) -> None:
        self.document = document
        self._requests: dict[str, Validator] = {}
        self._responses: dict[tuple[str, str], Validator] = {}
        for item in document.get("paths", {}).values():
            for raw in item.values():
                if not isinstance(raw, dict) or "operationId" not in raw:
                    continue
                op = str(raw["operationId"])
                body = _json_schema(self._resolve(raw.get("requestBody", {})))
                if body is not None:
                    self._requests[op] = Validator(body, document)
                for status, response in raw.get("responses", {}).items():
                    schema = _json_schema(self._resolve(response))
                    if schema is not None:
                        self._responses[(op, str(status))] = Validator(schema, document)

    def _resolve(self, node: JSON) -> JSON:
        while isinstance(node, dict) and "$ref" in node:
            node = pointer(self.document, node["$ref"])
        return node

    def request(self, operation_id: str, body: JSON) -> list[Violation]:
        """List what is wrong with a request body for `operation_id` (empty when valid or when it takes none)."""
        found = self._requests.get(operation_id)
        return found.violations(body) if found else []

    def response(self, operation_id: str, status: int | str, body: JSON) -> list[Violation]:
        """List what is wrong with a response body for `operation_id` and `status` (its `NXX` range, then `default`)."""
        for key in (str(status), f"{str(status)[0]}XX", "default"):
            found = self._responses.get((operation_id, key))
            if found is not None:
                return found.violations(body)
        return []


def _first_sentence(text: str, limit: int = 200) -> str:
    """Say what a pattern means by the description's first sentence, never cut mid-word."""
    words = " ".join(text.split())
    sentence = words.split(". ", 1)[0].rstrip(".")
    if len(sentence) <= limit:
        return sentence
    return sentence[:limit].rsplit(" ", 1)[0] + " ..."
