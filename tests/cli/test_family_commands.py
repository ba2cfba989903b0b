"""Every task family has a command with an option per scalar request field and --body FILE|- (issue 11, item 6)."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from maas_kl_mock.pytest_plugin import MockFixture

from .conftest import Runner, sent_bodies


def test_help_of_each_family_lists_its_scalar_fields_and_body(cli: Runner, capsys: pytest.CaptureFixture[str]) -> None:
    for command, options in {
        "text2video": ("--negative-prompt", "--model", "--aspect-ratio", "--camera", "--body FILE|-"),
        "image2video": ("--image", "--image-tail", "--static-mask", "--cfg-scale", "--body FILE|-"),
        "video-extend": ("--prompt", "--body FILE|-"),
    }.items():
        with pytest.raises(SystemExit) as done:
            cli(command, "--help")
        assert done.value.code == 0
        shown = capsys.readouterr().out
        for option in options:
            assert option in shown, (command, option)


def test_a_body_file_with_options_over_it(cli: Runner, maas_kl_mock: MockFixture, tmp_path: Path) -> None:
    body = tmp_path / "request.json"
    body.write_text(json.dumps({"prompt": "A dog", "negative_prompt": "blur", "duration": "5"}), encoding="utf-8")
    result = cli(
        "text2video", "--body", str(body), "--negative-prompt", "rain", "--external-task-id", "cli-1", "--json"
    )
    assert result.code == 0, result.err
    assert sent_bodies(maas_kl_mock, "create_text2video_task") == [
        {"prompt": "A dog", "negative_prompt": "rain", "duration": "5", "external_task_id": "cli-1"}
    ]


def test_video_extend_reads_its_body_from_stdin(
    cli: Runner, maas_kl_mock: MockFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    parent = cli("text2video", "A dog", "--wait", "--json").json()["task"]
    video_id = parent["task_result"]["videos"][0]["id"]
    monkeypatch.setattr("sys.stdin", io.StringIO(json.dumps({"video_id": video_id})))
    result = cli("video-extend", "--body", "-", "--prompt", "It jumps", "--json")
    assert result.code == 0, result.err
    assert result.json()["kind"] == "video_extend"
    assert sent_bodies(maas_kl_mock, "create_video_extend_task") == [{"video_id": video_id, "prompt": "It jumps"}]


@pytest.mark.parametrize(
    ("content", "says"),
    [("[1, 2]", "must be a JSON object"), ("{oops", "not valid JSON")],
)
def test_a_bad_body_is_a_usage_error_naming_the_flag(
    cli: Runner, maas_kl_mock: MockFixture, tmp_path: Path, content: str, says: str
) -> None:
    body = tmp_path / "bad.json"
    body.write_text(content, encoding="utf-8")
    result = cli("text2video", "--body", str(body))
    assert result.code == 2
    assert f"--body {body}" in result.err
    assert says in result.err
    assert maas_kl_mock.calls == []


def test_a_missing_body_file_is_a_usage_error(cli: Runner, maas_kl_mock: MockFixture, tmp_path: Path) -> None:
    result = cli("text2video", "--body", str(tmp_path / "nope.json"))
    assert result.code == 2
    assert "cannot read it" in result.err
    assert maas_kl_mock.calls == []


def test_a_field_given_positionally_and_as_its_option_is_a_usage_error(cli: Runner, maas_kl_mock: MockFixture) -> None:
    result = cli("text2video", "A dog", "--prompt", "A cat")
    assert result.code == 2
    assert "prompt is given twice" in result.err
    assert maas_kl_mock.calls == []


def test_the_positional_and_the_option_fill_the_same_field(cli: Runner, maas_kl_mock: MockFixture) -> None:
    assert cli("text2video", "--prompt", "A cat", "--json").code == 0
    assert sent_bodies(maas_kl_mock, "create_text2video_task")[0]["prompt"] == "A cat"
