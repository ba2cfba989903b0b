"""Each `maas-kl` command through the real entry point against the in-process mock."""

from __future__ import annotations

import base64
import re
from pathlib import Path

import pytest
from maas_kl_mock import tenant_label
from maas_kl_mock.pytest_plugin import MockFixture

from demo.frame import sunset_png
from tests.cli.conftest import Runner, sent_bodies


def _is_mp4(path: Path) -> bool:
    return path.read_bytes()[4:8] == b"ftyp"


def test_text2video_sends_every_option_and_returns_the_submitted_task(cli: Runner, maas_kl_mock: MockFixture) -> None:
    result = cli(
        "text2video",
        "A dog running on the grass",
        "--model",
        "kling-v1",
        "--mode",
        "std",
        "--duration",
        "5",
        "--aspect-ratio",
        "1:1",
        "--negative-prompt",
        "blur",
        "--cfg-scale",
        "0.3",
        "--camera",
        "simple:zoom=5",
        "--json",
    )
    assert result.code == 0, result.err
    doc = result.json()
    assert doc["kind"] == "text2video"
    assert doc["task"]["task_status"] == "submitted"
    assert doc["files"] == []
    [body] = sent_bodies(maas_kl_mock, "create_text2video_task")
    assert body["prompt"] == "A dog running on the grass"
    assert body["model_name"] == "kling-v1"
    assert body["mode"] == "std"
    assert body["duration"] == "5"
    assert body["aspect_ratio"] == "1:1"
    assert body["negative_prompt"] == "blur"
    assert body["cfg_scale"] == 0.3
    assert body["camera_control"] == {
        "type": "simple",
        "config": {"horizontal": 0.0, "vertical": 0.0, "pan": 0.0, "tilt": 0.0, "roll": 0.0, "zoom": 5.0},
    }
    assert body["external_task_id"].startswith("maaskl-")  # the SDK's exactly-once key


def test_text2video_wait_and_output_downloads_a_real_mp4(cli: Runner, tmp_path: Path) -> None:
    target = tmp_path / "dog.mp4"
    result = cli("text2video", "A dog", "--output", str(target))
    assert result.code == 0, result.err
    assert "succeed" in result.out
    assert f"saved {target}" in result.out
    assert _is_mp4(target)


def test_image2video_checks_and_sends_a_local_image_as_plain_base64(
    cli: Runner, maas_kl_mock: MockFixture, tmp_path: Path
) -> None:
    frame = tmp_path / "frame.png"
    frame.write_bytes(sunset_png())
    result = cli("image2video", "Waves", "--image", str(frame), "--wait", "--json")
    assert result.code == 0, result.err
    assert result.json()["task"]["task_status"] == "succeed"
    [body] = sent_bodies(maas_kl_mock, "create_image2video_task")
    assert not body["image"].startswith("data:")
    assert base64.b64decode(body["image"]) == frame.read_bytes()
    assert body["prompt"] == "Waves"


def test_image2video_passes_urls_through(cli: Runner, maas_kl_mock: MockFixture) -> None:
    url = "https://example.com/frame.png"
    result = cli("image2video", "--image", url, "--image-tail", url, "--model", "MaaS_KL_V1.5", "--mode", "pro")
    assert result.code == 0, result.err
    [body] = sent_bodies(maas_kl_mock, "create_image2video_task")
    assert (body["image"], body["image_tail"]) == (url, url)


def test_image2video_refuses_a_bad_local_image_before_sending(
    cli: Runner, maas_kl_mock: MockFixture, tmp_path: Path
) -> None:
    small = tmp_path / "small.png"
    small.write_bytes(sunset_png(200, 200))
    result = cli("image2video", "--image", str(small))
    assert result.code == 2
    assert "ImageError" in result.err
    assert "at least 300 px" in result.err
    assert "Traceback" not in result.err
    assert maas_kl_mock.calls == []


def test_image2video_needs_an_image(cli: Runner, maas_kl_mock: MockFixture) -> None:
    result = cli("image2video", "Waves")
    assert result.code == 2
    assert "--image or --image-tail" in result.err
    assert maas_kl_mock.calls == []


def test_extend_a_generated_video(cli: Runner, maas_kl_mock: MockFixture, tmp_path: Path) -> None:
    first = cli("text2video", "A dog", "--wait", "--json").json()
    video_id = first["task"]["task_result"]["videos"][0]["id"]
    result = cli("extend", video_id, "--prompt", "The dog jumps", "--output", str(tmp_path), "--json")
    assert result.code == 0, result.err
    doc = result.json()
    assert doc["kind"] == "video_extend"
    assert doc["task"]["task_info"]["parent_video"]["id"] == video_id
    assert _is_mp4(Path(doc["files"][0]))
    assert sent_bodies(maas_kl_mock, "create_video_extend_task") == [{"video_id": video_id, "prompt": "The dog jumps"}]


def test_status_infers_the_kind_and_accepts_it_explicitly(cli: Runner, maas_kl_mock: MockFixture) -> None:
    created = cli("image2video", "--image", "https://example.com/a.png", "--json").json()["task"]
    task_id = created["task_id"]
    inferred = cli("status", task_id, "--json")
    assert inferred.code == 0, inferred.err
    assert inferred.json()["kind"] == "image2video"
    asked = [c.operation_id for c in maas_kl_mock.calls if c.operation_id and c.operation_id.startswith("get_")]
    assert asked == ["get_text2video_task", "get_image2video_task"]  # tried in order, stopped when found
    explicit = cli("status", task_id, "--kind", "image2video", "--wait")
    assert explicit.code == 0, explicit.err
    assert f"image2video task {task_id}: succeed" in explicit.out


def test_status_of_an_unknown_task_is_a_typed_error_without_traceback(cli: Runner) -> None:
    result = cli("status", "no-such-task", "--json")
    assert result.code == 1
    assert result.json()["error"]["type"] == "NotFoundError"
    assert "NotFoundError" in result.err
    assert "Traceback" not in result.err
    explicit = cli("status", "no-such-task", "--kind", "extend")
    assert explicit.code == 1
    assert "code 1203" in explicit.err


def test_download_a_video_url(cli: Runner, tmp_path: Path) -> None:
    done = cli("text2video", "A dog", "--wait", "--json").json()["task"]
    url = done["task_result"]["videos"][0]["url"]
    result = cli("download", url, "--output", str(tmp_path / "v.mp4"), "--json")
    assert result.code == 0, result.err
    assert result.json() == {"url": url, "file": str(tmp_path / "v.mp4")}
    assert _is_mp4(tmp_path / "v.mp4")


def test_a_failed_task_prints_the_typed_error_and_exits_1(cli: Runner) -> None:
    result = cli("text2video", "A dog", "--wait", "--json", headers={"Prefer": "scenario=fail"})
    assert result.code == 1
    error = result.json()["error"]
    assert error["type"] == "TaskFailed"
    assert error["task_status_msg"] == "Failure to pass the risk control system"
    assert "TaskFailed" in result.err
    assert "Traceback" not in result.err


def test_a_refusal_by_the_service_is_a_typed_error(cli: Runner) -> None:
    result = cli("text2video", "A dog", "--duration", "7", "--no-preflight", "--json")
    assert result.code == 1
    error = result.json()["error"]
    assert (error["type"], error["status_code"], error["code"]) == ("InvalidRequestError", 400, 1201)


def test_preflight_refuses_before_sending(cli: Runner, maas_kl_mock: MockFixture) -> None:
    result = cli("text2video", "A dog", "--model", "MaaS_KL_V1.5")
    assert result.code == 2
    assert "PreflightError" in result.err
    assert maas_kl_mock.calls == []


def test_bad_camera_argument_is_a_usage_error(cli: Runner, maas_kl_mock: MockFixture) -> None:
    result = cli("text2video", "A dog", "--camera", "simple:spin=5")
    assert result.code == 2
    assert "AXIS one of horizontal" in result.err
    assert maas_kl_mock.calls == []


def test_missing_credentials_are_a_usage_error(cli: Runner, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.delenv("MAAS_KL_API_KEY")
    result = cli("status", "123")
    assert result.code == 2
    assert "ConfigurationError: No API key" in result.err


def test_connection_flags_override_the_environment(cli: Runner, maas_kl_mock: MockFixture, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    for name in ("MAAS_KL_API_KEY", "MAAS_KL_ENDPOINT_PATH", "MAAS_KL_BASE_URL"):
        monkeypatch.delenv(name)
    flags = ("--base-url", "http://localhost:4010", "--endpoint-path", "acct-7", "--api-key", "flag-key")
    result = cli(*flags, "text2video", "A dog", "--json")
    assert result.code == 0, result.err
    [call] = maas_kl_mock.calls
    assert call.request.path == "/v1/ai/acct-7/kling/videos/text2video"
    # The call log keeps the key masked: its label stands for it (the key itself is never kept to show).
    assert call.request.headers["authorization"] == f"Bearer {tenant_label('flag-key')}"
    assert call.tenant == tenant_label("flag-key")
    assert "flag-key" not in result.out + result.err


@pytest.mark.maas_kl_mock(video_size_kb=4096)
def test_download_shows_a_progress_bar_with_bytes_and_rate_on_a_terminal(
    cli: Runner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    done = cli("text2video", "A dog", "--wait", "--json").json()["task"]
    url = done["task_result"]["videos"][0]["url"]
    monkeypatch.setenv("FORCE_COLOR", "1")  # rich treats stderr as a terminal, as in a real shell
    monkeypatch.setenv("COLUMNS", "120")
    result = cli("download", url, "--output", str(tmp_path / "v.mp4"))
    assert result.code == 0, result.err
    size = (tmp_path / "v.mp4").stat().st_size
    assert size == 4096 * 1024
    assert f"{size / 1e6:.1f}/{size / 1e6:.1f} MB" in result.err, result.err
    assert re.search(r"[0-9.]+ [kMG]?B/s", result.err), "the transfer rate"


@pytest.mark.maas_kl_mock(replay="tests/cassettes/three-families")
def test_a_replayed_video_is_saved_under_its_video_id(cli: Runner, tmp_path: Path) -> None:
    result = cli("text2video", "A dog running on the grass", "--output", f"{tmp_path}/")
    assert result.code == 0, result.err
    assert [p.name for p in tmp_path.iterdir()] == ["ec632d5e-6e81-4aed-8dbe-0ddcea296d44.mp4"]
