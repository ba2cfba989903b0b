"""`maas-kl batch JOBS.jsonl`: run a file of jobs through client.batch, with live rows and a results file."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from rich.progress import TaskID

from .._batch import BatchInterrupted, Job, JobResult, JobUpdate, status_of
from .._plans import TaskCreated, TaskUpdated
from .._sync.client import MaasKL
from ._progress import TaskProgress, styled

RESULTS_NAME = "results.jsonl"


class BatchFileError(ValueError):
    """A jobs or results file the command cannot read; the message names the file and line."""


def _lines(path: Path, what: str) -> list[str]:
    try:
        return path.read_text(encoding="utf-8").splitlines()
    except OSError as error:
        msg = f"cannot read {what} {path}: {error.strerror or error}"
        raise BatchFileError(msg) from error


def read_jobs(path: Path) -> list[Job]:
    """One JSON object per line: the request's fields plus "family"; blank lines are skipped."""
    jobs: list[Job] = []
    for number, line in enumerate(_lines(path, "JOBS file"), 1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
            jobs.append(Job.of(item))
        except (json.JSONDecodeError, TypeError) as error:
            msg = f'{path}:{number}: each line must be a JSON object with a "family" key ({error})'
            raise BatchFileError(msg) from None
    return jobs


def read_resume(path: Path, jobs: list[Job]) -> list[JobResult]:
    """Read an earlier run's results: every job it sent is waited on by its ids instead of being created again."""
    previous: list[JobResult] = []
    for number, line in enumerate(_lines(path, "--resume file"), 1):
        try:
            row = json.loads(line)
            index = int(row["index"])
        except (json.JSONDecodeError, KeyError, TypeError, ValueError):
            msg = f"{path}:{number}: not a line of a {RESULTS_NAME} written by `maas-kl batch`"
            raise BatchFileError(msg) from None
        if 0 <= index < len(jobs) and (row.get("task_id") or row.get("external_task_id")):
            previous.append(JobResult(index, jobs[index], task_id=row.get("task_id"),
                                      external_task_id=row.get("external_task_id")))  # fmt: skip
    return previous


def result_row(result: JobResult) -> dict[str, Any]:
    """One line of the results file."""
    task = result.task
    return {
        "index": result.index,
        "family": result.job.family,
        "status": status_of(result),
        "task_id": result.task_id,
        "external_task_id": result.external_task_id,
        "videos": [v.to_dict() for v in task.videos] if task is not None else [],
        "files": [str(f) for f in result.files],
        "error": None if result.error is None else f"{type(result.error).__name__}: {result.error}",
    }


def write_results(path: Path, results: list[JobResult]) -> None:
    """Write every job's line, in input order."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(result_row(r)) + "\n" for r in results), encoding="utf-8")


def run_batch(client: MaasKL, args: argparse.Namespace, progress: TaskProgress) -> tuple[list[JobResult], bool]:
    """Run the jobs; returns the results and whether the run was interrupted."""
    jobs = read_jobs(args.jobs)
    resume = read_resume(args.resume, jobs) if args.resume is not None else None
    rows: dict[int, TaskID] = {}
    overall = progress.add("batch", status=f"0/{len(jobs)} done")
    done = 0

    def on_update(update: JobUpdate) -> None:
        nonlocal done
        event = update.event
        if isinstance(event, TaskCreated | TaskUpdated):
            if update.index not in rows:
                rows[update.index] = progress.add(f"#{update.index} {update.job.family}")
            progress.update(rows[update.index], event.task)
        if update.result is not None:
            done += 1
            progress.note(overall, f"{done}/{len(jobs)} done")
            if update.index in rows:
                progress.remove(rows.pop(update.index))

    try:
        results = client.batch(
            jobs, max_in_flight=args.max_in_flight, on_update=on_update, download_to=args.output, resume=resume
        )
    except BatchInterrupted as stop:
        return stop.results, True
    return results, False


def summary(results: list[JobResult]) -> str:
    """Count results per final status, e.g. `succeed 58, failed 2`."""
    counts: dict[str, int] = {}
    for r in results:
        counts[status_of(r)] = counts.get(status_of(r), 0) + 1
    return ", ".join(f"{styled(k)} {v}" for k, v in sorted(counts.items()))
