"""Typed Python SDK for the MaaS_KL video-generation API.

Example::

    from maas_kl_client import MaasKL

    with MaasKL() as client:  # MAAS_KL_API_KEY and MAAS_KL_ENDPOINT_PATH from the environment
        task = client.text2video.create_and_wait(prompt="A dog running on the grass")
        client.download_video(task.videos[0].url, "out/")
"""

from ._arguments import NOT_GIVEN, NotGiven
from ._async.client import AsyncMaasKL
from ._async.resource import AsyncTaskResource
from ._batch import BatchInterrupted, InvalidJob, InvalidJobs, Job, JobResult, JobSending, JobUpdate
from ._bodies import new_external_task_id
from ._clock import Clock, SystemClock
from ._config import DEFAULT_TIMEOUT, DEFAULT_WAIT_TIMEOUT
from ._download import DownloadProgress
from ._errors import (
    AccountError,
    APIConnectionError,
    APIError,
    APITimeoutError,
    AuthenticationError,
    ConfigurationError,
    ContentPolicyError,
    CreateOutcomeUnknown,
    DownloadError,
    DownloadTargetExists,
    InvalidRequestError,
    MaasKLError,
    MalformedResponseError,
    NotFoundError,
    PermissionDeniedError,
    PreflightError,
    RateLimitError,
    ServerError,
    TaskFailed,
    TaskTimeout,
)
from ._journal import Journal, JournalMismatch
from ._plans import (
    ClientEvent,
    PollScheduled,
    RecoveryLookup,
    RequestSent,
    ResponseReceived,
    RetryScheduled,
    TaskCreated,
    TaskUpdated,
)
from ._raw import RawResponse
from ._retry import PollSchedule, RetryPolicy
from ._spec_data import TaskKind
from ._sync.client import MaasKL
from ._sync.resource import TaskResource
from ._task import Task
from ._waits import AdaptiveSchedule
from .models.task_status import TaskStatus
from .models.video import Video

__version__ = "0.3.0"

__all__ = [  # noqa: RUF022 - plain sorted order, which tests/sdk/test_public_api.py keeps
    "APIConnectionError",
    "APIError",
    "APITimeoutError",
    "AccountError",
    "AdaptiveSchedule",
    "AsyncMaasKL",
    "AsyncTaskResource",
    "AuthenticationError",
    "BatchInterrupted",
    "ClientEvent",
    "Clock",
    "ConfigurationError",
    "ContentPolicyError",
    "CreateOutcomeUnknown",
    "DEFAULT_TIMEOUT",
    "DEFAULT_WAIT_TIMEOUT",
    "DownloadError",
    "DownloadProgress",
    "DownloadTargetExists",
    "InvalidJob",
    "InvalidJobs",
    "InvalidRequestError",
    "Job",
    "JobResult",
    "JobSending",
    "JobUpdate",
    "Journal",
    "JournalMismatch",
    "MaasKL",
    "MaasKLError",
    "MalformedResponseError",
    "NOT_GIVEN",
    "NotFoundError",
    "NotGiven",
    "PermissionDeniedError",
    "PollSchedule",
    "PollScheduled",
    "PreflightError",
    "RateLimitError",
    "RawResponse",
    "RecoveryLookup",
    "RequestSent",
    "ResponseReceived",
    "RetryPolicy",
    "RetryScheduled",
    "ServerError",
    "SystemClock",
    "Task",
    "TaskCreated",
    "TaskFailed",
    "TaskKind",
    "TaskResource",
    "TaskStatus",
    "TaskTimeout",
    "TaskUpdated",
    "Video",
    "new_external_task_id",
]
