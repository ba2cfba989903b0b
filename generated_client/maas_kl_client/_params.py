"""Request objects' TypedDicts, from the spec. Made by `make generate`; do not edit."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal, Required, TypedDict

from .models import (
    CameraConfig,
    CameraControlType,
    TrajectoryPoint,
)


class CameraControlParam(TypedDict, total=False):
    """Camera movement. Left out, the model matches a movement to the prompt. `config` is required when `type` is `simple` and must be absent otherwise."""

    type: CameraControlType | Literal["simple", "down_back", "forward_up", "right_turn_forward", "left_turn_forward"]
    """Predefined camera movement. `simple` takes exactly one movement from `config`; `down_back`, `forward_up`, `right_turn_forward` and `left_turn_forward` take no config."""
    config: CameraConfig | CameraConfigParam
    """Six camera movements; exactly one of them is non-zero."""


class DynamicMaskParam(TypedDict, total=False):
    """One motion-brush group, a smeared area and the path it moves along."""

    mask: Required[str]
    """The smeared area, as a mask image with the input image's aspect ratio."""
    trajectories: Required[Sequence[TrajectoryPoint | TrajectoryPointParam]]
    """The motion path, first point first; 2 to 77 points for a 5-second video."""


class CameraConfigParam(TypedDict, total=False):
    """Six camera movements; exactly one of them is non-zero."""

    horizontal: float
    """Horizontal movement along the x-axis; negative is left, positive is right."""
    vertical: float
    """Vertical movement along the y-axis; negative is down, positive is up."""
    pan: float
    """Rotation in the horizontal plane, around the y-axis; negative is left, positive is right."""
    tilt: float
    """Rotation in the vertical plane, around the x-axis; negative is down, positive is up."""
    roll: float
    """Roll around the z-axis; negative is counterclockwise, positive is clockwise."""
    zoom: float
    """Focal length change; negative narrows the field of view, positive widens it."""


class TrajectoryPointParam(TypedDict, total=False):
    """A pixel coordinate, with the origin at the bottom-left corner of the input image."""

    x: Required[int]
    """Pixel x-coordinate."""
    y: Required[int]
    """Pixel y-coordinate."""


__all__ = ["CameraConfigParam", "CameraControlParam", "DynamicMaskParam", "TrajectoryPointParam"]
