"""The exception hierarchy: every failure the SDK reports is a MaasKLError subclass."""

from __future__ import annotations

import os
import re
from typing import TYPE_CHECKING, Any

from ._spec_data import VIDEO_RETENTION_DAYS

if TYPE_CHECKING:
    from ._task import Task


class MaasKLError(Exception):
    """Base class of every exception raised by maas_kl_client, so one except clause catches them all."""

    def __reduce__(self) -> tuple[Any, ...]:
        # Keyword-only fields: pickle (multiprocessing, pytest-xdist) must rebuild them from the state, not by
        # calling __init__ again; what the state holds (a Task, its Envelope) pickles without the key (issue 24).
        return (_rebuild_error, (type(self), self.args, self.__dict__.copy()))


def _rebuild_error(cls: type[MaasKLError], args: tuple[Any, ...], state: dict[str, Any]) -> MaasKLError:
    error = cls.__new__(cls)
    Exception.__init__(error, *args)
    error.__dict__.update(state)
    return error


class ConfigurationError(MaasKLError, ValueError):
    """The client was set up wrongly (missing key, unsafe URL); nothing was sent."""


class APIError(MaasKLError):
    """The service answered with a non-zero business code or an HTTP error status."""

    hint = "See `code` in the MaaS_KL error table and quote `request_id` to support."
    default_retryable = False

    def __init__(  # noqa: PLR0913 - the envelope's fields plus what retrying needs
        self,
        message: str,
        *,
        status_code: int | None,
        code: int | None,
        request_id: str | None,
        retryable: bool | None = None,
        retry_after: float | None = None,
    ) -> None:
        self.message = message
        self.status_code = status_code
        self.code = code
        self.request_id = request_id
        self.retryable = self.default_retryable if retryable is None else retryable
        self.retry_after = retry_after
        super().__init__(str(self))

    def __str__(self) -> str:
        where = ", ".join(
            part
            for part in (
                f"HTTP {self.status_code}" if self.status_code is not None else "",
                f"code {self.code}" if self.code is not None else "",
                f"request_id {self.request_id}" if self.request_id else "",
            )
            if part
        )
        return f"{self.message} ({where}). {self.hint}"


# Which business codes map to which class is data: `error_class` in the spec's x-business-codes (F1).
class AuthenticationError(APIError):
    """Authentication refused (HTTP 401): the API key is missing, invalid, not yet valid or expired."""

    hint = "Check the API key (MAAS_KL_API_KEY); retrying will not help."


class AccountError(APIError):
    """The account is abnormal, in arrears, or its resource pack is used up."""

    hint = "Check the account's status and balance in the MaaS_KL console; retrying will not help."


class PermissionDeniedError(APIError):
    """No permission for this API or model, or the caller's IP is not allowed."""

    hint = "Ask for access to this API or model, or add this machine's IP to the allow-list."


class InvalidRequestError(APIError):
    """The request was refused as invalid; `message` names the field."""

    hint = "Fix the request; the same request will be refused again."


class NotFoundError(APIError):
    """The task, model or video does not exist (or belongs to another account)."""

    hint = f"Check the id (and the endpoint path); videos are deleted {VIDEO_RETENTION_DAYS} days after generation."

    def __str__(self) -> str:
        """Say the videos' retention only when the answer is about a video: a missing task or replay miss is not."""
        text = super().__str__()
        if _ABOUT_A_VIDEO.search(self.message):
            return text
        return text.removesuffix(self.hint) + "Check the id (and the endpoint path)."


_ABOUT_A_VIDEO = re.compile(r"(?<![\w-])videos?(?![\w-])", re.IGNORECASE)
"""A message about a video as such, not an operation or a family that merely has "video" in its name."""


class ContentPolicyError(APIError):
    """A platform or content-safety policy refused the request."""

    hint = "Change the prompt or the images; the same request will be refused again."


class RateLimitError(APIError):
    """Too many requests or too many running tasks; retried automatically."""

    hint = "Slow down or wait for running tasks to finish; raise max_retries to wait longer."
    default_retryable = True


class ServerError(APIError):
    """The service failed (HTTP 5xx); retried automatically."""

    hint = "The service failed; the SDK retried as far as its policy allows. Try again later."
    default_retryable = True


class MalformedResponseError(APIError):
    """The answer was not the documented JSON envelope (truncated, wrong types, not JSON)."""

    hint = "The service or a proxy sent an unexpected body; retry, and report it with request_id if it persists."
    default_retryable = True


class APIConnectionError(MaasKLError):
    """The request could not be completed: DNS, refused or dropped connection, TLS failure."""

    def __init__(self, message: str, *, request_sent: bool) -> None:
        self.request_sent = request_sent
        super().__init__(message)


class APITimeoutError(APIConnectionError):
    """A connect, read, write or pool timeout expired; raise `timeout=` if the network is slow."""


class CreateOutcomeUnknown(MaasKLError):  # noqa: N818 - named after what the caller learns
    """A create may or may not have produced a task, and the SDK could not safely find out."""

    def __init__(self, message: str, *, kind: str, external_task_id: str | None) -> None:
        self.kind = kind
        self.external_task_id = external_task_id
        super().__init__(message)


class TaskFailed(MaasKLError):  # noqa: N818 - reads as what happened to the task
    """The task reached `failed`; `task_status_msg` carries the service's reason."""

    def __init__(self, task: Task) -> None:
        self.task = task
        self.task_id = task.task_id
        msg = task.status_message or ""
        self.task_status_msg = msg
        self.request_id = task.request_id
        reason = msg or "no reason given"
        super().__init__(f"Task {task.task_id} failed: {reason}. Change the request before creating it again.")


class TaskTimeout(MaasKLError):  # noqa: N818 - reads as what happened to the wait
    """The task did not finish within the wait's timeout; it may still finish later."""

    def __init__(self, task: Task | None, *, task_id: str, timeout: float) -> None:
        self.task = task
        self.task_id = task_id
        self.timeout = timeout
        status = str(task.task_status) if task is not None else "unknown"
        super().__init__(
            f"Task {task_id} is still {status} after {timeout:g} s; "
            "wait for it again (`.wait(task_id, timeout=...)`) with a longer timeout: the task keeps running."
        )


class PreflightError(MaasKLError, ValueError):
    """The request breaks a documented rule; it was not sent. Pass preflight=False to send anyway."""

    def __init__(self, violations: list[tuple[str, str]]) -> None:
        self.violations = violations
        self.field = violations[0][0]
        self.rule = violations[0][1]
        lines = "; ".join(f"{field}: {rule}" for field, rule in violations)
        super().__init__(f"Request not sent: {lines}. (Pass preflight=False to send it anyway.)")


class DownloadError(MaasKLError):
    """A video could not be downloaded completely; no partial file was left behind."""

    def __init__(self, message: str, *, retryable: bool = False) -> None:
        self.retryable = retryable
        super().__init__(message)


class DownloadTargetExists(DownloadError):  # noqa: N818 - reads as what the download found
    """The file a download would write already exists; nothing was replaced. Pass overwrite=True to replace it."""

    def __init__(self, path: os.PathLike[str] | str) -> None:
        self.path = os.fspath(path)
        super().__init__(
            f"{self.path} already exists; nothing was written. Pass overwrite=True to replace it, "
            "or choose another file or folder.",
            retryable=False,
        )
