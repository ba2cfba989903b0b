"""MaasKL: the synchronous client, derived from _async_client.py by generator/unasync.py; do not edit."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, Literal, overload

from ._core import NOT_GIVEN, NotGiven, OnEvent, OnUpdate, Timeout
from ._raw import RawResponse
from ._resource import R, TaskResource
from ._retry import PollSchedule, RetryPolicy
from ._task import Task

if TYPE_CHECKING:
    from ._client import MaasKL

from ._params import CameraControlParam, DynamicMaskParam
from .models import (
    AspectRatio,
    CameraControl,
    Duration,
    DynamicMask,
    Image2VideoRequest,
    Mode,
    ModelName,
    Text2VideoRequest,
    VideoExtendRequest,
)


class Text2videoResource(TaskResource[R]):
    """text2video tasks: Generate a video from a text prompt.

    Example: ``client.text2video.create_and_wait(...)``, the request's fields as keywords.
    """

    kind = "text2video"

    @property
    def with_raw_response(self) -> Text2videoResource[RawResponse]:
        """The same methods, returning the HTTP response around the result (`.parse()` gives the Task)."""
        return Text2videoResource(self._client, raw=True)

    @overload
    def create(
        self,
        body: Text2VideoRequest | Mapping[str, Any],
        /,
        *,
        prompt: str | NotGiven = NOT_GIVEN,
        model_name: ModelName
        | Literal["MaaS_KL_V1", "MaaS_KL_V1.5", "MaaS_KL_V1.6", "kling-v1"]
        | NotGiven = NOT_GIVEN,
        negative_prompt: str | NotGiven = NOT_GIVEN,
        cfg_scale: float | NotGiven = NOT_GIVEN,
        mode: Mode | Literal["std", "pro"] | NotGiven = NOT_GIVEN,
        camera_control: CameraControl | CameraControlParam | NotGiven = NOT_GIVEN,
        aspect_ratio: AspectRatio | Literal["16:9", "9:16", "1:1"] | NotGiven = NOT_GIVEN,
        duration: Duration | Literal["5", "10"] | NotGiven = NOT_GIVEN,
        external_task_id: str | NotGiven = NOT_GIVEN,
        preflight: bool | None = None,
        timeout: Timeout = None,
        retry: RetryPolicy | None = None,
        on_event: OnEvent | None = None,
    ) -> R: ...

    @overload
    def create(
        self,
        /,
        *,
        prompt: str,
        model_name: ModelName
        | Literal["MaaS_KL_V1", "MaaS_KL_V1.5", "MaaS_KL_V1.6", "kling-v1"]
        | NotGiven = NOT_GIVEN,
        negative_prompt: str | NotGiven = NOT_GIVEN,
        cfg_scale: float | NotGiven = NOT_GIVEN,
        mode: Mode | Literal["std", "pro"] | NotGiven = NOT_GIVEN,
        camera_control: CameraControl | CameraControlParam | NotGiven = NOT_GIVEN,
        aspect_ratio: AspectRatio | Literal["16:9", "9:16", "1:1"] | NotGiven = NOT_GIVEN,
        duration: Duration | Literal["5", "10"] | NotGiven = NOT_GIVEN,
        external_task_id: str | NotGiven = NOT_GIVEN,
        preflight: bool | None = None,
        timeout: Timeout = None,
        retry: RetryPolicy | None = None,
        on_event: OnEvent | None = None,
    ) -> R: ...

    def create(
        self,
        body: Text2VideoRequest | Mapping[str, Any] | None = None,
        /,
        *,
        prompt: str | NotGiven = NOT_GIVEN,
        model_name: ModelName
        | Literal["MaaS_KL_V1", "MaaS_KL_V1.5", "MaaS_KL_V1.6", "kling-v1"]
        | NotGiven = NOT_GIVEN,
        negative_prompt: str | NotGiven = NOT_GIVEN,
        cfg_scale: float | NotGiven = NOT_GIVEN,
        mode: Mode | Literal["std", "pro"] | NotGiven = NOT_GIVEN,
        camera_control: CameraControl | CameraControlParam | NotGiven = NOT_GIVEN,
        aspect_ratio: AspectRatio | Literal["16:9", "9:16", "1:1"] | NotGiven = NOT_GIVEN,
        duration: Duration | Literal["5", "10"] | NotGiven = NOT_GIVEN,
        external_task_id: str | NotGiven = NOT_GIVEN,
        preflight: bool | None = None,
        timeout: Timeout = None,
        retry: RetryPolicy | None = None,
        on_event: OnEvent | None = None,
    ) -> R:
        """Create one text2video task, exactly once, and return it as first reported.

        Args:
            prompt: Positive text prompt, 1 to 2500 characters; required, so it must not be empty.
            model_name: Model name. `MaaS_KL_V1`, `MaaS_KL_V1.5` and `MaaS_KL_V1.6` are the gateway's names;
                `kling-v1` is the upstream name of `MaaS_KL_V1`, used by the document's own examples and
                default, and is accepted as an alias.
            negative_prompt: Negative text prompt, at most 2500 characters.
            cfg_scale: Freedom of generation: a higher value means less model freedom and stronger adherence to
                the prompt.
            mode: Generation mode: `std` is the cost-effective standard mode, `pro` the high-quality expert
                mode.
            camera_control: Camera movement. Left out, the model matches a movement to the prompt. `config` is
                required when `type` is `simple` and must be absent otherwise.
            aspect_ratio: Width to height ratio of the generated video.
            duration: Video length in seconds, sent as a string.
            external_task_id: Caller-chosen task id, unique per user. It does not replace the system `task_id`,
                but the task can be queried by it.
        """
        return self._create(
            body,
            {
                "prompt": prompt,
                "model_name": model_name,
                "negative_prompt": negative_prompt,
                "cfg_scale": cfg_scale,
                "mode": mode,
                "camera_control": camera_control,
                "aspect_ratio": aspect_ratio,
                "duration": duration,
                "external_task_id": external_task_id,
            },
            preflight=preflight,
            timeout=timeout,
            retry=retry,
            on_event=on_event,
        )

    @overload
    def create_and_wait(
        self,
        body: Text2VideoRequest | Mapping[str, Any],
        /,
        *,
        prompt: str | NotGiven = NOT_GIVEN,
        model_name: ModelName
        | Literal["MaaS_KL_V1", "MaaS_KL_V1.5", "MaaS_KL_V1.6", "kling-v1"]
        | NotGiven = NOT_GIVEN,
        negative_prompt: str | NotGiven = NOT_GIVEN,
        cfg_scale: float | NotGiven = NOT_GIVEN,
        mode: Mode | Literal["std", "pro"] | NotGiven = NOT_GIVEN,
        camera_control: CameraControl | CameraControlParam | NotGiven = NOT_GIVEN,
        aspect_ratio: AspectRatio | Literal["16:9", "9:16", "1:1"] | NotGiven = NOT_GIVEN,
        duration: Duration | Literal["5", "10"] | NotGiven = NOT_GIVEN,
        external_task_id: str | NotGiven = NOT_GIVEN,
        timeout: float | None = None,
        poll: PollSchedule | None = None,
        on_update: OnUpdate | None = None,
        preflight: bool | None = None,
        request_timeout: Timeout = None,
        retry: RetryPolicy | None = None,
        on_event: OnEvent | None = None,
    ) -> R: ...

    @overload
    def create_and_wait(
        self,
        /,
        *,
        prompt: str,
        model_name: ModelName
        | Literal["MaaS_KL_V1", "MaaS_KL_V1.5", "MaaS_KL_V1.6", "kling-v1"]
        | NotGiven = NOT_GIVEN,
        negative_prompt: str | NotGiven = NOT_GIVEN,
        cfg_scale: float | NotGiven = NOT_GIVEN,
        mode: Mode | Literal["std", "pro"] | NotGiven = NOT_GIVEN,
        camera_control: CameraControl | CameraControlParam | NotGiven = NOT_GIVEN,
        aspect_ratio: AspectRatio | Literal["16:9", "9:16", "1:1"] | NotGiven = NOT_GIVEN,
        duration: Duration | Literal["5", "10"] | NotGiven = NOT_GIVEN,
        external_task_id: str | NotGiven = NOT_GIVEN,
        timeout: float | None = None,
        poll: PollSchedule | None = None,
        on_update: OnUpdate | None = None,
        preflight: bool | None = None,
        request_timeout: Timeout = None,
        retry: RetryPolicy | None = None,
        on_event: OnEvent | None = None,
    ) -> R: ...

    def create_and_wait(
        self,
        body: Text2VideoRequest | Mapping[str, Any] | None = None,
        /,
        *,
        prompt: str | NotGiven = NOT_GIVEN,
        model_name: ModelName
        | Literal["MaaS_KL_V1", "MaaS_KL_V1.5", "MaaS_KL_V1.6", "kling-v1"]
        | NotGiven = NOT_GIVEN,
        negative_prompt: str | NotGiven = NOT_GIVEN,
        cfg_scale: float | NotGiven = NOT_GIVEN,
        mode: Mode | Literal["std", "pro"] | NotGiven = NOT_GIVEN,
        camera_control: CameraControl | CameraControlParam | NotGiven = NOT_GIVEN,
        aspect_ratio: AspectRatio | Literal["16:9", "9:16", "1:1"] | NotGiven = NOT_GIVEN,
        duration: Duration | Literal["5", "10"] | NotGiven = NOT_GIVEN,
        external_task_id: str | NotGiven = NOT_GIVEN,
        timeout: float | None = None,
        poll: PollSchedule | None = None,
        on_update: OnUpdate | None = None,
        preflight: bool | None = None,
        request_timeout: Timeout = None,
        retry: RetryPolicy | None = None,
        on_event: OnEvent | None = None,
    ) -> R:
        """Create one text2video task and wait until it succeeds; `timeout` bounds the wait in seconds.

        Args:
            prompt: Positive text prompt, 1 to 2500 characters; required, so it must not be empty.
            model_name: Model name. `MaaS_KL_V1`, `MaaS_KL_V1.5` and `MaaS_KL_V1.6` are the gateway's names;
                `kling-v1` is the upstream name of `MaaS_KL_V1`, used by the document's own examples and
                default, and is accepted as an alias.
            negative_prompt: Negative text prompt, at most 2500 characters.
            cfg_scale: Freedom of generation: a higher value means less model freedom and stronger adherence to
                the prompt.
            mode: Generation mode: `std` is the cost-effective standard mode, `pro` the high-quality expert
                mode.
            camera_control: Camera movement. Left out, the model matches a movement to the prompt. `config` is
                required when `type` is `simple` and must be absent otherwise.
            aspect_ratio: Width to height ratio of the generated video.
            duration: Video length in seconds, sent as a string.
            external_task_id: Caller-chosen task id, unique per user. It does not replace the system `task_id`,
                but the task can be queried by it.
        """
        return self._create_and_wait(
            body,
            {
                "prompt": prompt,
                "model_name": model_name,
                "negative_prompt": negative_prompt,
                "cfg_scale": cfg_scale,
                "mode": mode,
                "camera_control": camera_control,
                "aspect_ratio": aspect_ratio,
                "duration": duration,
                "external_task_id": external_task_id,
            },
            timeout=timeout,
            poll=poll,
            on_update=on_update,
            preflight=preflight,
            request_timeout=request_timeout,
            retry=retry,
            on_event=on_event,
        )


class Image2videoResource(TaskResource[R]):
    """image2video tasks: Generate a video from a reference image, optionally with a tail frame, motion brush or camera movement.

    Example: ``client.image2video.create_and_wait(...)``, the request's fields as keywords.
    """

    kind = "image2video"

    @property
    def with_raw_response(self) -> Image2videoResource[RawResponse]:
        """The same methods, returning the HTTP response around the result (`.parse()` gives the Task)."""
        return Image2videoResource(self._client, raw=True)

    @overload
    def create(
        self,
        body: Image2VideoRequest | Mapping[str, Any],
        /,
        *,
        model_name: ModelName
        | Literal["MaaS_KL_V1", "MaaS_KL_V1.5", "MaaS_KL_V1.6", "kling-v1"]
        | NotGiven = NOT_GIVEN,
        image: str | NotGiven = NOT_GIVEN,
        image_tail: str | NotGiven = NOT_GIVEN,
        prompt: str | NotGiven = NOT_GIVEN,
        negative_prompt: str | NotGiven = NOT_GIVEN,
        cfg_scale: float | NotGiven = NOT_GIVEN,
        mode: Mode | Literal["std", "pro"] | NotGiven = NOT_GIVEN,
        static_mask: str | NotGiven = NOT_GIVEN,
        dynamic_masks: Sequence[DynamicMask | DynamicMaskParam] | NotGiven = NOT_GIVEN,
        camera_control: CameraControl | CameraControlParam | NotGiven = NOT_GIVEN,
        duration: Duration | Literal["5", "10"] | NotGiven = NOT_GIVEN,
        external_task_id: str | NotGiven = NOT_GIVEN,
        preflight: bool | None = None,
        timeout: Timeout = None,
        retry: RetryPolicy | None = None,
        on_event: OnEvent | None = None,
    ) -> R: ...

    @overload
    def create(
        self,
        /,
        *,
        model_name: ModelName
        | Literal["MaaS_KL_V1", "MaaS_KL_V1.5", "MaaS_KL_V1.6", "kling-v1"]
        | NotGiven = NOT_GIVEN,
        image: str | NotGiven = NOT_GIVEN,
        image_tail: str | NotGiven = NOT_GIVEN,
        prompt: str | NotGiven = NOT_GIVEN,
        negative_prompt: str | NotGiven = NOT_GIVEN,
        cfg_scale: float | NotGiven = NOT_GIVEN,
        mode: Mode | Literal["std", "pro"] | NotGiven = NOT_GIVEN,
        static_mask: str | NotGiven = NOT_GIVEN,
        dynamic_masks: Sequence[DynamicMask | DynamicMaskParam] | NotGiven = NOT_GIVEN,
        camera_control: CameraControl | CameraControlParam | NotGiven = NOT_GIVEN,
        duration: Duration | Literal["5", "10"] | NotGiven = NOT_GIVEN,
        external_task_id: str | NotGiven = NOT_GIVEN,
        preflight: bool | None = None,
        timeout: Timeout = None,
        retry: RetryPolicy | None = None,
        on_event: OnEvent | None = None,
    ) -> R: ...

    def create(
        self,
        body: Image2VideoRequest | Mapping[str, Any] | None = None,
        /,
        *,
        model_name: ModelName
        | Literal["MaaS_KL_V1", "MaaS_KL_V1.5", "MaaS_KL_V1.6", "kling-v1"]
        | NotGiven = NOT_GIVEN,
        image: str | NotGiven = NOT_GIVEN,
        image_tail: str | NotGiven = NOT_GIVEN,
        prompt: str | NotGiven = NOT_GIVEN,
        negative_prompt: str | NotGiven = NOT_GIVEN,
        cfg_scale: float | NotGiven = NOT_GIVEN,
        mode: Mode | Literal["std", "pro"] | NotGiven = NOT_GIVEN,
        static_mask: str | NotGiven = NOT_GIVEN,
        dynamic_masks: Sequence[DynamicMask | DynamicMaskParam] | NotGiven = NOT_GIVEN,
        camera_control: CameraControl | CameraControlParam | NotGiven = NOT_GIVEN,
        duration: Duration | Literal["5", "10"] | NotGiven = NOT_GIVEN,
        external_task_id: str | NotGiven = NOT_GIVEN,
        preflight: bool | None = None,
        timeout: Timeout = None,
        retry: RetryPolicy | None = None,
        on_event: OnEvent | None = None,
    ) -> R:
        """Create one image2video task, exactly once, and return it as first reported.

        Args:
            model_name: Model name. `MaaS_KL_V1`, `MaaS_KL_V1.5` and `MaaS_KL_V1.6` are the gateway's names;
                `kling-v1` is the upstream name of `MaaS_KL_V1`, used by the document's own examples and
                default, and is accepted as an alias.
            image: Reference image (first frame).
            image_tail: Reference image for the tail frame.
            prompt: Positive text prompt, at most 2500 characters.
            negative_prompt: Negative text prompt, at most 2500 characters.
            cfg_scale: Freedom of generation: a higher value means less model freedom and stronger adherence to
                the prompt.
            mode: Generation mode: `std` is the cost-effective standard mode, `pro` the high-quality expert
                mode.
            static_mask: Static-brush area, a mask image with the input image's aspect ratio.
            dynamic_masks: Dynamic-brush groups, at most 6.
            camera_control: Camera movement. Left out, the model matches a movement to the prompt. `config` is
                required when `type` is `simple` and must be absent otherwise.
            duration: Video length in seconds, sent as a string.
            external_task_id: Caller-chosen task id, unique per user. It does not replace the system `task_id`,
                but the task can be queried by it.
        """
        return self._create(
            body,
            {
                "model_name": model_name,
                "image": image,
                "image_tail": image_tail,
                "prompt": prompt,
                "negative_prompt": negative_prompt,
                "cfg_scale": cfg_scale,
                "mode": mode,
                "static_mask": static_mask,
                "dynamic_masks": dynamic_masks,
                "camera_control": camera_control,
                "duration": duration,
                "external_task_id": external_task_id,
            },
            preflight=preflight,
            timeout=timeout,
            retry=retry,
            on_event=on_event,
        )

    @overload
    def create_and_wait(
        self,
        body: Image2VideoRequest | Mapping[str, Any],
        /,
        *,
        model_name: ModelName
        | Literal["MaaS_KL_V1", "MaaS_KL_V1.5", "MaaS_KL_V1.6", "kling-v1"]
        | NotGiven = NOT_GIVEN,
        image: str | NotGiven = NOT_GIVEN,
        image_tail: str | NotGiven = NOT_GIVEN,
        prompt: str | NotGiven = NOT_GIVEN,
        negative_prompt: str | NotGiven = NOT_GIVEN,
        cfg_scale: float | NotGiven = NOT_GIVEN,
        mode: Mode | Literal["std", "pro"] | NotGiven = NOT_GIVEN,
        static_mask: str | NotGiven = NOT_GIVEN,
        dynamic_masks: Sequence[DynamicMask | DynamicMaskParam] | NotGiven = NOT_GIVEN,
        camera_control: CameraControl | CameraControlParam | NotGiven = NOT_GIVEN,
        duration: Duration | Literal["5", "10"] | NotGiven = NOT_GIVEN,
        external_task_id: str | NotGiven = NOT_GIVEN,
        timeout: float | None = None,
        poll: PollSchedule | None = None,
        on_update: OnUpdate | None = None,
        preflight: bool | None = None,
        request_timeout: Timeout = None,
        retry: RetryPolicy | None = None,
        on_event: OnEvent | None = None,
    ) -> R: ...

    @overload
    def create_and_wait(
        self,
        /,
        *,
        model_name: ModelName
        | Literal["MaaS_KL_V1", "MaaS_KL_V1.5", "MaaS_KL_V1.6", "kling-v1"]
        | NotGiven = NOT_GIVEN,
        image: str | NotGiven = NOT_GIVEN,
        image_tail: str | NotGiven = NOT_GIVEN,
        prompt: str | NotGiven = NOT_GIVEN,
        negative_prompt: str | NotGiven = NOT_GIVEN,
        cfg_scale: float | NotGiven = NOT_GIVEN,
        mode: Mode | Literal["std", "pro"] | NotGiven = NOT_GIVEN,
        static_mask: str | NotGiven = NOT_GIVEN,
        dynamic_masks: Sequence[DynamicMask | DynamicMaskParam] | NotGiven = NOT_GIVEN,
        camera_control: CameraControl | CameraControlParam | NotGiven = NOT_GIVEN,
        duration: Duration | Literal["5", "10"] | NotGiven = NOT_GIVEN,
        external_task_id: str | NotGiven = NOT_GIVEN,
        timeout: float | None = None,
        poll: PollSchedule | None = None,
        on_update: OnUpdate | None = None,
        preflight: bool | None = None,
        request_timeout: Timeout = None,
        retry: RetryPolicy | None = None,
        on_event: OnEvent | None = None,
    ) -> R: ...

    def create_and_wait(
        self,
        body: Image2VideoRequest | Mapping[str, Any] | None = None,
        /,
        *,
        model_name: ModelName
        | Literal["MaaS_KL_V1", "MaaS_KL_V1.5", "MaaS_KL_V1.6", "kling-v1"]
        | NotGiven = NOT_GIVEN,
        image: str | NotGiven = NOT_GIVEN,
        image_tail: str | NotGiven = NOT_GIVEN,
        prompt: str | NotGiven = NOT_GIVEN,
        negative_prompt: str | NotGiven = NOT_GIVEN,
        cfg_scale: float | NotGiven = NOT_GIVEN,
        mode: Mode | Literal["std", "pro"] | NotGiven = NOT_GIVEN,
        static_mask: str | NotGiven = NOT_GIVEN,
        dynamic_masks: Sequence[DynamicMask | DynamicMaskParam] | NotGiven = NOT_GIVEN,
        camera_control: CameraControl | CameraControlParam | NotGiven = NOT_GIVEN,
        duration: Duration | Literal["5", "10"] | NotGiven = NOT_GIVEN,
        external_task_id: str | NotGiven = NOT_GIVEN,
        timeout: float | None = None,
        poll: PollSchedule | None = None,
        on_update: OnUpdate | None = None,
        preflight: bool | None = None,
        request_timeout: Timeout = None,
        retry: RetryPolicy | None = None,
        on_event: OnEvent | None = None,
    ) -> R:
        """Create one image2video task and wait until it succeeds; `timeout` bounds the wait in seconds.

        Args:
            model_name: Model name. `MaaS_KL_V1`, `MaaS_KL_V1.5` and `MaaS_KL_V1.6` are the gateway's names;
                `kling-v1` is the upstream name of `MaaS_KL_V1`, used by the document's own examples and
                default, and is accepted as an alias.
            image: Reference image (first frame).
            image_tail: Reference image for the tail frame.
            prompt: Positive text prompt, at most 2500 characters.
            negative_prompt: Negative text prompt, at most 2500 characters.
            cfg_scale: Freedom of generation: a higher value means less model freedom and stronger adherence to
                the prompt.
            mode: Generation mode: `std` is the cost-effective standard mode, `pro` the high-quality expert
                mode.
            static_mask: Static-brush area, a mask image with the input image's aspect ratio.
            dynamic_masks: Dynamic-brush groups, at most 6.
            camera_control: Camera movement. Left out, the model matches a movement to the prompt. `config` is
                required when `type` is `simple` and must be absent otherwise.
            duration: Video length in seconds, sent as a string.
            external_task_id: Caller-chosen task id, unique per user. It does not replace the system `task_id`,
                but the task can be queried by it.
        """
        return self._create_and_wait(
            body,
            {
                "model_name": model_name,
                "image": image,
                "image_tail": image_tail,
                "prompt": prompt,
                "negative_prompt": negative_prompt,
                "cfg_scale": cfg_scale,
                "mode": mode,
                "static_mask": static_mask,
                "dynamic_masks": dynamic_masks,
                "camera_control": camera_control,
                "duration": duration,
                "external_task_id": external_task_id,
            },
            timeout=timeout,
            poll=poll,
            on_update=on_update,
            preflight=preflight,
            request_timeout=request_timeout,
            retry=retry,
            on_event=on_event,
        )


class VideoExtendResource(TaskResource[R]):
    """video_extend tasks: Extend a generated video by about 4 to 5 seconds.

    Example: ``client.video_extend.create_and_wait(...)``, the request's fields as keywords.
    """

    kind = "video_extend"

    @property
    def with_raw_response(self) -> VideoExtendResource[RawResponse]:
        """The same methods, returning the HTTP response around the result (`.parse()` gives the Task)."""
        return VideoExtendResource(self._client, raw=True)

    @overload
    def create(
        self,
        body: VideoExtendRequest | Mapping[str, Any],
        /,
        *,
        video_id: str | NotGiven = NOT_GIVEN,
        prompt: str | NotGiven = NOT_GIVEN,
        preflight: bool | None = None,
        timeout: Timeout = None,
        retry: RetryPolicy | None = None,
        on_event: OnEvent | None = None,
    ) -> R: ...

    @overload
    def create(
        self,
        /,
        *,
        video_id: str,
        prompt: str | NotGiven = NOT_GIVEN,
        preflight: bool | None = None,
        timeout: Timeout = None,
        retry: RetryPolicy | None = None,
        on_event: OnEvent | None = None,
    ) -> R: ...

    def create(
        self,
        body: VideoExtendRequest | Mapping[str, Any] | None = None,
        /,
        *,
        video_id: str | NotGiven = NOT_GIVEN,
        prompt: str | NotGiven = NOT_GIVEN,
        preflight: bool | None = None,
        timeout: Timeout = None,
        retry: RetryPolicy | None = None,
        on_event: OnEvent | None = None,
    ) -> R:
        """Create one video_extend task, exactly once, and return it as first reported.

        Args:
            video_id: Id of a video made by text to video, image to video or a previous extension, at most 30
                days old; the extended total cannot exceed 3 minutes.
            prompt: Positive text prompt, at most 2500 characters.
        """
        return self._create(
            body,
            {"video_id": video_id, "prompt": prompt},
            preflight=preflight,
            timeout=timeout,
            retry=retry,
            on_event=on_event,
        )

    @overload
    def create_and_wait(
        self,
        body: VideoExtendRequest | Mapping[str, Any],
        /,
        *,
        video_id: str | NotGiven = NOT_GIVEN,
        prompt: str | NotGiven = NOT_GIVEN,
        timeout: float | None = None,
        poll: PollSchedule | None = None,
        on_update: OnUpdate | None = None,
        preflight: bool | None = None,
        request_timeout: Timeout = None,
        retry: RetryPolicy | None = None,
        on_event: OnEvent | None = None,
    ) -> R: ...

    @overload
    def create_and_wait(
        self,
        /,
        *,
        video_id: str,
        prompt: str | NotGiven = NOT_GIVEN,
        timeout: float | None = None,
        poll: PollSchedule | None = None,
        on_update: OnUpdate | None = None,
        preflight: bool | None = None,
        request_timeout: Timeout = None,
        retry: RetryPolicy | None = None,
        on_event: OnEvent | None = None,
    ) -> R: ...

    def create_and_wait(
        self,
        body: VideoExtendRequest | Mapping[str, Any] | None = None,
        /,
        *,
        video_id: str | NotGiven = NOT_GIVEN,
        prompt: str | NotGiven = NOT_GIVEN,
        timeout: float | None = None,
        poll: PollSchedule | None = None,
        on_update: OnUpdate | None = None,
        preflight: bool | None = None,
        request_timeout: Timeout = None,
        retry: RetryPolicy | None = None,
        on_event: OnEvent | None = None,
    ) -> R:
        """Create one video_extend task and wait until it succeeds; `timeout` bounds the wait in seconds.

        Args:
            video_id: Id of a video made by text to video, image to video or a previous extension, at most 30
                days old; the extended total cannot exceed 3 minutes.
            prompt: Positive text prompt, at most 2500 characters.
        """
        return self._create_and_wait(
            body,
            {"video_id": video_id, "prompt": prompt},
            timeout=timeout,
            poll=poll,
            on_update=on_update,
            preflight=preflight,
            request_timeout=request_timeout,
            retry=retry,
            on_event=on_event,
        )


class Families:
    """The task-family resources of a sync client: one attribute per family the spec declares."""

    text2video: Text2videoResource[Task]
    """text2video: Generate a video from a text prompt."""
    image2video: Image2videoResource[Task]
    """image2video: Generate a video from a reference image, optionally with a tail frame, motion brush or camera movement."""
    video_extend: VideoExtendResource[Task]
    """video_extend: Extend a generated video by about 4 to 5 seconds."""

    def _attach_families(self, client: MaasKL) -> None:
        self.text2video = Text2videoResource(client)
        self.image2video = Image2videoResource(client)
        self.video_extend = VideoExtendResource(client)
