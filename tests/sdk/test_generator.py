"""The generator: its transform keeps the spec whole, and two runs give byte-identical trees."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import yaml

from generator.__main__ import compare, generate
from generator.spec_data import render
from generator.transform import VALIDATION_ONLY, for_generator

ROOT = Path(__file__).parents[2]
SPEC: dict[str, Any] = yaml.safe_load((ROOT / "openapi" / "maas_kl.yaml").read_text(encoding="utf-8"))


def _keys(node: Any) -> set[str]:
    if isinstance(node, dict):
        return set(node) | {k for v in node.values() for k in _keys(v)}
    if isinstance(node, list):
        return {k for v in node for k in _keys(v)}
    return set()


def test_transform_strips_validation_only_composition_and_leaves_the_spec_alone() -> None:
    original = copy.deepcopy(SPEC)
    view = for_generator(SPEC)
    assert original == SPEC
    assert not (_keys(view["components"]) & VALIDATION_ONLY)
    assert "x-capability-map" not in view
    assert _keys(SPEC["components"]) & {"oneOf", "anyOf", "not", "if", "dependentRequired"}
    # Scalars reused through allOf are inlined with their own description.
    image = view["components"]["schemas"]["Image2VideoRequest"]["properties"]["image"]
    assert image["type"] == "string"
    assert image["description"] == "Reference image (first frame)."


def test_spec_data_carries_the_capability_map_and_operations() -> None:
    source = render(SPEC)
    namespace: dict[str, Any] = {}
    exec(compile(source, "_spec_data.py", "exec"), namespace)
    assert namespace["CAPABILITY_MAP"] == SPEC["x-capability-map"]
    assert namespace["OPERATIONS"]["video_extend"]["external_task_id"] is False
    assert namespace["OPERATIONS"]["text2video"]["external_task_id"] is True
    assert json.dumps(namespace["REQUEST_SCHEMAS"])  # plain data only


def test_generating_twice_is_byte_identical(tmp_path: Path) -> None:
    first, second = tmp_path / "a" / "generated_client", tmp_path / "b" / "generated_client"
    generate(first)
    generate(second)
    assert compare(first, second) == []
    # And the committed tree is what the generator makes (the drift check, from Python).
    assert compare(first, ROOT / "generated_client") == []


def test_compare_reports_added_removed_and_changed(tmp_path: Path) -> None:
    a, b = tmp_path / "a", tmp_path / "b"
    for root in (a, b):
        root.mkdir()
        (root / "same.py").write_text("x = 1\n")
    (a / "changed.py").write_text("x = 1\n")
    (b / "changed.py").write_text("x = 2\n")
    (a / "removed.py").write_text("")
    (b / "added.py").write_text("")
    problems = compare(a, b)
    assert problems[0] == "missing from b/: removed.py"
    assert problems[1] == "not produced by the generator: added.py"
    assert problems[2].startswith("changed: changed.py\n")
    assert "-x = 2" in problems[2]
    assert "+x = 1" in problems[2]
