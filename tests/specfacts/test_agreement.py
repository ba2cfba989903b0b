"""Property: the SDK's preflight and the mock agree on every request body, valid or not (issue 10).

Both accept, or both refuse naming the same field (JSON pointer) and rule, for schema refusals (the
JSON Schema keyword) and capability refusals alike: both read the spec with the one interpreter in
maas_kl_specfacts, the mock only using jsonschema-rs as its fast accept path (F6).
"""

from __future__ import annotations

from typing import Any

import orjson
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from maas_kl_client import PreflightError
from maas_kl_client._preflight import validate, violations
from maas_kl_mock import MockConfig, MockCore, MockRequest
from maas_kl_specfacts import SpecFacts, Violation
from maas_kl_specfacts._schema import ASSERTIONS

from tests.specfacts.test_facts import SPEC

FACTS = SpecFacts(SPEC)
CORE = MockCore(MockConfig(concurrency_limit=10**9, record_calls=1))
NOT_FOUND = FACTS.codes.named("not_found").code
URL = "https://example.com/a.png"
VALUES: dict[str, list[Any]] = {
    "model_name": ["MaaS_KL_V1", "MaaS_KL_V1.5", "MaaS_KL_V1.6", "kling-v1", "bogus", "", None, 1],
    "mode": ["std", "pro", "", "fast", None],
    "duration": ["5", "10", "7", 5, None],
    "prompt": ["A dog", "", " ", "x" * 2501, None],
    "negative_prompt": ["blurry", "", None],
    "cfg_scale": [0, 0.5, 1, 1.5, -1, "0.5", None],
    "aspect_ratio": ["16:9", "9:16", "1:1", "4:3", None],
    "image": [
        URL,
        "aGVsbG8=",
        "data:image/png;base64,aGVsbG8=",
        "",
        None,
        "aGVsbG8=\n",
        "http://a\x1f",
        "http://a\u00a0",
    ],
    "image_tail": [URL, "", None],
    "static_mask": [URL, None],
    "dynamic_masks": [[], [{"mask": URL, "trajectories": [{"x": 1, "y": 2}, {"x": 3, "y": 4}]}], None],
    "camera_control": [
        {},
        {"type": "simple", "config": {"horizontal": 1}},
        {"type": "simple", "config": {"horizontal": 0}},
        {"type": "simple"},
        {"type": "down_back"},
        {"type": "down_back", "config": {"zoom": 2}},
        None,
    ],
    "callback_url": [URL, "", None],
    "external_task_id": ["job-1", "", None],
    "video_id": ["3fa85f64-5717-4562-b3fc-2c963f66afa6", "", None],
    "surprise": [1],
}
DOCUMENTED = {  # values the schema accepts, so that many bodies reach the capability map or are sent
    "model_name": VALUES["model_name"][:4],
    "mode": ["std", "pro"],
    "duration": ["5", "10"],
    "prompt": ["A dog"],
    "negative_prompt": ["blurry"],
    "cfg_scale": [0, 0.5, 1],
    "aspect_ratio": ["16:9", "9:16", "1:1"],
    "image": [URL, "aGVsbG8="],
    "image_tail": [URL],
    "static_mask": [URL],
    "dynamic_masks": VALUES["dynamic_masks"][1:2],
    "camera_control": [VALUES["camera_control"][1], {"type": "down_back"}],
    "callback_url": [URL],
    "external_task_id": ["job-1"],
    "video_id": VALUES["video_id"][:1],
}


def bodies(operation: str) -> st.SearchStrategy[dict[str, Any]]:
    """Bodies of documented values only, or mixing documented and broken ones; each field absent or present."""
    pointer = FACTS.families[_family(operation)].request_schema or ""
    schema = SPEC["components"]["schemas"][pointer.rsplit("/", 1)[-1]]
    names = [n for n in VALUES if n in schema.get("properties", {}) or n == "surprise"]
    mixed = {n: st.sampled_from(VALUES[n]) for n in names}
    documented = {n: st.sampled_from(DOCUMENTED[n]) for n in names if n in DOCUMENTED}
    return st.fixed_dictionaries({}, optional=documented) | st.fixed_dictionaries({}, optional=mixed)


def _family(operation: str) -> str:
    found = FACTS.family(operation)
    assert found is not None
    return found.name


def sdk(operation: str, body: dict[str, Any]) -> Violation | None:
    """None when the SDK would send `body`, else the first violation its PreflightError names."""
    found = violations(operation, body)
    refused: list[tuple[str, str]] = []
    try:
        validate(operation, body)
    except PreflightError as error:
        refused = error.violations
    assert refused == [(v.field or "body", v.message) for v in found], body
    return found[0] if found else None


def mock(operation: str, body: dict[str, Any], tenant: int) -> tuple[int, str] | None:
    """None when the mock accepts `body` (or finds it valid but the named video missing), else (code, message)."""
    family = FACTS.families[_family(operation)]
    headers = {"authorization": f"Bearer tenant-{tenant}", "content-type": "application/json"}
    request = MockRequest("POST", f"/v1/ai/x/kling{family.create_path}", headers, orjson.dumps(body))
    response = CORE.handle(request)
    if response.status == 200:
        return None
    answer = orjson.loads(response.body)
    if answer["code"] == NOT_FOUND and body.get("video_id"):
        return None  # valid, and the video does not exist: a stateful answer, not a validity one
    return answer["code"], answer["message"]


COUNTER = iter(range(10**9))
OPERATIONS = sorted(f.create for f in FACTS.families.values())


@settings(max_examples=2100, deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=True)
@given(data=st.data(), operation=st.sampled_from(OPERATIONS))
def test_sdk_preflight_and_mock_agree(data: st.DataObject, operation: str) -> None:
    body = data.draw(bodies(operation))
    said_sdk = sdk(operation, body)
    said_mock = mock(operation, body, next(COUNTER))
    assert (said_sdk is None) == (said_mock is None), f"{operation} {body}: SDK {said_sdk}, mock {said_mock}"
    if said_sdk is None or said_mock is None:
        event("both accept")
        return
    event(f"both refuse: {'schema' if said_sdk.rule in ASSERTIONS else 'capability'} rule")
    where = said_sdk.field
    if said_sdk.rule in ASSERTIONS:  # a schema refusal: the mock names the same pointer, keyword and fix
        expected = f"Invalid key or value: {where or 'request body'}: {said_sdk.message} (rule: {said_sdk.rule})"
        assert said_mock[1] == expected, (body, said_sdk, said_mock)
    else:  # a capability refusal: the message starts with the rule's name
        assert said_sdk.message.startswith(said_sdk.rule), said_sdk
        assert said_mock[1].endswith(f"{where}: {said_sdk.message}"), (body, said_sdk, said_mock)
