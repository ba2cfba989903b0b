"""The README's spec-change commands, run as written in a copy of the workspace, reach every product.

A module-scoped copy takes a breaking spec change (an enum value removed from a request field, a
bound tightened) with the version bump and changelog entry the README asks for, then runs the
README's `sh` block under "Regenerating the SDK" with `make` using this environment's Python
(no sync, no new venv, no uv). Afterwards the copy's SDK preflight, its standalone mock serving
the spec it bundles, and the contract suite's reading of the spec all refuse the removed and the
out-of-bound value and accept the values that remain; the main checkout is left as it was.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from generator.api_changes.changelog import Version
from tests.changes.workspace import ROOT, Workspace
from tests.workspace.standalone import serving

README = (ROOT / "README.md").read_text(encoding="utf-8")
VERSIONED = ("generated_client/pyproject.toml", "generated_client/maas_kl_client/__init__.py")
CUR = Version.parse(re.search(r'^version = "(\S+)"', (ROOT / VERSIONED[0]).read_text(), re.M).group(1))  # type: ignore[union-attr]
NXT = CUR.breaking_bump()
OPERATION = "create_text2video_task"
TOKEN = "sk-spec-change"
# The spec change: "1:1" leaves AspectRatio, CfgScale's maximum drops from 1 to 0.8.
REFUSED = ({"aspect_ratio": "1:1"}, {"cfg_scale": 0.9})
ACCEPTED = ({"aspect_ratio": "16:9"}, {"aspect_ratio": "9:16"}, {"cfg_scale": 0.8}, {"cfg_scale": 0})
BODIES = [{"prompt": "A dog", **fields} for fields in (*REFUSED, *ACCEPTED)]
# Run in the copy: which modules answered, and the fields the SDK's preflight and the contract suite's spec refuse.
PROBE = """
import json, sys
import maas_kl_client, maas_kl_mock, maas_kl_specfacts
from maas_kl_client._preflight import violations
from maas_kl_specfacts import SpecSchemas
from contract_tests import spec_facts
operation, bodies = sys.argv[1], json.loads(sys.argv[2])
schemas = SpecSchemas(spec_facts.spec())
print(json.dumps({
    "modules": [m.__file__ for m in (maas_kl_client, maas_kl_mock, maas_kl_specfacts, spec_facts)],
    "sdk": [[v.field for v in violations(operation, body)] for body in bodies],
    "contract": [[v.field for v in schemas.request(operation, body)] for body in bodies],
}))
"""


def readme_commands() -> list[list[str]]:
    """The commands of the first `sh` block of the README's "Regenerating the SDK" section, comments dropped."""
    section = README.partition("## Regenerating the SDK\n")[2].partition("\n## ")[0]
    found = re.search(r"```sh\n(.*?)```", section, flags=re.DOTALL)
    assert found is not None, "README: no sh block under 'Regenerating the SDK'"
    lines = (line.partition("#")[0].strip() for line in found.group(1).splitlines())
    return [shlex.split(line) for line in lines if line]


def environment(copy: Path) -> dict[str, str]:
    """This interpreter's tools first on PATH, the copy's three distributions first on sys.path, no bytecode written."""
    env = {k: v for k, v in os.environ.items() if k not in {"MAKEFLAGS", "MFLAGS", "MAKELEVEL", "VIRTUAL_ENV"}}
    sources = [copy / "generated_client", copy / "mock_server" / "src", copy / "specfacts" / "src"]
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    env["PYTHONPATH"] = os.pathsep.join(str(p) for p in sources)
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    return env


def in_this_environment(command: list[str]) -> list[str]:
    """`make <target>` with the set-up steps assumed done and RUN empty: tools come from PATH; uv would fail."""
    assert command[0] == "make", f"README: the workflow block runs make targets only, not {command}"
    skip = [arg for step in (".uv", ".sync", ".npm", ".setup") for arg in ("-o", step)]
    return ["make", *skip, *command[1:], "RUN=", "UV=false"]


def break_the_spec_and_bump(ws: Workspace) -> None:
    """Step 1 and 3 of the README's workflow: the breaking spec change, the versions moved, the changelog naming it."""

    def change(spec: dict[str, Any]) -> None:
        ratio = spec["components"]["schemas"]["AspectRatio"]
        ratio["enum"].remove("1:1")
        ratio["x-enum-varnames"].remove("RATIO_1_1")
        spec["components"]["schemas"]["CfgScale"]["maximum"] = 0.8
        spec["info"]["version"] = "2.0.0"

    ws.edit_spec(change)
    ws.replace(VERSIONED[0], f'version = "{CUR}"', f'version = "{NXT}"')
    ws.replace(VERSIONED[1], f'__version__ = "{CUR}"', f'__version__ = "{NXT}"')
    release = (
        f"## [{NXT}] - 2027-01-01\n\nWire contract 2.0.0.\n\n### Breaking\n\n"
        "- `aspect_ratio` no longer takes `1:1` (`RATIO_1_1` is gone).\n- `cfg_scale` is at most 0.8.\n\n"
    )
    ws.replace("CHANGELOG.md", f"## [{CUR}]", f"{release}## [{CUR}]")


@dataclass(frozen=True)
class Changed:
    """The copy after the README's commands: where it is, and what each command printed."""

    root: Path
    env: dict[str, str]
    outputs: dict[str, str]


def _status() -> str:
    return subprocess.run(["git", "status", "--porcelain"], cwd=ROOT, capture_output=True, text=True, check=True).stdout


@pytest.fixture(scope="module")
def changed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Changed]:
    before = _status()
    ws = Workspace(tmp_path_factory.mktemp("spec-change"))
    break_the_spec_and_bump(ws)
    env = environment(ws.root)
    outputs: dict[str, str] = {}
    for command in readme_commands():
        done = subprocess.run(
            in_this_environment(command), cwd=ws.root, env=env, capture_output=True, text=True, check=False
        )
        assert done.returncode == 0, f"{shlex.join(command)} failed:\n{done.stdout}\n{done.stderr}"
        outputs[shlex.join(command)] = done.stdout + done.stderr
    yield Changed(ws.root, env, outputs)
    assert _status() == before, "the workflow in the copy changed the main checkout"
    assert not (ws.root / ".venv").exists(), "the workflow in the copy made a virtualenv"


def test_the_readme_names_the_commands_that_refresh_and_check_everything(changed: Changed) -> None:
    assert list(changed.outputs) == ["make generate", "make check-generated", "make changes", "make check-changes"]
    out = changed.outputs["make changes"]
    assert 'POST /videos/text2video request body.aspect_ratio: enum value "1:1" removed' in out
    assert "POST /videos/text2video request body.cfg_scale" in out
    assert f"SDK version: {CUR} -> {NXT}" in out
    bundled = (changed.root / "mock_server/src/maas_kl_mock/data/maas_kl.yaml").read_text(encoding="utf-8")
    assert bundled.endswith((changed.root / "openapi/maas_kl.yaml").read_text(encoding="utf-8"))


def test_the_sdk_preflight_and_the_contract_suite_refuse_the_removed_values(changed: Changed) -> None:
    command = [sys.executable, "-c", PROBE, OPERATION, json.dumps(BODIES)]
    done = subprocess.run(command, cwd=changed.root, env=changed.env, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    found = json.loads(done.stdout)
    assert all(Path(module).is_relative_to(changed.root) for module in found["modules"]), found["modules"]
    expected = [["aspect_ratio"], ["cfg_scale"], *([[]] * len(ACCEPTED))]
    assert found["sdk"] == expected
    assert found["contract"] == expected


@pytest.fixture(scope="module")
def mock_url(changed: Changed) -> Iterator[str]:
    """The copy's standalone mock on port 0, serving the spec it bundles (no --spec)."""
    command = [str(Path(sys.executable).parent / "maas-kl-mock"), "serve", "--port", "0", "--token", TOKEN]
    with serving(command, cwd=changed.root, env=changed.env) as url:
        yield url


def test_the_standalone_mock_refuses_the_removed_values(mock_url: str) -> None:
    headers = {"Authorization": f"Bearer {TOKEN}"}
    with httpx.Client(base_url=f"{mock_url}/v1/ai/XXX/kling", headers=headers, timeout=10) as http:
        answers = [http.post("/videos/text2video", json=body) for body in BODIES]
    refused = [(a.status_code, a.json()["code"], a.json()["message"]) for a in answers[: len(REFUSED)]]
    assert [(status, code) for status, code, _ in refused] == [(400, 1201)] * len(REFUSED), refused
    assert "aspect_ratio: must be one of '16:9', '9:16' (got '1:1')" in refused[0][2]
    assert "cfg_scale: " in refused[1][2]
    assert "0.8" in refused[1][2]
    assert [a.status_code for a in answers[len(REFUSED) :]] == [200] * len(ACCEPTED)
