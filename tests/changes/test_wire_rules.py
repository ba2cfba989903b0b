"""The wire rules, one oasdiff category at a time, on mutations of the real spec (no regeneration)."""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from generator.api_changes.files import render_wire
from generator.api_changes.grading import Change, grade
from generator.api_changes.wire import report

ROOT = Path(__file__).resolve().parents[2]
SPEC: dict[str, Any] = yaml.safe_load((ROOT / "openapi" / "maas_kl.yaml").read_text(encoding="utf-8"))
Mutation = Callable[[dict[str, Any]], None]


def changes(mutate: Mutation) -> list[Change]:
    spec = copy.deepcopy(SPEC)
    mutate(spec)
    return grade(report(SPEC), report(spec))


def schemas(spec: dict[str, Any]) -> dict[str, Any]:
    found: dict[str, Any] = spec["components"]["schemas"]
    return found


def only(found: list[Change]) -> Change:
    assert len(found) == 1, [c.line() for c in found]
    return found[0]


def test_unchanged_spec_has_no_changes() -> None:
    assert changes(lambda _: None) == []


def _remove_operation(spec: dict[str, Any]) -> None:
    del spec["paths"]["/videos/video-extend"]["post"]


def _add_required_field(spec: dict[str, Any]) -> None:
    schemas(spec)["VideoExtendRequest"]["properties"]["seed"] = {"type": "integer"}
    schemas(spec)["VideoExtendRequest"]["required"].append("seed")


def _make_required(spec: dict[str, Any]) -> None:
    schemas(spec)["Text2VideoRequest"]["required"].append("negative_prompt")


def _remove_request_field(spec: dict[str, Any]) -> None:
    del schemas(spec)["Text2VideoRequest"]["properties"]["negative_prompt"]


def _change_type(spec: dict[str, Any]) -> None:
    schemas(spec)["CfgScale"]["type"] = "string"


def _remove_request_enum_value(spec: dict[str, Any]) -> None:
    schemas(spec)["AspectRatio"]["enum"].remove("1:1")


def _add_response_enum_value(spec: dict[str, Any]) -> None:
    schemas(spec)["TaskStatus"]["enum"].append("cancelled")


def _tighten_bound(spec: dict[str, Any]) -> None:
    schemas(spec)["Prompt"]["maxLength"] = 1000


def _remove_response_field(spec: dict[str, Any]) -> None:
    del schemas(spec)["Task"]["properties"]["updated_at"]
    schemas(spec)["Task"]["required"].remove("updated_at")


def _make_response_optional(spec: dict[str, Any]) -> None:
    schemas(spec)["Task"]["required"].remove("updated_at")


def _remove_status(spec: dict[str, Any]) -> None:
    del spec["paths"]["/videos/text2video"]["post"]["responses"]["503"]


def _remove_business_code(spec: dict[str, Any]) -> None:
    del spec["components"]["responses"]["BadRequest"]["content"]["application/json"]["examples"]["code1301"]
    table = spec["x-business-codes"]["codes"]  # since issue 10 the table is data; the wire report reads it
    table[:] = [row for row in table if row["code"] != 1301]


def _narrow_capability(spec: dict[str, Any]) -> None:
    spec["x-capability-map"]["rules"][0]["supported"]["MaaS_KL_V1"].remove("pro10")


BREAKING: list[tuple[str, Mutation, str, str]] = [
    ("operation removed", _remove_operation, "POST /videos/video-extend", "operation removed"),
    ("required field added", _add_required_field, "POST /videos/video-extend request body.seed", "added as required"),
    ("field made required", _make_required, "POST /videos/text2video request body.negative_prompt", "made required"),
    ("request field removed", _remove_request_field, "POST /videos/text2video request body.negative_prompt", "removed"),
    ("type changed", _change_type, "POST /videos/text2video request body.cfg_scale", "type changed"),
    (
        "request enum value removed",
        _remove_request_enum_value,
        "POST /videos/text2video request body.aspect_ratio",
        'enum value "1:1" removed',
    ),
    (
        "closed response enum grew",
        _add_response_enum_value,
        "GET /videos/text2video/{id} response 200 body.data.task_status",
        'enum value "cancelled" added',
    ),
    ("bound tightened", _tighten_bound, "POST /videos/text2video request body.prompt", "maxLength tightened"),
    (
        "response field removed",
        _remove_response_field,
        "GET /videos/text2video/{id} response 200 body.data.updated_at",
        "removed",
    ),
    (
        "response field made optional",
        _make_response_optional,
        "GET /videos/text2video/{id} response 200 body.data.updated_at",
        "made optional",
    ),
    ("status removed", _remove_status, "POST /videos/text2video response 503", "status removed"),
    ("business code removed", _remove_business_code, "business_codes.1301", "removed"),
    (
        "capability narrowed",
        _narrow_capability,
        "capabilities.rules[text to video].supported.MaaS_KL_V1",
        'narrowed: ["pro10"] removed',
    ),
]


@pytest.mark.parametrize(
    ("mutate", "where", "what"), [case[1:] for case in BREAKING], ids=[case[0] for case in BREAKING]
)
def test_breaking_rules(mutate: Mutation, where: str, what: str) -> None:
    found = changes(mutate)
    assert any(c.where == where and c.what == what and c.grade == "breaking" for c in found), [c.line() for c in found]


def test_enum_change_names_old_and_new_values() -> None:
    change = only([c for c in changes(_remove_request_enum_value) if c.where.startswith("POST /videos/text2video ")])
    assert (change.old, change.new, change.subject) == ('["16:9", "1:1", "9:16"]', '["16:9", "9:16"]', "aspect_ratio")


def test_bound_change_names_old_and_new_values() -> None:
    found = changes(_tighten_bound)
    assert {(c.old, c.new) for c in found} == {("2500", "1000")}


def _add_optional_field(spec: dict[str, Any]) -> None:
    schemas(spec)["Text2VideoRequest"]["properties"]["seed"] = {"type": "integer", "minimum": 0}


def _widen_bound(spec: dict[str, Any]) -> None:
    schemas(spec)["Prompt"]["maxLength"] = 5000


def _widen_capability(spec: dict[str, Any]) -> None:
    spec["x-capability-map"]["rules"][1]["supported"]["MaaS_KL_V1.6"].append("std5")


def _add_request_enum_value(spec: dict[str, Any]) -> None:
    schemas(spec)["AspectRatio"]["enum"].append("4:3")


def _add_extension_data(spec: dict[str, Any]) -> None:
    schemas(spec)["Prompt"]["x-counted-in"] = "characters"


ADDITIONS: list[tuple[str, Mutation]] = [
    ("extension data added", _add_extension_data),
    ("optional field added", _add_optional_field),
    ("bound widened", _widen_bound),
    ("capability widened", _widen_capability),
    ("request enum value added", _add_request_enum_value),
]


@pytest.mark.parametrize("mutate", [case[1] for case in ADDITIONS], ids=[case[0] for case in ADDITIONS])
def test_addition_rules(mutate: Mutation) -> None:
    found = changes(mutate)
    assert found
    assert {c.grade for c in found} == {"addition"}, [c.line() for c in found]


def test_deprecating_an_operation_is_a_deprecation() -> None:
    def deprecate(spec: dict[str, Any]) -> None:
        spec["paths"]["/videos/text2video"]["post"]["deprecated"] = True

    assert only(changes(deprecate)).grade == "deprecation"


def test_an_unknown_kind_of_change_is_graded_breaking() -> None:
    def new_keyword(spec: dict[str, Any]) -> None:
        schemas(spec)["Prompt"]["format"] = "x-sentence"

    found = changes(new_keyword)
    assert {(c.what, c.grade) for c in found} == {("format changed", "breaking")}
    assert len(found) == 3  # Prompt is shared by the three create operations


def test_changing_extension_data_is_graded_breaking() -> None:
    def lower_image_limit(spec: dict[str, Any]) -> None:
        schemas(spec)["ImageInput"]["x-image"]["max_bytes"] = 1024

    found = changes(lower_image_limit)
    assert {(c.what, c.grade) for c in found} == {("x-image changed", "breaking")}


def test_descriptions_and_examples_are_not_in_the_wire_report() -> None:
    def reword(spec: dict[str, Any]) -> None:
        spec["info"]["description"] = "Other words."
        schemas(spec)["Prompt"]["description"] = "Other words."
        spec["paths"]["/videos/text2video"]["post"]["summary"] = "Other words."
        spec["paths"]["/videos/text2video"]["post"]["requestBody"]["content"]["application/json"]["examples"] = {}
        spec["components"]["responses"]["BadRequest"]["description"] = "Other words."
        spec["x-capability-map"]["description"] = "Other words."

    spec = copy.deepcopy(SPEC)
    reword(spec)
    assert render_wire(report(spec)) == render_wire(report(SPEC))


def test_business_codes_come_from_the_code_table_when_the_spec_has_one() -> None:
    spec = copy.deepcopy(SPEC)
    spec["x-business-codes"] = {
        "description": "prose",
        "codes": [
            {"code": 1200, "status": 400, "meaning": "prose", "error_class": "InvalidRequestError", "retryable": False},
            {"code": 5000, "status": 500, "meaning": "prose", "error_class": "ServerError", "retryable": True},
        ],
    }
    wire = report(spec)
    assert wire["business_codes"] == {
        "1200": {"error_class": "InvalidRequestError", "retryable": False, "status": 400},
        "5000": {"error_class": "ServerError", "retryable": True, "status": 500},
    }
    assert wire["operations"]["POST /videos/text2video"]["business_codes"] == [1200, 5000]
    flipped = copy.deepcopy(spec)
    flipped["x-business-codes"]["codes"][1]["retryable"] = False
    assert only(grade(wire, report(flipped))).where == "business_codes.5000.retryable"


def _rename_extend_query(spec: dict[str, Any]) -> None:
    """Rename get_video_extend_task everywhere it is named: the operation and the link that targets it."""
    spec["paths"]["/videos/video-extend/{id}"]["get"]["operationId"] = "query_video_extend_task"
    spec["components"]["responses"]["VideoExtendTaskCreated"]["links"]["QueryByTaskId"]["operationId"] = (
        "query_video_extend_task"
    )


def test_an_operation_id_rename_is_no_wire_change() -> None:
    """Issue 21: the wire knows an operation by method and path; a rename only reaches tools that read ids (W4)."""
    change = only(changes(_rename_extend_query))
    assert (change.grade, change.area, change.where) == ("info", "tooling", "GET /videos/video-extend/{id}")
    assert change.what.startswith("operationId renamed: no wire change")
    assert (change.old, change.new, change.subject) == (
        '"get_video_extend_task"',
        '"query_video_extend_task"',
        "query_video_extend_task",
    )


def test_renaming_a_create_leaves_the_capability_map_alone() -> None:
    """The capability map names operations by id; on the wire report it names them by method and path."""

    def rename_create(spec: dict[str, Any]) -> None:
        spec["paths"]["/videos/text2video"]["post"]["operationId"] = "start_text2video_task"
        for rule in spec["x-capability-map"]["rules"]:
            if rule["operation"] == "create_text2video_task":
                rule["operation"] = "start_text2video_task"

    assert [(c.grade, c.where) for c in changes(rename_create)] == [("info", "POST /videos/text2video")]
    assert {r["operation"] for r in report(SPEC)["capabilities"]["rules"]} == {
        "POST /videos/text2video",
        "POST /videos/image2video",
    }


def _set_default(field: str, value: Any) -> Mutation:
    def mutate(spec: dict[str, Any]) -> None:
        schemas(spec)[field]["default"] = value

    return mutate


def test_a_changed_request_default_is_breaking_by_decision_w3() -> None:
    """oasdiff grades request-property-default-value-changed INFO; a caller that leaves mode out pays for pro (W3)."""
    found = changes(_set_default("Mode", "pro"))
    assert {(c.grade, c.what, c.old, c.new) for c in found} == {("breaking", "default changed", '"std"', '"pro"')}
    assert {c.where for c in found} == {
        "POST /videos/text2video request body.mode",
        "POST /videos/image2video request body.mode",
    }


def test_a_removed_request_default_is_breaking_and_an_added_one_an_addition() -> None:
    def drop(spec: dict[str, Any]) -> None:
        del schemas(spec)["Mode"]["default"]

    assert {(c.grade, c.what) for c in changes(drop)} == {("breaking", "default removed")}
    assert {(c.grade, c.what) for c in changes(_set_default("Prompt", "A dog"))} == {("addition", "default added")}


def test_a_changed_response_default_stays_with_the_catch_all() -> None:
    """Only request defaults have a rule: a response default is read nowhere, so the catch-all asks a human."""

    def response_default(spec: dict[str, Any]) -> None:
        schemas(spec)["TaskStatus"]["default"] = "submitted"

    assert {(c.grade, c.what) for c in changes(response_default)} == {("breaking", "default changed")}
