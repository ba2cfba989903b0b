"""`maas-kl batch` checks every line before the first create, and its results file is a journal it never loses."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import httpx
import pytest
from maas_kl_client.cli import main
from maas_kl_mock.pytest_plugin import MockFixture

from demo.frame import sunset_png
from tests.cli.conftest import BASE_URL, Runner, SharedClock, sent_bodies


def write_jobs(path: Path, jobs: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(job) + "\n" for job in jobs), encoding="utf-8")
    return path


def ten_with_a_bad_fifth(tmp_path: Path) -> Path:
    jobs = [{"family": "text2video", "prompt": f"job {n}"} for n in range(1, 11)]
    jobs[4]["duration"] = "7"
    return write_jobs(tmp_path / "bad.jsonl", jobs)


def rows(folder: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in (folder / "results.jsonl").read_text().splitlines()]


@pytest.mark.maas_kl_mock(record_calls=None)
def test_a_bad_fifth_line_sends_nothing_and_is_named(cli: Runner, maas_kl_mock: MockFixture, tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = cli("batch", str(ten_with_a_bad_fifth(tmp_path)), "--output", str(out))
    assert result.code == 2
    assert "bad.jsonl:5: duration: must be one of" in result.err
    assert "1 of 10 jobs are invalid; nothing was sent" in result.err
    assert "--skip-invalid" in result.err
    assert not maas_kl_mock.store.tasks()
    assert not maas_kl_mock.calls
    assert not (out / "results.jsonl").exists()


def test_skip_invalid_runs_the_other_nine_and_records_the_fifth(
    cli: Runner, maas_kl_mock: MockFixture, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    result = cli("batch", str(ten_with_a_bad_fifth(tmp_path)), "--output", str(out), "--skip-invalid")
    assert result.code == 1  # a job did not succeed
    assert len(maas_kl_mock.store.tasks()) == 9
    written = rows(out)
    assert [r["line"] for r in written] == list(range(1, 11))
    assert written[4]["status"] == "invalid"
    assert "duration" in written[4]["error"]
    assert written[4]["task_id"] is None
    assert {r["status"] for i, r in enumerate(written) if i != 4} == {"succeed"}
    assert "line 5 (text2video): duration: must be one of" in result.out  # the summary names it


def test_every_bad_line_is_reported_together(cli: Runner, maas_kl_mock: MockFixture, tmp_path: Path) -> None:
    path = tmp_path / "jobs.jsonl"
    lines = [
        '{"family": "text2video", "prompt": "ok"}',
        "not json",
        "",
        '{"prompt": "no family"}',
        '{"family": "text2audio", "prompt": "x"}',
        '{"family": "image2video", "image": "missing.png"}',
        '{"family": "text2video", "model_name": "MaaS_KL_V1.5"}',
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = cli("batch", str(path), "--output", str(tmp_path / "o"))
    assert result.code == 2
    for number in (2, 4, 5, 6, 7):
        assert f"jobs.jsonl:{number}:" in result.err
    assert "jobs.jsonl:1:" not in result.err
    assert "5 of 6 jobs are invalid" in result.err
    assert "image: missing.png is neither an http(s) URL nor a readable file" in result.err
    assert not maas_kl_mock.store.tasks()


def test_a_local_image_in_a_job_is_checked_and_sent_as_base64(
    cli: Runner, maas_kl_mock: MockFixture, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "frame.png").write_bytes(sunset_png())
    jobs = write_jobs(tmp_path / "jobs.jsonl", [{"family": "image2video", "image": "out/frame.png"}])
    result = cli("batch", str(jobs), "--output", "videos")
    assert result.code == 0, result.err
    [body] = sent_bodies(maas_kl_mock, "create_image2video_task")
    assert base64.b64decode(body["image"]) == (tmp_path / "out" / "frame.png").read_bytes()


def test_no_preflight_sends_what_preflight_refuses(cli: Runner, maas_kl_mock: MockFixture, tmp_path: Path) -> None:
    jobs = write_jobs(tmp_path / "jobs.jsonl", [{"family": "text2video", "prompt": "x", "duration": "7"}])
    result = cli("batch", str(jobs), "--output", str(tmp_path / "o"), "--no-preflight")
    assert result.code == 1
    assert sent_bodies(maas_kl_mock, "create_text2video_task")[0]["duration"] == "7"
    assert "line 1 (text2video): InvalidRequestError" in result.out


def test_results_are_never_overwritten_without_resume_or_overwrite(
    cli: Runner, maas_kl_mock: MockFixture, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    jobs = write_jobs(tmp_path / "jobs.jsonl", [{"family": "text2video", "prompt": "a"}])
    assert cli("batch", str(jobs), "--output", str(out)).code == 0
    before = (out / "results.jsonl").read_text()
    again = cli("batch", str(jobs), "--output", str(out))
    assert again.code == 2
    assert "--resume" in again.err
    assert "--overwrite" in again.err
    assert (out / "results.jsonl").read_text() == before
    assert len(maas_kl_mock.store.tasks()) == 1
    assert cli("batch", str(jobs), "--output", str(out), "--resume").code == 0
    assert len(maas_kl_mock.store.tasks()) == 1  # resuming a finished run creates nothing
    assert cli("batch", str(jobs), "--output", str(out), "--overwrite").code == 0
    assert len(maas_kl_mock.store.tasks()) == 2


def test_resume_refuses_the_results_of_another_jobs_file(
    cli: Runner, maas_kl_mock: MockFixture, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    ten = write_jobs(tmp_path / "ten.jsonl", [{"family": "text2video", "prompt": f"p{n}"} for n in range(10)])
    two = write_jobs(tmp_path / "two.jsonl", [{"family": "text2video", "prompt": "other"}] * 2)
    assert cli("batch", str(ten), "--output", str(out)).code == 0
    result = cli("batch", str(two), "--output", str(out), "--resume")
    assert result.code == 2
    assert "written for another jobs file" in result.err
    swapped = write_jobs(tmp_path / "swapped.jsonl", [{"family": "text2video", "prompt": f"q{n}"} for n in range(10)])
    result = cli("batch", str(swapped), "--output", str(tmp_path / "o2"), "--resume", str(out / "results.jsonl"))
    assert result.code == 2
    assert "line 1 was sent as another job" in result.err
    assert len(maas_kl_mock.store.tasks()) == 10


@pytest.mark.maas_kl_mock(concurrency_limit=3)
def test_results_list_the_files_on_disk_after_an_interruption(
    maas_kl_mock: MockFixture, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MAAS_KL_API_KEY", "cli-test-key")
    monkeypatch.setenv("MAAS_KL_ENDPOINT_PATH", "default")
    monkeypatch.setenv("MAAS_KL_BASE_URL", BASE_URL)
    out = tmp_path / "out"
    jobs = write_jobs(tmp_path / "jobs.jsonl", [{"family": "text2video", "prompt": f"p{n}"} for n in range(4)])
    downloads = 0

    def interrupting(request: httpx.Request) -> httpx.Response:
        nonlocal downloads
        if request.url.path.endswith(".mp4"):
            downloads += 1
            if downloads == 3:
                raise KeyboardInterrupt
        return maas_kl_mock.handler(request)

    with httpx.Client(transport=httpx.MockTransport(interrupting)) as http:
        code = main(["batch", str(jobs), "--output", str(out)], clock=SharedClock(maas_kl_mock.clock), http_client=http)
    assert code == 130, capsys.readouterr().err
    listed = [Path(f) for r in rows(out) for f in r["files"]]
    assert len(listed) == 2
    assert sorted(listed) == sorted(out.glob("*.mp4"))


@pytest.mark.maas_kl_mock(replay="tests/cassettes/three-families")
def test_a_batch_saves_replayed_videos_under_their_ids(cli: Runner, tmp_path: Path) -> None:
    jobs = write_jobs(tmp_path / "jobs.jsonl", [{"family": "text2video", "prompt": "A dog running on the grass"}])
    result = cli("batch", str(jobs), "--output", str(tmp_path / "out"))
    assert result.code == 0, result.err + result.out
    assert [Path(f).name for f in rows(tmp_path / "out")[0]["files"]] == ["ec632d5e-6e81-4aed-8dbe-0ddcea296d44.mp4"]
