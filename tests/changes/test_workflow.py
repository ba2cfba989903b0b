"""The issue's "Done when" table: mutate a copy of the workspace, regenerate, grade, and gate.

Each test gets a copy of its own (copying and committing one takes about a second), so pytest-xdist
can run them on different workers; every test starts from the copy's baseline commit, where
CHANGELOG.md records the current SDK version (CUR) as released.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from generator.api_changes.changelog import Version
from tests.changes.workspace import ROOT, Workspace

REPORTS = "generated_client/api-report"
CONFIG = "generated_client/pyproject.toml"
CUR = Version.parse(re.search(r'^version = "(\S+)"', (ROOT / CONFIG).read_text(), re.M).group(1))  # type: ignore[union-attr]
NXT = CUR.breaking_bump()  # what a breaking change needs (the next minor while 0.x)


@pytest.fixture
def ws(tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    return Workspace(tmp_path_factory.mktemp("workspace"))


def schemas(spec: dict[str, Any]) -> dict[str, Any]:
    found: dict[str, Any] = spec["components"]["schemas"]
    return found


def unreleased(ws: Workspace, entry: str) -> None:
    ws.replace("CHANGELOG.md", "## [Unreleased]\n", f"## [Unreleased]\n\n### Added\n\n{entry}\n")


def test_a_fresh_copy_passes_the_gate(ws: Workspace) -> None:
    done = ws.gate()
    assert done.returncode == 0, done.stderr
    assert "no user-visible changes" in ws.changes()


def test_descriptions_mean_nothing_and_an_optional_field_is_an_addition_that_needs_an_unreleased_entry(
    ws: Workspace,
) -> None:
    # One regeneration serves two rows of the table (each costs several seconds): reworded
    # descriptions must leave no trace in either report, and the one added field is all they show.
    def reword_and_add(spec: dict[str, Any]) -> None:
        schemas(spec)["Prompt"]["description"] = "Reworded: what the video should show."
        schemas(spec)["Task"]["properties"]["task_status"]["description"] = "Reworded status."
        spec["paths"]["/videos/text2video"]["post"]["description"] = "Reworded operation."
        spec["components"]["responses"]["BadRequest"]["description"] = "Reworded refusal."
        schemas(spec)["Text2VideoRequest"]["properties"]["seed"] = {
            "type": "integer",
            "minimum": 0,
            "description": "New.",
        }

    ws.edit_spec(reword_and_add)
    ws.generate()
    git_grep = subprocess.run(
        ["git", "grep", "-l", "Reworded", "--", "generated_client"],
        cwd=ws.root,
        capture_output=True,
        text=True,
        check=False,
    )
    assert "generated_client/maas_kl_client/" in git_grep.stdout  # the rewording reached the generated docstrings
    report_diff = [
        line
        for line in ws.git("diff", "--unified=0", "--", REPORTS).splitlines()
        if line[:1] in "+-" and not line.startswith(("+++", "---"))
    ]
    assert report_diff, "the added field must show in the reports"
    assert all(
        "seed" in line
        or line.strip() in {"+", "-"}
        or line.lstrip("+- ").startswith(("required:", "type:", "minimum:"))
        for line in report_diff
    ), report_diff
    assert "Reworded" not in "\n".join(report_diff)

    out = ws.changes()
    assert "ADDITION    wire   POST /videos/text2video request body.seed: added" in out
    assert "ADDITION    python maas_kl_client.models.Text2VideoRequest.seed: added" in out
    assert "BREAKING" not in out
    assert "DEPRECATION" not in out
    assert "## [Unreleased]\n\n### Added\n" in out
    assert "\n- wire: `POST /videos/text2video request body.seed`: added\n" in out
    assert len([line for line in out.splitlines() if line.startswith("  ADDITION")]) == 2  # nothing from the rewording

    refused = ws.gate()
    assert refused.returncode == 1
    assert (
        f"additions need an entry under `## [Unreleased]` in CHANGELOG.md, or the SDK version moved to {NXT}"
        in refused.stderr
    )

    unreleased(ws, "- `seed` on text to video requests.")
    done = ws.gate()
    assert done.returncode == 0, done.stderr


def test_breaking_changes_fail_the_gate_until_the_version_and_changelog_move(ws: Workspace) -> None:
    def break_requests(spec: dict[str, Any]) -> None:
        schemas(spec)["AspectRatio"]["enum"].remove("1:1")  # an enum value removed from a request
        schemas(spec)["AspectRatio"]["x-enum-varnames"].remove("RATIO_1_1")
        schemas(spec)["Text2VideoRequest"]["required"].append("negative_prompt")  # optional made required

    ws.edit_spec(break_requests)
    # A public SDK function renamed, in the hand-written module and the package's exports.
    for module in ("_bodies.py", "_core.py", "__init__.py"):
        ws.replace(f"generated_client/maas_kl_client/{module}", "new_external_task_id", "new_external_task_ref")
    ws.generate()

    out = ws.changes()
    assert (
        'BREAKING    wire   POST /videos/text2video request body.aspect_ratio: enum value "1:1" removed'
        ' (was ["16:9", "1:1", "9:16"], now ["16:9", "9:16"])'
    ) in out
    assert (
        "BREAKING    wire   POST /videos/text2video request body.negative_prompt: made required (was false, now true)"
        in out
    )
    assert "BREAKING    python maas_kl_client.new_external_task_id: public object was removed" in out
    assert "ADDITION    python maas_kl_client.new_external_task_ref: added" in out
    assert f"SDK version: {CUR} -> {CUR} (needs at least {NXT})" in out
    assert f"## [{NXT}]\n\n### Breaking\n" in out

    refused = ws.gate()
    assert refused.returncode == 1
    assert f"breaking changes need the SDK version moved to {NXT} (it is {CUR})" in refused.stderr
    assert "breaking wire changes need the spec's info.version moved to 2.0.0 (it is 1.0.0)" in refused.stderr
    assert "names: RATIO_1_1, aspect_ratio, negative_prompt, new_external_task_id" in refused.stderr

    ws.replace(CONFIG, f'version = "{CUR}"', f'version = "{NXT}"')
    ws.replace("generated_client/maas_kl_client/__init__.py", f'__version__ = "{CUR}"', f'__version__ = "{NXT}"')
    ws.edit_spec(lambda spec: spec["info"].update(version="2.0.0"))
    ws.generate()
    assert f"CHANGELOG.md has no `## [{NXT}]` section" in ws.gate().stderr

    release = (
        f"## [{NXT}] - 2027-01-01\n\nWire contract 2.0.0.\n\n### Breaking\n\n- `aspect_ratio` no longer takes `1:1`.\n"
    )
    ws.replace("CHANGELOG.md", f"## [{CUR}]", f"{release}- `negative_prompt` is required.\n\n## [{CUR}]")
    partial = ws.gate()
    assert partial.returncode == 1
    assert f"`## [{NXT}]` does not name: RATIO_1_1, new_external_task_id" in partial.stderr

    ws.replace(
        "CHANGELOG.md",
        "is required.\n",
        "is required.\n- `new_external_task_id` is now `new_external_task_ref`; `RATIO_1_1` is gone.\n",
    )
    done = ws.gate()
    assert done.returncode == 0, done.stderr

    # Released: the gate now checks 0.1.0 -> 0.2.0 at the release commit, and 0.2.0 -> the tree.
    ws.commit("release 0.2.0")
    assert ws.gate().returncode == 0
    assert "no user-visible changes" in ws.changes()
    assert "BREAKING    wire   POST /videos/text2video request body.negative_prompt" in ws.changes(base=ws.baseline)


def test_check_generated_fails_while_a_report_is_stale(ws: Workspace) -> None:
    ws.replace(f"{REPORTS}/python.txt", "maas_kl_client.NotGiven ::", "maas_kl_client.NotGivenOld ::")
    ws.replace(f"{REPORTS}/wire.yaml", "wire_version: 1.0.0", "wire_version: 0.9.0")
    done = ws.run("generator", "--check")
    assert done.returncode == 1
    assert "changed: generated_client/api-report/python.txt" in done.stderr
    assert "changed: generated_client/api-report/wire.yaml" in done.stderr


def test_a_release_heading_committed_without_its_version_bump_is_named(ws: Workspace) -> None:
    ws.replace("CHANGELOG.md", f"## [{CUR}]", f"## [{NXT}] - 2027-01-01\n\n- Nothing yet.\n\n## [{CUR}]")
    ws.commit("heading first, bump later")
    done = ws.gate()
    assert done.returncode == 1
    assert (
        f"has SDK version {CUR}: a release's heading, version bump and regenerated code belong in one commit"
        in done.stderr
    )


def test_the_gate_refuses_to_decide_without_history(ws: Workspace, tmp_path: Path) -> None:
    shallow = tmp_path / "shallow"
    subprocess.run(["git", "clone", "--quiet", "--depth", "1", f"file://{ws.root}", str(shallow)], check=True)
    refused = Workspace.__new__(Workspace)
    refused.root = shallow
    subprocess.run(["git", "remote", "set-url", "origin", str(tmp_path / "gone")], cwd=shallow, check=True)
    done = refused.gate()
    assert done.returncode == 2
    assert "shallow and `git fetch --unshallow` failed" in done.stderr

    subprocess.run(["git", "remote", "set-url", "origin", f"file://{ws.root}"], cwd=shallow, check=True)
    deepened = refused.gate()  # a shallow CI checkout whose origin has the history: fetched, then decided
    assert deepened.returncode == 0, deepened.stderr
    assert "versions and CHANGELOG.md match" in deepened.stdout + deepened.stderr

    shutil.rmtree(shallow / ".git")
    done = refused.gate()
    assert done.returncode == 2
    assert "version gate: git rev-parse --is-shallow-repository failed" in done.stderr


def test_make_changes_runs_on_this_checkout() -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MAKE") and k != "MFLAGS"}
    done = subprocess.run(
        ["make", "-s", "changes", "BASE=HEAD"], cwd=ROOT, capture_output=True, text=True, env=env, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("Changes from HEAD (")
    assert "SDK version: " in done.stdout


def _rename_extend_query(spec: dict[str, Any]) -> None:
    spec["paths"]["/videos/video-extend/{id}"]["get"]["operationId"] = "query_video_extend_task"
    spec["components"]["responses"]["VideoExtendTaskCreated"]["links"]["QueryByTaskId"]["operationId"] = (
        "query_video_extend_task"
    )


def test_an_operation_id_rename_needs_no_version_and_says_what_it_is(ws: Workspace) -> None:
    """Issue 21: this rename used to print `operation removed` and `operation added` and ask for wire 2.0.0."""
    ws.edit_spec(_rename_extend_query)
    ws.generate()
    out = ws.changes()
    assert "operation removed" not in out
    assert "operation added" not in out
    assert (
        "INFO        tooling GET /videos/video-extend/{id}: operationId renamed: no wire change; tools that select"
        in out
    )
    assert f"SDK version: {CUR} -> {CUR} (needs at least {CUR})" in out
    assert "Wire version (info.version): 1.0.0 -> 1.0.0 (needs at least 1.0.0)" in out
    assert "### Tooling" in out
    assert " python " not in out  # the id surfaces only in the SDK's private _spec_data, never in its public API
    done = ws.gate()
    assert done.returncode == 0, done.stderr


def test_make_changes_says_the_generated_sdk_is_stale_instead_of_leaving_python_out(ws: Workspace) -> None:
    """Issue 20: a spec edited without `make generate` used to report wire changes only, as if that were all."""

    def add_optional_field(spec: dict[str, Any]) -> None:
        schemas(spec)["Text2VideoRequest"]["properties"]["seed"] = {"type": "integer", "minimum": 0}

    ws.edit_spec(add_optional_field)
    done = ws.run("generator.api_changes.changes")
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr.startswith("make changes: the generated SDK is stale: openapi/maas_kl.yaml changed since")
    assert "Run `make generate`, then `make changes` again" in done.stderr
    ws.generate()
    assert "ADDITION    wire   POST /videos/text2video request body.seed: added" in ws.changes()


def test_make_changes_with_a_bad_base_names_the_base_not_the_gate(ws: Workspace) -> None:
    done = ws.run("generator.api_changes.changes", "--base", "bad")
    assert done.returncode == 2
    assert "version gate" not in done.stderr.lower()
    assert (
        done.stderr
        == "make changes: 'bad' names no commit in this repository: give a branch, tag or commit to compare with\n"
    )
