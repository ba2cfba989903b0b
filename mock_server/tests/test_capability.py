import pytest
from maas_kl_mock import ApiError, CapabilityMap, load_spec
from mock_harness import API, Harness, body


@pytest.fixture
def caps() -> CapabilityMap:
    return CapabilityMap(load_spec().capability_map)


def test_rules_are_read_from_the_spec(caps: CapabilityMap) -> None:
    assert len(caps.rules) == len(load_spec().capability_map["rules"])
    assert caps.canonical("kling-v1") == "MaaS_KL_V1"
    assert caps.extendable_models == {"MaaS_KL_V1"}
    assert (caps.seconds_added, caps.max_total_seconds, caps.retention_days) == (5, 180, 30)


@pytest.mark.parametrize(
    ("operation", "request_body"),
    [
        ("create_text2video_task", {"prompt": "x"}),
        ("create_text2video_task", {"prompt": "x", "model_name": "MaaS_KL_V1.6", "mode": "pro", "duration": "10"}),
        ("create_text2video_task", {"prompt": "x", "camera_control": {"type": "down_back"}}),
        ("create_image2video_task", {"image": "a", "image_tail": "b", "model_name": "MaaS_KL_V1.5", "mode": "pro"}),
        ("create_image2video_task", {"image_tail": "b", "model_name": "MaaS_KL_V1.6", "mode": "pro"}),
        ("create_image2video_task", {"image": "a", "static_mask": "m"}),
        (
            "create_image2video_task",
            {"image": "a", "model_name": "MaaS_KL_V1.5", "mode": "pro", "camera_control": {"type": "simple"}},
        ),
    ],
)
def test_supported_combinations_pass(caps: CapabilityMap, operation: str, request_body: dict[str, object]) -> None:
    caps.check_or_refuse(operation, request_body)


@pytest.mark.parametrize(
    ("operation", "request_body", "message"),
    [
        (
            "create_text2video_task",
            {"prompt": "x", "model_name": "MaaS_KL_V1.5"},
            "model_name: text to video is not supported by MaaS_KL_V1.5; use MaaS_KL_V1 or MaaS_KL_V1.6",
        ),
        (
            "create_text2video_task",
            {"prompt": "x", "mode": "pro", "camera_control": {"type": "down_back"}},
            "camera_control: camera_control in text to video with MaaS_KL_V1 supports only std5 (std mode, 5 s); "
            "got pro5 (pro mode, 5 s)",
        ),
        (
            "create_image2video_task",
            {"image_tail": "b"},
            "image_tail: image_tail without image is not supported by MaaS_KL_V1",
        ),
        (
            "create_image2video_task",
            {"image": "a", "model_name": "MaaS_KL_V1.6", "static_mask": "m"},
            "static_mask: motion brush (static_mask) is not supported by MaaS_KL_V1.6",
        ),
        (
            "create_image2video_task",
            {"image": "a", "model_name": "MaaS_KL_V1.5", "mode": "pro", "camera_control": {"type": "down_back"}},
            "camera_control in image to video requires camera_control.type to be 'simple'",
        ),
    ],
)
def test_unsupported_combinations_are_1201(
    caps: CapabilityMap, operation: str, request_body: dict[str, object], message: str
) -> None:
    with pytest.raises(ApiError) as caught:
        caps.check_or_refuse(operation, request_body)
    assert _status_code(caught.value) == (400, 1201)
    assert message in caught.value.message


def test_rules_can_be_switched_off() -> None:
    request_body = {"prompt": "x", "model_name": "MaaS_KL_V1.5"}
    assert Harness(capability_rules=False).send("POST", f"{API}/text2video", request_body).status == 200
    refused = Harness().send("POST", f"{API}/text2video", request_body)
    assert (refused.status, body(refused)["code"]) == (400, 1201)


def _status_code(error: ApiError) -> tuple[int, int]:
    row = error.row(load_spec().facts.codes)
    return row.status, row.code
