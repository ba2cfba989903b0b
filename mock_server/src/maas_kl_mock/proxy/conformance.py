"""Conformance: judge one request or response against the spec, as a list of violations instead of a refusal.

The proxy and `make contract-recorded` ask only this module. It reads the spec's facts through the
mock's own interpreter (compiled schemas, the business-code table, the capability map), so there is
no second copy of them.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import orjson
from maas_kl_specfacts import CapabilityMap
from maas_kl_specfacts import Violation as Broken

from .._errors import ApiError
from .._spec import Operation, Spec
from ..pipeline.router import Router

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
            for broken in self._errors(pointer, value):
                found.append(self._schema(op, REQUEST, broken, prefix=f"#path/{name}"))
        if op.request_schema is None:
            return found
        parsed, problem = _parse(body)
        if problem is not None:
            return [*found, Violation(op.operation_id, REQUEST, "", "json", problem)]
        errors = self._errors(op.request_schema, parsed)
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
            found.extend(self._schema(op, RESPONSE, e) for e in self._errors(pointer, parsed))
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

    def _errors(self, pointer: str, value: JSON) -> list[Broken]:
        """Return the shared interpreter's violations (the mock's and the SDK's words), at most `max_errors`."""
        return self.spec.interpreter(pointer).violations(value)[: self.max_errors]

    @staticmethod
    def _schema(op: Operation | None, direction: str, broken: Broken, prefix: str = "") -> Violation:
        name = op.operation_id if op else None
        return Violation(name, direction, prefix + broken.pointer, f"schema:{broken.rule}", broken.message[:300])


def _parse(body: bytes) -> tuple[JSON, str | None]:
    if not body:
        return None, "the body is empty; expected a JSON object"
    try:
        return orjson.loads(body), None
    except orjson.JSONDecodeError as exc:
        return None, f"the body is not valid JSON ({str(exc)[:120]})"
