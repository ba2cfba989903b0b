"""No documented field or bound can disappear from the spec: openapi/doc_fields.yaml pins them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
import yaml

from tests.spec.spec_model import DOC_FIELDS_PATH, resolve


@dataclass(frozen=True)
class Row:
    """One field row of the document, with the spec location and constraints it maps to."""

    table: str
    field: str
    location: str
    constraints: dict[str, Any]


def _rows() -> list[Row]:
    with DOC_FIELDS_PATH.open(encoding="utf-8") as handle:
        data = yaml.safe_load(handle)
    rows = []
    for table in data["tables"]:
        base = table.get("base")
        for row in table["rows"]:
            location = row["location"] if base is None else f"{base}/{row['location']}"
            rows.append(Row(table["table"], row["field"], location, row["constraints"]))
    return rows


ROWS = _rows()
DOCUMENT_ROW_COUNT = 1 + 17 + 2 + 24 + 2 + 2 + 1


def test_every_document_row_is_listed() -> None:
    assert len(ROWS) == DOCUMENT_ROW_COUNT
    assert len({(r.table, r.field) for r in ROWS}) == DOCUMENT_ROW_COUNT


@pytest.mark.parametrize("row", ROWS, ids=[f"{r.table.split(' - ', 1)[-1]}:{r.field}" for r in ROWS])
def test_spec_carries_the_documented_constraints(row: Row) -> None:
    node = resolve(row.location)
    for keyword, expected in row.constraints.items():
        if keyword == "required" and "/properties/" in row.location:
            parent_pointer, _, name = row.location.rpartition("/properties/")
            actual: Any = name in resolve(parent_pointer).get("required", [])
        else:
            actual = node.get(keyword)
        assert actual == expected, f"{row.field}: {keyword} is {actual!r} in the spec, the document needs {expected!r}"
