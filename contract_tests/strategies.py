"""Hypothesis strategies derived from the spec by schemathesis's own generator: request and response bodies."""

from __future__ import annotations

from functools import cache
from typing import Any

import schemathesis
from hypothesis import strategies as st
from schemathesis import Case, GenerationMode
from schemathesis.specs.openapi.schemas import OpenApiSchema

from contract_tests.spec_facts import SPEC_PATH, spec

JSON = Any
RESPONSE_SCHEMAS = ("TaskResponse", "ErrorResponse")
# Values the service may add to an open enum (D7, S1); the SDK must keep them, never crash.
UNKNOWN_STATUSES = ("queued", "paused", "cancelled")


@cache
def _requests() -> OpenApiSchema:
    return schemathesis.openapi.from_path(SPEC_PATH)


@cache
def _responses() -> OpenApiSchema:
    """Build a synthetic API whose request bodies are the spec's response schemas, so one generator serves both."""
    paths = {
        f"/{name}": {
            "post": {
                "operationId": name,
                "requestBody": {
                    "required": True,
                    "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{name}"}}},
                },
                "responses": {"200": {"description": "unused"}},
            }
        }
        for name in RESPONSE_SCHEMAS
    }
    document = {
        "openapi": "3.1.0",
        "info": {"title": "response schemas of maas_kl.yaml", "version": "1"},
        "paths": paths,
        "components": {"schemas": spec()["components"]["schemas"]},
    }
    return schemathesis.openapi.from_dict(document)


def request_bodies(operation_id: str) -> st.SearchStrategy[dict[str, JSON]]:
    """Schema-valid request bodies of `operation_id`, as schemathesis generates them."""
    operation = _requests().find_operation_by_id(operation_id)
    return operation.as_strategy(GenerationMode.POSITIVE).map(_body)


def _body(case: Case[Any]) -> dict[str, JSON]:
    """Return the generated body; every schema drawn from here is an object schema."""
    assert isinstance(case.body, dict), f"expected an object body, got {type(case.body).__name__}"
    return case.body


def response_bodies(schema_name: str) -> st.SearchStrategy[dict[str, JSON]]:
    """Schema-valid bodies of the components schema `schema_name` (TaskResponse or ErrorResponse)."""
    operation = _responses().find_operation_by_id(schema_name)
    return operation.as_strategy(GenerationMode.POSITIVE).map(_body)


_EXTRA = st.dictionaries(
    st.text("abcdefghijklmnopqrstuvwxyz_", min_size=3, max_size=12).map(lambda name: f"x_{name}"),
    st.none() | st.booleans() | st.integers() | st.text(max_size=20) | st.lists(st.integers(), max_size=3),
    max_size=3,
)


@st.composite
def served_task_responses(draw: st.DrawFn) -> dict[str, JSON]:
    """TaskResponse bodies a newer server could send: sometimes an unknown status, extra fields at two levels."""
    body = draw(response_bodies("TaskResponse"))
    if draw(st.booleans()):
        body["data"]["task_status"] = draw(st.sampled_from(UNKNOWN_STATUSES))
    body.update(draw(_EXTRA))
    body["data"].update(draw(_EXTRA))
    return body
