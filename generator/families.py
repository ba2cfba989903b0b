"""Where the generator learns the task families: the one lookup every renderer calls.

A family is a create operation and its query operation sharing a tag; its creates can be
recovered when its request schema has `external_task_id`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

Json = dict[str, Any]


@dataclass(frozen=True)
class Family:
    """One task family as the spec declares it."""

    name: str
    """The tag, e.g. `text2video`."""
    create_operation: str
    create_path: str
    get_operation: str
    get_path: str
    request_schema: str
    """The component name of the create's request body schema."""
    recoverable: bool
    description: str
    """The tag's description (or the create's summary), for docstrings and CLI help."""

    @property
    def attribute(self) -> str:
        """The client attribute: the tag in snake_case."""
        return re.sub(r"\W+", "_", self.name).strip("_").lower()

    @property
    def command(self) -> str:
        """The CLI command: the tag with dashes."""
        return self.attribute.replace("_", "-")

    @property
    def class_name(self) -> str:
        """The resource class name, e.g. `Text2videoResource`."""
        return "".join(part[:1].upper() + part[1:] for part in self.attribute.split("_")) + "Resource"


def families(spec: Json) -> list[Family]:
    """Return every task family of `spec` in path order: a tag with one POST (create) and one GET (query)."""
    found: dict[str, Json] = {}
    for path, item in spec["paths"].items():
        for method, op in item.items():
            if method not in {"post", "get"}:
                continue
            entry = found.setdefault(op["tags"][0], {})
            entry[method] = (path, op)
    tags = {tag["name"]: tag.get("description", "") for tag in spec.get("tags", [])}
    out = []
    for name, entry in found.items():
        if "post" not in entry or "get" not in entry:
            continue
        create_path, create = entry["post"]
        get_path, get = entry["get"]
        ref = create["requestBody"]["content"]["application/json"]["schema"]["$ref"]
        schema_name = ref.rsplit("/", 1)[-1]
        properties = spec["components"]["schemas"][schema_name].get("properties", {})
        out.append(
            Family(
                name=name,
                create_operation=create["operationId"],
                create_path=create_path,
                get_operation=get["operationId"],
                get_path=get_path,
                request_schema=schema_name,
                recoverable="external_task_id" in properties,
                description=tags.get(name) or create.get("summary", name),
            )
        )
    return out
