"""Where the SDK's renderers learn the task families: maas_kl_specfacts' reading, plus names for Python.

maas_kl_specfacts derives each family (a create, the query its `links` point to, their tag) and
whether its creates can be recovered; this module adds what rendering Python needs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from maas_kl_specfacts import SpecFacts

COMPONENT = "#/components/schemas/"
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
    request_ref: str
    """The same schema as a `$ref`: `#/components/schemas/<request_schema>`."""
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
    """Return every task family of `spec` as maas_kl_specfacts derives them, in the order of the paths."""
    out = []
    for family in SpecFacts(spec).families.values():
        pointer = family.request_schema or ""
        if not pointer.startswith(COMPONENT):
            msg = (
                f"{family.create}: the generator needs the request body as a $ref to {COMPONENT}<Name>, not {pointer!r}"
            )
            raise ValueError(msg)
        out.append(
            Family(
                name=family.name,
                create_operation=family.create,
                create_path=family.create_path,
                get_operation=family.query,
                get_path=family.query_path,
                request_schema=pointer.removeprefix(COMPONENT),
                request_ref=pointer,
                recoverable=family.recoverable,
                description=family.description,
            )
        )
    return out
