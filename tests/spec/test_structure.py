"""The spec is valid OpenAPI 3.1 and has the shape the SDK, mock and contract suite rely on."""

from __future__ import annotations

import keyword
import re

import pytest
from openapi_spec_validator import validate
from openapi_spec_validator.readers import read_from_filename

from tests.spec.spec_model import SPEC_PATH, deref, load_spec, operations

EXPECTED_OPERATIONS = {
    ("post", "/videos/text2video"): "create_text2video_task",
    ("get", "/videos/text2video/{id}"): "get_text2video_task",
    ("post", "/videos/image2video"): "create_image2video_task",
    ("get", "/videos/image2video/{id}"): "get_image2video_task",
    ("post", "/videos/video-extend"): "create_video_extend_task",
    ("get", "/videos/video-extend/{id}"): "get_video_extend_task",
}
ERROR_STATUSES = ["400", "401", "403", "404", "429", "500", "503", "504"]
ERROR_CODES_BY_STATUS = {
    "400": [1200, 1201, 1300, 1301],
    "401": [1000, 1001, 1002, 1003, 1004],
    "403": [1103],
    "404": [1202, 1203],
    "429": [1100, 1101, 1102, 1302, 1303, 1304],
    "500": [5000],
    "503": [5001],
    "504": [5002],
}


def test_spec_validates_as_openapi_3_1() -> None:
    spec_dict, base_uri = read_from_filename(str(SPEC_PATH))
    validate(spec_dict, base_uri=base_uri)
    assert load_spec()["openapi"] == "3.1.0"


def test_server_carries_endpoint_path_variable() -> None:
    (server,) = load_spec()["servers"]
    assert server["url"] == "https://genaiapi.cloudsway.net/v1/ai/{endpointPath}/kling"
    assert "endpointPath" in server["variables"]


def test_six_operations_with_readable_ids() -> None:
    found = {(method, path): op["operationId"] for path, method, op in operations()}
    assert found == EXPECTED_OPERATIONS


def test_bearer_security_on_every_operation() -> None:
    scheme = load_spec()["components"]["securitySchemes"]["bearerAuth"]
    assert (scheme["type"], scheme["scheme"]) == ("http", "bearer")
    for path, method, op in operations():
        assert op.get("security") == [{"bearerAuth": []}], f"{method} {path}"


@pytest.mark.parametrize(("path", "method", "op"), list(operations()), ids=lambda v: v if isinstance(v, str) else "")
def test_every_error_status_declared_with_envelope_and_codes(path: str, method: str, op: dict[str, object]) -> None:
    responses = op["responses"]
    assert isinstance(responses, dict)
    assert set(responses) == {"200", *ERROR_STATUSES}
    for status in ERROR_STATUSES:
        response = deref(responses[status])
        media = response["content"]["application/json"]
        assert media["schema"] == {"$ref": "#/components/schemas/ErrorResponse"}
        codes = sorted(deref(ex)["value"]["code"] for ex in media["examples"].values())
        assert codes == ERROR_CODES_BY_STATUS[status], f"{method} {path} {status}"
        for code in ERROR_CODES_BY_STATUS[status]:
            assert str(code) in response["description"], f"{status} description lacks {code}"


def test_error_envelope_forbids_data() -> None:
    envelope = load_spec()["components"]["schemas"]["ErrorResponse"]
    assert envelope["required"] == ["code", "message", "request_id"]
    assert envelope["not"] == {"required": ["data"]}


@pytest.mark.parametrize("kind", ["text2video", "image2video"])
def test_create_links_to_query_by_task_id_and_external_task_id(kind: str) -> None:
    op = load_spec()["paths"][f"/videos/{kind}"]["post"]
    links = deref(op["responses"]["200"])["links"]
    targets = {(link["operationId"], link["parameters"]["id"]) for link in links.values()}
    assert targets == {
        (f"get_{kind}_task", "$response.body#/data/task_id"),
        (f"get_{kind}_task", "$request.body#/external_task_id"),
    }


def test_extend_links_to_its_query() -> None:
    op = load_spec()["paths"]["/videos/video-extend"]["post"]
    links = deref(op["responses"]["200"])["links"]
    assert [link["operationId"] for link in links.values()] == ["get_video_extend_task"]


@pytest.mark.parametrize("path", ["/videos/text2video/{id}", "/videos/image2video/{id}", "/videos/video-extend/{id}"])
def test_every_query_links_its_video_to_the_extension_create(path: str) -> None:
    """A peer's stateful walk reaches a real extension only through this link (D28)."""
    op = load_spec()["paths"][path]["get"]
    links = deref(op["responses"]["200"])["links"]
    assert {name: (link["operationId"], link["requestBody"]) for name, link in links.items()} == {
        "ExtendVideo": ("create_video_extend_task", {"video_id": "$response.body#/data/task_result/videos/0/id"})
    }


def _enums() -> list[tuple[str, dict[str, object]]]:
    return [(name, s) for name, s in load_spec()["components"]["schemas"].items() if "enum" in s]


@pytest.mark.parametrize(("name", "schema"), _enums(), ids=[n for n, _ in _enums()])
def test_enums_have_readable_stable_member_names(name: str, schema: dict[str, object]) -> None:
    names = schema.get("x-enum-varnames")
    values = schema["enum"]
    assert isinstance(names, list)
    assert isinstance(values, list)
    assert len(names) == len(values), name
    assert len(set(names)) == len(names), name
    for member in names:
        assert re.fullmatch(r"[A-Z][A-Z0-9_]*", member), member
        assert not keyword.iskeyword(member)
