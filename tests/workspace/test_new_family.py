"""A spec edit alone adds a task family and a plain operation: the mock serves both, no product code touched."""

from __future__ import annotations

import copy
import shutil
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from tests.workspace.standalone import serving

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "sk-new-family-test"
NEW = "image2video_pro"


def add_family_and_plain_get(spec: dict[str, Any]) -> None:
    """Copy image to video's two operations under a new path, tag, operationIds and request schema; add a GET."""
    paths, components = spec["paths"], spec["components"]
    create = copy.deepcopy(paths["/videos/image2video"]["post"])
    query_item = copy.deepcopy(paths["/videos/image2video/{id}"])
    request = copy.deepcopy(components["schemas"]["Image2VideoRequest"])
    request["properties"]["seed"] = {"type": "integer", "minimum": 0, "description": "An optional new field."}
    components["schemas"]["Image2VideoProRequest"] = request
    created = copy.deepcopy(spec["components"]["responses"]["Image2VideoTaskCreated"])
    for link in created["links"].values():
        link["operationId"] = f"get_{NEW}_task"
    components["responses"]["Image2VideoProTaskCreated"] = created
    create.update(operationId=f"create_{NEW}_task", tags=[NEW])
    create["requestBody"]["content"]["application/json"]["schema"] = {
        "$ref": "#/components/schemas/Image2VideoProRequest"
    }
    create["responses"]["200"] = {"$ref": "#/components/responses/Image2VideoProTaskCreated"}
    query_item["get"].update(operationId=f"get_{NEW}_task", tags=[NEW])
    paths["/videos/image2video-pro"] = {"post": create}
    paths["/videos/image2video-pro/{id}"] = query_item
    spec["tags"].append({"name": NEW, "description": "A fourth family, copied from image to video."})
    balance = {"code": 0, "message": "SUCCEED", "request_id": "r-1", "data": {"balance": 42.5, "currency": "USD"}}
    get_ok = {
        "description": "The account balance.",
        "content": {
            "application/json": {
                "schema": {"type": "object"},
                "examples": {"document": {"summary": "A balance", "value": balance}},
            }
        },
    }
    paths["/account/balance"] = {
        "get": {
            "operationId": "get_account_balance",
            "tags": ["account"],
            "summary": "Read the balance",
            "responses": {"200": get_ok, "401": {"$ref": "#/components/responses/Unauthorized"}},
        }
    }


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    """A temporary copy of the workspace's spec folder, with the new family and the plain GET added."""
    copied = tmp_path / "workspace"
    shutil.copytree(ROOT / "openapi", copied / "openapi")
    spec_path = copied / "openapi" / "maas_kl.yaml"
    spec = yaml.safe_load(spec_path.read_text(encoding="utf-8"))
    add_family_and_plain_get(spec)
    spec_path.write_text(yaml.safe_dump(spec, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return copied


@pytest.fixture
def mock_url(workspace: Path) -> Iterator[str]:
    """The mock, a real process on port 0, serving the edited spec; its address read from its start-up output."""
    command = [
        *(sys.executable, "-m", "maas_kl_mock", "serve", "--port", "0", "--token", TOKEN),
        *("--spec", str(workspace / "openapi" / "maas_kl.yaml")),
        *("--submitted-seconds", "0.05", "--processing-seconds", "0.05", "--check-responses"),
    ]
    with serving(command) as url:
        yield url


def test_a_fourth_family_and_a_plain_get_work_in_the_mock(mock_url: str) -> None:
    api = f"{mock_url}/v1/ai/XXX/kling"
    headers = {"Authorization": f"Bearer {TOKEN}"}
    with httpx.Client(base_url=api, headers=headers, timeout=10) as http:
        body = {"image": "https://example.com/a.png", "seed": 7, "external_task_id": "pro-1"}
        created = http.post("/videos/image2video-pro", json=body)
        assert created.status_code == 200, created.text
        task_id = created.json()["data"]["task_id"]
        deadline = time.monotonic() + 20
        task: dict[str, Any] = {}
        while time.monotonic() < deadline:
            task = http.get(f"/videos/image2video-pro/{task_id}").json()["data"]
            if task["task_status"] == "succeed":
                break
            time.sleep(0.05)
        assert task["task_status"] == "succeed", task
        assert http.get("/videos/image2video-pro/pro-1").json()["data"]["task_id"] == task_id  # external id works
        # The family's tasks are its own: the image to video query does not find them.
        assert http.get(f"/videos/image2video/{task_id}").json()["code"] == 1203
        refused = http.post("/videos/image2video-pro", json={**body, "seed": -1, "external_task_id": "pro-2"})
        assert (refused.status_code, refused.json()["code"]) == (400, 1201), refused.text  # the new schema's bound
        video = httpx.get(task["task_result"]["videos"][0]["url"], timeout=10)
        assert video.status_code == 200
        assert video.headers["content-type"] == "video/mp4"
        assert video.content[4:8] == b"ftyp"
        balance = http.get("/account/balance")
        assert balance.status_code == 200, balance.text
        assert balance.json()["data"] == {"balance": 42.5, "currency": "USD"}
        assert http.get("/account/balance", headers={"Authorization": "Bearer nope"}).status_code == 401
        stats = httpx.get(f"{mock_url}/_mock/stats", timeout=10).json()
        assert stats["internal_errors"] == 0, stats
