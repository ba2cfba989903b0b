"""Loads openapi/maas_kl.yaml and answers questions about it, so each spec test stays short."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

ROOT = Path(__file__).resolve().parents[2]
SPEC_PATH = ROOT / "openapi" / "maas_kl.yaml"
DOC_FIELDS_PATH = ROOT / "openapi" / "doc_fields.yaml"
SPEC_URI = "urn:maas-kl:spec"

JSON = Any


@cache
def load_spec() -> dict[str, JSON]:
    """Parse the spec once per test session; it never changes under a run."""
    with SPEC_PATH.open(encoding="utf-8") as handle:
        spec: dict[str, JSON] = yaml.safe_load(handle)
    return spec


@cache
def _registry() -> Registry[JSON]:
    resource: Resource[JSON] = Resource.from_contents(load_spec(), default_specification=DRAFT202012)
    registry: Registry[JSON] = Registry().with_resource(SPEC_URI, resource)
    return registry


def validator(pointer: str) -> Draft202012Validator:
    """A validator for the schema at `pointer` (e.g. `#/components/schemas/Task`), refs resolved."""
    return Draft202012Validator({"$ref": SPEC_URI + pointer}, registry=_registry())


def schema_validator(schema: Mapping[str, JSON]) -> Draft202012Validator:
    """A validator for an inline schema that may hold `#/components/...` refs into the spec."""
    return Draft202012Validator(_rebase(schema), registry=_registry())


def _rebase(node: JSON) -> JSON:
    if isinstance(node, dict):
        return {k: (SPEC_URI + v if k == "$ref" and v.startswith("#") else _rebase(v)) for k, v in node.items()}
    if isinstance(node, list):
        return [_rebase(item) for item in node]
    return node


def _unescape(token: str) -> str:
    return token.replace("~1", "/").replace("~0", "~")


def deref(node: JSON) -> JSON:
    """Follow `$ref` and single-member `allOf` until a concrete node is reached."""
    spec = load_spec()
    while isinstance(node, dict):
        if "$ref" in node:
            target: JSON = spec
            for token in node["$ref"].lstrip("#/").split("/"):
                target = target[_unescape(token)]
            node = {**target, **{k: v for k, v in node.items() if k != "$ref"}}
        elif len(node.get("allOf", [])) == 1:
            rest = {k: v for k, v in node.items() if k != "allOf"}
            node = {**deref(node["allOf"][0]), **rest}
        else:
            break
    return node


def resolve(pointer: str) -> JSON:
    """The effective node at a JSON pointer, following refs at every step."""
    node: JSON = load_spec()
    for token in pointer.lstrip("#/").split("/"):
        node = deref(node)
        node = node[int(token)] if isinstance(node, list) else node[_unescape(token)]
    return deref(node)


@dataclass(frozen=True)
class Example:
    """One example value in the spec, and the schema it must satisfy."""

    where: str
    schema: Mapping[str, JSON]
    value: JSON


def iter_examples() -> Iterator[Example]:
    """Every request, response and parameter example in the spec."""
    spec = load_spec()
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            where = f"{method.upper()} {path}"
            body = operation.get("requestBody")
            if body:
                yield from _media_examples(f"{where} request", deref(body)["content"])
            for code, response in operation["responses"].items():
                yield from _media_examples(f"{where} {code}", deref(response).get("content", {}))
            for ref in operation.get("parameters", []):
                parameter = deref(ref)
                for name, example in parameter.get("examples", {}).items():
                    yield Example(
                        f"{where} parameter {parameter['name']} {name}", parameter["schema"], example["value"]
                    )


def _media_examples(where: str, content: Mapping[str, JSON]) -> Iterator[Example]:
    for media in content.values():
        for name, example in media.get("examples", {}).items():
            yield Example(f"{where} {name}", media["schema"], deref(example)["value"])
        if "example" in media:
            yield Example(f"{where} example", media["schema"], media["example"])


def operations() -> Iterator[tuple[str, str, dict[str, JSON]]]:
    """(path, method, operation) for every operation in the spec."""
    for path, item in load_spec()["paths"].items():
        for method, operation in item.items():
            yield path, method, operation
