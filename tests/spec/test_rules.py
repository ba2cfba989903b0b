"""The document's cross-field rules are enforced by the spec's JSON Schema, not only described."""

from __future__ import annotations

from typing import Any

import pytest

from tests.spec.spec_model import validator

IMAGE = "https://example.com/a.png"
CONFIG_ZERO = {"horizontal": 0, "vertical": 0, "pan": 0, "tilt": 0, "roll": 0, "zoom": 0}
MASK = {"mask": IMAGE, "trajectories": [{"x": 1, "y": 2}, {"x": 3, "y": 4}]}

CASES: list[tuple[str, str, dict[str, Any], bool]] = [
    ("Text2VideoRequest", "prompt only", {"prompt": "p"}, True),
    ("Text2VideoRequest", "prompt missing", {"negative_prompt": "n"}, False),
    ("Text2VideoRequest", "prompt empty", {"prompt": ""}, False),
    ("Text2VideoRequest", "prompt 2500", {"prompt": "p" * 2500}, True),
    ("Text2VideoRequest", "prompt 2501", {"prompt": "p" * 2501}, False),
    ("Text2VideoRequest", "negative 2501", {"prompt": "p", "negative_prompt": "n" * 2501}, False),
    ("Text2VideoRequest", "cfg 1", {"prompt": "p", "cfg_scale": 1}, True),
    ("Text2VideoRequest", "cfg above 1", {"prompt": "p", "cfg_scale": 1.01}, False),
    ("Text2VideoRequest", "cfg below 0", {"prompt": "p", "cfg_scale": -0.01}, False),
    ("Text2VideoRequest", "duration as number", {"prompt": "p", "duration": 5}, False),
    ("Text2VideoRequest", "duration 7", {"prompt": "p", "duration": "7"}, False),
    ("Text2VideoRequest", "aspect 4:3", {"prompt": "p", "aspect_ratio": "4:3"}, False),
    ("Text2VideoRequest", "mode turbo", {"prompt": "p", "mode": "turbo"}, False),
    ("Text2VideoRequest", "model v2", {"prompt": "p", "model_name": "kling-v2"}, False),
    ("Text2VideoRequest", "unknown field", {"prompt": "p", "seed": 1}, False),
    ("Text2VideoRequest", "empty external id", {"prompt": "p", "external_task_id": ""}, False),
    ("CameraControl", "simple with one movement", {"type": "simple", "config": {**CONFIG_ZERO, "zoom": 5}}, True),
    ("CameraControl", "simple with sparse config", {"type": "simple", "config": {"pan": -3.5}}, True),
    ("CameraControl", "simple without config", {"type": "simple"}, False),
    ("CameraControl", "simple with all zero", {"type": "simple", "config": CONFIG_ZERO}, False),
    ("CameraControl", "simple with two movements", {"type": "simple", "config": {"pan": 1, "tilt": 1}}, False),
    ("CameraControl", "movement out of range", {"type": "simple", "config": {"roll": 10.5}}, False),
    ("CameraControl", "movement at bound", {"type": "simple", "config": {"roll": -10}}, True),
    ("CameraControl", "preset without config", {"type": "down_back"}, True),
    ("CameraControl", "preset with config", {"type": "forward_up", "config": {"zoom": 1}}, False),
    ("CameraControl", "unknown type", {"type": "orbit"}, False),
    ("Image2VideoRequest", "image only", {"image": IMAGE}, True),
    ("Image2VideoRequest", "image_tail only", {"image_tail": IMAGE}, True),
    ("Image2VideoRequest", "neither image", {"prompt": "p"}, False),
    ("Image2VideoRequest", "optional prompt empty", {"image": IMAGE, "prompt": ""}, True),
    ("Image2VideoRequest", "empty image", {"image": ""}, False),
    ("Image2VideoRequest", "base64 image", {"image": "iVBORw0KGgo="}, True),
    ("Image2VideoRequest", "data-url image", {"image": "data:image/png;base64,iVBORw0KGgo="}, False),
    ("Image2VideoRequest", "first and last frame", {"image": IMAGE, "image_tail": IMAGE}, True),
    (
        "Image2VideoRequest",
        "tail with camera",
        {"image": IMAGE, "image_tail": IMAGE, "camera_control": {"type": "down_back"}},
        False,
    ),
    ("Image2VideoRequest", "tail with static mask", {"image": IMAGE, "image_tail": IMAGE, "static_mask": IMAGE}, False),
    (
        "Image2VideoRequest",
        "camera with dynamic masks",
        {"image": IMAGE, "camera_control": {"type": "down_back"}, "dynamic_masks": [MASK]},
        False,
    ),
    ("Image2VideoRequest", "motion brush", {"image": IMAGE, "static_mask": IMAGE, "dynamic_masks": [MASK] * 6}, True),
    ("Image2VideoRequest", "seven dynamic masks", {"image": IMAGE, "dynamic_masks": [MASK] * 7}, False),
    ("Image2VideoRequest", "mask without image", {"image_tail": IMAGE, "static_mask": IMAGE}, False),
    ("DynamicMask", "one trajectory point", {"mask": IMAGE, "trajectories": [{"x": 1, "y": 1}]}, False),
    ("DynamicMask", "77 points", {"mask": IMAGE, "trajectories": [{"x": 1, "y": 1}] * 77}, True),
    ("DynamicMask", "78 points", {"mask": IMAGE, "trajectories": [{"x": 1, "y": 1}] * 78}, False),
    ("DynamicMask", "float coordinate", {"mask": IMAGE, "trajectories": [{"x": 1.5, "y": 1}, {"x": 2, "y": 2}]}, False),
    ("DynamicMask", "no mask", {"trajectories": [{"x": 1, "y": 1}, {"x": 2, "y": 2}]}, False),
    ("VideoExtendRequest", "video id", {"video_id": "v1"}, True),
    ("VideoExtendRequest", "no video id", {"prompt": "p"}, False),
    ("VideoExtendRequest", "prompt 2501", {"video_id": "v1", "prompt": "p" * 2501}, False),
    ("ErrorResponse", "envelope", {"code": 1201, "message": "m", "request_id": "r"}, True),
    ("ErrorResponse", "envelope with data", {"code": 1201, "message": "m", "request_id": "r", "data": {}}, False),
    (
        "TaskResponse",
        "non-zero code",
        {
            "code": 1,
            "message": "m",
            "request_id": "r",
            "data": {"task_id": "t", "task_status": "submitted", "created_at": 1, "updated_at": 1},
        },
        False,
    ),
]


@pytest.mark.parametrize(("schema", "case", "instance", "valid"), CASES, ids=[f"{s}:{c}" for s, c, _, _ in CASES])
def test_rule(schema: str, case: str, instance: dict[str, Any], valid: bool) -> None:
    errors = list(validator(f"#/components/schemas/{schema}").iter_errors(instance))
    assert (not errors) is valid, (
        f"{case}: expected {'valid' if valid else 'invalid'}, errors: {[e.message for e in errors]}"
    )


# Header values are text on the wire; RFC 9110 §10.2.3: Retry-After = HTTP-date / delay-seconds.
RETRY_AFTER = [
    ("0", True),
    ("120", True),
    ("Wed, 21 Oct 2015 07:28:00 GMT", True),  # IMF-fixdate, the form senders must use (RFC 9110 §5.6.7)
    ("-1", False),
    ("1.5", False),
    ("soon", False),
    ("", False),
    ("Wednesday, 21-Oct-15 07:28:00 GMT", False),  # obsolete RFC 850 form: senders must not send it
    ("Wed, 21 Oct 2015 07:28:00 +0000", False),
]


@pytest.mark.parametrize(("value", "valid"), RETRY_AFTER)
def test_retry_after_takes_seconds_or_an_http_date(value: str, valid: bool) -> None:
    errors = list(validator("#/components/headers/RetryAfter/schema").iter_errors(value))
    assert (not errors) is valid, f"Retry-After {value!r}: errors {[e.message for e in errors]}"
