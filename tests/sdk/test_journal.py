"""`client.batch(journal=PATH)`: every job's recovery key on disk before its create, resumable after any stop."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from maas_kl_client import BatchInterrupted, JobUpdate, Journal, JournalMismatch, TaskCreated
from maas_kl_client._batch import JobSending
from maas_kl_mock.pytest_plugin import MockFixture

from .test_batch import sync_client


def rows(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text().splitlines()]


@pytest.mark.maas_kl_mock(record_calls=None)
def test_the_recovery_key_is_on_disk_before_the_create_is_sent(maas_kl_mock: MockFixture, tmp_path: Path) -> None:
    journal = tmp_path / "run.jsonl"
    seen: list[tuple[str, Any]] = []

    def look(update: JobUpdate) -> None:
        if isinstance(update.event, JobSending):
            row = rows(journal)[update.index]
            creates = [c for c in maas_kl_mock.calls if c.request.method == "POST"]
            seen.append((row["status"], row["external_task_id"]))
            assert len(creates) == update.index  # this job's create has not gone yet
            assert row["external_task_id"] == update.event.external_task_id

    jobs = [("text2video", {"prompt": f"p{i}"}) for i in range(3)]
    with sync_client(maas_kl_mock) as client:
        results = client.batch(jobs, journal=journal, on_update=look, download_to=tmp_path / "out")
    assert [status for status, _ in seen] == ["sending"] * 3
    written = rows(journal)
    assert [r["status"] for r in written] == ["succeed"] * 3
    assert [r["task_id"] for r in written] == [r.task_id for r in results]
    assert all(r["files"] and Path(r["files"][0]).is_file() for r in written)
    assert not (tmp_path / "run.jsonl.part").exists()


@pytest.mark.maas_kl_mock(record_calls=None)
def test_a_journal_resumes_a_stopped_batch_with_one_task_per_job(maas_kl_mock: MockFixture, tmp_path: Path) -> None:
    journal = tmp_path / "run.jsonl"
    jobs = [("text2video", {"prompt": f"p{i}"}) for i in range(6)]
    created = 0

    def stop_after_two(update: JobUpdate) -> None:
        nonlocal created
        if isinstance(update.event, TaskCreated):
            created += 1
            if created == 2:
                raise KeyboardInterrupt

    with sync_client(maas_kl_mock) as client:
        with pytest.raises(BatchInterrupted):
            client.batch(jobs, journal=journal, on_update=stop_after_two, max_in_flight=2)
        # A kill between the create and its answer: the journal knows the key but no task id.
        lost = rows(journal)
        assert [r["status"] for r in lost[2:]] == ["pending"] * 4
        lost[1].update(task_id=None, status="sending")
        journal.write_text("".join(json.dumps(r) + "\n" for r in lost))
        results = client.batch(jobs, journal=journal, download_to=tmp_path / "out")
    assert all(str(r.task.task_status) == "succeed" for r in results if r.task is not None)
    assert len(maas_kl_mock.store.tasks()) == len(jobs)
    assert {r["task_id"] for r in rows(journal)} == {t.task_id for t in maas_kl_mock.store.tasks()}


def test_a_journal_of_other_jobs_is_refused_before_anything_is_sent(maas_kl_mock: MockFixture, tmp_path: Path) -> None:
    journal = tmp_path / "run.jsonl"
    with sync_client(maas_kl_mock) as client:
        client.batch([("text2video", {"prompt": "a"}), ("text2video", {"prompt": "b"})], journal=journal)
        sent = len(maas_kl_mock.store.tasks())
        with pytest.raises(JournalMismatch, match="holds 2 jobs but this batch has 1"):
            client.batch([("text2video", {"prompt": "a"})], journal=journal)
        with pytest.raises(JournalMismatch, match="job 1 was sent as another job"):
            client.batch([("text2video", {"prompt": "a"}), ("text2video", {"prompt": "c"})], journal=journal)
        jobs = [("text2video", {"prompt": "a"}), ("text2video", {"prompt": "c"})]
        with pytest.raises(JournalMismatch, match="line 7 was sent"):
            client.batch(jobs, journal=Journal(journal, jobs, lines=[3, 7]))
    assert len(maas_kl_mock.store.tasks()) == sent


def test_a_finished_journal_is_not_downloaded_again(maas_kl_mock: MockFixture, tmp_path: Path) -> None:
    journal, out = tmp_path / "run.jsonl", tmp_path / "out"
    jobs = [("text2video", {"prompt": "a"})]
    with sync_client(maas_kl_mock) as client:
        first = client.batch(jobs, journal=journal, download_to=out)
        before = [(f, f.stat().st_mtime_ns) for f in first[0].files]
        again = client.batch(jobs, journal=journal, download_to=out)
    assert again[0].files == first[0].files
    assert [(f, f.stat().st_mtime_ns) for f in again[0].files] == before
    assert len(maas_kl_mock.store.tasks()) == 1
