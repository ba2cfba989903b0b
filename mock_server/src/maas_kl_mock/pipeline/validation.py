"""Validate stage: body and path parameters against the spec's JSON Schemas, with messages that name field and rule."""

from __future__ import annotations

from typing import Any

import jsonschema_rs
import orjson
from maas_kl_specfacts import Violation, image_limits

from .._errors import ApiError
from .._http import MockRequest
from .._spec import Spec
from .router import Route

JSON = Any
_JSON_TYPES = ("application/json",)


class RequestValidator:
    """Checks content type, encoding, JSON syntax and schema; answers 400 with the envelope otherwise.

    jsonschema-rs accepts (fast); a refusal is worded by the shared `maas_kl_specfacts` interpreter, the one the
    SDK's preflight uses, so both name the same field and rule (F6).
    """

    def __init__(self, spec: Spec, max_body_bytes: int) -> None:
        self._spec = spec
        self.max_body_bytes = max_body_bytes
        self.image_hint = _image_hint(spec.document)

    def validate(self, request: MockRequest, route: Route) -> dict[str, JSON] | None:
        """Return the parsed JSON body (None when the operation has none), or refuse: invalid_request, invalid_value."""
        op = route.operation
        for name, pointer in op.path_params.items():
            value = route.params.get(name, "")
            validator = self._spec.validator(pointer)
            if not validator.is_valid(value):
                raise ApiError(
                    "invalid_value",
                    _refusal(self._spec.interpreter(pointer).first(value), validator, value, f"path {name}"),
                )
        if op.request_schema is None:
            return None
        body = self._parse(request)
        validator = self._spec.validator(op.request_schema)
        try:
            if validator.is_valid(body):
                return body  # type: ignore[no-any-return]
            message = _refusal(self._spec.interpreter(op.request_schema).first(body), validator, body, None)
        except ValueError:  # jsonschema-rs gives up on JSON nested deeper than its recursion limit (~250)
            raise ApiError(
                "invalid_request",
                "Invalid request parameters: the JSON body is nested too deeply to check; "
                "no field of this API nests more than a few levels",
            ) from None
        raise ApiError("invalid_value", message)

    def _parse(self, request: MockRequest) -> JSON:
        if request.body_too_large or len(request.body) > self.max_body_bytes:
            raise ApiError(
                "invalid_request",
                f"Invalid request parameters: the body is larger than {self.max_body_bytes} bytes{self.image_hint}",
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


def _refusal(found: Violation | None, fast: jsonschema_rs.Validator, instance: JSON, prefix: str | None) -> str:
    """Word a refusal with the one interpreter, as the SDK's preflight does; jsonschema-rs's words as a fallback."""
    if found is None:  # the two disagree: say what jsonschema-rs found rather than nothing
        error = next(iter(fast.iter_errors(instance)))
        found = Violation("".join(f"/{p}" for p in error.instance_path), "schema", error.message[:200])
    where = found.field
    if prefix:
        where = f"{prefix}{'.' + where if where else ''}"
    return f"Invalid key or value: {where or 'request body'}: {found.message} (rule: {found.rule})"


def _image_hint(document: JSON) -> str:
    """How to send images within the spec's `x-image` size, for the too-large refusal; empty without images."""
    sizes = [limits.max_bytes for limits in image_limits(document)]
    return f"; send images as URLs or as Base64 of at most {max(sizes) / (1024 * 1024):g} MB" if sizes else ""
