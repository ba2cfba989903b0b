from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="VideoExtendRequest")


@_attrs_define
class VideoExtendRequest:
    video_id: str
    """ Id of a video made by text to video, image to video or a previous extension, at most 30 days old; the
    extended total cannot exceed 3 minutes. """
    prompt: str | Unset = UNSET
    """ Positive text prompt, at most 2500 characters. """

    def to_dict(self) -> dict[str, Any]:
        video_id = self.video_id

        prompt = self.prompt

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "video_id": video_id,
            }
        )
        if prompt is not UNSET:
            field_dict["prompt"] = prompt

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        video_id = d.pop("video_id")

        prompt = d.pop("prompt", UNSET)

        video_extend_request = cls(
            video_id=video_id,
            prompt=prompt,
        )

        return video_extend_request
