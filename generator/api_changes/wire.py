"""The wire surface of the spec as a normalised report: what a caller can send, and what it gets back.

The report keeps every fact a client depends on (operations, parameters and request fields with
their types, requiredness, enums and bounds; statuses and response fields; business codes; the
capability map) and drops prose (descriptions, titles, summaries, examples), so a wording change
changes nothing here. Keys the normaliser does not know are kept as they are, so a fact the spec
adds later still shows up and is still compared.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from typing import Any

from maas_kl_specfacts import resolve

HTTP_METHODS = ("get", "put", "post", "delete", "patch", "head", "options", "trace")
# Prose and presentation: never part of the contract.
PROSE = frozenset(
    {"description", "title", "summary", "examples", "example", "$comment", "x-enum-varnames", "externalDocs", "meaning"}
)
# Keys the flattener turns into fields of their own (or reads as requiredness).
STRUCTURE = frozenset({"properties", "items", "required", "allOf", "$ref", "type"})
# `$ref`s are resolved by maas_kl_specfacts with their sibling keys kept (OpenAPI 3.1), so a
# description or default written beside a ref is part of the field it describes.

Json = Any


def _strip(spec: Mapping[str, Json], node: Json) -> Json:
    """Copy any spec fragment without prose or refs, keys sorted (for rules kept as data)."""
    node = resolve(spec, node, siblings=True)
    if isinstance(node, Mapping):
        return {str(k): _strip(spec, v) for k, v in sorted(node.items()) if k not in PROSE}
    if isinstance(node, list):
        return [_strip(spec, v) for v in node]
    return node


def _merged(spec: Mapping[str, Json], raw: Json) -> dict[str, Json]:
    """Fold a schema's `allOf` parts in: properties and `required` become unions."""
    schema: dict[str, Json] = dict(resolve(spec, raw, siblings=True) or {})
    parts = [_merged(spec, part) for part in schema.pop("allOf", [])]
    for part in parts:
        for key, value in part.items():
            if key == "properties":
                schema["properties"] = {**value, **schema.get("properties", {})}
            elif key == "required":
                schema["required"] = sorted({*schema.get("required", []), *value})
            else:
                schema.setdefault(key, value)
    return schema


def _types(schema: Mapping[str, Json]) -> str | None:
    kind = schema.get("type")
    if kind is None:
        return None
    kinds = [kind] if isinstance(kind, str) else list(kind)
    if schema.get("nullable") is True:
        kinds.append("null")
    return " | ".join(sorted(set(kinds)))


def _facts(spec: Mapping[str, Json], schema: Mapping[str, Json], *, required: bool) -> dict[str, Json]:
    """One field's facts: type, required, enum, bounds and every other non-prose keyword."""
    facts: dict[str, Json] = {"required": required}
    kind = _types(schema)
    if kind is not None:
        facts["type"] = kind
    for key, value in schema.items():
        if key in PROSE or key in STRUCTURE or key in ("nullable",):
            continue
        if key == "enum":
            facts["enum"] = sorted(value, key=json.dumps)
        elif key == "additionalProperties" and isinstance(value, Mapping):
            facts["additionalProperties"] = _strip(spec, value) or True
        else:
            facts[key] = _strip(spec, value)
    return facts


def fields(
    spec: Mapping[str, Json], schema: Json, prefix: str, *, required: bool
) -> Iterator[tuple[str, dict[str, Json]]]:
    """Flatten a schema into `(path, facts)` pairs: `a.b` for properties, `a[]` for array items."""
    merged = _merged(spec, schema)
    yield prefix, _facts(spec, merged, required=required)
    needed = set(merged.get("required", []))
    for name, child in sorted(merged.get("properties", {}).items()):
        yield from fields(spec, child, f"{prefix}.{name}", required=name in needed)
    if "items" in merged and isinstance(merged["items"], Mapping):
        yield from fields(spec, merged["items"], f"{prefix}[]", required=True)


def _content(spec: Mapping[str, Json], content: Mapping[str, Json], prefix: str) -> dict[str, Json]:
    out: dict[str, Json] = {}
    for media, body in sorted(content.items()):
        label = prefix if len(content) == 1 else f"{prefix}<{media}>"
        out[f"{label}:media"] = {"media_type": media}
        if "schema" in body:
            out.update(dict(fields(spec, body["schema"], label, required=True)))
    return out


def _operation(spec: Mapping[str, Json], path: str, method: str, item: Mapping[str, Json]) -> dict[str, Json]:
    op = item[method]
    security = op.get("security", spec.get("security", []))
    request: dict[str, Json] = {}
    for raw in [*item.get("parameters", []), *op.get("parameters", [])]:
        param = resolve(spec, raw, siblings=True)
        name = f"{param['in']}.{param['name']}"
        facts = {k: _strip(spec, v) for k, v in sorted(param.items()) if k not in {*PROSE, "name", "in", "schema"}}
        schema_facts = _facts(spec, _merged(spec, param.get("schema", {})), required=bool(param.get("required")))
        request[name] = {**schema_facts, **facts, "required": bool(param.get("required"))}
    if "requestBody" in op:
        body = resolve(spec, op["requestBody"], siblings=True)
        request["body:required"] = {"required": bool(body.get("required"))}
        request.update(_content(spec, body.get("content", {}), "body"))
    responses: dict[str, Json] = {}
    for status, raw in sorted(op.get("responses", {}).items()):
        response = resolve(spec, raw, siblings=True)
        entry: dict[str, Json] = {}
        for header, hraw in sorted(response.get("headers", {}).items()):
            hdr = resolve(spec, hraw, siblings=True)
            entry[f"header.{header}"] = _facts(
                spec, _merged(spec, hdr.get("schema", {})), required=bool(hdr.get("required"))
            )
        entry.update(_content(spec, response.get("content", {}), "body"))
        entry["links"] = sorted(response.get("links", {}))
        responses[str(status)] = entry
    return {
        "operation_id": op.get("operationId"),
        "deprecated": bool(op.get("deprecated", False)),
        "security": sorted(name for requirement in security for name in requirement),
        "request": request,
        "responses": responses,
    }


def _codes_from_responses(spec: Mapping[str, Json]) -> dict[str, dict[str, Json]]:
    """Read business codes off the error responses' examples, when the spec has no code table."""
    codes: dict[str, dict[str, Json]] = {}
    for item in spec.get("paths", {}).values():
        for method in HTTP_METHODS:
            for status, raw in item.get(method, {}).get("responses", {}).items():
                for body in resolve(spec, raw, siblings=True).get("content", {}).values():
                    for example in body.get("examples", {}).values():
                        value = resolve(spec, example, siblings=True).get("value")
                        if isinstance(value, Mapping) and isinstance(value.get("code"), int) and value["code"] != 0:
                            codes[str(value["code"])] = {"status": int(status)}
    return codes


def business_codes(spec: Mapping[str, Json]) -> dict[str, dict[str, Json]]:
    """Read the business codes by code: from `x-business-codes` when present, else from error examples."""
    table = spec.get("x-business-codes")
    if table is None:
        return dict(sorted(_codes_from_responses(spec).items(), key=lambda kv: int(kv[0])))
    rows = table.get("codes", []) if isinstance(table, Mapping) else table
    codes = {
        str(row["code"]): {k: _strip(spec, v) for k, v in sorted(row.items()) if k not in {*PROSE, "code"}}
        for row in rows
    }
    return dict(sorted(codes.items(), key=lambda kv: int(kv[0])))


def operation_key(method: str, path: str) -> str:
    """Name an operation as the wire knows it, `POST /videos/text2video`: its operationId is only what tools call it."""
    return f"{method.upper()} {path}"


def _on_the_wire(node: Json, by_id: Mapping[str, str]) -> Json:
    """Name the operations a data table refers to (`operation: <operationId>`) by method and path instead."""
    if isinstance(node, Mapping):
        return {
            k: by_id.get(v, v) if k == "operation" and isinstance(v, str) else _on_the_wire(v, by_id)
            for k, v in node.items()
        }
    if isinstance(node, list):
        return [_on_the_wire(v, by_id) for v in node]
    return node


def report(spec: Mapping[str, Json]) -> dict[str, Json]:
    """Build the wire report: version, servers, security, operations by method and path, codes, capabilities."""
    operations: dict[str, Json] = {}
    for path, raw_item in sorted(spec.get("paths", {}).items()):
        item = resolve(spec, raw_item, siblings=True)
        for method in HTTP_METHODS:
            if method in item:
                operations[operation_key(method, path)] = _operation(spec, path, method, item)
    codes = business_codes(spec)
    for op in operations.values():
        statuses = {int(s) for s in op["responses"] if s.isdigit()}
        op["business_codes"] = [int(c) for c, row in codes.items() if row.get("status") in statuses]
    capability = spec.get("x-capability-map")
    if capability is not None:
        by_id = {op["operation_id"]: key for key, op in operations.items() if op.get("operation_id")}
        capability = _on_the_wire(_strip(spec, capability), by_id)
    return {
        "wire_version": str(spec.get("info", {}).get("version", "")),
        "servers": _strip(spec, spec.get("servers", [])),
        "security_schemes": _strip(spec, spec.get("components", {}).get("securitySchemes", {})),
        "operations": dict(sorted(operations.items())),
        "business_codes": codes,
        "capabilities": capability if capability is not None else {},
    }
