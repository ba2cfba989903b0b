"""The generator: its transform keeps the spec whole, and two runs give byte-identical trees."""

from __future__ import annotations

import copy
import json
import tomllib
from pathlib import Path
from typing import Any

import yaml

from generator.__main__ import HEADER_PY, build, compare, listed, write
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


def test_generating_twice_is_byte_identical() -> None:
    first, second = build(ROOT), build(ROOT)
    assert first == second
    # And the committed tree is what the generator makes (the drift check, from Python).
    assert compare(first, ROOT) == []


def test_the_generator_writes_only_what_its_manifest_lists() -> None:
    files = build(ROOT)
    assert set(listed(ROOT)) == set(files) - {"GENERATED"}
    for name, text in files.items():
        if name.endswith(".py"):
            assert text.startswith(HEADER_PY + "\n"), name
    # The hand-written SDK is not in it: the client, the plans, the package's own __init__.
    for hand in ("_async/client.py", "_plans.py", "__init__.py", "cli/_main.py"):
        assert f"generated_client/maas_kl_client/{hand}" not in files


def _workspace(tmp_path: Path) -> Path:
    """A minimal tree for compare(): a manifest and one generated file under the package folder."""
    package = tmp_path / "generated_client" / "maas_kl_client"
    package.mkdir(parents=True)
    return tmp_path


def test_compare_reports_missing_stale_changed_and_unlisted(tmp_path: Path) -> None:
    root = _workspace(tmp_path)
    package = "generated_client/maas_kl_client"
    (root / "GENERATED").write_text(f"# head\n{package}/same.py\n{package}/stale.py\n{package}/changed.py\n")
    (root / package / "same.py").write_text("x = 1\n")
    (root / package / "changed.py").write_text("x = 2\n")
    (root / package / "stale.py").write_text("")
    (root / package / "marked.py").write_text(HEADER_PY + "\n")
    (root / package / "hand.py").write_text("y = 1\n")
    expected = {f"{package}/same.py": "x = 1\n", f"{package}/changed.py": "x = 1\n", f"{package}/new.py": ""}
    problems = compare(expected, root)
    assert problems[0] == f"not generated any more: {package}/stale.py"
    assert problems[1].startswith(f"changed: {package}/changed.py\n")
    assert "-x = 2" in problems[1]
    assert "+x = 1" in problems[1]
    assert problems[2] == f"missing: {package}/new.py"
    assert problems[3] == f"not produced by the generator, yet marked generated: {package}/marked.py"
    assert len(problems) == 4  # hand.py is hand-written: none of the generator's business


def test_write_removes_what_a_previous_run_wrote_and_this_one_does_not(tmp_path: Path) -> None:
    root = _workspace(tmp_path)
    package = "generated_client/maas_kl_client"
    (root / "GENERATED").write_text(f"{package}/old.py\n")
    (root / package / "old.py").write_text("")
    (root / package / "hand.py").write_text("")
    write({f"{package}/new.py": "z = 1\n", "GENERATED": f"{package}/new.py\n"}, root)
    assert not (root / package / "old.py").exists()
    assert (root / package / "hand.py").exists()
    assert (root / package / "new.py").read_text() == "z = 1\n"


def test_ruff_leaves_out_exactly_the_generated_python() -> None:
    """The root ruff config names the generated paths by hand; this keeps it in step with GENERATED."""
    excluded = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["ruff"]["extend-exclude"]
    package = [e for e in excluded if e.startswith("generated_client/")]
    generated = [n for n in listed(ROOT) if n.endswith(".py")]
    for name in generated:
        assert any(name == e or name.startswith(e + "/") for e in package), f"{name} is linted as hand-written"
    for entry in package:
        assert any(n == entry or n.startswith(entry + "/") for n in generated), f"{entry} excludes hand-written code"
