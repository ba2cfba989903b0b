"""The spec interpreter (maas_kl_specfacts): families, codes, no copies, and the error responses it governs."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path
from typing import Any

import maas_kl_client
import pytest
import yaml
from maas_kl_specfacts import ImageLimits, SpecFacts, image_fields, image_limits, resolve

ROOT = Path(__file__).resolve().parents[2]
SPEC: dict[str, Any] = yaml.safe_load((ROOT / "openapi" / "maas_kl.yaml").read_text(encoding="utf-8"))
FACTS = SpecFacts(SPEC)
SOURCE = ROOT / "specfacts" / "src" / "maas_kl_specfacts"


def test_families_are_derived_from_tags_and_links() -> None:
    assert {name: (f.create, f.query, f.recoverable) for name, f in FACTS.families.items()} == {
        "text2video": ("create_text2video_task", "get_text2video_task", True),
        "image2video": ("create_image2video_task", "get_image2video_task", True),
        "video_extend": ("create_video_extend_task", "get_video_extend_task", False),
    }


def test_a_family_is_described_by_its_tag_else_by_its_create_summary() -> None:
    tags = {tag["name"]: tag["description"] for tag in SPEC["tags"]}
    _, _, create = FACTS.operations["create_text2video_task"]
    assert FACTS.families["text2video"].description == tags[create["tags"][0]]
    edited = yaml.safe_load(yaml.safe_dump(SPEC))
    edited["tags"] = [tag for tag in edited["tags"] if tag["name"] != create["tags"][0]]
    assert SpecFacts(edited).families["text2video"].description == create["summary"]


def test_an_operation_without_a_task_link_is_no_family() -> None:
    edited = yaml.safe_load(yaml.safe_dump(SPEC))
    edited["components"]["responses"]["Text2VideoTaskCreated"].pop("links")
    assert "text2video" not in SpecFacts(edited).families


def test_the_task_lifecycle_names_statuses_of_the_enum() -> None:
    statuses = FACTS.statuses
    assert (statuses.initial, statuses.running, statuses.succeeded, statuses.failed) == (
        "submitted",
        "processing",
        "succeed",
        "failed",
    )
    assert statuses.values == tuple(SPEC["components"]["schemas"]["TaskStatus"]["enum"])
    edited = yaml.safe_load(yaml.safe_dump(SPEC))
    edited["components"]["schemas"]["TaskStatus"]["x-task-lifecycle"]["succeeded"] = "succeeded"
    with pytest.raises(ValueError, match="succeeded"):
        _ = SpecFacts(edited).statuses


def test_image_fields_are_the_ones_marked_x_image() -> None:
    schema = resolve(SPEC, {"$ref": "#/components/schemas/Image2VideoRequest"})
    inlined = {**schema, "properties": {n: resolve(SPEC, p) for n, p in schema["properties"].items()}}
    inlined["properties"].update(
        {n: resolve(SPEC, p["allOf"][0]) for n, p in schema["properties"].items() if "allOf" in p}
    )
    fields = image_fields(inlined)
    assert list(fields) == ["image", "image_tail", "static_mask"]
    assert set(fields.values()) == set(image_limits(SPEC)) == {ImageLimits(("jpg", "jpeg", "png"), 10485760, 300, 2.5)}


def test_the_interpreter_exists_once_in_the_tree() -> None:
    """No product carries a copy: every module of the interpreter is found only in its own distribution."""
    modules = {p.read_bytes() for p in SOURCE.glob("*.py") if p.stat().st_size > 200}
    skip = {".venv", "node_modules", ".git", "__pycache__"}
    copies = [
        p
        for p in ROOT.rglob("*.py")
        if not skip.intersection(p.relative_to(ROOT).parts) and p.parent != SOURCE and p.read_bytes() in modules
    ]
    assert copies == []
    for product in ("maas_kl_client", "maas_kl_mock"):
        assert importlib.util.find_spec(f"{product}._specfacts") is None


def test_every_error_class_the_table_names_exists_in_the_sdk() -> None:
    for row in FACTS.codes.rows:
        found = getattr(maas_kl_client, row.error_class, None)
        assert isinstance(found, type), row
        assert issubclass(found, maas_kl_client.APIError), row


def test_the_mock_needs_only_rows_the_table_has() -> None:
    from maas_kl_mock._errors import CODE_NAMES  # noqa: PLC0415

    assert set(FACTS.codes.by_name) >= CODE_NAMES
    source = "\n".join(
        p.read_text(encoding="utf-8") for p in (ROOT / "mock_server" / "src" / "maas_kl_mock").glob("*.py")
    )
    raised = set(re.findall(r'ApiError\(\s*"([a-z_]+)"', source))
    assert raised <= CODE_NAMES, raised - CODE_NAMES


def _error_responses() -> list[tuple[str, int, dict[str, Any]]]:
    found = []
    for path, item in SPEC["paths"].items():
        for method, op in item.items():
            for status, response in op["responses"].items():
                if status != "200":
                    found.append((f"{method.upper()} {path}", int(status), resolve(SPEC, response)))
    return found


@pytest.mark.parametrize(("where", "status", "response"), _error_responses(), ids=lambda v: str(v)[:40])
def test_error_responses_agree_with_the_code_table(where: str, status: int, response: dict[str, Any]) -> None:
    """Each example's code has this status in x-business-codes; the description lists exactly the table's codes."""
    table = {row.code for row in FACTS.codes.rows if row.status == status}
    examples = response["content"]["application/json"].get("examples", {})
    codes = {int(example["value"]["code"]) for example in examples.values()}
    assert codes == table, f"{where} {status}: examples {sorted(codes)} but the table says {sorted(table)}"
    described = {int(c) for c in re.findall(r"\b[1-5][0-9]{3}\b", response["description"])}
    assert described == table, f"{where} {status}: description lists {sorted(described)}, table {sorted(table)}"
