"""Every error class, driven through `maas-kl`, names CLI flags: never an SDK argument or a field name unflagged."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest
from maas_kl_client._spec_data import REQUEST_SCHEMAS
from maas_kl_client.cli import main
from maas_kl_client.cli._words import SDK_NAMES
from maas_kl_mock import Lifecycle
from maas_kl_mock.pytest_plugin import MockFixture

from demo.frame import sunset_png
from tests.cli.conftest import BASE_URL, Result, Runner, SharedClock

FIELDS = sorted({name for schema in REQUEST_SCHEMAS.values() for name in schema["properties"] if "_" in name})
"""Request fields whose flag is spelled otherwise (`model_name` is `--model-name`): a command never says them bare."""


def assert_cli_words(result: Result, *, fields_are_json_keys: bool = False) -> None:
    said = result.err + result.out
    assert "Traceback" not in said
    for name in SDK_NAMES:
        assert name not in said, f"{name!r} in {said!r}"
    if not fields_are_json_keys:
        for name in FIELDS:
            assert f"--{name.replace('_', '-')}" in said or name not in said.replace(f'"{name}" in --body', ""), (
                f"{name!r} in {said!r}"
            )


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (("text2video", "A dog", "--duration", "7"), "--duration: must be one of"),  # an enum
        (("text2video", "x" * 3000), "--prompt:"),  # a length
        (("text2video", "A dog", "--cfg-scale", "5"), "--cfg-scale:"),  # a range
        (("text2video", "A dog", "--model-name", "MaaS_KL_V1.5"), "--model-name"),  # a capability rule
        (("image2video", "--image", "https://x/a.png", "--image-tail", "https://x/b.png", "--duration", "10"), "--"),
        (("text2video", "A dog", "--camera-control", "simple:zoom=5", "--model", "MaaS_KL_V1.5"), "--camera"),
        (("text2video", "A dog", "--external-task-id", ""), "--external-task-id"),  # a pattern or length
    ],
)
def test_preflight_names_flags(cli: Runner, maas_kl_mock: MockFixture, argv: tuple[str, ...], expected: str) -> None:
    result = cli(*argv)
    assert result.code == 2, result.err
    assert "PreflightError" in result.err
    assert expected in result.err
    assert "--no-preflight" in result.err
    assert_cli_words(result)
    assert maas_kl_mock.calls == []


def test_an_image_rule_names_the_flag(cli: Runner, tmp_path: Path) -> None:
    body = tmp_path / "request.json"
    body.write_text(json.dumps({"image": "not an image!", "image_tail": "also not"}))
    result = cli("image2video", "--body", str(body))
    assert result.code == 2
    assert "--image:" in result.err
    assert_cli_words(result)


def test_a_wait_timeout_says_the_status_command(cli: Runner) -> None:
    result = cli("text2video", "A dog", "--wait", "--wait-timeout", "1")
    assert result.code == 1
    assert "--wait-timeout 1 s; it keeps running" in result.err
    assert "maas-kl status " in result.err
    assert "--kind text2video --wait --wait-timeout" in result.err
    assert_cli_words(result)


@pytest.mark.parametrize("example", ["code1302", "code1303"])
def test_rate_limits_say_what_to_do_in_cli_words(cli: Runner, example: str) -> None:
    result = cli("text2video", "A dog", headers={"Prefer": f"code=429, example={example}"})
    assert result.code == 1
    assert "RateLimitError" in result.err
    assert_cli_words(result)


@pytest.mark.maas_kl_mock(concurrency_limit=1, lifecycle=Lifecycle(processing_seconds=60.0))
def test_a_full_account_says_what_to_do_in_cli_words(cli: Runner) -> None:
    assert cli("text2video", "first").code == 0
    result = cli("text2video", "second")
    assert result.code == 1
    assert "RateLimitError" in result.err
    assert_cli_words(result)


def test_connection_refused_names_the_base_url_flag(
    maas_kl_mock: MockFixture, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MAAS_KL_API_KEY", "k")
    monkeypatch.setenv("MAAS_KL_ENDPOINT_PATH", "default")
    with httpx.Client() as http:  # a real transport to a loopback port nothing listens on
        code = main(["--base-url", "http://127.0.0.1:9", "status", "1"], clock=SharedClock(maas_kl_mock.clock),
                    http_client=http)  # fmt: skip
    captured = capsys.readouterr()
    assert code == 1
    assert "--base-url" in captured.err
    assert_cli_words(Result(code, captured.out, captured.err))


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (("--base-url", "ftp://x", "status", "1"), "--base-url must be"),
        (("--base-url", "http://example.com", "status", "1"), "--allow-insecure-http"),
        (("status", "nope"), "NotFoundError"),
        (("download", f"{BASE_URL}/missing.mp4", "--output", "/tmp/none.mp4"), "DownloadError"),
    ],
)
def test_setup_and_service_errors_name_flags(cli: Runner, argv: tuple[str, ...], expected: str) -> None:
    result = cli(*argv)
    assert expected in result.err
    assert_cli_words(result)


def test_missing_credentials_name_the_flags(cli: Runner, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MAAS_KL_API_KEY")
    result = cli("status", "1")
    assert "--api-key" in result.err
    assert_cli_words(result)
    monkeypatch.setenv("MAAS_KL_API_KEY", "k")
    monkeypatch.delenv("MAAS_KL_ENDPOINT_PATH")
    result = cli("status", "1")
    assert "--endpoint-path" in result.err
    assert_cli_words(result)


def test_a_failed_task_and_its_status(cli: Runner) -> None:
    result = cli("text2video", "A dog", "--wait", headers={"Prefer": "scenario=fail"})
    assert result.code == 1
    assert "TaskFailed" in result.err
    assert_cli_words(result)


def test_bad_batch_lines_name_keys_and_flags(cli: Runner, tmp_path: Path) -> None:
    jobs = tmp_path / "jobs.jsonl"
    small = tmp_path / "small.png"
    small.write_bytes(sunset_png(200, 200))
    lines: list[Any] = [{"prompt": "no family"}, {"family": "text2video", "prompt": "x", "model_name": "MaaS_KL_V1.5"}]
    lines += [["a", "list"], {"family": "text2video", "prompt": "x", "camera_control": {"type": "simple"}}]
    lines.append({"family": "image2video", "image": str(small)})
    jobs.write_text("".join(json.dumps(line) + "\n" for line in lines) + "{not json\n")
    result = cli("batch", str(jobs), "--output", str(tmp_path / "o"))
    assert result.code == 2
    assert 'must be a JSON object with a "family" key' in result.err
    assert "model_name" in result.err  # the jobs file's own keys, as the user wrote them
    assert "camera_control.config:" in result.err
    assert "--skip-invalid" in result.err
    assert "at least 300 px" in result.err
    assert_cli_words(result, fields_are_json_keys=True)
