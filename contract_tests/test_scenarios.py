"""Examples and scenarios: every spec and document example replayed against the mock, one YAML case each."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
import jsonschema
import pytest
import yaml
from maas_kl_mock import FaultPlan, InProcessMock, ManualClock, MockConfig

from contract_tests.coverage import RECORDER, Exchange, from_httpx
from contract_tests.spec_facts import SpecExample, capability_map, code, examples, resolve, spec

SCENARIOS = Path(__file__).with_name("scenarios")
JSON = Any


def _load(path: Path) -> dict[str, JSON]:
    case: dict[str, JSON] = yaml.safe_load(path.read_text(encoding="utf-8"))
    return case


CASES = {path.stem: _load(path) for path in sorted(SCENARIOS.glob("*.yaml"))}
SPEC_EXAMPLES = {example.key: example for example in examples()}


def _subset(expected: JSON, actual: JSON, where: str = "data") -> None:
    """Assert `expected` is contained in `actual` (dicts recursively, everything else equal)."""
    if isinstance(expected, dict):
        assert isinstance(actual, dict), f"{where}: expected an object, got {actual!r}"
        for key, value in expected.items():
            assert key in actual, f"{where}.{key} is missing from {actual!r}"
            _subset(value, actual[key], f"{where}.{key}")
    else:
        assert actual == expected, f"{where}: expected {expected!r}, got {actual!r}"


def _send(mock: InProcessMock, client: httpx.Client, step: dict[str, JSON], fault: str | None = None) -> httpx.Response:
    """Send one step; the run's coverage report counts it, with the fault kind the case asked the mock for."""
    headers = {**mock.auth_headers, **step.get("headers", {})}
    kwargs: dict[str, JSON] = {"headers": headers}
    if "body" in step:
        kwargs["json"] = step["body"]
    try:
        response = client.request(step["method"], step["path"], **kwargs)
    except httpx.TransportError:  # a dropped connection: no status, but the exchange happened
        prefer = step.get("headers", {}).get("Prefer", "")
        RECORDER.record(Exchange("scenarios", step["method"], step["path"], prefer, step.get("body"), fault=fault))
        raise
    RECORDER.record(from_httpx(response, "scenarios", fault))
    return response


def _config(case: dict[str, JSON]) -> MockConfig:
    """The case's mock: `mock:` settings, and `fault: KIND` for a mock whose every API answer takes that fault."""
    settings = dict(case.get("mock", {}))
    if "fault" in case:  # after_store 1: a create's fault strikes its answer, so `truncate` has a body to cut
        settings["faults"] = FaultPlan(rate=1.0, kinds={str(case["fault"]): 1.0}, after_store=1.0)
    return MockConfig(check_responses=True, **settings)


def test_hand_written_scenarios_name_examples_the_spec_has() -> None:
    covered = {case["example"] for case in CASES.values() if "example" in case}
    unknown = sorted(covered - set(SPEC_EXAMPLES))
    assert not unknown, f"scenarios name examples the spec no longer has: {unknown}"


def _first_request_body(operation_id: str) -> JSON:
    """A documented body for `operation_id` (its first request example), or None when it takes no body."""
    for example in SPEC_EXAMPLES.values():
        if example.operation_id == operation_id and example.kind == "request":
            return example.value
    return None


def automatic_case(example: SpecExample) -> dict[str, JSON]:
    """The scenario every spec example gets without YAML: replay it and expect what the spec says."""
    not_found = code("not_found")
    path = example.path.replace("{id}", "859830423409475642")
    request: dict[str, JSON] = {"method": example.method, "path": path}
    if example.kind == "request":
        request["body"] = example.value
        # A body that names a video to extend finds none on a fresh mock; any other documented body is accepted.
        names_a_video = isinstance(example.value, dict) and "video_id" in example.value
        expect: dict[str, JSON] = (
            {"status": not_found.status, "code": not_found.code} if names_a_video else {"status": 200}
        )
    elif example.kind == "parameter":
        request["path"] = example.path.replace("{id}", quote(str(example.value), safe=""))
        expect = {"status": not_found.status, "code": not_found.code}  # a fresh mock holds no task
    else:
        request["headers"] = {"Prefer": f"code={example.status}, example={example.name}"}
        body = _first_request_body(example.operation_id)
        if body is not None:
            request["body"] = body
        expect = {"status": example.status, "body": example.value}
    return {"name": f"auto.{example.key}", "example": example.key, "request": request, "expect": expect}


@pytest.mark.parametrize("key", sorted(SPEC_EXAMPLES))
def test_every_spec_example_is_replayed_automatically(key: str) -> None:
    """A new spec example is covered with no YAML written; the hand-written scenarios stay on top."""
    _run(automatic_case(SPEC_EXAMPLES[key]))


def test_every_document_request_example_has_a_scenario() -> None:
    document = [case for case in CASES.values() if case["source"] == "document"]
    paths = sorted(case["request"]["path"] for case in document)
    assert paths == ["/videos/image2video", "/videos/text2video", "/videos/video-extend"]


@pytest.mark.parametrize("name", sorted(CASES))
def test_scenario(name: str) -> None:
    case = CASES[name]
    assert case["name"] == name, f"{name}.yaml names itself {case['name']!r}"
    example = SPEC_EXAMPLES.get(case.get("example", ""))
    if example is not None and example.kind == "request":
        assert case["request"]["body"] == example.value, "the scenario must send the spec example unchanged"
    if example is not None and example.kind == "response":
        assert case["expect"]["body"] == example.value, "the scenario must expect the spec example unchanged"
    _run(case)


def _run(case: dict[str, JSON]) -> None:
    clock = ManualClock()
    mock = InProcessMock(_config(case), clock=clock)
    expect = case["expect"]
    with mock.client(headers={}) as client:
        for step in case.get("setup", []):
            if "advance" in step:
                clock.advance(step["advance"])
                continue
            done = _send(mock, client, step)
            assert done.status_code == 200, f"setup step {step} failed: {done.text}"
        if expect.get("dropped"):
            with pytest.raises(httpx.TransportError):
                _send(mock, client, case["request"], case.get("fault"))
            return
        response = _send(mock, client, case["request"], case.get("fault"))
    body = response.json()
    assert response.status_code == expect["status"], f"expected HTTP {expect['status']}, got {response.text}"
    if "code" in expect:
        assert body["code"] == expect["code"], f"expected code {expect['code']}, got {body}"
    if "data" in expect:
        _subset(expect["data"], body["data"])
    if "body" in expect:
        assert body["request_id"] != expect["body"]["request_id"], "each answer carries a live request_id"
        assert {**body, "request_id": None} == {**expect["body"], "request_id": None}
    for header, value in expect.get("headers", {}).items():
        assert response.headers.get(header) == value, f"header {header}: expected {value!r}, got {response.headers}"
    _validate_against_spec(case["request"], response)


def _validate_against_spec(request: dict[str, JSON], response: httpx.Response) -> None:
    """The answer's body validates against the schema the spec declares for its status."""
    for path, methods in spec()["paths"].items():
        prefix = path.split("{")[0]
        same_shape = request["path"].startswith(prefix) and ("{" in path) == (request["path"] != prefix.rstrip("/"))
        operation = methods.get(request["method"].lower())
        if same_shape and operation is not None:
            declared = resolve(operation["responses"][str(response.status_code)])
            schema = resolve(declared["content"]["application/json"]["schema"])
            jsonschema.validate(response.json(), {**schema, "components": spec()["components"]})
            return


def test_capability_scenarios_name_a_rule_and_side_the_spec_has() -> None:
    """Each `capability.*` scenario names its x-capability-map rule and side, and expects what that side means."""
    rules = {rule.name for rule in capability_map().rules}
    invalid = code("invalid_value")
    chosen = {name: case for name, case in CASES.items() if case["source"] == "capability-map"}
    assert chosen, "no capability scenarios"
    for name, case in chosen.items():
        assert case["rule"] in rules, f"{name} names a rule the spec does not have: {case['rule']!r}"
        expected = (
            {"status": 200, "code": 0}
            if case["side"] == "accepted"
            else {"status": invalid.status, "code": invalid.code}
        )
        assert case["expect"] == expected, name
