"""Chaos at small scale (N=50) and a kill -9 of the mock in the middle of one, over real HTTP on loopback."""

from __future__ import annotations

import asyncio
from collections import Counter
from pathlib import Path

import httpx
from maas_kl_mock import MockServer

from bench.chaos import ChaosSettings, FlowResult, Interference, run_chaos


def test_chaos_every_flow_gets_its_one_task_and_its_video(tmp_path: Path) -> None:
    settings = ChaosSettings(flows=50)
    with MockServer(*settings.mock_args(), log_path=tmp_path / "mock.log") as mock:
        report = asyncio.run(run_chaos(mock.base_url, settings))
    print(report.render())
    report.check()
    # The run must have been hostile, or it proves nothing.
    assert sum(report.faults.values()) >= 0.1 * sum(report.per_flow())
    assert any(kind.endswith("-after-store") for kind in report.faults), "no fault struck after a task was stored"
    assert report.ledger.failures["429/1303"] > report.faults["429"], "the concurrency limit never refused a create"
    assert {r.kind for r in report.results} == {"text2video", "image2video", "video_extend"}


def test_kill_and_restart_on_the_state_file_loses_and_duplicates_nothing(tmp_path: Path) -> None:
    settings = ChaosSettings(flows=30, fault_rate=0.1)
    state = tmp_path / "state.sqlite"
    mock = MockServer(*settings.mock_args(), "--state", str(state), log_path=tmp_path / "mock.log")
    seen_before: Counter[str] = Counter()

    async def kill_midway(results: list[FlowResult]) -> Interference:
        """SIGKILL the mock once a third of the flows' tasks exist, then start it again on the same port and file."""
        base = f"{mock.base_url}/_mock/stats"
        async with httpx.AsyncClient(timeout=5) as http:
            while True:
                stats = (await http.get(base)).json()
                if stats["tasks"] >= len(results) // 3 + sum(r.kind == "video_extend" for r in results):
                    break
                await asyncio.sleep(0.02)
        seen_before.update(stats["faults"])
        mock.kill()
        await asyncio.sleep(0.3)  # flows meet refused connections meanwhile
        await asyncio.to_thread(mock.start)
        return Interference(restarts=1, faults=seen_before)

    mock.start()
    try:
        report = asyncio.run(run_chaos(mock.base_url, settings, during=kill_midway))
    finally:
        mock.stop()
    print(report.render())
    report.check()
    assert report.restarts == 1
    assert report.ledger.failures["connect refused"] > 0, "no flow ran into the restart"


def test_chaos_in_batch_mode_learns_the_limit_and_loses_nothing(tmp_path: Path) -> None:
    settings = ChaosSettings(flows=30, concurrency=4, batch=True)
    with MockServer(*settings.mock_args(), log_path=tmp_path / "mock.log") as mock:
        report = asyncio.run(run_chaos(mock.base_url, settings))
    print(report.render())
    report.check()
    assert sum(report.faults.values()) > 0
    assert report.ledger.failures["429/1303"] >= 1, "the batch never met the account's limit"
