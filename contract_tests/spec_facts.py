"""What the suite reads off the spec: the error-code table and the examples, so no test restates them."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from maas_kl_specfacts import BusinessCode, CapabilityMap, SpecFacts
from maas_kl_specfacts import resolve as resolve_in

ROOT = Path(__file__).resolve().parent.parent
SPEC_PATH = ROOT / "openapi" / "maas_kl.yaml"
JSON = Any


@cache
def spec() -> dict[str, JSON]:
    """Return the parsed spec (read once per process)."""
    loaded: dict[str, JSON] = yaml.safe_load(SPEC_PATH.read_text(encoding="utf-8"))
    return loaded


@cache
def facts() -> SpecFacts:
    """Read the spec's families and business codes with the interpreter the SDK and the mock share."""
    return SpecFacts(spec())


@cache
def capability_map() -> CapabilityMap:
    """Read `x-capability-map` (rules, defaults, the extension facts) with the shared interpreter."""
    return CapabilityMap(spec().get("x-capability-map") or {})


def code(name: str) -> BusinessCode:
    """Return the x-business-codes row called `name`."""
    return facts().codes.named(name)


def creates() -> dict[str, str]:
    """Each family's create operationId -> its query operationId."""
    return {family.create: family.query for family in facts().families.values()}


def resolve(node: JSON) -> JSON:
    """Follow local `$ref`s (the spec uses no remote references)."""
    return resolve_in(spec(), node)


@cache
def error_statuses() -> dict[int, int]:
    """Map each business code to its HTTP status, from the spec's one-example-per-code error responses (D9)."""
    table: dict[int, int] = {}
    for methods in spec()["paths"].values():
        for operation in methods.values():
            for status, response in operation["responses"].items():
                if status == "200":
                    continue
                for example in resolve(response)["content"]["application/json"].get("examples", {}).values():
                    table[int(example["value"]["code"])] = int(status)
    return table


@dataclass(frozen=True, slots=True)
class SpecExample:
    """One named example in the spec: where it sits and its value."""

    key: str  # stable identifier, e.g. "<operationId>.request.camera"
    operation_id: str
    method: str
    path: str
    kind: str  # "request", "response" or "parameter"
    status: int | None
    name: str
    value: JSON


def examples() -> Iterator[SpecExample]:
    """Yield every named example once: request bodies, path parameters, responses (shared ones under their name)."""
    seen: set[str] = set()
    for path, methods in spec()["paths"].items():
        for method, operation in methods.items():
            op_id = operation["operationId"]
            body = operation.get("requestBody", {}).get("content", {}).get("application/json", {})
            for name, example in body.get("examples", {}).items():
                yield SpecExample(
                    f"{op_id}.request.{name}", op_id, method.upper(), path, "request", None, name, example["value"]
                )
            for parameter in operation.get("parameters", []):
                for name, example in resolve(parameter).get("examples", {}).items():
                    key = f"{op_id}.parameter.{name}"
                    yield SpecExample(key, op_id, method.upper(), path, "parameter", None, name, example["value"])
            for status, response in operation["responses"].items():
                shared = response.get("$ref", "").rsplit("/", 1)[-1] if status != "200" else ""
                content = resolve(response).get("content", {}).get("application/json", {})
                for name, example in content.get("examples", {}).items():
                    key = f"responses.{shared}.{name}" if shared else f"{op_id}.{status}.{name}"
                    if key in seen:
                        continue
                    seen.add(key)
                    yield SpecExample(key, op_id, method.upper(), path, "response", int(status), name, example["value"])
