"""Conformance: judge one request or response against the spec, as a list of violations instead of a refusal.

The proxy and `make contract-recorded` ask only this module. It reads the spec's facts through the
mock's own interpreter (compiled schemas, the business-code table, the capability map), so there is
no second copy of them.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import orjson

from ._errors import ApiError
from ._router import Router
from ._spec import Operation, Spec
from ._specfacts import CapabilityMap
from ._validation import _schema_at

JSON = Any
REQUEST = "request"
RESPONSE = "response"
_ERROR_SCHEMA = "#/components/schemas/ErrorResponse"


@dataclass(frozen=True, slots=True)
class Violation:
    """One break of the spec: where (operation, direction, JSON pointer) and which rule, in words."""

    operation: str | None
    direction: str  # "request" or "response"
    pointer: str  # RFC 6901 pointer into the body ("" is the whole body)
    rule: str  # e.g. "schema:enum", "business-code", "capability-map", "status"
    message: str

    def to_json(self) -> dict[str, JSON]:
        """Return the violation as a JSON object (report lines, the control API)."""
        return asdict(self)

    def short(self) -> dict[str, str]:
        """Return the compact form the `x-maas-kl-violations` header carries."""
        return {"dir": self.direction, "pointer": self.pointer, "rule": self.rule}


def json_pointer(path: list[str | int] | tuple[str | int, ...]) -> str:
    """RFC 6901 pointer of an instance path: `/data/task_status`."""
    return "".join("/" + str(part).replace("~", "~0").replace("/", "~1") for part in path)


class Conformance:
    """Checks exchanges of one spec: request bodies, response envelopes, business codes, capabilities."""

    def __init__(self, spec: Spec, *, max_errors: int = 20) -> None:
        self.spec = spec
        self.router = Router(spec)
        self.capabilities = CapabilityMap(spec.capability_map)
        self.max_errors = max_errors

    def operation(self, method: str, path: str) -> tuple[Operation | None, dict[str, str], Violation | None]:
        """Return the operation `method path` names with its path parameters, or a violation saying why none."""
        try:
            route = self.router.match(method, path)
        except ApiError as error:
            return None, {}, Violation(None, REQUEST, "", "operation", error.message)
        return route.operation, route.params, None

    def is_create(self, op: Operation) -> bool:
        """Whether `op` creates a task (it is the create of one of the spec's task families)."""
        return any(family.create == op.operation_id for family in self.spec.facts.families.values())

    def check_request(self, op: Operation, params: dict[str, str], body: bytes) -> list[Violation]:
        """Violations of a request to `op`: path parameters, JSON body schema, capability map."""
        found: list[Violation] = []
        for name, pointer in op.path_params.items():
            value = params.get(name, "")
            for error in self.spec.validator(pointer).iter_errors(value):
                found.append(self._schema(op, REQUEST, error, prefix=f"#path/{name}"))
        if op.request_schema is None:
            return found
        parsed, problem = _parse(body)
        if problem is not None:
            return [*found, Violation(op.operation_id, REQUEST, "", "json", problem)]
        errors = list(_errors(self.spec, op.request_schema, parsed, self.max_errors))
        found.extend(self._schema(op, REQUEST, error) for error in errors)
        if not errors and isinstance(parsed, dict):
            for broken in self.capabilities.check(op.operation_id, parsed):
                pointer = "/" + broken.field.replace(".", "/")
                found.append(Violation(op.operation_id, REQUEST, pointer, "capability-map", broken.message))
        return found

    def check_response(self, op: Operation | None, status: int, content_type: str, body: bytes) -> list[Violation]:
        """Violations of an answer: declared status, JSON envelope schema, business code against the status."""
        name = op.operation_id if op else None
        if op is not None and status not in op.response_schemas:
            declared = ", ".join(str(s) for s in sorted(op.response_schemas))
            return [Violation(name, RESPONSE, "", "status", f"HTTP {status} is not declared; the spec has {declared}")]
        if "json" not in content_type.lower():
            return [Violation(name, RESPONSE, "", "content-type", f"expected application/json, got {content_type!r}")]
        parsed, problem = _parse(body)
        if problem is not None:
            return [Violation(name, RESPONSE, "", "json", problem)]
        pointer = op.response_schemas[status] if op is not None else (_ERROR_SCHEMA if status != 200 else None)
        found: list[Violation] = []
        if pointer is not None:
            found.extend(self._schema(op, RESPONSE, e) for e in _errors(self.spec, pointer, parsed, self.max_errors))
        code = parsed.get("code") if isinstance(parsed, dict) else None
        if status != 200 and isinstance(code, int) and not isinstance(code, bool):
            row = self.spec.facts.codes.by_code.get(code)
            if row is None:
                found.append(Violation(name, RESPONSE, "/code", "business-code", f"code {code} is not in the table"))
            elif row.status != status:
                found.append(
                    Violation(
                        name,
                        RESPONSE,
                        "/code",
                        "business-code",
                        f"code {code} ({row.meaning}) belongs with HTTP {row.status}, not HTTP {status}",
                    )
                )
        return found

    def _schema(self, op: Operation | None, direction: str, error: Any, prefix: str = "") -> Violation:
        keyword = next((str(p) for p in reversed(error.schema_path) if isinstance(p, str)), "schema")
        path = list(error.instance_path)
        try:
            detail = error.kind.as_dict()
        except Exception:  # a kind the binding cannot describe
            detail = {}
        if keyword == "required" and "property" in detail:
            path.append(str(detail["property"]))
        elif keyword == "not" and isinstance(error.instance, dict):
            forbidden = [k for k in _required_names(_schema_at(self.spec, error, keyword)) if k in error.instance]
            path.extend(forbidden[:1])
        pointer = prefix + json_pointer(path)
        return Violation(op.operation_id if op else None, direction, pointer, f"schema:{keyword}", error.message[:300])


def _required_names(schema: JSON) -> list[str]:
    if isinstance(schema, dict):
        names = schema.get("required", [])
        return [str(n) for n in names] if isinstance(names, list) else []
    return []


def _errors(spec: Spec, pointer: str, value: JSON, limit: int) -> list[Any]:
    try:
        return list(spec.validator(pointer).iter_errors(value))[:limit]
    except ValueError:  # nested beyond the validator's recursion limit
        return []


def _parse(body: bytes) -> tuple[JSON, str | None]:
    if not body:
        return None, "the body is empty; expected a JSON object"
    try:
        return orjson.loads(body), None
    except orjson.JSONDecodeError as exc:
        return None, f"the body is not valid JSON ({str(exc)[:120]})"
