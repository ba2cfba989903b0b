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

Grade = Literal["breaking", "deprecation", "addition", "info"]
GRADES: tuple[Grade, ...] = ("breaking", "deprecation", "addition", "info")
# Reported, never counted: no version bump and no changelog entry is needed for these (an operationId rename).
UNCOUNTED: frozenset[Grade] = frozenset({"info"})
Json = Any

# Bounds that shrink what is allowed when they grow, and those that shrink it when they fall.
LOWER = frozenset({"minimum", "exclusiveMinimum", "minLength", "minItems", "minProperties"})
UPPER = frozenset({"maximum", "exclusiveMaximum", "maxLength", "maxItems", "maxProperties"})


@dataclass(frozen=True, order=True)
class Change:
    """One user-visible change: its grade, where it is, what happened, and the values either side."""

    grade: Grade
    area: str  # "wire", "python", or "tooling" (what only tools that read the spec see, like operationIds)
    where: str  # operation and field, or the Python path
    what: str
    old: str = ""
    new: str = ""
    subject: str = ""  # the name a changelog entry must mention

    def line(self) -> str:
        """Describe the change on one line, with its old and new values when there are any."""
        return f"{self.where}: {self.what}{self.values()}"

    def values(self) -> str:
        """` (was X, now Y)`, either side left out when it is empty."""
        parts = [f"was {self.old}"] * bool(self.old) + [f"now {self.new}"] * bool(self.new)
        return f" ({', '.join(parts)})" if parts else ""


def _show(value: Json) -> str:
    return "absent" if value is None else json.dumps(value, sort_keys=True)


def _leaf(path: str) -> str:
    return path.rsplit(".", 1)[-1].removesuffix("[]").split(":", 1)[0]


def _enum(was: Json, now: Json, request: bool) -> Iterator[tuple[Grade, str]]:
    if was is None or now is None:
        narrowed = (now is not None) if request else (now is None)
        yield ("breaking" if narrowed else "addition"), ("enum added" if now else "enum removed")
        return
    olds, news = set(map(json.dumps, was)), set(map(json.dumps, now))
    if olds - news:
        yield ("breaking" if request else "addition"), f"enum value {', '.join(sorted(olds - news))} removed"
    if news - olds:
        # A closed response enum: a client may reject a value it was never told about.
        yield ("addition" if request else "breaking"), f"enum value {', '.join(sorted(news - olds))} added"


def _bound(key: str, was: Json, now: Json, request: bool) -> tuple[Grade, str]:
    narrower = now is not None if was is None or now is None else (now > was) if key in LOWER else (now < was)
    breaks = narrower if request else not narrower
    return ("breaking" if breaks else "addition"), f"{key} {'tightened' if narrower else 'widened'}"


def _attribute(key: str, was: Json, now: Json, request: bool) -> Iterator[tuple[Grade, str]]:
    """Grade one changed fact of a field; requests may only widen, responses may only narrow."""
    if key == "default" and request:
        # A caller that leaves the field out gets other behaviour; oasdiff calls this INFO, we call it breaking (W3).
        if now is None:
            yield "breaking", "default removed"
        else:
            yield ("addition" if was is None else "breaking"), ("default added" if was is None else "default changed")
    elif key == "required":
        breaks = bool(now) if request else not now
        yield ("breaking" if breaks else "addition"), ("made required" if now else "made optional")
    elif key == "deprecated":
        yield ("deprecation" if now else "addition"), ("deprecated" if now else "no longer deprecated")
    elif key == "enum":
        yield from _enum(was, now, request)
    elif key in LOWER | UPPER:
        yield _bound(key, was, now, request)
    elif key == "type":
        olds, news = set(str(was or "").split(" | ")), set(str(now or "").split(" | "))
        compatible = bool(was and now) and (olds <= news if request else news <= olds)
        yield ("addition" if compatible else "breaking"), "type changed"
    elif key == "additionalProperties" and request:
        yield ("addition" if now is not False else "breaking"), "additional properties changed"
    elif key.startswith("x-") and was is None:
        yield "addition", f"{key} added"  # data recording what already held; changing or removing it still breaks
    else:
        yield "breaking", f"{key} changed"


def _field(
    op: str, side: str, path: str, old: Mapping[str, Json] | None, new: Mapping[str, Json] | None
) -> Iterator[Change]:
    """Grade one request (`side == "request"`) or response field."""
    request = side == "request"
    where = f"{op} {side} {path}"
    subject = _leaf(path)
    if old is None or new is None:
        if new is None:
            yield Change("breaking", "wire", where, "removed", subject=subject)
        elif request and new.get("required"):
            yield Change("breaking", "wire", where, "added as required", subject=subject)
        else:
            yield Change("addition", "wire", where, "added", subject=subject)
        return
    for key in sorted(set(old) | set(new)):
        was, now = old.get(key), new.get(key)
        if was != now:
            shown = (
                ("", "")
                if key == "deprecated"
                else (_show(was) if was is not None else "", _show(now) if now is not None else "")
            )
            for grade_, what in _attribute(key, was, now, request):
                yield Change(grade_, "wire", where, what, *shown, subject)


def _keyed(items: list[Json]) -> dict[str, Json] | None:
    if items and all(isinstance(i, Mapping) and "name" in i for i in items):
        return {str(i["name"]): i for i in items}
    return None


def _is_set(old: list[Json], new: list[Json]) -> bool:
    return all(not isinstance(i, Mapping | list) for i in [*old, *new])


def _list_data(where: str, old: list[Json], new: list[Json]) -> Iterator[Change]:
    """Grade a list in a data table: named rules (a new rule narrows) or a set of values."""
    subject = where.rsplit(" ", 1)[-1]
    o, n = _keyed(old), _keyed(new)
    if o is not None and n is not None:
        for key in sorted(set(o) | set(n)):
            if key not in n:
                yield Change("addition", "wire", f"{where}[{key}]", "rule removed", _show(o[key]), "", key)
            elif key not in o:
                yield Change("breaking", "wire", f"{where}[{key}]", "rule added", "", _show(n[key]), key)
            else:
                yield from _data(f"{where}[{key}]", o[key], n[key])
        return
    gone = [i for i in old if i not in new]
    added = [i for i in new if i not in old]
    if gone:
        yield Change("breaking", "wire", where, f"narrowed: {_show(gone)} removed", _show(old), _show(new), subject)
    if added:
        yield Change("addition", "wire", where, f"widened: {_show(added)} added", _show(old), _show(new), subject)


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
    if isinstance(old, list) and isinstance(new, list) and (_keyed(old) is not None or _is_set(old, new)):
        yield from _list_data(where, old, new)
        return
    if old == new:
        return
    if isinstance(old, int | float) and isinstance(new, int | float) and not isinstance(old, bool):
        grade: Grade = "breaking" if new < old else "addition"
        yield Change(grade, "wire", where, "decreased" if new < old else "increased", _show(old), _show(new), subject)
        return
    yield Change("breaking", "wire", where, "changed", _show(old), _show(new), subject)


def _operation(op: str, old: Mapping[str, Json], new: Mapping[str, Json]) -> Iterator[Change]:
    if old.get("security") != new.get("security"):
        yield Change(
            "breaking", "wire", op, "security changed", _show(old.get("security")), _show(new.get("security")), op
        )
    was_id, now_id = old.get("operation_id"), new.get("operation_id")
    if was_id != now_id:
        # The method and path are the operation on the wire; the id is a name for tools (W4).
        what = "operationId renamed: no wire change; tools that select or name operations by id see the new id"
        yield Change("info", "tooling", op, what, _show(was_id), _show(now_id), str(now_id))
    if old.get("deprecated") != new.get("deprecated"):
        yield Change(
            "deprecation" if new.get("deprecated") else "addition",
            "wire",
            op,
            "deprecated" if new.get("deprecated") else "no longer deprecated",
            subject=op,
        )
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
