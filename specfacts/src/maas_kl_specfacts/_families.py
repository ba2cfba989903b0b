"""Task families derived from the spec: a create, the query its `links` point to, and their tag."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from ._codes import CodeTable
from ._refs import escape, resolve
from ._statuses import TaskStatuses

JSON = Any
HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
TASK_ID_LINK = "$response.body#/data/task_id"
RECOVERY_FIELD = "external_task_id"


@dataclass(frozen=True, slots=True)
class Family:
    """One task family: the create operation and its query; `recoverable` when creates carry external_task_id."""

    name: str
    create: str
    query: str
    create_path: str
    query_path: str
    request_schema: str | None
    recoverable: bool
    description: str = ""
    """What the family is for, in the spec's words: its tag's description, else the create's summary."""


def snake(text: str) -> str:
    """Spell a tag in snake_case: `Video-Extend` -> `video_extend`."""
    text = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", text)
    return re.sub(r"[^0-9a-zA-Z]+", "_", text).strip("_").lower()


class SpecFacts:
    """The facts of one spec document: its operations, task families, business codes and task statuses."""

    def __init__(self, document: Mapping[str, JSON]) -> None:
        self.document = document
        self.codes = CodeTable.from_document(document)
        self.operations: dict[str, tuple[str, str, JSON]] = {}  # operationId -> (METHOD, path, operation)
        for path, item in (document.get("paths") or {}).items():
            if not isinstance(item, dict):
                continue
            for method in HTTP_METHODS:
                op = item.get(method)
                if isinstance(op, dict) and isinstance(op.get("operationId"), str):
                    self.operations[op["operationId"]] = (method.upper(), path, op)
        self.families = self._families()
        self.by_operation = {op: fam for fam in self.families.values() for op in (fam.create, fam.query)}

    def _families(self) -> dict[str, Family]:
        found: dict[str, Family] = {}
        described = {
            tag.get("name"): str(tag.get("description") or "")
            for tag in self.document.get("tags") or ()
            if isinstance(tag, dict)
        }
        for create_id, (method, path, op) in self.operations.items():
            query_id = self._task_link(op)
            if method != "POST" or query_id is None or query_id not in self.operations:
                continue
            tags = op.get("tags") or [create_id]
            name = snake(str(tags[0]))
            schema_pointer = self._request_schema(path, op)
            schema = resolve(self.document, {"$ref": schema_pointer}) if schema_pointer else {}
            properties = schema.get("properties", {}) if isinstance(schema, dict) else {}
            found[name] = Family(
                name=name,
                create=create_id,
                query=query_id,
                create_path=path,
                query_path=self.operations[query_id][1],
                request_schema=schema_pointer,
                recoverable=RECOVERY_FIELD in properties,
                description=described.get(tags[0]) or str(op.get("summary", name)),
            )
        return found

    def _task_link(self, op: JSON) -> str | None:
        """Return the operationId the 200 response links to by `data.task_id`, if any."""
        response = resolve(self.document, (op.get("responses") or {}).get("200", {}))
        for raw in (response.get("links") or {}).values():
            link = resolve(self.document, raw)
            if TASK_ID_LINK in (link.get("parameters") or {}).values() and isinstance(link.get("operationId"), str):
                return str(link["operationId"])
        return None

    def _request_schema(self, path: str, op: JSON) -> str | None:
        body = op.get("requestBody")
        if body is None:
            return None
        where = f"#/paths/{escape(path)}/post/requestBody"
        while isinstance(body, dict) and "$ref" in body:
            where = body["$ref"]
            body = resolve(self.document, {"$ref": where})
        if "schema" not in body.get("content", {}).get("application/json", {}):
            return None
        schema = body["content"]["application/json"]["schema"]
        if isinstance(schema, dict) and "$ref" in schema:
            return str(schema["$ref"])
        return f"{where}/content/application~1json/schema"

    @cached_property
    def statuses(self) -> TaskStatuses:
        """The task statuses by role; read on first use, so a document without a lifecycle still loads."""
        return TaskStatuses.from_document(self.document)

    def family(self, operation_id: str) -> Family | None:
        """Return the family `operation_id` belongs to, or None for an operation outside every family."""
        return self.by_operation.get(operation_id)

    def is_create(self, operation_id: str) -> bool:
        """Whether `operation_id` is the create of a family."""
        fam = self.by_operation.get(operation_id)
        return fam is not None and fam.create == operation_id
