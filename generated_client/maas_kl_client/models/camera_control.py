from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define

from ..models.camera_control_type import CameraControlType
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.camera_config import CameraConfig


T = TypeVar("T", bound="CameraControl")


@_attrs_define
class CameraControl:
    """Camera movement. Left out, the model matches a movement to the prompt. `config` is required when `type` is `simple`
    and must be absent otherwise.

    """

    config: CameraConfig | Unset = UNSET
    """ Six camera movements; exactly one of them is non-zero. """
    type_: CameraControlType | Unset = UNSET
    """ Predefined camera movement. `simple` takes exactly one movement from `config`; `down_back`, `forward_up`,
    `right_turn_forward` and `left_turn_forward` take no config. """

    def to_dict(self) -> dict[str, Any]:
        config: dict[str, Any] | Unset = UNSET
        if not isinstance(self.config, Unset):
            config = self.config.to_dict()

        type_: str | Unset = UNSET
        if not isinstance(self.type_, Unset):
            type_ = self.type_.value

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if config is not UNSET:
            field_dict["config"] = config
        if type_ is not UNSET:
            field_dict["type"] = type_

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.camera_config import CameraConfig  # noqa: PLC0415

        d = dict(src_dict)
        _config = d.pop("config", UNSET)
        config: CameraConfig | Unset
        if isinstance(_config, Unset):
            config = UNSET
        else:
            config = CameraConfig.from_dict(_config)

        _type_ = d.pop("type", UNSET)
        type_: CameraControlType | Unset
        if isinstance(_type_, Unset):
            type_ = UNSET
        else:
            type_ = CameraControlType(_type_)

        camera_control = cls(
            config=config,
            type_=type_,
        )

        return camera_control
