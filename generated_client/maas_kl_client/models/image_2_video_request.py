from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define

from ..models.duration import Duration
from ..models.mode import Mode
from ..models.model_name import ModelName
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.camera_control import CameraControl
    from ..models.dynamic_mask import DynamicMask


T = TypeVar("T", bound="Image2VideoRequest")


@_attrs_define
class Image2VideoRequest:
    """At least one of `image` and `image_tail` is given. The first-and-last-frame pair (`image_tail`), the motion brush
    (`static_mask`, `dynamic_masks`) and `camera_control` cannot be combined with one another, and the motion brush
    needs `image`.

    """

    camera_control: CameraControl | Unset = UNSET
    """ Camera movement. Left out, the model matches a movement to the prompt. `config` is required when `type` is
    `simple` and must be absent otherwise. """
    cfg_scale: float | Unset = UNSET
    """ Freedom of generation: a higher value means less model freedom and stronger adherence to the prompt. """
    duration: Duration | Unset = UNSET
    """ Video length in seconds, sent as a string. """
    dynamic_masks: list[DynamicMask] | Unset = UNSET
    """ Dynamic-brush groups, at most 6. """
    external_task_id: str | Unset = UNSET
    """ Caller-chosen task id, unique per user. It does not replace the system `task_id`, but the task can be
    queried by it. """
    image: str | Unset = UNSET
    """ Reference image (first frame). """
    image_tail: str | Unset = UNSET
    """ Reference image for the tail frame. """
    mode: Mode | Unset = UNSET
    """ Generation mode: `std` is the cost-effective standard mode, `pro` the high-quality expert mode. """
    model_name: ModelName | Unset = UNSET
    """ Model name. `MaaS_KL_V1`, `MaaS_KL_V1.5` and `MaaS_KL_V1.6` are the gateway's names; `kling-v1` is the
    upstream name of `MaaS_KL_V1`, used by the document's own examples and default, and is accepted as an alias. """
    negative_prompt: str | Unset = UNSET
    """ Negative text prompt, at most 2500 characters. """
    prompt: str | Unset = UNSET
    """ Positive text prompt, at most 2500 characters. """
    static_mask: str | Unset = UNSET
    """ Static-brush area, a mask image with the input image's aspect ratio. """

    def to_dict(self) -> dict[str, Any]:
        camera_control: dict[str, Any] | Unset = UNSET
        if not isinstance(self.camera_control, Unset):
            camera_control = self.camera_control.to_dict()

        cfg_scale = self.cfg_scale

        duration: str | Unset = UNSET
        if not isinstance(self.duration, Unset):
            duration = self.duration.value

        dynamic_masks: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.dynamic_masks, Unset):
            dynamic_masks = []
            for dynamic_masks_item_data in self.dynamic_masks:
                dynamic_masks_item = dynamic_masks_item_data.to_dict()
                dynamic_masks.append(dynamic_masks_item)

        external_task_id = self.external_task_id

        image = self.image

        image_tail = self.image_tail

        mode: str | Unset = UNSET
        if not isinstance(self.mode, Unset):
            mode = self.mode.value

        model_name: str | Unset = UNSET
        if not isinstance(self.model_name, Unset):
            model_name = self.model_name.value

        negative_prompt = self.negative_prompt

        prompt = self.prompt

        static_mask = self.static_mask

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if camera_control is not UNSET:
            field_dict["camera_control"] = camera_control
        if cfg_scale is not UNSET:
            field_dict["cfg_scale"] = cfg_scale
        if duration is not UNSET:
            field_dict["duration"] = duration
        if dynamic_masks is not UNSET:
            field_dict["dynamic_masks"] = dynamic_masks
        if external_task_id is not UNSET:
            field_dict["external_task_id"] = external_task_id
        if image is not UNSET:
            field_dict["image"] = image
        if image_tail is not UNSET:
            field_dict["image_tail"] = image_tail
        if mode is not UNSET:
            field_dict["mode"] = mode
        if model_name is not UNSET:
            field_dict["model_name"] = model_name
        if negative_prompt is not UNSET:
            field_dict["negative_prompt"] = negative_prompt
        if prompt is not UNSET:
            field_dict["prompt"] = prompt
        if static_mask is not UNSET:
            field_dict["static_mask"] = static_mask

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.camera_control import CameraControl  # noqa: PLC0415
        from ..models.dynamic_mask import DynamicMask  # noqa: PLC0415

        d = dict(src_dict)
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

        _dynamic_masks = d.pop("dynamic_masks", UNSET)
        dynamic_masks: list[DynamicMask] | Unset = UNSET
        if _dynamic_masks is not UNSET:
            dynamic_masks = []
            for dynamic_masks_item_data in _dynamic_masks:
                dynamic_masks_item = DynamicMask.from_dict(dynamic_masks_item_data)

                dynamic_masks.append(dynamic_masks_item)

        external_task_id = d.pop("external_task_id", UNSET)

        image = d.pop("image", UNSET)

        image_tail = d.pop("image_tail", UNSET)

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

        prompt = d.pop("prompt", UNSET)

        static_mask = d.pop("static_mask", UNSET)

        image_2_video_request = cls(
            camera_control=camera_control,
            cfg_scale=cfg_scale,
            duration=duration,
            dynamic_masks=dynamic_masks,
            external_task_id=external_task_id,
            image=image,
            image_tail=image_tail,
            mode=mode,
            model_name=model_name,
            negative_prompt=negative_prompt,
            prompt=prompt,
            static_mask=static_mask,
        )

        return image_2_video_request
