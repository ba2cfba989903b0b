import dataclasses

import pytest
from maas_kl_mock import ApiError, MockResponse, ResponseInvalid, load_spec
from mock_harness import API, Harness, body


def test_responses_follow_the_spec_examples_layout(harness: Harness) -> None:
    created = harness.create(body={"prompt": "x", "external_task_id": "e"})
    example = load_spec().operation("create_text2video_task").examples(200)["document"]
    assert list(created) == list(example)
    assert list(created["data"]) == list(example["data"])
    assert created["message"] == example["message"]


def test_every_response_validates_against_the_spec() -> None:
    harness = Harness()  # check_responses=True raises ResponseInvalid on any drift
    harness.create(body={"prompt": "x", "external_task_id": "a"})
    harness.create("image2video", {"image": "abc"})
    harness.clock.advance(10)
    for call in list(harness.core.calls):
        if call.operation_id and call.operation_id.startswith("create_"):
            task_id = call.json()["data"]["task_id"]
            kind = "text2video" if "text2video" in call.operation_id else "image2video"
            harness.query(kind, task_id)
    spec = load_spec()
    for call in harness.core.calls:
        assert call.operation_id is not None
        pointer = spec.operation(call.operation_id).response_schemas[call.response.status]
        assert spec.validator(pointer).is_valid(call.json())


def test_request_ids_are_unique(harness: Harness) -> None:
    ids = {body(harness.send("GET", f"{API}/text2video/{n}"))["request_id"] for n in range(500)}
    assert len(ids) == 500


def test_prefer_code_serves_the_documented_error_with_a_live_request_id(harness: Harness) -> None:
    response = harness.send(
        "POST", f"{API}/text2video", {"prompt": "x"}, headers={"prefer": "code=429, example=code1303"}
    )
    data = body(response)
    assert (response.status, data["code"]) == (429, 1303)
    assert data["request_id"] != "0f6b1c8e-1303-4d8e-9a11-000000001303"
    assert response.header("Retry-After") == "1"
    assert len(harness.core.store) == 0, "a Prefer code answers without creating"


@pytest.mark.parametrize(
    ("prefer", "status", "code"),
    [
        ("code=429", 429, 1302),  # the rate limit, not 1100, the first documented 429 example (M5)
        ("code=429, example=code1100", 429, 1100),  # a named example still wins
        ("code=400", 400, 1200),  # no retryable 400: the first example, as Prism serves it
        ("code=503", 503, 5001),
    ],
)
def test_prefer_code_alone_serves_the_retryable_example(harness: Harness, prefer: str, status: int, code: int) -> None:
    response = harness.send("POST", f"{API}/text2video", {"prompt": "x"}, headers={"prefer": prefer})
    assert (response.status, body(response)["code"]) == (status, code)


def test_prefer_example_serves_a_named_example(harness: Harness) -> None:
    response = harness.send("GET", f"{API}/text2video/anything", headers={"prefer": "example=failed"})
    assert body(response)["data"]["task_status"] == "failed"


def test_prefer_unknown_example_or_code_is_a_clear_400(harness: Harness) -> None:
    response = harness.send("GET", f"{API}/text2video/x", headers={"prefer": "example=nope"})
    assert (response.status, body(response)["code"]) == (400, 1200)
    assert "(its examples: example=document or example=failed)" in body(response)["message"]
    response = harness.send("GET", f"{API}/text2video/x", headers={"prefer": "code=418"})
    assert (response.status, body(response)["code"]) == (400, 1200)


@pytest.mark.parametrize(
    ("prefer", "meant"),
    [("scenaro=fail", "scenario=fail"), ("fail", "scenario=fail"), ("exmple=failed", "example=failed")],
)
def test_prefer_near_misses_are_refused_naming_what_was_meant(harness: Harness, prefer: str, meant: str) -> None:
    response = harness.send("GET", f"{API}/text2video/x", headers={"prefer": prefer})
    assert (response.status, body(response)["code"]) == (400, 1200)
    assert f"did you mean {meant}?" in body(response)["message"]


@pytest.mark.parametrize("prefer", ["garbage", "return=minimal", "respond-async, wait=5"])
def test_other_preferences_are_ignored_as_rfc_7240_asks(harness: Harness, prefer: str) -> None:
    response = harness.send("POST", f"{API}/text2video", {"prompt": "x"}, headers={"prefer": prefer})
    assert (response.status, body(response)["code"]) == (200, 0)


def test_validation_runs_before_prefer(harness: Harness) -> None:
    response = harness.send("POST", f"{API}/text2video", {}, headers={"prefer": "code=500"})
    assert (response.status, body(response)["code"]) == (400, 1201)


def test_prefer_code_in_non_ascii_digits_is_a_400_not_a_500(harness: Harness) -> None:
    # Headers arrive as latin-1: "\xb2" is "²", which str.isdigit() accepts and int() refuses.
    response = harness.send("GET", f"{API}/text2video/x", headers={"prefer": "code=\xb2\xb2\xb2"})
    assert (response.status, body(response)["code"]) == (400, 1200)
    assert "is not an HTTP status" in body(response)["message"]
    assert harness.core.internal_errors == 0


def test_a_response_the_spec_forbids_raises_and_is_counted() -> None:
    harness = Harness()
    original = harness.core.responder.error

    def broken(error: ApiError) -> MockResponse:
        forbidden = b'{"code": "not an integer", "message": "x", "request_id": "r"}'
        return dataclasses.replace(original(error), body=forbidden)

    harness.core.responder.error = broken  # type: ignore[method-assign]
    with pytest.raises(ResponseInvalid, match="is not of type"):
        harness.send("GET", f"{API}/text2video/missing")
    assert harness.core.internal_errors == 1, "out-of-process tests read this count from /_mock/stats"
