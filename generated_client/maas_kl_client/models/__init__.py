"""Contains all the data models used in inputs/outputs"""

from .aspect_ratio import AspectRatio
from .camera_config import CameraConfig
from .camera_control import CameraControl
from .camera_control_type import CameraControlType
from .duration import Duration
from .dynamic_mask import DynamicMask
from .error_response import ErrorResponse
from .image_2_video_request import Image2VideoRequest
from .mode import Mode
from .model_name import ModelName
from .task import Task
from .task_info import TaskInfo
from .task_response import TaskResponse
from .task_result import TaskResult
from .task_status import TaskStatus
from .text_2_video_request import Text2VideoRequest
from .trajectory_point import TrajectoryPoint
from .video import Video
from .video_extend_request import VideoExtendRequest

__all__ = (
    "AspectRatio",
    "CameraConfig",
    "CameraControl",
    "CameraControlType",
    "Duration",
    "DynamicMask",
    "ErrorResponse",
    "Image2VideoRequest",
    "Mode",
    "ModelName",
    "Task",
    "TaskInfo",
    "TaskResponse",
    "TaskResult",
    "TaskStatus",
    "Text2VideoRequest",
    "TrajectoryPoint",
    "Video",
    "VideoExtendRequest",
)
