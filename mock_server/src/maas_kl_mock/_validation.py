"""Validate stage: body and path parameters against the spec's JSON Schemas, with messages that name field and rule."""

from __future__ import annotations

from typing import Any

import jsonschema_rs
import orjson

from ._errors import ApiError
from ._http import MockRequest
from ._router import Route
from ._spec import Spec

JSON = Any
_JSON_TYPES = ("application/json",)


class RequestValidator:
    """Checks content type, encoding, JSON syntax and schema; answers 400 with the envelope otherwise."""

    def __init__(self, spec: Spec, max_body_bytes: int) -> None:
        self._spec = spec
        self.max_body_bytes = max_body_bytes

    def validate(self, request: MockRequest, route: Route) -> dict[str, JSON] | None:
        """Return the parsed JSON body (None when the operation has none), or refuse: invalid_request, invalid_value."""
        op = route.operation
        for name, pointer in op.path_params.items():
            value = route.params.get(name, "")
            validator = self._spec.validator(pointer)
            if not validator.is_valid(value):
                raise ApiError(
                    "invalid_value", _describe(self._spec, next(iter(validator.iter_errors(value))), f"path {name}")
                )
        if op.request_schema is None:
            return None
        body = self._parse(request)
        validator = self._spec.validator(op.request_schema)
        try:
            if validator.is_valid(body):
                return body  # type: ignore[no-any-return]
            error = next(iter(validator.iter_errors(body)))
        except ValueError:  # jsonschema-rs gives up on JSON nested deeper than its recursion limit (~250)
            raise ApiError(
                "invalid_request",
                "Invalid request parameters: the JSON body is nested too deeply to check; "
                "no field of this API nests more than a few levels",
            ) from None
        raise ApiError("invalid_value", _describe(self._spec, error, None))

    def _parse(self, request: MockRequest) -> JSON:
        if request.body_too_large or len(request.body) > self.max_body_bytes:
            raise ApiError(
                "invalid_request",
                f"Invalid request parameters: the body is larger than {self.max_body_bytes} bytes; "
                "send images as URLs or as Base64 of at most 10 MB",
            )
        content_type = request.headers.get("content-type", "")
        media_type = content_type.split(";", 1)[0].strip().lower()
        if media_type not in _JSON_TYPES:
            shown = content_type[:100] or "nothing"
            raise ApiError(
                "invalid_request", f"Invalid request parameters: Content-Type must be application/json, got {shown}"
            )
        if not request.body:
            raise ApiError(
                "invalid_request", "Invalid request parameters: the request body is empty; send a JSON object"
            )
        try:
            request.body.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise ApiError(
                "invalid_request",
                f"Invalid request parameters: the body is not valid UTF-8 (byte {exc.start}); encode it as UTF-8",
            ) from None
        try:
            return orjson.loads(request.body)
        except orjson.JSONDecodeError as exc:
            raise ApiError(
                "invalid_request", f"Invalid request parameters: the body is not valid JSON ({str(exc)[:120]})"
            ) from None


def field_name(path: list[str | int], prefix: str | None = None) -> str:
    """`camera_control.config.zoom` or `dynamic_masks[0].mask` for a JSON instance path."""
    text = prefix or ""
    for part in path:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text = f"{text}.{part}" if text else str(part)
    return text or "request body"


def _describe(spec: Spec, error: jsonschema_rs.ValidationError, prefix: str | None) -> str:
    where = field_name(list(error.instance_path), prefix)
    keyword = next((str(p) for p in reversed(error.schema_path) if isinstance(p, str)), "schema")
    kind = error.kind
    detail: dict[str, JSON] = {}
    try:
        detail = kind.as_dict()
    except Exception:  # a kind the binding cannot describe: fall back to the generic text
        detail = {}
    if keyword == "required" and "property" in detail:
        what = f"{field_name([*error.instance_path, detail['property']], prefix)} is required"
        where = ""
    elif keyword == "additionalProperties":
        unexpected = ", ".join(map(str, detail.get("unexpected", [])))[:200]
        what = f"unknown field(s) {unexpected}; remove them or check their spelling"
    elif keyword in ("maxLength", "minLength"):
        what = f"must be {'at most' if keyword == 'maxLength' else 'at least'} {detail.get('limit')} characters"
    elif keyword in ("maxItems", "minItems"):
        what = f"must have {'at most' if keyword == 'maxItems' else 'at least'} {detail.get('limit')} items"
    elif keyword in ("maximum", "minimum", "exclusiveMaximum", "exclusiveMinimum"):
        words = {"maximum": "at most", "minimum": "at least", "exclusiveMaximum": "below", "exclusiveMinimum": "above"}
        what = f"must be {words[keyword]} {detail.get('limit')}"
    elif keyword == "enum":
        options = ", ".join(repr(o) for o in detail.get("options", []))
        what = f"must be one of {options}"
    elif keyword == "type":
        what = f"must be of type {' or '.join(detail.get('types', []))}"
    elif keyword == "pattern":
        what = f"must match the pattern {detail.get('pattern')}"
    elif keyword == "const":
        what = f"must be {detail.get('expected_value')!r}"
    elif keyword == "dependentRequired":
        what = _dependencies(_schema_at(spec, error, keyword), error.instance)
    else:
        what = _composite(spec, error, keyword)
    message = f"{where}: {what}" if where else what
    return f"Invalid key or value: {message} (rule: {keyword})"


def _composite(spec: Spec, error: jsonschema_rs.ValidationError, keyword: str) -> str:
    schema = _schema_at(spec, error, keyword)
    if keyword in ("anyOf", "oneOf") and isinstance(schema, list):
        names = [",".join(b.get("required", [])) for b in schema if isinstance(b, dict) and b.get("required")]
        if len(names) == len(schema):
            quantity = "at least one" if keyword == "anyOf" else "exactly one"
            suffix = " (and valid)" if keyword == "oneOf" else ""
            return f"{quantity} of {', '.join(names)} must be given{suffix}; " + _schema_description(spec, error)
    if keyword == "not" and isinstance(error.instance, dict):
        present = [k for k in _fields_named(schema) if k in error.instance]
        if len(present) > 1:
            return f"{', '.join(present)} cannot be given together; " + _schema_description(spec, error)
        shown = f"{present[0]} " if present else ""
        return f"{shown}must not be given here; " + _schema_description(spec, error)
    return f"is not valid ({error.message[:160]}); " + _schema_description(spec, error)


def _schema_at(spec: Spec, error: jsonschema_rs.ValidationError, keyword: str) -> JSON:
    node: JSON = spec.document
    try:
        for part in error.schema_path:
            node = node[part]
    except (KeyError, IndexError, TypeError):
        return None
    return node


def _schema_description(spec: Spec, error: jsonschema_rs.ValidationError) -> str:
    """Return the description of the schema that holds the failing keyword: the spec's own words for the rule."""
    node: JSON = spec.document
    found = ""
    try:
        for part in error.schema_path:
            if isinstance(node, dict) and isinstance(node.get("description"), str):
                found = node["description"]
            node = node[part]
    except (KeyError, IndexError, TypeError):
        pass
    return " ".join(found.split())[:300] or "see the API reference"


def _fields_named(schema: JSON) -> list[str]:
    names: list[str] = []
    if isinstance(schema, dict):
        for value in schema.values():
            names.extend(_fields_named(value))
        for name in schema.get("required", []) if isinstance(schema.get("required"), list) else []:
            if name not in names:
                names.append(name)
    elif isinstance(schema, list):
        for item in schema:
            for name in _fields_named(item):
                if name not in names:
                    names.append(name)
    return names


def _dependencies(schema: JSON, instance: JSON) -> str:
    if isinstance(schema, dict) and isinstance(instance, dict):
        for name, needs in schema.items():
            missing = [n for n in needs if n not in instance] if name in instance else []
            if missing:
                return f"{name} needs {', '.join(missing)}; add {', '.join(missing)} or remove {name}"
    return "a field is missing the fields it depends on"
