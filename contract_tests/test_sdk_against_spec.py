"""SDK against spec, both directions: generated requests through the mock, generated responses and errors via respx."""

from __future__ import annotations

import contextlib
import json
from typing import Any

import httpx
import jsonschema_rs
import maas_kl_client as sdk
import pytest
import respx
from hypothesis import given
from maas_kl_client import models
from maas_kl_client.models import ErrorResponse, TaskResponse
from maas_kl_mock import InProcessMock, ManualClock, MockConfig

from contract_tests.spec_facts import error_statuses, facts, spec
from contract_tests.strategies import request_bodies, response_bodies, served_task_responses

JSON = Any
BASE = "https://maas-kl.contract.test"
API = f"{BASE}/v1/ai/default/kling"
# operation id: (SDK resource, request model, request schema), for every family the spec declares.
KINDS: dict[str, tuple[str, Any, str]] = {
    family.create: (family.name, getattr(models, name), name)
    for family in facts().families.values()
    for name in [(family.request_schema or "").rsplit("/", 1)[-1]]
}
# S5: the exception class the spec's x-business-codes names for each code, as the SDK exports it.
CLASS_OF_CODE: dict[int, type[sdk.APIError]] = {row.code: getattr(sdk, row.error_class) for row in facts().codes.rows}


def _validator(name: str) -> jsonschema_rs.Validator:
    """Validate as JSON Schema says (ECMA-262 regexes): Python's `re` reads `\\S` differently (C1)."""
    root = {"$ref": f"#/components/schemas/{name}", "components": spec()["components"]}
    return jsonschema_rs.Draft202012Validator(root)


MOCK = InProcessMock(MockConfig(check_responses=True), clock=ManualClock())


@pytest.mark.parametrize("operation_id", sorted(KINDS))
def test_generated_request_round_trips_and_reaches_the_wire_as_the_spec_says(operation_id: str) -> None:
    resource, model, schema_name = KINDS[operation_id]
    validator = _validator(schema_name)

    @given(body=request_bodies(operation_id))
    def check(body: dict[str, JSON]) -> None:
        parsed = model.from_dict(body)
        assert parsed.to_dict() == body, "to_dict(from_dict(x)) must give x back"
        MOCK.core.reset()
        with (
            httpx.Client(transport=MOCK.transport()) as http,
            sdk.MaasKL("contract-key", "default", BASE, http_client=http, preflight=False, max_retries=0) as client,
            # A refusal by the capability map (D10) or of an unknown video (M4) still sent the request.
            contextlib.suppress(sdk.InvalidRequestError, sdk.NotFoundError),
        ):
            getattr(client, resource).create(parsed)
        sent = [call.request for call in MOCK.calls if call.request.method == "POST"]
        assert len(sent) == 1, f"one create must send one POST, sent {len(sent)}"
        wire = json.loads(sent[0].body)
        errors = [error.message for error in validator.iter_errors(wire)]
        assert not errors, f"the SDK sent a body the spec refuses: {errors[:3]}"
        added = {key: wire[key] for key in wire.keys() - body.keys()}
        assert set(added) <= {"external_task_id"}, f"the SDK added fields of its own: {added}"
        assert {key: wire[key] for key in body} == body, "the SDK changed a field the caller set"

    check()


@given(body=served_task_responses())
def test_generated_task_responses_parse_and_round_trip(body: dict[str, JSON]) -> None:
    assert TaskResponse.from_dict(body).to_dict() == body
    with respx.mock(base_url=API, assert_all_called=True) as router:
        router.get("/videos/text2video/some-task").respond(200, json=body)
        with sdk.MaasKL("contract-key", "default", BASE, max_retries=0) as client:
            task = client.text2video.get("some-task")
    assert task.to_dict() == body["data"]
    assert str(task.task_status) == body["data"]["task_status"]


@given(body=response_bodies("ErrorResponse"))
def test_generated_error_bodies_round_trip(body: dict[str, JSON]) -> None:
    assert ErrorResponse.from_dict(body).to_dict() == body


def test_the_table_covers_every_code_the_spec_documents() -> None:
    assert sorted(CLASS_OF_CODE) == sorted(error_statuses())


@pytest.mark.parametrize(("code", "status"), sorted(error_statuses().items()))
def test_each_documented_error_raises_its_class(code: int, status: int) -> None:
    body = {"code": code, "message": f"message {code}", "request_id": f"req-{code}"}
    with respx.mock(base_url=API, assert_all_called=True) as router:
        router.get("/videos/image2video/t-1").respond(status, json=body)
        with (
            sdk.MaasKL("contract-key", "default", BASE, max_retries=0) as client,
            pytest.raises(sdk.APIError) as caught,
        ):
            client.image2video.get("t-1")
    error = caught.value
    assert type(error) is CLASS_OF_CODE[code], f"code {code} raised {type(error).__name__}"
    assert (error.status_code, error.code, error.request_id) == (status, code, f"req-{code}")
