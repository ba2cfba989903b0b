"""Request bodies as sent: a model or mapping merged with keyword fields, and a create's fresh recovery key."""

from __future__ import annotations

import enum
import sys
from collections.abc import Mapping
from typing import Any

from ._arguments import NotGiven


def new_external_task_id() -> str:
    """Make a fresh recovery key for a create: unique, opaque, well under the 256-character bound."""
    import uuid  # noqa: PLC0415 - creates only; uuid loads platform and subprocess

    return f"maaskl-{uuid.uuid4().hex}"


def _plain(value: Any) -> Any:
    """JSON-ready form of a field value: models to dicts, enums to their values, UNSET/None dropped."""
    if hasattr(value, "to_dict"):
        return _plain(value.to_dict())
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, Mapping):
        skipped = _skipped()
        return {str(k): _plain(v) for k, v in value.items() if v is not None and not isinstance(v, skipped)}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def _skipped() -> tuple[type, ...]:
    """NotGiven, and the models' Unset once they are loaded: an UNSET exists only after `.types` is imported."""
    types = sys.modules.get(f"{__package__}.types")
    return (NotGiven, types.Unset) if types is not None else (NotGiven,)


def build_body(body: Any, fields: Mapping[str, Any]) -> dict[str, Any]:
    """Merge a request model or mapping with keyword fields into the JSON body."""
    merged: dict[str, Any] = dict(_plain(body)) if body is not None else {}
    merged.update(_plain(dict(fields)))
    return merged
