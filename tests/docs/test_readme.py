"""The root README is true: its Python examples run against the in-process mock, its error table is the SDK's."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import httpx
import maas_kl_client
import pytest
from maas_kl_client import AsyncMaasKL, MaasKL, RateLimitError, RetryPolicy
from maas_kl_client._envelope import error_class
from maas_kl_mock import Lifecycle
from maas_kl_mock.pytest_plugin import MockFixture

from contract_tests.spec_facts import error_statuses

README = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
PACKAGE_README = (Path(__file__).resolve().parents[2] / "generated_client" / "README.md").read_text(encoding="utf-8")
BLOCKS: list[str] = re.findall(r"```python\n(.*?)```", README, flags=re.DOTALL)
BASE_URL = "http://127.0.0.1:4010"


def _block(marker: str) -> str:
    [found] = [block for block in BLOCKS if marker in block]
    return found


def _bind_to_mock(monkeypatch: pytest.MonkeyPatch, mock: MockFixture, tmp_path: Path) -> None:
    """Make `MaasKL()` / `AsyncMaasKL()` as the README writes them reach the mock, on its simulated clock."""
    monkeypatch.setenv("MAAS_KL_API_KEY", "readme-key")
    monkeypatch.setenv("MAAS_KL_ENDPOINT_PATH", "default")
    monkeypatch.setenv("MAAS_KL_BASE_URL", BASE_URL)
    monkeypatch.chdir(tmp_path)

    class Sync(MaasKL):
        def __init__(self, **kwargs: Any) -> None:
            http = httpx.Client(transport=mock.transport())
            super().__init__(http_client=http, clock=mock.clock, **kwargs)

    class Async(AsyncMaasKL):
        def __init__(self, **kwargs: Any) -> None:
            http = httpx.AsyncClient(transport=mock.async_transport())
            super().__init__(http_client=http, clock=mock.clock, **kwargs)

    monkeypatch.setattr(maas_kl_client, "MaasKL", Sync)
    monkeypatch.setattr(maas_kl_client, "AsyncMaasKL", Async)


def _mp4s(folder: Path) -> list[Path]:
    return [path for path in folder.glob("*.mp4") if path.read_bytes()[4:8] == b"ftyp"]


def test_the_sync_example_creates_waits_and_downloads(
    maas_kl_mock: MockFixture, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _bind_to_mock(monkeypatch, maas_kl_mock, tmp_path)
    exec(_block("with MaasKL() as client"), {})
    assert len(_mp4s(tmp_path / "out")) == 1
    assert next(c.operation_id for c in maas_kl_mock.calls) == "create_text2video_task"


def test_the_async_example_creates_waits_and_downloads(
    maas_kl_mock: MockFixture, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _bind_to_mock(monkeypatch, maas_kl_mock, tmp_path)
    exec(_block("async with AsyncMaasKL() as client"), {})
    assert len(_mp4s(tmp_path / "out")) == 1


@pytest.mark.parametrize("index", [0, 1])
def test_the_package_readme_examples_run(
    index: int, maas_kl_mock: MockFixture, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _bind_to_mock(monkeypatch, maas_kl_mock, tmp_path)
    blocks = re.findall(r"```python\n(.*?)```", PACKAGE_README, flags=re.DOTALL)
    exec(blocks[index], {})
    assert len(_mp4s(tmp_path / "out")) == 1


def test_the_stainless_style_example_shows_raw_responses_options_and_events(
    maas_kl_mock: MockFixture, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _bind_to_mock(monkeypatch, maas_kl_mock, tmp_path)
    namespace: dict[str, Any] = {}
    exec(_block("with_raw_response"), namespace)
    first, second = capsys.readouterr().out.splitlines()
    assert first.startswith("200 application/json ")
    assert first.endswith("/videos/text2video")
    assert second.startswith("http")
    assert [type(e).__name__ for e in namespace["seen"]][:3] == ["RequestSent", "ResponseReceived", "TaskCreated"]


@pytest.mark.maas_kl_mock(concurrency_limit=3, record_calls=None)
def test_the_batch_example_runs_every_job_within_the_limit(
    maas_kl_mock: MockFixture, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _bind_to_mock(monkeypatch, maas_kl_mock, tmp_path)
    exec(_block("kl.batch(jobs"), {})
    assert len(capsys.readouterr().out.splitlines()) == 9
    assert len(_mp4s(tmp_path / "out")) == 9
    assert len(maas_kl_mock.store.tasks()) == 9


@pytest.mark.maas_kl_mock(concurrency_limit=50, record_calls=None)
def test_the_async_batch_example_runs_every_job_once(
    maas_kl_mock: MockFixture, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _bind_to_mock(monkeypatch, maas_kl_mock, tmp_path)
    exec(_block("asyncio.run(run_all("), {})
    assert capsys.readouterr().out.splitlines() == ["40 of 40 succeeded"]
    assert len(maas_kl_mock.store.tasks()) == 40
    assert len(_mp4s(tmp_path / "out")) == 40
    assert (tmp_path / "run.jsonl").read_text().count('"succeed"') == 40


def test_the_progress_example_downloads_and_reports(
    maas_kl_mock: MockFixture, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _bind_to_mock(monkeypatch, maas_kl_mock, tmp_path)
    exec(_block("on_progress=show"), {})
    [video] = _mp4s(tmp_path / "out")
    size = video.stat().st_size
    assert capsys.readouterr().out.splitlines()[-1] == f"{size}/{size} bytes"


@pytest.mark.parametrize("name", ["test_my_video_job", "test_render"])
def test_the_fixture_recipes_pass(name: str, maas_kl_mock: MockFixture, tmp_path: Path) -> None:
    namespace: dict[str, Any] = {}
    exec(_block(f"def {name}("), namespace)
    if name == "test_render":
        namespace[name](maas_kl_mock, tmp_path)
    else:
        namespace[name](maas_kl_mock)


def _codes(cell: str) -> list[int]:
    if "-" in cell and "," not in cell:
        low, high = (int(part) for part in cell.split("-"))
        return list(range(low, high + 1))
    return [int(part) for part in cell.split(",")]


ROWS = [line.split("|")[1:-1] for line in README.splitlines() if re.match(r"^\| [0-9/ ]+ \| [0-9]", line)]


def test_the_error_table_covers_every_code_of_the_spec() -> None:
    listed = [code for row in ROWS for code in _codes(row[1].strip())]
    assert sorted(listed) == sorted(error_statuses())


@pytest.mark.parametrize("row", ROWS, ids=[row[1].strip() for row in ROWS])
def test_each_error_row_is_what_the_sdk_does(row: list[str]) -> None:
    statuses = [int(part) for part in row[0].split("/")]
    codes = _codes(row[1].strip())
    exception = row[3].strip().strip("`")
    retried = row[4].strip().startswith("yes")
    if len(statuses) == 1:
        statuses *= len(codes)
    for status, code in zip(statuses, codes, strict=True):
        assert error_statuses()[code] == status, f"code {code}: the spec says HTTP {error_statuses()[code]}"
        cls, retryable = error_class(status, code)
        assert (cls.__name__, retryable) == (exception, retried), f"code {code}"


def test_the_mock_server_example_runs() -> None:
    exec(_block("with MockServer("), {})


def test_the_server_fixture_recipe_passes(maas_kl_mock_server: Any) -> None:
    namespace: dict[str, Any] = {}
    exec(_block("def test_with_a_real_server("), namespace)
    namespace["test_with_a_real_server"](maas_kl_mock_server)


def test_readme_says_exactly_what_the_default_retry_budget_does_on_1303() -> None:
    policy = RetryPolicy()
    text = " ".join(README.split())
    assert f"{policy.max_attempts} attempts in all" in text
    assert f"no new attempt starts once {policy.deadline:g} s have passed" in text
    assert f"up to {policy.max_retry_after:g} s" in text
    assert "the create ends in `RateLimitError` with no task created" in text


def test_readme_says_where_each_prefer_control_applies() -> None:
    text = " ".join(README.split())
    assert "`example=failed` exists on the queries (a `failed` task), not on the creates" in text
    assert "a scenario leaves queries alone" in text


def test_readme_names_the_cli_flags_and_the_mock_key() -> None:
    text = " ".join(README.split())
    assert "`--allow-insecure-http`" in text
    assert "an `--output` under an existing *file* is bad input (exit 2, nothing sent)" in text
    assert "export MAAS_KL_API_KEY=mock-token" in text
    assert "`--any-token` opts into" in text


@pytest.mark.maas_kl_mock(concurrency_limit=1, lifecycle=Lifecycle(processing_seconds=60.0))
def test_a_1303_with_retry_after_60_is_not_retried_as_the_readme_says(maas_kl_mock: MockFixture) -> None:
    text = " ".join(README.split())
    assert "a `Retry-After: 60` is not retried at all, because the next attempt would start after the deadline" in text
    http = httpx.Client(transport=maas_kl_mock.transport())
    with MaasKL(
        api_key="k", endpoint_path="default", base_url=BASE_URL, http_client=http, clock=maas_kl_mock.clock
    ) as kl:
        kl.text2video.create(prompt="holds the only slot")
        with pytest.raises(RateLimitError) as refused:
            kl.with_options(max_retries=0).text2video.create(prompt="finds the account full")
    assert refused.value.retry_after == 60  # the mock's processing time, as the README says
    # Any real first attempt takes some time, and then a 60 s wait would pass the 60 s deadline.
    assert RetryPolicy().delay(attempt=1, retry_after=60, elapsed=0.001, random=lambda: 0.5) is None
