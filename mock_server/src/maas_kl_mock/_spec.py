"""The OpenAPI document the mock obeys: loaded and compiled once, then only read."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import jsonschema_rs
import yaml
from maas_kl_specfacts import SpecFacts, Validator
from maas_kl_specfacts import pointer as _pointer
from maas_kl_specfacts import resolve as _resolve

from ._errors import SpecError, check_codes

JSON = Any
SPEC_URI = "urn:maas-kl:spec"
HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


@dataclass(frozen=True, slots=True)
class Operation:
    """One operation of the spec, with what the pipeline needs to serve it."""

    operation_id: str
    method: str
    path: str  # relative to the server URL, e.g. /videos/text2video/{id}
    segments: tuple[str, ...]
    request_schema: str | None  # JSON pointer into the spec
    path_params: dict[str, str]  # name -> JSON pointer of its schema
    responses: dict[int, dict[str, JSON]]  # status -> resolved response object
    response_schemas: dict[int, str] = field(default_factory=dict)  # status -> JSON pointer

    def examples(self, status: int) -> dict[str, JSON]:
        """Named example bodies of the `status` response (name -> value)."""
        content = self.responses.get(status, {}).get("content", {}).get("application/json", {})
        return {name: ex["value"] for name, ex in content.get("examples", {}).items()}


class Spec:
    """The parsed spec, its compiled validators and its capability data; one per spec file."""

    def __init__(self, document: dict[str, JSON]) -> None:
        self.document = document
        self.facts = SpecFacts(document)
        check_codes(self.facts.codes)
        self._registry = jsonschema_rs.Registry([(SPEC_URI, document)])
        self._validators: dict[str, jsonschema_rs.Validator] = {}
        self._interpreters: dict[str, Validator] = {}
        self.base_path = self._base_path(document)
        self.operations = self._operations(document)
        self.capability_map: dict[str, JSON] = document.get("x-capability-map", {})
        for op in self.operations:  # compile everything now, not on the first request
            for pointer in (op.request_schema, *op.path_params.values(), *op.response_schemas.values()):
                if pointer:
                    self.validator(pointer)
                    self.interpreter(pointer)  # an unknown keyword fails here (UnknownKeywordError), at start-up

    def validator(self, pointer: str) -> jsonschema_rs.Validator:
        """Return the compiled validator of the schema at `pointer` (e.g. `#/components/schemas/Task`)."""
        found = self._validators.get(pointer)
        if found is None:
            found = jsonschema_rs.Draft202012Validator({"$ref": SPEC_URI + pointer}, registry=self._registry)
            self._validators[pointer] = found
        return found

    def interpreter(self, pointer: str) -> Validator:
        """Return the shared `specfacts` reading of the schema at `pointer`: the words of a refusal (F6)."""
        found = self._interpreters.get(pointer)
        if found is None:
            found = self._interpreters[pointer] = Validator(self.pointer(pointer), self.document)
        return found

    def resolve(self, node: JSON) -> JSON:
        """Follow local `$ref`s to the object they name."""
        return _resolve(self.document, node)

    def pointer(self, ref: str) -> JSON:
        """Return the node at local reference `ref` (`#/a/b`)."""
        return _pointer(self.document, ref)

    @staticmethod
    def _base_path(document: dict[str, JSON]) -> tuple[str, ...]:
        url = document["servers"][0]["url"]
        path = urlsplit(url.replace("{", "%7B").replace("}", "%7D")).path
        path = path.replace("%7B", "{").replace("%7D", "}")
        return tuple(part for part in path.split("/") if part)

    def _locate(self, node: JSON, pointer: str) -> tuple[JSON, str]:
        """Follow `$ref`s from `node` (found at `pointer`), keeping track of where it ends up."""
        while isinstance(node, dict) and "$ref" in node:
            pointer = node["$ref"]
            node = self.pointer(pointer)
        return node, pointer

    def _operations(self, document: dict[str, JSON]) -> list[Operation]:
        found: list[Operation] = []
        for path, item in document.get("paths", {}).items():
            item_pointer = "#/paths/" + path.replace("~", "~0").replace("/", "~1")
            for method in HTTP_METHODS:
                raw = item.get(method)
                if raw is None:
                    continue
                op_pointer = f"{item_pointer}/{method}"
                params = [
                    self._locate(p, f"{item_pointer}/parameters/{i}") for i, p in enumerate(item.get("parameters", []))
                ] + [self._locate(p, f"{op_pointer}/parameters/{i}") for i, p in enumerate(raw.get("parameters", []))]
                path_params = {p["name"]: f"{where}/schema" for p, where in params if p.get("in") == "path"}
                body, body_pointer = self._locate(raw.get("requestBody", {}), f"{op_pointer}/requestBody")
                has_body_schema = "schema" in body.get("content", {}).get("application/json", {})
                responses: dict[int, dict[str, JSON]] = {}
                schemas: dict[int, str] = {}
                for status, response in raw.get("responses", {}).items():
                    if not re.fullmatch(r"[1-5][0-9][0-9]", str(status)):
                        continue
                    resolved, where = self._locate(response, f"{op_pointer}/responses/{status}")
                    responses[int(status)] = resolved
                    if "schema" in resolved.get("content", {}).get("application/json", {}):
                        schemas[int(status)] = f"{where}/content/application~1json/schema"
                found.append(
                    Operation(
                        operation_id=raw["operationId"],
                        method=method.upper(),
                        path=path,
                        segments=tuple(part for part in path.split("/") if part),
                        request_schema=f"{body_pointer}/content/application~1json/schema" if has_body_schema else None,
                        path_params=path_params,
                        responses=responses,
                        response_schemas=schemas,
                    )
                )
        return found

    def operation(self, operation_id: str) -> Operation:
        """Return the operation called `operation_id`; KeyError when the spec has none."""
        for op in self.operations:
            if op.operation_id == operation_id:
                return op
        raise KeyError(operation_id)


def bundled_spec_path() -> Path:
    """Where the spec shipped inside the package lives."""
    return Path(str(resources.files("maas_kl_mock") / "data" / "maas_kl.yaml"))


@cache
def load_spec(path: Path | None = None) -> Spec:
    """Parse and compile the spec at `path` (the bundled one by default), once per process."""
    where = path or bundled_spec_path()
    try:
        with where.open(encoding="utf-8") as handle:
            document = yaml.safe_load(handle)
    except (OSError, yaml.YAMLError) as exc:
        msg = f"cannot read the spec {where}: {exc}"
        raise SpecError(msg) from None
    if not isinstance(document, dict):
        msg = f"the spec {where} is not a YAML/JSON object"
        raise SpecError(msg)
    try:
        return Spec(document)
    except SpecError:
        raise
    except (KeyError, TypeError, ValueError, jsonschema_rs.ValidationError) as exc:
        msg = f"the spec {where} cannot drive the mock: {type(exc).__name__}: {exc}"
        raise SpecError(msg) from None
