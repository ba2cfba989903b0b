from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define

from ..models.aspect_ratio import AspectRatio
from ..models.duration import Duration
from ..models.mode import Mode
from ..models.model_name import ModelName
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.camera_control import CameraControl


T = TypeVar("T", bound="Text2VideoRequest")


@_attrs_define
class Text2VideoRequest:
    prompt: str
    """ Positive text prompt, 1 to 2500 characters; required, so it must not be empty. """
    aspect_ratio: AspectRatio | Unset = UNSET
    """ Width to height ratio of the generated video. """
    camera_control: CameraControl | Unset = UNSET
    """ Camera movement. Left out, the model matches a movement to the prompt. `config` is required when `type` is
    `simple` and must be absent otherwise. """
    cfg_scale: float | Unset = UNSET
    """ Freedom of generation: a higher value means less model freedom and stronger adherence to the prompt. """
    duration: Duration | Unset = UNSET
    """ Video length in seconds, sent as a string. """
    external_task_id: str | Unset = UNSET
    """ Caller-chosen task id, unique per user. It does not replace the system `task_id`, but the task can be
    queried by it. """
    mode: Mode | Unset = UNSET
    """ Generation mode: `std` is the cost-effective standard mode, `pro` the high-quality expert mode. """
    model_name: ModelName | Unset = UNSET
    """ Model name. `MaaS_KL_V1`, `MaaS_KL_V1.5` and `MaaS_KL_V1.6` are the gateway's names; `kling-v1` is the
    upstream name of `MaaS_KL_V1`, used by the document's own examples and default, and is accepted as an alias. """
    negative_prompt: str | Unset = UNSET
    """ Negative text prompt, at most 2500 characters. """

    def to_dict(self) -> dict[str, Any]:
        prompt = self.prompt

        aspect_ratio: str | Unset = UNSET
        if not isinstance(self.aspect_ratio, Unset):
            aspect_ratio = self.aspect_ratio.value

        camera_control: dict[str, Any] | Unset = UNSET
        if not isinstance(self.camera_control, Unset):
            camera_control = self.camera_control.to_dict()

        cfg_scale = self.cfg_scale

        duration: str | Unset = UNSET
        if not isinstance(self.duration, Unset):
            duration = self.duration.value

        external_task_id = self.external_task_id

        mode: str | Unset = UNSET
        if not isinstance(self.mode, Unset):
            mode = self.mode.value

        model_name: str | Unset = UNSET
        if not isinstance(self.model_name, Unset):
            model_name = self.model_name.value

        negative_prompt = self.negative_prompt

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "prompt": prompt,
            }
        )
        if aspect_ratio is not UNSET:
            field_dict["aspect_ratio"] = aspect_ratio
        if camera_control is not UNSET:
            field_dict["camera_control"] = camera_control
        if cfg_scale is not UNSET:
            field_dict["cfg_scale"] = cfg_scale
        if duration is not UNSET:
            field_dict["duration"] = duration
        if external_task_id is not UNSET:
            field_dict["external_task_id"] = external_task_id
        if mode is not UNSET:
            field_dict["mode"] = mode
        if model_name is not UNSET:
            field_dict["model_name"] = model_name
        if negative_prompt is not UNSET:
            field_dict["negative_prompt"] = negative_prompt

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.camera_control import CameraControl  # noqa: PLC0415

        d = dict(src_dict)
        prompt = d.pop("prompt")

        _aspect_ratio = d.pop("aspect_ratio", UNSET)
        aspect_ratio: AspectRatio | Unset
        if isinstance(_aspect_ratio, Unset):
            aspect_ratio = UNSET
        else:
            aspect_ratio = AspectRatio(_aspect_ratio)

        _camera_control = d.pop("camera_control", UNSET)
        camera_control: CameraControl | Unset
        if isinstance(_camera_control, Unset):
            camera_control = UNSET
        else:
            camera_control = CameraControl.from_dict(_camera_control)

        cfg_scale = d.pop("cfg_scale", UNSET)

        _duration = d.pop("duration", UNSET)
        duration: Duration | Unset
        if isinstance(_duration, Unset):
            duration = UNSET
        else:
            duration = Duration(_duration)

        external_task_id = d.pop("external_task_id", UNSET)

        _mode = d.pop("mode", UNSET)
        mode: Mode | Unset
        if isinstance(_mode, Unset):
            mode = UNSET
        else:
            mode = Mode(_mode)

        _model_name = d.pop("model_name", UNSET)
        model_name: ModelName | Unset
        if isinstance(_model_name, Unset):
            model_name = UNSET
        else:
            model_name = ModelName(_model_name)

        negative_prompt = d.pop("negative_prompt", UNSET)

        text_2_video_request = cls(
            prompt=prompt,
            aspect_ratio=aspect_ratio,
            camera_control=camera_control,
            cfg_scale=cfg_scale,
            duration=duration,
            external_task_id=external_task_id,
            mode=mode,
            model_name=model_name,
            negative_prompt=negative_prompt,
        )

        return text_2_video_request
