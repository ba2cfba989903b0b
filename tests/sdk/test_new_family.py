"""A family added to the spec is a typed resource after `make generate` (issue 11, item 7).

In a temporary copy of the workspace: add a fourth task family (text2video_hd), a new model name
(MaaS_KL_V2) and a new optional field (`style`) to the spec, regenerate, and with no other edit
use the regenerated SDK, mock and CLI in fresh interpreters that import the copy's packages.
"""

from __future__ import annotations

import copy
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).parents[2]
SKIP = shutil.ignore_patterns("__pycache__", "*.pyc", ".mypy_cache", ".ruff_cache", ".pytest_cache", "node_modules")
FAMILY, COMMAND = "text2video_hd", "text2video-hd"


def add_family(spec: dict[str, Any]) -> dict[str, Any]:
    """The maintainer's edit: a copy of text to video under a new path, tag, operationIds and schemas."""
    spec = copy.deepcopy(spec)
    schemas, responses = spec["components"]["schemas"], spec["components"]["responses"]
    model = schemas["ModelName"]
    model["enum"].append("MaaS_KL_V2")
    model["x-enum-varnames"].append("MAAS_KL_V2")
    request = copy.deepcopy(schemas["Text2VideoRequest"])
    request["properties"]["style"] = {
        "type": "string",
        "description": "Rendering style of the high-definition video.",
        "enum": ["cinematic", "anime"],
        "x-enum-varnames": ["CINEMATIC", "ANIME"],
    }
    schemas["Text2VideoHdRequest"] = request
    created = copy.deepcopy(responses["Text2VideoTaskCreated"])
    for link in created["links"].values():
        link["operationId"] = "get_text2video_hd_task"
    responses["Text2VideoHdTaskCreated"] = created
    create = copy.deepcopy(spec["paths"]["/videos/text2video"]["post"])
    create.update(operationId="create_text2video_hd_task", tags=[FAMILY], summary="Create a text-to-HD-video task")
    create["requestBody"]["content"]["application/json"]["schema"] = {
        "$ref": "#/components/schemas/Text2VideoHdRequest"
    }
    create["responses"]["200"] = {"$ref": "#/components/responses/Text2VideoHdTaskCreated"}
    query = copy.deepcopy(spec["paths"]["/videos/text2video/{id}"]["get"])
    query.update(operationId="get_text2video_hd_task", tags=[FAMILY], summary="Query a text-to-HD-video task")
    spec["paths"]["/videos/text2video-hd"] = {"post": create}
    spec["paths"]["/videos/text2video-hd/{id}"] = {"get": query}
    spec["tags"].append({"name": FAMILY, "description": "Generate a high-definition video from a text prompt."})
    spec["x-capability-map"]["rules"].append(
        {
            "name": "text to HD video",
            "operation": "create_text2video_hd_task",
            "when_present": [],
            "supported": {
                "MaaS_KL_V1": [],
                "MaaS_KL_V1.5": [],
                "MaaS_KL_V1.6": ["pro5"],
                "MaaS_KL_V2": ["pro5", "pro10"],
            },
        }
    )
    return spec


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the workspace with the new family in its spec, regenerated with `python -m generator`."""
    copy_root = tmp_path_factory.mktemp("workspace")
    for name in ("openapi", "generator", "mock_server", "generated_client", "specfacts"):
        shutil.copytree(ROOT / name, copy_root / name, ignore=SKIP)
    for name in ("pyproject.toml", "LICENSE", "GENERATED"):
        shutil.copy(ROOT / name, copy_root / name)
    spec_file = copy_root / "openapi" / "maas_kl.yaml"
    spec = add_family(yaml.safe_load(spec_file.read_text(encoding="utf-8")))
    text = yaml.safe_dump(spec, sort_keys=False, allow_unicode=True)
    spec_file.write_text(text, encoding="utf-8")
    run([sys.executable, "-m", "generator"], copy_root)
    return copy_root


def run(args: list[str], root: Path, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """Run a command on the copy's packages (they come first on sys.path); fail with its output."""
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(
            [str(root / "generated_client"), str(root / "mock_server" / "src"), str(root / "specfacts" / "src")]
        ),
    }
    env.pop("MAAS_KL_API_KEY", None)
    done = subprocess.run(args, cwd=cwd or root, env=env, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    return done


USE = """
import httpx, sys
from pathlib import Path
import maas_kl_client
from maas_kl_client import MaasKL, PreflightError
from maas_kl_mock import InProcessMock, ManualClock

assert maas_kl_client.__file__.startswith(sys.argv[1]), maas_kl_client.__file__  # the regenerated copy
clock = ManualClock()
mock = InProcessMock(clock=clock)
http = httpx.Client(transport=mock.transport())
settings = {"api_key": "test-key", "endpoint_path": "default", "base_url": "http://127.0.0.1:4010"}
with MaasKL(**settings, http_client=http, clock=clock) as client:
    task = client.text2video_hd.create_and_wait(prompt="A dog", model_name="MaaS_KL_V2", mode="pro", style="anime")
    assert task.task_status == "succeed", task
    path = client.download_video(task.videos[0].url, Path(sys.argv[2]))
    assert path.read_bytes()[4:8] == b"ftyp", path
    sent = [c for c in mock.calls if c.request.method == "POST"][0]
    assert b'"style":"anime"' in sent.request.body.replace(b" ", b""), sent.request.body
    try:
        client.text2video_hd.create(prompt="A dog", model_name="MaaS_KL_V2", mode="pro", style="sketch")  # type: ignore
    except PreflightError as error:
        assert error.field == "style", error
        print("refused:", error)
    else:
        raise AssertionError("preflight let style='sketch' through")
    print("created", task.task_id, "downloaded", path.name)
"""


def test_the_new_family_creates_waits_and_downloads_against_the_mock(workspace: Path, tmp_path: Path) -> None:
    done = run([sys.executable, "-c", USE, str(workspace), str(tmp_path)], workspace, cwd=tmp_path)
    assert "refused: Request not sent: style:" in done.stdout
    assert list(tmp_path.glob("*.mp4"))


def test_the_cli_has_a_command_for_the_new_family(workspace: Path) -> None:
    done = run([sys.executable, "-m", "maas_kl_client.cli", COMMAND, "--help"], workspace)
    for option in ("--prompt", "--style", "--model-name", "--body FILE|-", "cinematic, anime", "MaaS_KL_V2"):
        assert option in done.stdout, done.stdout


def test_mypy_strict_passes_on_the_regenerated_package(workspace: Path) -> None:
    package = workspace / "generated_client"
    resources = (package / "maas_kl_client" / "_sync" / "families.py").read_text(encoding="utf-8")
    assert "class Text2videoHdResource(" in resources
    assert "style: Literal['cinematic', 'anime'] | NotGiven = NOT_GIVEN" in resources.replace('"', "'")
    run(
        [sys.executable, "-m", "mypy", "--strict", "--cache-dir", str(workspace / ".mypy_cache"), "maas_kl_client"],
        workspace,
        cwd=package,
    )
