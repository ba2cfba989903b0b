"""mypy catches wrong calls to the generated resources, checked as typeshed checks its stubs: exact errors.

Each snippet is a file; mypy --strict runs once over all of them and the test compares its errors
(line, code and message) with the expected ones. The clean snippet uses every accepted argument
form and must produce none.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from mypy import api

ROOT = Path(__file__).parents[2]

HEAD = """from maas_kl_client import AsyncMaasKL, MaasKL, Task, RawResponse
from maas_kl_client.models import CameraControl, CameraControlType, Duration, ModelName, Text2VideoRequest
from typing_extensions import assert_type

client = MaasKL(api_key="k", endpoint_path="e")
"""

CLEAN = """
async def run_async(aclient: AsyncMaasKL) -> None:
    assert_type(await aclient.text2video.create(prompt="A dog"), Task)
    await aclient.aclose()

assert_type(client.text2video.create(prompt="A dog", duration="10", model_name="MaaS_KL_V1.6", mode="pro"), Task)
assert_type(client.text2video.create(prompt="A", duration=Duration.SECONDS_5, model_name=ModelName.MAAS_KL_V1), Task)
client.text2video.create(prompt="A dog", camera_control={"type": "simple", "config": {"zoom": 5}})
client.text2video.create(prompt="A dog", camera_control=CameraControl(type_=CameraControlType.DOWN_BACK))
client.text2video.create(Text2VideoRequest(prompt="A dog"))
client.text2video.create({"prompt": "A dog"}, duration="5")
client.image2video.create(image="https://a.png", dynamic_masks=[{"mask": "m", "trajectories": [{"x": 1, "y": 2}]}])
client.video_extend.create_and_wait(video_id="v", timeout=600)
assert_type(client.text2video.with_raw_response.create(prompt="A dog"), RawResponse)
assert_type(client.text2video.with_raw_response.get("id").parse(), Task)
assert_type(client.with_options(timeout=5).text2video.get("id"), Task)
task = client.text2video.get("id")
assert_type(task.external_task_id, str | None)
assert_type([v.url for v in task.videos], list[str])
"""

CASES: dict[str, tuple[str, list[str]]] = {
    "misspelt_keyword": (
        'client.text2video.create(promt="A dog")',
        [
            'error: Unexpected keyword argument "promt" for overloaded function "create" of "Text2videoResource";'
            ' did you mean "prompt"?  [call-overload]'
        ],
    ),
    "wrong_enum_literal": (
        'client.text2video.create(prompt="A dog", duration="7")',
        [
            'error: No overload variant of "create" of "Text2videoResource" matches argument types "str", "str"'
            "  [call-overload]"
        ],
    ),
    "missing_required_field": (
        'client.text2video.create(negative_prompt="blur")',
        ['error: No overload variant of "create" of "Text2videoResource" matches argument type "str"  [call-overload]'],
    ),
    "missing_required_field_without_others": (
        "client.video_extend.create()",
        [
            'error: All overload variants of "create" of "VideoExtendResource" require at least one argument'
            "  [call-overload]"
        ],
    ),
    "wrong_nested_literal": (
        'client.text2video.create(prompt="A dog", camera_control={"type": "sideways"})',
        [
            'error: No overload variant of "create" of "Text2videoResource" matches argument types "str",'
            ' "dict[str, str]"  [call-overload]'
        ],
    ),
}

LINE = re.compile(r"^(?P<file>[^:]+):(?P<line>\d+): (?P<kind>error|note): (?P<text>.*)$")


@pytest.fixture(scope="module")
def mypy_output(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[tuple[int, str, str]]]:
    """Run mypy --strict once over every snippet; return its lines per snippet file."""
    folder = tmp_path_factory.mktemp("snippets")
    files = {"clean": HEAD + CLEAN, **{name: HEAD + code + "\n" for name, (code, _) in CASES.items()}}
    for name, text in files.items():
        (folder / f"{name}.py").write_text(text, encoding="utf-8")
    out, err, _ = api.run(
        [
            "--strict",
            "--no-error-summary",
            "--hide-error-context",
            "--no-pretty",
            "--show-error-codes",
            "--cache-dir",
            str(ROOT / ".mypy_cache"),
            *sorted(str(p) for p in folder.glob("*.py")),
        ]
    )
    assert not err, err
    found: dict[str, list[tuple[int, str, str]]] = {name: [] for name in files}
    for raw in out.splitlines():
        match = LINE.match(raw)
        assert match, raw
        found[Path(match["file"]).stem].append((int(match["line"]), match["kind"], match["text"]))
    return found


def test_the_clean_snippet_type_checks(mypy_output: dict[str, list[tuple[int, str, str]]]) -> None:
    assert mypy_output["clean"] == []


@pytest.mark.parametrize("case", sorted(CASES))
def test_mypy_reports_the_exact_error(case: str, mypy_output: dict[str, list[tuple[int, str, str]]]) -> None:
    line = HEAD.count("\n") + 1
    errors = [f"{kind}: {text}" for at, kind, text in mypy_output[case] if kind == "error"]
    assert errors == CASES[case][1]
    assert {at for at, _, _ in mypy_output[case]} == {line}


def test_the_overload_notes_show_the_rule_that_was_broken(mypy_output: dict[str, list[tuple[int, str, str]]]) -> None:
    """mypy's notes list the keyword variant: `prompt` required, `duration` limited to its enum's values."""
    notes = " ".join(text for _, kind, text in mypy_output["wrong_enum_literal"] if kind == "note")
    assert "def create(self, *, prompt: str, " in notes
    assert "duration: Literal['5', '10'] | Duration | NotGiven = ..." in notes
