"""Derive the generator's view of the spec: the same API without validation-only composition.

openapi/maas_kl.yaml states every documented rule, including cross-field ones written with
`oneOf`, `anyOf`, `not`, `if`/`then`/`else` and `dependentRequired`. openapi-python-client would
turn those into union types or warnings, so the generator reads a copy where they are removed;
the SDK enforces the same rules in its preflight instead.
"""

from __future__ import annotations

import copy
from typing import Any

from maas_kl_specfacts import resolve

# Keywords that only constrain values; removing them never changes the shape of a model.
VALIDATION_ONLY = frozenset(
    {
        "oneOf",
        "anyOf",
        "not",
        "if",
        "then",
        "else",
        "dependentRequired",
        "dependentSchemas",
        "const",
    }
)

Json = dict[str, Any]


def _is_scalar(schema: Any) -> bool:
    return isinstance(schema, dict) and schema.get("type") in {"string", "number", "integer", "boolean"}


def _strip(node: Any, spec: Json) -> Any:
    """Return a copy of `node` with validation-only keywords removed and scalar `allOf` refs inlined."""
    if isinstance(node, list):
        return [_strip(item, spec) for item in node]
    if not isinstance(node, dict):
        return node
    out: Json = {}
    for key, value in node.items():
        if key in VALIDATION_ONLY:
            continue
        out[key] = _strip(value, spec)
    # `allOf: [{$ref: Scalar}]` only exists to attach a description to a reused scalar; the
    # generator would make a model of it, so inline the scalar and keep the local description.
    all_of = out.get("allOf")
    if isinstance(all_of, list) and len(all_of) == 1 and "$ref" in all_of[0]:
        target = resolve(spec, all_of[0])
        if _is_scalar(target):
            merged = _strip(copy.deepcopy(target), spec)
            del out["allOf"]
            merged.update(out)
            out = merged
    return out


def for_generator(spec: Json) -> Json:
    """Return the generator's view of `spec`; the input is left untouched."""
    view: Json = _strip(spec, spec)
    # Vendor data is read by generator.spec_data, not by openapi-python-client.
    view.pop("x-capability-map", None)
    return view
