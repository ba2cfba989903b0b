import pytest
from mock_harness import API, Harness, body


def error(response: object) -> tuple[int, int, str]:
    data = body(response)  # type: ignore[arg-type]
    assert set(data) == {"code", "message", "request_id"}, "errors are the envelope, never with data"
    return response.status, data["code"], data["message"]  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("raw", "headers", "needle"),
    [
        (b"{not json", {}, "not valid JSON"),
        (b'{"prompt": "x"', {}, "not valid JSON"),
        (b"\xff\xfe{}", {}, "not valid UTF-8"),
        (b'{"prompt": "x"}', {"content-type": "text/plain"}, "Content-Type must be application/json"),
        (b'{"prompt": "x"}', {"content-type": ""}, "Content-Type must be application/json"),
        (b"", {}, "body is empty"),
        (b"[" * 5000 + b"]" * 5000, {}, "not valid JSON"),
        # Deep enough for jsonschema-rs's recursion limit, shallow enough for orjson: this was a 500.
        (b"[" * 300 + b"]" * 300, {}, "nested too deeply"),
        (b'{"prompt": "x", "camera_control": ' + b'{"a": ' * 1000 + b"1" + b"}" * 1001, {}, "nested too deeply"),
        (b'{"prompt": 1e999}', {}, "not valid JSON"),
    ],
)
def test_unreadable_bodies_are_400_1200(harness: Harness, raw: bytes, headers: dict[str, str], needle: str) -> None:
    status, code, message = error(harness.send("POST", f"{API}/text2video", raw=raw, headers=headers))
    assert (status, code) == (400, 1200)
    assert needle in message


def test_oversized_body_is_400_and_the_limit_fits_a_10_mb_image() -> None:
    harness = Harness(max_body_bytes=20 * 1024 * 1024)
    image = "A" * 13_981_016  # 10 MiB as Base64, the spec's maxLength
    ok = harness.send("POST", f"{API}/image2video", {"image": image})
    assert ok.status == 200, ok.body[:200]
    too_big = harness.send("POST", f"{API}/image2video", raw=b" " * (20 * 1024 * 1024 + 1))
    assert error(too_big)[:2] == (400, 1200)
    assert "larger than" in error(too_big)[2]


@pytest.mark.parametrize(
    ("kind", "payload", "field", "rule"),
    [
        ("text2video", {}, "prompt is required", "required"),
        ("text2video", {"prompt": ""}, "prompt: must be at least 1", "minLength"),
        ("text2video", {"prompt": "a" * 2501}, "prompt: must be at most 2500", "maxLength"),
        ("text2video", {"prompt": "a", "cfg_scale": 2}, "cfg_scale: must be at most 1", "maximum"),
        ("text2video", {"prompt": "a", "duration": 5}, "duration: must be of type string", "type"),
        ("text2video", {"prompt": "a", "duration": "7"}, "duration: must be one of", "enum"),
        (
            "text2video",
            {"prompt": "a", "negativ_prompt": "x"},
            "unknown field(s) negativ_prompt",
            "additionalProperties",
        ),
        ("text2video", {"prompt": "a", "model_name": "kling-v9"}, "model_name: must be one of", "enum"),
        ("text2video", {"prompt": "a", "external_task_id": ""}, "external_task_id: must be at least 1", "minLength"),
        ("image2video", {"prompt": "a"}, "at least one of image, image_tail", "anyOf"),
        ("image2video", {"image": "data:image/png;base64,AAAA"}, "image: must match the pattern", "pattern"),
        (
            "image2video",
            {"image": "abc", "image_tail": "abc", "camera_control": {"type": "down_back"}},
            "image_tail, camera_control cannot be given together",
            "not",
        ),
        ("image2video", {"image_tail": "abc", "static_mask": "abc"}, "static_mask needs image", "dependentRequired"),
        (
            "image2video",
            {"image": "abc", "camera_control": {"type": "simple", "config": {"zoom": 1, "pan": 2}}},
            "camera_control.config: exactly one of horizontal, vertical, pan, tilt, roll, zoom",
            "oneOf",
        ),
        (
            "image2video",
            {"image": "abc", "camera_control": {"type": "simple"}},
            "camera_control.config is required",
            "required",
        ),
        (
            "image2video",
            {"image": "abc", "camera_control": {"type": "down_back", "config": {"zoom": 1}}},
            "config must not be given here",
            "not",
        ),
        (
            "image2video",
            {"image": "abc", "dynamic_masks": [{"mask": "abc", "trajectories": [{"x": 1, "y": 2}]}]},
            "dynamic_masks[0].trajectories: must have at least 2 items",
            "minItems",
        ),
        ("video-extend", {"prompt": "x"}, "video_id is required", "required"),
        ("text2video", [], "request body: must be of type object", "type"),
    ],
)
def test_schema_failures_name_field_and_rule(
    harness: Harness, kind: str, payload: object, field: str, rule: str
) -> None:
    status, code, message = error(harness.send("POST", f"{API}/{kind}", payload))
    assert (status, code) == (400, 1201)
    assert field in message
    assert message.endswith(f"(rule: {rule})")


def test_path_parameter_is_validated(harness: Harness) -> None:
    status, code, message = error(harness.send("GET", f"{API}/text2video/" + "x" * 257))
    assert (status, code) == (400, 1201)
    assert "path id: must be at most 256 characters" in message


def test_query_body_is_ignored(harness: Harness) -> None:
    response = harness.send("GET", f"{API}/text2video/nope", raw=b"\xff garbage")
    assert error(response)[:2] == (404, 1203)
