"""`maas-kl batch JOBS.jsonl`: run a file of jobs through client.batch, with live rows and a journal as results file.

Every line is read and checked (JSON, family, local images, preflight) before anything is sent;
`results.jsonl` is the batch's journal (maas_kl_client._journal): each job's recovery key is in it
before its create goes, so `--resume` after any stop, a kill included, makes one task per job.
"""

from __future__ import annotations

import argparse
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from maas_kl_specfacts import image_fields
from rich.progress import TaskID

from .._batch import BatchInterrupted, InvalidJobs, Job, JobResult, JobUpdate, one_line, status_of
from .._batch_spec import family_kind
from .._errors import PreflightError
from .._journal import Journal
from .._plans import TaskCreated, TaskUpdated
from .._spec_data import OPERATIONS, REQUEST_SCHEMAS
from .._sync.client import MaasKL
from ._images import ImageError, image_argument, is_url
from ._progress import TaskProgress, styled
from ._words import in_cli_words, violation

RESULTS_NAME = "results.jsonl"


class BatchFileError(ValueError):
    """A jobs or results file the command cannot use; the message names the file and each bad line."""


@dataclass(frozen=True, slots=True)
class JobsFile:
    """The jobs of a file, one per non-blank line (a bad line is a Job with its `problem`), and their line numbers."""

    path: Path
    jobs: list[Job]
    lines: list[int]


def _job(item: Any) -> Job:
    """Build a line's job; a local image path becomes base64 after the field's checks, as `image2video --image`."""
    if not isinstance(item, dict) or not isinstance(item.get("family"), str):
        return Job("", item, problem='each line must be a JSON object with a "family" key')
    try:
        kind = family_kind(item["family"])
    except ValueError as error:
        return Job(item["family"], item, problem=str(error))
    request = {k: v for k, v in item.items() if k != "family"}
    schema = REQUEST_SCHEMAS[OPERATIONS[kind]["create_operation"]]
    for field, limits in image_fields(schema).items():
        value = request.get(field)
        if isinstance(value, str) and not is_url(value) and _looks_like_path(value):
            try:  # a relative path is from the current folder, as for `image2video --image`
                request[field] = image_argument(value, limits)
            except (ImageError, OSError) as error:
                return Job(item["family"], request, problem=f"{field}: {error}")
    return Job(item["family"], request)


_BASE64 = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=")


def _looks_like_path(value: str) -> bool:
    """Whether an image value names a file rather than carrying base64: short, and a character base64 lacks."""
    return len(value) < 4096 and (not set(value) <= _BASE64 or Path(value).is_file())


def read_jobs(path: Path) -> JobsFile:
    """One JSON object per line: the request's fields plus "family"; blank lines are skipped, bad ones kept as such."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        msg = f"cannot read JOBS file {path}: {error.strerror or error}"
        raise BatchFileError(msg) from error
    jobs: list[Job] = []
    lines: list[int] = []
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except json.JSONDecodeError as error:
            jobs.append(Job("", line, problem=f"not JSON ({error.msg} at column {error.colno})"))
        else:
            jobs.append(_job(item))
        lines.append(number)
    return JobsFile(path, jobs, lines)


def describe_invalid(refused: InvalidJobs, jobs: JobsFile) -> str:
    """Name every invalid job by its line, in the jobs file's words (JSON keys, CLI flags)."""
    shown = [f"  {jobs.path}:{jobs.lines[index]}: {job_error(error)}" for index, error in refused.problems]
    return (
        f"{len(refused.problems)} of {refused.total} jobs are invalid; nothing was sent:\n"
        + "\n".join(shown)
        + "\nFix these lines, or add --skip-invalid to run the others and record these as errors."
    )


def job_error(error: BaseException) -> str:
    """Say one job's error in one line; a preflight finding names the JSON key of the line, not an SDK name."""
    if isinstance(error, PreflightError):
        found = "; ".join(violation(f, r, fields_as_flags=False) for f, r in error.violations)
        return f"{found} (or --no-preflight to send it anyway)"
    return in_cli_words(one_line(error), fields_as_flags=False)


def result_row(row: dict[str, Any]) -> dict[str, Any]:
    """Return one line of the results file as --json shows it."""
    return {k: v for k, v in row.items() if k != "format"}


def run_batch(
    client: MaasKL, args: argparse.Namespace, jobs: JobsFile, journal: Journal, progress: TaskProgress
) -> tuple[list[JobResult], bool]:
    """Run the jobs with the journal; returns the results and whether the run was interrupted."""
    rows: dict[int, TaskID] = {}
    overall = progress.add("batch", status=f"0/{len(jobs.jobs)} done")
    done = 0

    def on_update(update: JobUpdate) -> None:
        nonlocal done
        event = update.event
        if isinstance(event, TaskCreated | TaskUpdated):
            if update.index not in rows:
                rows[update.index] = progress.add(f"line {jobs.lines[update.index]} {update.job.family}")
            progress.update(rows[update.index], event.task)
        if update.result is not None:
            done += 1
            progress.note(overall, f"{done}/{len(jobs.jobs)} done")
            if update.index in rows:
                progress.remove(rows.pop(update.index))

    try:
        results = client.batch(
            jobs.jobs,
            max_in_flight=args.max_in_flight,
            on_update=on_update,
            download_to=args.output,
            journal=journal,
            skip_invalid=args.skip_invalid,
            preflight=False if args.no_preflight else None,
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


def failures(results: list[JobResult], jobs: JobsFile) -> list[str]:
    """List one line per job that did not succeed: its line, family and error."""
    return [
        f"  line {jobs.lines[r.index]} ({r.job.family or '?'}): {job_error(r.error)}"
        for r in results
        if r.error is not None
    ]
