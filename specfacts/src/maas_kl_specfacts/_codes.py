"""The business-code table (`x-business-codes`): code, HTTP status, meaning, error class and retry facts."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

JSON = Any


@dataclass(frozen=True, slots=True)
class BusinessCode:
    """One row of the table; `name` is the stable key product code uses instead of the number."""

    code: int
    status: int
    name: str
    meaning: str
    error_class: str
    retryable: bool
    may_have_created: bool
    default: bool = False


class CodeTable:
    """Every business code of the spec, looked up by number, by name, or by the HTTP status alone."""

    def __init__(self, rows: Iterable[BusinessCode]) -> None:
        self.rows = tuple(rows)
        self.by_code = {row.code: row for row in self.rows}
        self.by_name = {row.name: row for row in self.rows}
        self.default_for_status: dict[int, BusinessCode] = {}
        for row in self.rows:
            if row.default or row.status not in self.default_for_status:
                self.default_for_status[row.status] = row
        if len(self.by_code) != len(self.rows) or len(self.by_name) != len(self.rows):
            msg = "x-business-codes repeats a code or a name"
            raise ValueError(msg)

    @classmethod
    def from_document(cls, document: Mapping[str, JSON]) -> CodeTable:
        """Read `x-business-codes.codes` of a spec document."""
        raw = document.get("x-business-codes", {}).get("codes", [])
        return cls(
            BusinessCode(
                code=int(row["code"]),
                status=int(row["status"]),
                name=str(row["name"]),
                meaning=str(row["meaning"]),
                error_class=str(row["error_class"]),
                retryable=bool(row["retryable"]),
                may_have_created=bool(row.get("may_have_created", False)),
                default=bool(row.get("default", False)),
            )
            for row in raw
        )

    def named(self, name: str) -> BusinessCode:
        """Return the row called `name`; KeyError names the known ones."""
        try:
            return self.by_name[name]
        except KeyError:
            msg = f"no business code named {name!r} in x-business-codes (known: {', '.join(sorted(self.by_name))})"
            raise KeyError(msg) from None

    def for_status(self, status: int) -> BusinessCode | None:
        """Return the code served when only the HTTP `status` is known (the row marked `default`)."""
        return self.default_for_status.get(status)

    def statuses(self) -> frozenset[int]:
        """Every HTTP status some code is answered with."""
        return frozenset(row.status for row in self.rows)
