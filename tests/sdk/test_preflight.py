"""Preflight names the field and the rule, covers the capability map, sends nothing, and can be switched off."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from maas_kl_client import PreflightError
from maas_kl_client.models import CameraConfig, CameraControl, CameraControlType, Mode, Text2VideoRequest

from .fakes import Statuses, sync_client

SIMPLE_PAN = {"type": "simple", "config": {"pan": 5}}
IMG = "https://example.com/frame.png"


@pytest.mark.parametrize(
    ("kind", "fields", "field", "rule"),
    [
        ("text2video", {"prompt": "x" * 2501}, "prompt", "at most 2500 characters (got 2501)"),
        ("text2video", {}, "prompt", "is required"),
        ("text2video", {"prompt": ""}, "prompt", "must not be empty"),
        ("text2video", {"prompt": "p", "negativ_prompt": "x"}, "negativ_prompt", "is not a documented field"),
        ("text2video", {"prompt": "p", "cfg_scale": 1.5}, "cfg_scale", "between 0 and 1 (got 1.5)"),
        ("text2video", {"prompt": "p", "duration": 5}, "duration", "must be of type string"),
        ("text2video", {"prompt": "p", "mode": "fast"}, "mode", "one of 'std', 'pro'"),
        ("text2video", {"prompt": "p", "external_task_id": ""}, "external_task_id", "must not be empty"),
        (
            "text2video",
            {"prompt": "p", "camera_control": {"type": "simple", "config": {"pan": 1, "zoom": 2}}},
            "camera_control.config",
            "exactly one of horizontal, vertical, pan, tilt, roll, zoom must be non-zero (got pan, zoom)",
        ),
        (
            "text2video",
            {"prompt": "p", "camera_control": {"type": "simple", "config": {"pan": 0}}},
            "camera_control.config",
            "(got none)",
        ),
        (
            "text2video",
            {"prompt": "p", "camera_control": {"type": "simple", "config": {"pan": 11}}},
            "camera_control.config.pan",
            "between -10 and 10",
        ),
        (
            "text2video",
            {"prompt": "p", "camera_control": {"type": "simple"}},
            "camera_control.config",
            "is required when type is 'simple'",
        ),
        (
            "text2video",
            {"prompt": "p", "camera_control": {"type": "down_back", "config": {"pan": 1}}},
            "camera_control.config",
            "must be left out unless type is 'simple'",
        ),
        ("image2video", {"prompt": "p"}, "body", "at least one of image or image_tail must be given"),
        ("image2video", {"image": "data:image/png;base64,AAAA"}, "image", "without a `data:` prefix"),
        ("image2video", {"image": "not an image"}, "image", "http(s) URL, or as raw Base64"),
        (
            "image2video",
            {"image": IMG, "image_tail": IMG, "static_mask": IMG},
            "image_tail",
            "cannot be combined with static_mask",
        ),
        ("image2video", {"image_tail": IMG, "static_mask": IMG}, "static_mask", "needs image as well"),
        (
            "image2video",
            {"image": IMG, "dynamic_masks": [{"mask": IMG, "trajectories": [{"x": 1, "y": 1}]}]},
            "dynamic_masks[0].trajectories",
            "must have 2 to 77 items (got 1)",
        ),
        (
            "image2video",
            {"image": IMG, "dynamic_masks": [{"mask": IMG, "trajectories": [{"x": -1, "y": 1}, {"x": 1, "y": 1}]}]},
            "dynamic_masks[0].trajectories[0].x",
            "must be at least 0 (got -1)",
        ),
        (
            "image2video",
            {"image": IMG, "dynamic_masks": [{"mask": IMG, "trajectories": [{"x": 1, "y": 1}] * 2}] * 7},
            "dynamic_masks",
            "must have at most 6 items (got 7)",
        ),
        ("video_extend", {"video_id": "v", "external_task_id": "x"}, "external_task_id", "is not a documented field"),
        # The capability map (x-capability-map).
        (
            "text2video",
            {"prompt": "p", "model_name": "MaaS_KL_V1.5"},
            "model_name",
            "text to video is not supported by MaaS_KL_V1.5",
        ),
        (
            "text2video",
            {"prompt": "p", "camera_control": SIMPLE_PAN, "mode": "pro"},
            "camera_control",
            "with MaaS_KL_V1 supports only std5 (std mode, 5 s); got pro5 (pro mode, 5 s)",
        ),
        (
            "image2video",
            {"image": IMG, "image_tail": IMG, "model_name": "MaaS_KL_V1", "duration": "10"},
            "image",
            "image with image_tail (first and last frame) with MaaS_KL_V1 supports only std5",
        ),
        ("image2video", {"image_tail": IMG, "model_name": "MaaS_KL_V1.6"}, "image_tail", "supports only pro5"),
        (
            "image2video",
            {"image": IMG, "static_mask": IMG, "model_name": "MaaS_KL_V1.6"},
            "static_mask",
            "not supported by MaaS_KL_V1.6",
        ),
        (
            "image2video",
            {"image": IMG, "camera_control": {"type": "down_back"}, "model_name": "MaaS_KL_V1.5", "mode": "pro"},
            "camera_control.type",
            "requires camera_control.type to be 'simple'",
        ),
        ("image2video", {"image_tail": IMG, "model_name": "MaaS_KL_V1"}, "image_tail", "not supported by MaaS_KL_V1;"),
        (
            "image2video",
            {
                "image": IMG,
                "dynamic_masks": [{"mask": IMG, "trajectories": [{"x": 1, "y": 1}] * 2}],
                "model_name": "MaaS_KL_V1.5",
            },
            "dynamic_masks",
            "motion brush (dynamic_masks) with MaaS_KL_V1.5 supports only pro5 (pro mode, 5 s); got std5",
        ),
        (
            "image2video",
            {"image": IMG, "camera_control": SIMPLE_PAN, "model_name": "kling-v1"},
            "camera_control",
            "camera_control in image to video is not supported by kling-v1 (MaaS_KL_V1)",
        ),
        (
            "text2video",
            {"prompt": "p", "camera_control": SIMPLE_PAN, "model_name": "MaaS_KL_V1.6", "mode": "pro"},
            "camera_control",
            "camera_control in text to video is not supported by MaaS_KL_V1.6",
        ),
    ],
)
def test_rule_messages(kind: str, fields: dict[str, Any], field: str, rule: str) -> None:
    service = Statuses()
    client = sync_client(service.handler)
    with pytest.raises(PreflightError) as caught:
        client.resource(kind).create_from(fields)
    assert any(f == field and rule in r for f, r in caught.value.violations), caught.value.violations
    assert f"{field}: " in str(caught.value)
    assert service.requests == []  # nothing was sent


@pytest.mark.parametrize(
    ("kind", "fields"),
    [
        ("text2video", {"prompt": "p", "camera_control": SIMPLE_PAN}),
        ("text2video", {"prompt": "p", "model_name": "MaaS_KL_V1.6", "mode": "pro", "duration": "10"}),
        ("image2video", {"image_tail": IMG, "model_name": "MaaS_KL_V1.5", "mode": "pro"}),
        ("image2video", {"image": "QUJD", "camera_control": SIMPLE_PAN, "model_name": "MaaS_KL_V1.5", "mode": "pro"}),
        (
            "image2video",
            {
                "image": IMG,
                "static_mask": IMG,
                "dynamic_masks": [{"mask": IMG, "trajectories": [{"x": 279, "y": 219}, {"x": 417, "y": 65}]}],
            },
        ),
        ("video_extend", {"video_id": "51bc9fb8", "prompt": "more"}),
    ],
)
def test_valid_requests_pass(kind: str, fields: dict[str, Any]) -> None:
    service = Statuses()
    sync_client(service.handler).resource(kind).create_from(fields)
    assert [r.method for r in service.requests] == ["POST"]


def test_models_and_enums_are_accepted_as_input() -> None:
    service = Statuses()
    body = Text2VideoRequest(
        prompt="p",
        mode=Mode.STD,
        camera_control=CameraControl(type_=CameraControlType.SIMPLE, config=CameraConfig(zoom=5)),
    )
    sync_client(service.handler).text2video.create(body, duration="5")
    sent = json.loads(service.requests[0].content)
    assert sent["camera_control"] == {"type": "simple", "config": {"zoom": 5}}
    assert sent["duration"] == "5"
    assert sent["mode"] == "std"


def test_preflight_can_be_switched_off_per_call_and_per_client() -> None:
    service = Statuses()
    client = sync_client(service.handler)
    client.text2video.create(prompt="x" * 3000, preflight=False)
    lax = sync_client(service.handler, preflight=False)
    lax.text2video.create(prompt="x" * 3000)
    with pytest.raises(PreflightError):
        lax.text2video.create(prompt="x" * 3000, preflight=True)
    assert [r.method for r in service.requests] == ["POST", "POST"]


def test_preflight_error_is_a_value_error_with_a_remedy() -> None:
    with pytest.raises(ValueError, match=r"preflight=False") as caught:
        sync_client(lambda _r: httpx.Response(500)).text2video.create(prompt="x" * 2600)
    assert isinstance(caught.value, PreflightError)
    assert caught.value.field == "prompt"
