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
        ("text2video", {}, "prompt: is required", "required"),
        ("text2video", {"prompt": ""}, "prompt: must not be empty", "minLength"),
        ("text2video", {"prompt": "a" * 2501}, "prompt: must have at most 2500 characters", "maxLength"),
        ("text2video", {"prompt": "a", "cfg_scale": 2}, "cfg_scale: must be between 0 and 1", "maximum"),
        ("text2video", {"prompt": "a", "duration": 5}, "duration: must be of type string", "type"),
        ("text2video", {"prompt": "a", "duration": "7"}, "duration: must be one of", "enum"),
        (
            "text2video",
            {"prompt": "a", "negativ_prompt": "x"},
            "negativ_prompt: is not a documented field",
            "additionalProperties",
        ),
        ("text2video", {"prompt": "a", "model_name": "kling-v9"}, "model_name: must be one of", "enum"),
        ("text2video", {"prompt": "a", "external_task_id": ""}, "external_task_id: must not be empty", "minLength"),
        ("image2video", {"prompt": "a"}, "request body: at least one of image or image_tail must be given", "anyOf"),
        ("image2video", {"image": "data:image/png;base64,AAAA"}, "image: must match ^(https?://", "pattern"),
        (
            "image2video",
            {"image": "abc", "image_tail": "abc", "camera_control": {"type": "down_back"}},
            "image_tail: cannot be combined with camera_control",
            "not",
        ),
        (
            "image2video",
            {"image_tail": "abc", "static_mask": "abc"},
            "static_mask: needs image as well",
            "dependentRequired",
        ),
        (
            "image2video",
            {"image": "abc", "camera_control": {"type": "simple", "config": {"zoom": 1, "pan": 2}}},
            "camera_control.config: exactly one of horizontal, vertical, pan, tilt, roll, zoom",
            "oneOf",
        ),
        (
            "image2video",
            {"image": "abc", "camera_control": {"type": "simple"}},
            "camera_control.config: is required when type is 'simple'",
            "required",
        ),
        (
            "image2video",
            {"image": "abc", "camera_control": {"type": "down_back", "config": {"zoom": 1}}},
            "camera_control.config: must be left out unless type is 'simple'",
            "not",
        ),
        (
            "image2video",
            {"image": "abc", "dynamic_masks": [{"mask": "abc", "trajectories": [{"x": 1, "y": 2}]}]},
            "dynamic_masks[0].trajectories: must have 2 to 77 items",
            "minItems",
        ),
        ("video-extend", {"prompt": "x"}, "video_id: is required", "required"),
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


@pytest.mark.parametrize(
    ("raw", "said"),
    [  # deep enough for jsonschema-rs's recursion limit, shallow enough for orjson: this was a 500
        (
            b"[" * 300 + b"]" * 300,
            "request body: must be of type object (got list of 1 item) (rule: type)",
        ),
        (
            b'{"prompt": "x", "camera_control": ' + b'{"a": ' * 1000 + b"1" + b"}" * 1001,
            "camera_control.a: is not a documented field; known fields: config, type (rule: additionalProperties)",
        ),
    ],
)
def test_deeply_nested_bodies_are_refused_naming_the_field(harness: Harness, raw: bytes, said: str) -> None:
    headers = {"content-type": "application/json"}
    status, code, message = error(harness.send("POST", f"{API}/text2video", raw=raw, headers=headers))
    assert (status, code, message) == (400, 1201, f"Invalid key or value: {said}")


def test_path_parameter_is_validated(harness: Harness) -> None:
    status, code, message = error(harness.send("GET", f"{API}/text2video/" + "x" * 257))
    assert (status, code) == (400, 1201)
    assert "path id: must have at most 256 characters" in message


def test_query_body_is_ignored(harness: Harness) -> None:
    response = harness.send("GET", f"{API}/text2video/nope", raw=b"\xff garbage")
    assert error(response)[:2] == (404, 1203)
