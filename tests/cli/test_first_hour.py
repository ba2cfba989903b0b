"""What a new user met in their first hour with `maas-kl`: --output paths and messages in CLI words (issue 16)."""

from __future__ import annotations

from pathlib import Path

import pytest
from maas_kl_mock.pytest_plugin import MockFixture

from tests.cli.conftest import Runner


def _video_url(cli: Runner) -> str:
    done = cli("text2video", "A dog", "--wait", "--json")
    assert done.code == 0, done.err
    return str(done.json()["task"]["task_result"]["videos"][0]["url"])


def test_download_with_a_trailing_slash_saves_into_that_folder(cli: Runner, tmp_path: Path) -> None:
    url = _video_url(cli)
    result = cli("download", url, "--output", f"{tmp_path / 'out'}/", "--json")
    assert result.code == 0, result.err
    saved = Path(result.json()["file"])
    assert saved.parent == tmp_path / "out"
    assert (tmp_path / "out").is_dir()
    assert saved.read_bytes()[4:8] == b"ftyp"


def test_text2video_output_with_a_trailing_slash_and_a_suffix_is_a_folder(cli: Runner, tmp_path: Path) -> None:
    folder = tmp_path / "v1.0"  # has a "suffix", yet the slash says folder
    result = cli("text2video", "A dog", "--output", f"{folder}/", "--json")
    assert result.code == 0, result.err
    [saved] = result.json()["files"]
    assert Path(saved).parent == folder


@pytest.mark.parametrize("command", ["download", "text2video"])
def test_output_under_a_file_is_bad_input_exit_2_and_nothing_is_sent(
    cli: Runner, maas_kl_mock: MockFixture, tmp_path: Path, command: str
) -> None:
    (tmp_path / "out").write_bytes(b"a file where a folder must be")
    target = f"{tmp_path / 'out'}/z.mp4"
    argv = ["download", "http://127.0.0.1:4010/files/videos/x.mp4"] if command == "download" else ["text2video", "A"]
    result = cli(*argv, "--output", target)
    assert result.code == 2, result.err
    assert "UsageError" in result.err
    assert f"--output {target}" in result.err
    assert "is a file, not a folder" in result.err
    assert "Traceback" not in result.err
    assert maas_kl_mock.calls == []
    assert (tmp_path / "out").read_bytes() == b"a file where a folder must be"


def test_preflight_refusal_names_the_no_preflight_flag(cli: Runner) -> None:
    result = cli("text2video", "A dog", "--model", "MaaS_KL_V1.5")
    assert result.code == 2
    assert "--no-preflight" in result.err
    assert "preflight=False" not in result.err


def test_missing_key_names_the_api_key_flag(cli: Runner, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MAAS_KL_API_KEY")
    result = cli("status", "123", "--json")
    assert result.code == 2
    assert "pass --api-key or set MAAS_KL_API_KEY" in result.json()["error"]["message"]
    assert "api_key=" not in result.err


def test_plain_http_to_a_remote_host_names_a_flag_the_cli_has(cli: Runner, maas_kl_mock: MockFixture) -> None:
    refused = cli("--base-url", "http://mock.internal:4010", "status", "123")
    assert refused.code == 2
    assert "pass --allow-insecure-http" in refused.err
    assert "allow_insecure_http" not in refused.err
    allowed = cli("--base-url", "http://mock.internal:4010", "--allow-insecure-http", "text2video", "A dog", "--json")
    assert allowed.code == 0, allowed.err
    assert [call.operation_id for call in maas_kl_mock.calls] == ["create_text2video_task"]
