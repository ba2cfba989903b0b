"""A batch's journal: one JSON line per job, rewritten atomically as the job moves, so no paid task is lost.

Each job's `external_task_id` is on disk before its create is sent (the batch's JobSending), then
its task id, status and files as they change. A run killed at any moment (SIGKILL included)
leaves a whole file; reading it back resumes the batch with exactly one task per job: a job that
may have been sent is re-sent with the same key, and the service's duplicate refusal turns into a
lookup by that key. Every row carries a fingerprint of its job, so a journal is never applied to
other jobs. The rows are the format `maas-kl batch` writes as `results.jsonl` (decision in
docs/decisions/sdk.md).
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from ._batch import InvalidJob, Job, JobResult, JobSending, JobUpdate, one_line, status_of
from ._bodies import build_body
from ._errors import CreateOutcomeUnknown, MaasKLError
from ._plans import TaskCreated, TaskUpdated

FORMAT = 1
"""The journal's row format; a row with another `format` is refused rather than misread."""
SENDING = "sending"
"""The status of a row whose create may be on its way: its recovery key, if any, is already in the row."""


class JournalMismatch(MaasKLError, ValueError):  # noqa: N818 - reads as what the caller learns
    """A journal was written for other jobs (or is not a journal); nothing was sent."""


def fingerprint(item: Job | tuple[str, Any] | Mapping[str, Any]) -> str:
    """Digest a job's family and request as sent (its recovery key left out), to match journal rows."""
    try:
        job = Job.of(item)
        request = build_body(job.request, {})
        request.pop("external_task_id", None)
        content: Any = {"family": job.family, "request": request, "problem": job.problem}
        text = json.dumps(content, sort_keys=True, default=str)
    except (TypeError, ValueError):
        text = repr(item)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def _row(index: int, family: str, digest: str, line: int | None) -> dict[str, Any]:
    row: dict[str, Any] = {"format": FORMAT, "index": index}
    if line is not None:
        row["line"] = line
    row.update(family=family, job=digest, status="pending", task_id=None, external_task_id=None)
    row.update(videos=[], files=[], error=None)
    return row


def _family(item: Any) -> str:
    try:
        return Job.of(item).family
    except TypeError:
        return ""


class Journal:
    """The rows of one batch at `path`; `record` and `saved` rewrite the file (fsync'd) whenever a row changes."""

    path: Path
    lines: Sequence[int] | None
    """Each job's line in its file, when read from one (the rows and messages say `line N`)."""
    digests: list[str]
    rows: list[dict[str, Any]]
    """One row per job, as written."""

    def __init__(
        self, path: str | os.PathLike[str], jobs: Sequence[Any], *, lines: Sequence[int] | None = None
    ) -> None:
        self.path = Path(path)
        self.lines = lines
        self.digests = [fingerprint(item) for item in jobs]
        self.rows = [
            _row(i, _family(item), self.digests[i], None if lines is None else lines[i]) for i, item in enumerate(jobs)
        ]
        self._jobs = list(jobs)
        self._on_disk: str | None = None

    def _where(self, index: int) -> str:
        """Name a job as its rows do: `line N` when read from a file, else `job N`."""
        return f"line {self.lines[index]}" if self.lines is not None else f"job {index}"

    # --- reading an earlier run --------------------------------------------------------------------
    def load(self, source: str | os.PathLike[str] | None = None) -> list[JobResult]:
        """Read an earlier run's journal (default: this one's path); return what resumes it; refuse other jobs'."""
        path = self.path if source is None else Path(source)
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return []
        except OSError as error:
            msg = f"Cannot read the journal {path}: {error.strerror or error}."
            raise JournalMismatch(msg) from error
        rows = [self._parse(path, number, line) for number, line in enumerate(text.splitlines(), 1) if line.strip()]
        if len(rows) != len(self.rows):
            msg = (
                f"{path} holds {len(rows)} jobs but this batch has {len(self.rows)}: it was written for another "
                "jobs file. Resume with the jobs file it was written for, or write the new run's results elsewhere."
            )
            raise JournalMismatch(msg)
        resumed: list[JobResult] = []
        for index, row in enumerate(rows):
            sent = row.get("status") == SENDING or bool(row.get("task_id") or row.get("external_task_id"))
            if sent and row.get("job") != self.digests[index]:
                msg = (
                    f"{path}: {self._where(index)} was sent as another job than the one now at that place: this "
                    "journal was written for another jobs file (or the job was edited after it was sent). Resume "
                    "with the jobs file it was written for."
                )
                raise JournalMismatch(msg)
            if not sent:
                continue  # never sent: runs afresh, as it now reads
            self.rows[index].update({k: row.get(k) for k in ("status", "task_id", "external_task_id", "videos")})
            self.rows[index]["files"] = [f for f in row.get("files") or [] if Path(f).is_file()]
            resumed.append(self._resumed(index, row))
        return resumed

    def _parse(self, path: Path, number: int, line: str) -> dict[str, Any]:
        try:
            row = json.loads(line)
            index = int(row["index"])
        except (json.JSONDecodeError, KeyError, TypeError, ValueError):
            row, index = None, -1
        if not isinstance(row, dict) or row.get("format") != FORMAT or index != number - 1:
            msg = f"{path}:{number}: not a row of a batch journal (results.jsonl) this version writes."
            raise JournalMismatch(msg)
        return row

    def _resumed(self, index: int, row: dict[str, Any]) -> JobResult:
        job = Job.of(self._jobs[index])
        task_id, external = row.get("task_id") or None, row.get("external_task_id") or None
        if task_id is None and external is None:
            # Sent without a recovery key (video extension): resending could pay twice.
            error = CreateOutcomeUnknown(
                f"{self._where(index)} ({job.family}) was stopped while its create was in flight, and this family "
                "has no external_task_id to look it up by; check the MaaS_KL console before creating it again.",
                kind=job.family,
                external_task_id=None,
            )
            return JobResult(index, job, error=error)
        return JobResult(index, job, task_id=task_id, external_task_id=external)

    # --- writing this run --------------------------------------------------------------------------
    def record(self, update: JobUpdate) -> None:
        """Apply a batch update to its job's row; write the file if the row changed."""
        row = self.rows[update.index]
        event, result = update.event, update.result
        if isinstance(event, JobSending):
            row.update(status=SENDING, external_task_id=event.external_task_id)
        elif isinstance(event, TaskCreated | TaskUpdated):
            task = event.task
            row.update(task_id=task.task_id, status=str(task.task_status), videos=[v.to_dict() for v in task.videos])
        if result is not None:
            row.update(status=status_of(result), task_id=result.task_id, external_task_id=result.external_task_id)
            if result.task is not None:
                row["videos"] = [v.to_dict() for v in result.task.videos]
            if result.files:
                row["files"] = [str(f) for f in result.files]
            row["error"] = None if result.error is None else one_line(result.error)
        self.flush()

    def saved(self, index: int, path: Path) -> None:
        """Note one more video of a job on disk."""
        self.rows[index]["files"] = [*self.rows[index]["files"], str(path)]
        self.flush()

    def files(self, index: int) -> list[Path]:
        """List the videos of a job already on disk (a resumed run does not download them again)."""
        return [Path(f) for f in self.rows[index]["files"] if Path(f).is_file()]

    def flush(self) -> None:
        """Write every row if any changed: to a temporary file, fsync'd, then renamed over the journal."""
        text = "".join(json.dumps(row) + "\n" for row in self.rows)
        if text == self._on_disk:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        part = self.path.with_name(self.path.name + ".part")
        with part.open("w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        part.replace(self.path)
        _sync_folder(self.path.parent)
        self._on_disk = text


def _sync_folder(folder: Path) -> None:
    """Make the rename itself durable (POSIX); a no-op where folders cannot be opened."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


__all__ = ["FORMAT", "InvalidJob", "Journal", "JournalMismatch", "fingerprint"]
