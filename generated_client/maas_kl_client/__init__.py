"""Typed Python SDK for the MaaS_KL video-generation API.

Example::

    from maas_kl_client import MaasKL, task_videos

    with MaasKL() as client:  # MAAS_KL_API_KEY and MAAS_KL_ENDPOINT_PATH from the environment
        task = client.text2video.create_and_wait(prompt="A dog running on the grass")
        client.download_video(task_videos(task)[0].url, "out/")
"""

from ._async_client import AsyncMaasKL, AsyncTaskResource
from ._batch import BatchInterrupted, Job, JobResult, JobUpdate
from ._client import MaasKL, TaskResource
from ._clock import Clock, SystemClock
from ._config import DEFAULT_TIMEOUT, DEFAULT_WAIT_TIMEOUT
from ._core import TaskKind, new_external_task_id
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
from ._retry import PollSchedule, RetryPolicy
from ._tasks import task_external_id, task_videos
from ._waits import AdaptiveSchedule
from .client import AuthenticatedClient, Client
from .models.task import Task
from .models.task_status import TaskStatus

__version__ = "0.1.0"

__all__ = [
    "APIConnectionError",
    "APIError",
    "APITimeoutError",
    "AccountError",
    "AdaptiveSchedule",
    "AsyncMaasKL",
    "AsyncTaskResource",
    "AuthenticatedClient",
    "AuthenticationError",
    "BatchInterrupted",
    "Client",
    "Clock",
    "ConfigurationError",
    "ContentPolicyError",
    "CreateOutcomeUnknown",
    "DEFAULT_TIMEOUT",
    "DEFAULT_WAIT_TIMEOUT",
    "DownloadError",
    "DownloadProgress",
    "InvalidRequestError",
    "Job",
    "JobResult",
    "JobUpdate",
    "MaasKL",
    "MaasKLError",
    "MalformedResponseError",
    "NotFoundError",
    "PermissionDeniedError",
    "PollSchedule",
    "PreflightError",
    "RateLimitError",
    "RetryPolicy",
    "ServerError",
    "SystemClock",
    "Task",
    "TaskFailed",
    "TaskKind",
    "TaskResource",
    "TaskStatus",
    "TaskTimeout",
    "new_external_task_id",
    "task_external_id",
    "task_videos",
]
