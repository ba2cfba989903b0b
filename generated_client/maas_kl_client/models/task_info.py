from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.video import Video


T = TypeVar("T", bound="TaskInfo")


@_attrs_define
class TaskInfo:
    """The parameters given when the task was created."""

    external_task_id: str | Unset = UNSET
    """ The caller-chosen task id, when one was given. """
    parent_video: Video | Unset = UNSET
    task_id: str | Unset = UNSET
    """ The system task id (text-to-video queries carry it here). """
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        external_task_id = self.external_task_id

        parent_video: dict[str, Any] | Unset = UNSET
        if not isinstance(self.parent_video, Unset):
            parent_video = self.parent_video.to_dict()

        task_id = self.task_id

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if external_task_id is not UNSET:
            field_dict["external_task_id"] = external_task_id
        if parent_video is not UNSET:
            field_dict["parent_video"] = parent_video
        if task_id is not UNSET:
            field_dict["task_id"] = task_id

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.video import Video  # noqa: PLC0415

        d = dict(src_dict)
        external_task_id = d.pop("external_task_id", UNSET)

        _parent_video = d.pop("parent_video", UNSET)
        parent_video: Video | Unset
        if isinstance(_parent_video, Unset):
            parent_video = UNSET
        else:
            parent_video = Video.from_dict(_parent_video)

        task_id = d.pop("task_id", UNSET)

        task_info = cls(
            external_task_id=external_task_id,
            parent_video=parent_video,
            task_id=task_id,
        )

        task_info.additional_properties = d
        return task_info

    @property
    def additional_keys(self) -> list[str]:
        return list(self.additional_properties.keys())

    def __getitem__(self, key: str) -> Any:
        return self.additional_properties[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.additional_properties[key] = value

    def __delitem__(self, key: str) -> None:
        del self.additional_properties[key]

    def __contains__(self, key: str) -> bool:
        return key in self.additional_properties
