"""Local `$ref`s, resolved once for every reader: the generator's renderers and reports, the SDK and the mock."""

from __future__ import annotations

from typing import Any

import pytest
from maas_kl_specfacts import pointer, resolve

DOCUMENT: dict[str, Any] = {
    "components": {
        "schemas": {
            "Mode": {"type": "string", "enum": ["std", "pro"], "description": "Quality."},
            "Alias": {"$ref": "#/components/schemas/Mode"},
            "Loop": {"$ref": "#/components/schemas/Loop"},
        }
    },
    "paths": {"/videos/text2video": {"post": {"operationId": "create"}}},
    "list": [{"a": 1}],
}


def test_pointer_unescapes_tokens_and_indexes_lists() -> None:
    assert pointer(DOCUMENT, "#/paths/~1videos~1text2video/post/operationId") == "create"
    assert pointer(DOCUMENT, "#/list/0/a") == 1
    assert pointer(DOCUMENT, "#") is DOCUMENT


def test_resolve_follows_a_chain_of_refs_and_ignores_siblings_by_default() -> None:
    mode = DOCUMENT["components"]["schemas"]["Mode"]
    assert resolve(DOCUMENT, {"$ref": "#/components/schemas/Alias", "default": "pro"}) is mode
    assert resolve(DOCUMENT, {"type": "integer"}) == {"type": "integer"}


def test_resolve_with_siblings_lets_the_referring_node_override_the_target() -> None:
    node = {"$ref": "#/components/schemas/Alias", "description": "Here: the quality."}
    resolved = resolve(DOCUMENT, node, siblings=True)
    assert resolved == {"type": "string", "enum": ["std", "pro"], "description": "Here: the quality."}
    assert DOCUMENT["components"]["schemas"]["Mode"]["description"] == "Quality."  # the document is untouched


def test_resolve_refuses_a_cycle_naming_the_ref() -> None:
    with pytest.raises(ValueError, match=r"\$ref cycle at #/components/schemas/Loop"):
        resolve(DOCUMENT, {"$ref": "#/components/schemas/Loop"})
