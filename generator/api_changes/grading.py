"""Grade the difference between two wire reports: breaking, deprecation or addition, oasdiff-style.

Requests and responses are graded in opposite directions: what a caller may send can only grow,
what a caller may receive can only shrink. Anything the rules do not recognise is graded breaking,
so an unforeseen kind of change asks for a human decision instead of passing quietly.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Literal

Grade = Literal["breaking", "deprecation", "addition"]
GRADES: tuple[Grade, ...] = ("breaking", "deprecation", "addition")
Json = Any

# Bounds that shrink what is allowed when they grow, and those that shrink it when they fall.
LOWER = frozenset({"minimum", "exclusiveMinimum", "minLength", "minItems", "minProperties"})
UPPER = frozenset({"maximum", "exclusiveMaximum", "maxLength", "maxItems", "maxProperties"})


@dataclass(frozen=True, order=True)
class Change:
    """One user-visible change: its grade, where it is, what happened, and the values either side."""

    grade: Grade
    area: str  # "wire" or "python"
    where: str  # operation and field, or the Python path
    what: str
    old: str = ""
    new: str = ""
    subject: str = ""  # the name a changelog entry must mention

    def line(self) -> str:
        """The change on one line, with its old and new values when there are any."""
        return f"{self.where}: {self.what}{self.values()}"

    def values(self) -> str:
        """` (was X, now Y)`, either side left out when it is empty."""
        parts = [f"was {self.old}"] * bool(self.old) + [f"now {self.new}"] * bool(self.new)
        return f" ({', '.join(parts)})" if parts else ""


def _show(value: Json) -> str:
    return "absent" if value is None else json.dumps(value, sort_keys=True)


def _leaf(path: str) -> str:
    return path.rsplit(".", 1)[-1].removesuffix("[]").split(":", 1)[0]


def _field(op: str, side: str, path: str, old: Mapping[str, Json] | None, new: Mapping[str, Json] | None) -> Iterator[Change]:
    """Grade one request (`side == "request"`) or response field."""
    request = side == "request"
    where = f"{op} {side} {path}"
    subject = _leaf(path)

    def change(grade: Grade, what: str, was: Json = None, now: Json = None) -> Change:
        return Change(grade, "wire", where, what, _show(was) if was is not None else "", _show(now) if now is not None else "", subject)

    if old is None and new is not None:
        if request and new.get("required"):
            yield change("breaking", "added as required")
        else:
            yield change("addition", "added")
        return
    if new is None and old is not None:
        yield change("breaking", "removed")
        return
    assert old is not None and new is not None
    for key in sorted(set(old) | set(new)):
        was, now = old.get(key), new.get(key)
        if was == now:
            continue
        if key == "required":
            tighter = bool(now) if request else not now
            yield change("breaking" if tighter else "addition", "made required" if now else "made optional", was, now)
        elif key == "deprecated":
            yield change("deprecation" if now else "addition", "deprecated" if now else "no longer deprecated")
        elif key == "enum":
            gone, added = sorted(set(map(json.dumps, was or [])) - set(map(json.dumps, now or []))), sorted(
                set(map(json.dumps, now or [])) - set(map(json.dumps, was or []))
            )
            if was is None or now is None:
                narrowed = (now is not None) if request else (now is None)
                yield change("breaking" if narrowed else "addition", "enum added" if now else "enum removed", was, now)
                continue
            if gone:
                yield change("addition" if not request else "breaking", f"enum value {', '.join(gone)} removed", was, now)
            if added:
                # A closed response enum: a client may reject a value it was never told about.
                yield change("breaking" if not request else "addition", f"enum value {', '.join(added)} added", was, now)
        elif key in LOWER | UPPER:
            if was is None or now is None:
                tighter = now is not None
            else:
                tighter = (now > was) if key in LOWER else (now < was)
            if not request:
                tighter = not tighter
            yield change("breaking" if tighter else "addition", f"{key} {'tightened' if request == tighter else 'widened'}", was, now)
        elif key == "type":
            olds, news = set(str(was or "").split(" | ")), set(str(now or "").split(" | "))
            compatible = olds <= news if request else news <= olds
            yield change("addition" if compatible and was and now else "breaking", "type changed", was, now)
        elif key == "additionalProperties" and request:
            yield change("addition" if now is not False else "breaking", "additional properties changed", was, now)
        else:
            yield change("breaking", f"{key} changed", was, now)


def _keyed(items: list[Json]) -> dict[str, Json] | None:
    if items and all(isinstance(i, Mapping) and "name" in i for i in items):
        return {str(i["name"]): i for i in items}
    return None


def _data(where: str, old: Json, new: Json) -> Iterator[Change]:
    """Grade a data table (capability map, servers, codes): narrowing breaks, widening adds."""
    subject = where.rsplit(" ", 1)[-1]
    if isinstance(old, Mapping) and isinstance(new, Mapping):
        for key in sorted(set(old) | set(new), key=str):
            if key not in new:
                yield Change("breaking", "wire", f"{where}.{key}", "removed", _show(old[key]), "", str(key))
            elif key not in old:
                yield Change("addition", "wire", f"{where}.{key}", "added", "", _show(new[key]), str(key))
            else:
                yield from _data(f"{where}.{key}", old[key], new[key])
        return
    if isinstance(old, list) and isinstance(new, list):
        o, n = _keyed(old), _keyed(new)
        if o is not None and n is not None:
            # Items of a rule list restrict: a new item narrows, a removed one widens.
            for key in sorted(set(o) | set(n)):
                if key not in n:
                    yield Change("addition", "wire", f"{where}[{key}]", "rule removed", _show(o[key]), "", key)
                elif key not in o:
                    yield Change("breaking", "wire", f"{where}[{key}]", "rule added", "", _show(n[key]), key)
                else:
                    yield from _data(f"{where}[{key}]", o[key], n[key])
            return
        if all(not isinstance(i, Mapping | list) for i in [*old, *new]):
            gone = [i for i in old if i not in new]
            added = [i for i in new if i not in old]
            if gone:
                yield Change("breaking", "wire", where, f"narrowed: {_show(gone)} removed", _show(old), _show(new), subject)
            if added:
                yield Change("addition", "wire", where, f"widened: {_show(added)} added", _show(old), _show(new), subject)
            return
    if old == new:
        return
    if isinstance(old, int | float) and isinstance(new, int | float) and not isinstance(old, bool):
        grade: Grade = "breaking" if new < old else "addition"
        yield Change(grade, "wire", where, "decreased" if new < old else "increased", _show(old), _show(new), subject)
        return
    yield Change("breaking", "wire", where, "changed", _show(old), _show(new), subject)


def _operation(op: str, old: Mapping[str, Json], new: Mapping[str, Json]) -> Iterator[Change]:
    for key in ("method", "path", "security"):
        if old.get(key) != new.get(key):
            yield Change("breaking", "wire", op, f"{key} changed", _show(old.get(key)), _show(new.get(key)), op)
    if old.get("deprecated") != new.get("deprecated"):
        yield Change("deprecation" if new.get("deprecated") else "addition", "wire", op, "deprecated" if new.get("deprecated") else "no longer deprecated", subject=op)
    req_old, req_new = old.get("request", {}), new.get("request", {})
    for path in sorted(set(req_old) | set(req_new)):
        yield from _field(op, "request", path, req_old.get(path), req_new.get(path))
    res_old, res_new = old.get("responses", {}), new.get("responses", {})
    for status in sorted(set(res_old) | set(res_new)):
        where = f"{op} response {status}"
        if status not in res_new:
            yield Change("breaking", "wire", where, "status removed", subject=status)
            continue
        if status not in res_old:
            yield Change("addition", "wire", where, "status added", subject=status)
            continue
        for path in sorted(set(res_old[status]) | set(res_new[status])):
            if path == "links":
                yield from _data(f"{where} links", res_old[status].get(path, []), res_new[status].get(path, []))
            else:
                yield from _field(op, f"response {status}", path, res_old[status].get(path), res_new[status].get(path))
    yield from _data(f"{op} business_codes", old.get("business_codes", []), new.get("business_codes", []))


def grade(old: Mapping[str, Json], new: Mapping[str, Json]) -> list[Change]:
    """Every change between two wire reports (generator.api_changes.wire.report), sorted and graded."""
    changes: list[Change] = []
    ops_old, ops_new = old.get("operations", {}), new.get("operations", {})
    for op in sorted(set(ops_old) | set(ops_new)):
        if op not in ops_new:
            changes.append(Change("breaking", "wire", op, "operation removed", subject=op))
        elif op not in ops_old:
            changes.append(Change("addition", "wire", op, "operation added", subject=op))
        else:
            changes.extend(_operation(op, ops_old[op], ops_new[op]))
    for section in ("servers", "security_schemes", "business_codes", "capabilities"):
        changes.extend(_data(section, old.get(section), new.get(section)))
    return sorted(set(changes), key=lambda c: (GRADES.index(c.grade), c.area, c.where, c.what))
