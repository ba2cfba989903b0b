"""Local `$ref` resolution, written once: JSON pointers into the spec document."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

JSON = Any


def pointer(document: JSON, ref: str) -> JSON:
    """Return the node at the local reference `ref` (`#/a/b`, with `~1` for `/` and `~0` for `~`)."""
    node: JSON = document
    if ref in ("#", ""):
        return node
    for token in ref.removeprefix("#/").split("/"):
        key = token.replace("~1", "/").replace("~0", "~")
        node = node[int(key)] if isinstance(node, list) else node[key]
    return node


def resolve(document: JSON, node: JSON, *, siblings: bool = False) -> JSON:
    """Follow `$ref`s from `node` until it is an object without one.

    With `siblings`, keys written beside a `$ref` override the target's, as OpenAPI 3.1 reads them
    (`{"$ref": "#/components/schemas/Mode", "default": "std"}` is the Mode schema with that default);
    without, they are ignored, as OpenAPI 3.0 reads them.
    """
    seen: set[str] = set()
    while isinstance(node, Mapping) and "$ref" in node:
        ref = node["$ref"]
        if ref in seen:
            msg = f"$ref cycle at {ref}"
            raise ValueError(msg)
        seen.add(ref)
        target = pointer(document, ref)
        if siblings and isinstance(target, Mapping):
            target = {**target, **{k: v for k, v in node.items() if k != "$ref"}}
        node = target
    return node


def escape(token: str) -> str:
    """Escape one JSON-pointer token."""
    return token.replace("~", "~0").replace("/", "~1")
