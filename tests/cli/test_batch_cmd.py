"""`maas-kl batch` through the real entry point: results file, videos, bad lines, Ctrl-C and --resume."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest
from maas_kl_client.cli import main
from maas_kl_mock.pytest_plugin import MockFixture

from tests.cli.conftest import BASE_URL, Runner, SharedClock


def jobs_file(tmp_path: Path, count: int) -> Path:
    path = tmp_path / "jobs.jsonl"
    lines = [json.dumps({"family": "text2video", "prompt": f"job {i}"}) for i in range(count)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.mark.maas_kl_mock(concurrency_limit=2)
def test_batch_writes_one_result_per_line_and_the_videos(cli: Runner, tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = cli("batch", str(jobs_file(tmp_path, 5)), "--output", str(out))
    assert result.code == 0, result.err
    assert "5 jobs" in result.out
    assert "succeed 5" in result.out
    rows = [json.loads(line) for line in (out / "results.jsonl").read_text().splitlines()]
    assert [r["index"] for r in rows] == list(range(5))
    assert {r["status"] for r in rows} == {"succeed"}
    assert len(list(out.glob("*.mp4"))) == 5


def test_batch_names_the_bad_line(cli: Runner, tmp_path: Path) -> None:
    path = tmp_path / "jobs.jsonl"
    path.write_text('{"family": "text2video", "prompt": "ok"}\n{"prompt": "no family"}\n', encoding="utf-8")
    result = cli("batch", str(path), "--output", str(tmp_path / "o"))
    assert result.code == 2
    assert "jobs.jsonl:2" in result.err
    assert '"family"' in result.err


def test_batch_refuses_a_zero_limit(cli: Runner, tmp_path: Path) -> None:
    result = cli("batch", str(jobs_file(tmp_path, 1)), "--max-in-flight", "0")
    assert result.code == 2
    assert "--max-in-flight" in result.err


@pytest.mark.maas_kl_mock(concurrency_limit=3)
def test_ctrl_c_prints_how_to_resume_and_resume_creates_nothing_twice(
    maas_kl_mock: MockFixture, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MAAS_KL_API_KEY", "cli-test-key")
    monkeypatch.setenv("MAAS_KL_ENDPOINT_PATH", "default")
    monkeypatch.setenv("MAAS_KL_BASE_URL", BASE_URL)
    clock = SharedClock(maas_kl_mock.clock)
    jobs, out = jobs_file(tmp_path, 6), tmp_path / "out"
    queries = 0

    def interrupting(request: httpx.Request) -> httpx.Response:
        nonlocal queries
        if request.method == "GET":
            queries += 1
            if queries == 4:
                raise KeyboardInterrupt
        return maas_kl_mock.handler(request)

    with httpx.Client(transport=httpx.MockTransport(interrupting)) as http:
        code = main(["batch", str(jobs), "--output", str(out), "--max-in-flight", "3"], clock=clock, http_client=http)
    err = capsys.readouterr().err
    assert code == 130
    assert f"--output {out} --resume" in err
    created_at_stop = len(maas_kl_mock.store.tasks())
    assert 0 < created_at_stop < 6

    with httpx.Client(transport=maas_kl_mock.transport()) as http:
        code = main(["batch", str(jobs), "--output", str(out), "--resume", str(out / "results.jsonl")],
                    clock=clock, http_client=http)  # fmt: skip
    assert code == 0, capsys.readouterr().err
    assert len(maas_kl_mock.store.tasks()) == 6
    rows = [json.loads(line) for line in (out / "results.jsonl").read_text().splitlines()]
    assert {r["status"] for r in rows} == {"succeed"}
    assert len({r["task_id"] for r in rows}) == 6
