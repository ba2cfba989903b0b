"""Check a request body against the spec's documented rules and capability map before sending it.

The rules are data rendered from the spec into `_spec_data` (the dereferenced request schemas and
`x-capability-map`); the interpreter is `maas_kl_specfacts`, the same one the mock answers with,
so both name the same field and rule. Every message names the field and says what to fix. No I/O.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from typing import Any

from maas_kl_specfacts import CapabilityMap, Validator, Violation

from ._errors import PreflightError
from ._spec_data import CAPABILITY_MAP, REQUEST_SCHEMAS

CAPABILITIES = CapabilityMap(CAPABILITY_MAP)


@cache
def _validator(operation: str) -> Validator:
    return Validator(REQUEST_SCHEMAS[operation])


def violations(operation: str, body: Mapping[str, Any]) -> list[Violation]:
    """Return the schema violations of `body` in document order, or, when it has none, the capability ones."""
    return _validator(operation).violations(body) or CAPABILITIES.check(operation, body)


def _named(found: list[Violation]) -> list[tuple[str, str]]:
    return [(v.field or "body", v.message) for v in found]


def check_capabilities(operation: str, body: Mapping[str, Any]) -> list[tuple[str, str]]:
    """Check the model, mode and duration combination against every capability rule that applies."""
    return _named(CAPABILITIES.check(operation, body))


def validate(operation: str, body: Mapping[str, Any]) -> None:
    """Raise PreflightError listing every documented rule `body` breaks for `operation`."""
    found = violations(operation, body)
    if found:
        raise PreflightError(_named(found))
