from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="CameraConfig")


@_attrs_define
class CameraConfig:
    """Six camera movements; exactly one of them is non-zero."""

    horizontal: float | Unset = UNSET
    """ Horizontal movement along the x-axis; negative is left, positive is right. """
    pan: float | Unset = UNSET
    """ Rotation in the horizontal plane, around the y-axis; negative is left, positive is right. """
    roll: float | Unset = UNSET
    """ Roll around the z-axis; negative is counterclockwise, positive is clockwise. """
    tilt: float | Unset = UNSET
    """ Rotation in the vertical plane, around the x-axis; negative is down, positive is up. """
    vertical: float | Unset = UNSET
    """ Vertical movement along the y-axis; negative is down, positive is up. """
    zoom: float | Unset = UNSET
    """ Focal length change; negative narrows the field of view, positive widens it. """

    def to_dict(self) -> dict[str, Any]:
        horizontal = self.horizontal

        pan = self.pan

        roll = self.roll

        tilt = self.tilt

        vertical = self.vertical

        zoom = self.zoom

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if horizontal is not UNSET:
            field_dict["horizontal"] = horizontal
        if pan is not UNSET:
            field_dict["pan"] = pan
        if roll is not UNSET:
            field_dict["roll"] = roll
        if tilt is not UNSET:
            field_dict["tilt"] = tilt
        if vertical is not UNSET:
            field_dict["vertical"] = vertical
        if zoom is not UNSET:
            field_dict["zoom"] = zoom

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        horizontal = d.pop("horizontal", UNSET)

        pan = d.pop("pan", UNSET)

        roll = d.pop("roll", UNSET)

        tilt = d.pop("tilt", UNSET)

        vertical = d.pop("vertical", UNSET)

        zoom = d.pop("zoom", UNSET)

        camera_config = cls(
            horizontal=horizontal,
            pan=pan,
            roll=roll,
            tilt=tilt,
            vertical=vertical,
            zoom=zoom,
        )

        return camera_config
