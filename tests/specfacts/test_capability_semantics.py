"""F3: one set of capability-map semantics, the same in the SDK's preflight and in the mock (issue 10's cases)."""

from __future__ import annotations

from typing import Any

import pytest
from maas_kl_client import PreflightError
from maas_kl_client._preflight import validate
from maas_kl_mock import InProcessMock
from maas_kl_specfacts import CapabilityMap

from tests.specfacts.test_facts import SPEC

I2V = "create_image2video_task"
BASE = {"model_name": "MaaS_KL_V1.5", "mode": "pro", "duration": "5", "image": "https://example.com/a.png"}
CASES: list[tuple[str, dict[str, Any], str | None]] = [
    # The example: camera_control given empty; the rule requires type simple, which is absent.
    ("requires on an absent field fails", {**BASE, "camera_control": {}}, "camera_control.type"),
    ("requires met", {**BASE, "camera_control": {"type": "simple", "config": {"zoom": 3}}}, None),
    # null is absent for the map (the default model V1 applies) ...
    ("null model takes the default", {**BASE, "model_name": None, "mode": "std"}, "model_name"),
    # ... and the schema judges the null itself, the same way on both sides.
    ("empty mode is taken as sent", {**BASE, "mode": ""}, "mode"),
    ("unsupported combination", {**BASE, "mode": "std", "image_tail": "https://example.com/b.png"}, "image"),
]


def _sdk(body: dict[str, Any]) -> str | None:
    try:
        validate(I2V, body)
    except PreflightError as refused:
        return refused.field
    return None


@pytest.mark.parametrize(("case", "body", "field"), CASES, ids=[c[0] for c in CASES])
def test_sdk_and_mock_refuse_the_same_bodies_naming_the_same_field(
    case: str, body: dict[str, Any], field: str | None
) -> None:
    del case
    assert _sdk(body) == field
    with InProcessMock().client() as http:
        answer = http.post("/videos/image2video", json=body)
    if field is None:
        assert answer.status_code == 200, answer.text
    else:
        assert answer.status_code == 400, answer.text
        assert f" {field}" in answer.json()["message"], answer.text


def test_a_model_the_rule_does_not_list_is_not_constrained_by_it() -> None:
    caps = CapabilityMap(SPEC["x-capability-map"])
    assert caps.check("create_text2video_task", {"prompt": "x", "model_name": "MaaS_KL_V2"}) == []
    refused = caps.check("create_text2video_task", {"prompt": "x", "model_name": "MaaS_KL_V1.5"})
    assert [(v.field, v.rule) for v in refused] == [("model_name", "text to video")]
