from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define

T = TypeVar("T", bound="TrajectoryPoint")


@_attrs_define
class TrajectoryPoint:
    """A pixel coordinate, with the origin at the bottom-left corner of the input image."""

    x: int
    """ Pixel x-coordinate. """
    y: int
    """ Pixel y-coordinate. """

    def to_dict(self) -> dict[str, Any]:
        x = self.x

        y = self.y

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "x": x,
                "y": y,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        x = d.pop("x")

        y = d.pop("y")

        trajectory_point = cls(
            x=x,
            y=y,
        )

        return trajectory_point
