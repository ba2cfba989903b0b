"""The task lifecycle (`x-task-lifecycle` on the status enum): which status starts, runs, succeeds and fails."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

JSON = Any
LIFECYCLE = "x-task-lifecycle"


@dataclass(frozen=True, slots=True)
class TaskStatuses:
    """The status values by role, so product code compares against the spec's words instead of its own."""

    initial: str
    running: str
    succeeded: str
    failed: str
    values: tuple[str, ...]

    @property
    def finished(self) -> frozenset[str]:
        """The statuses a task ends in."""
        return frozenset({self.succeeded, self.failed})

    @classmethod
    def from_document(cls, document: Mapping[str, JSON]) -> TaskStatuses:
        """Read the one schema that carries `x-task-lifecycle`; its enum lists every status."""
        marked = [
            schema
            for schema in (document.get("components", {}).get("schemas") or {}).values()
            if isinstance(schema, Mapping) and LIFECYCLE in schema
        ]
        if len(marked) != 1:
            msg = f"the spec must mark exactly one status enum with {LIFECYCLE}, found {len(marked)}"
            raise ValueError(msg)
        roles, values = marked[0][LIFECYCLE], tuple(str(v) for v in marked[0].get("enum", ()))
        initial, running, succeeded, failed = (
            str(roles[role]) for role in ("initial", "running", "succeeded", "failed")
        )
        statuses = cls(initial, running, succeeded, failed, values)
        unknown = {statuses.initial, statuses.running, *statuses.finished} - set(values)
        if unknown:
            msg = f"{LIFECYCLE} names statuses its enum lacks: {sorted(unknown)}"
            raise ValueError(msg)
        return statuses
