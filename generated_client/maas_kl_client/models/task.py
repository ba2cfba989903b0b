from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.task_status import TaskStatus
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.task_info import TaskInfo
    from ..models.task_result import TaskResult


T = TypeVar("T", bound="Task")


@_attrs_define
class Task:
    """A generation task, as returned by create and query operations."""

    created_at: int
    """ Unix time in milliseconds. """
    task_id: str
    """ System-generated task id. """
    task_status: TaskStatus
    """ Task status. Clients must tolerate values beyond these four: the upstream service has been seen to answer
    others, such as `queued`. """
    updated_at: int
    """ Unix time in milliseconds. """
    task_info: TaskInfo | Unset = UNSET
    """ The parameters given when the task was created. """
    task_result: TaskResult | Unset = UNSET
    """ What the task produced; empty until it succeeds, and may stay empty when it fails. """
    task_status_msg: str | Unset = UNSET
    """ Status detail; on failure, the reason (for example a content-safety refusal). """
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        created_at = self.created_at

        task_id = self.task_id

        task_status = self.task_status.value

        updated_at = self.updated_at

        task_info: dict[str, Any] | Unset = UNSET
        if not isinstance(self.task_info, Unset):
            task_info = self.task_info.to_dict()

        task_result: dict[str, Any] | Unset = UNSET
        if not isinstance(self.task_result, Unset):
            task_result = self.task_result.to_dict()

        task_status_msg = self.task_status_msg

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "created_at": created_at,
                "task_id": task_id,
                "task_status": task_status,
                "updated_at": updated_at,
            }
        )
        if task_info is not UNSET:
            field_dict["task_info"] = task_info
        if task_result is not UNSET:
            field_dict["task_result"] = task_result
        if task_status_msg is not UNSET:
            field_dict["task_status_msg"] = task_status_msg

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.task_info import TaskInfo  # noqa: PLC0415
        from ..models.task_result import TaskResult  # noqa: PLC0415

        d = dict(src_dict)
        created_at = d.pop("created_at")

        task_id = d.pop("task_id")

        task_status = TaskStatus(d.pop("task_status"))

        updated_at = d.pop("updated_at")

        _task_info = d.pop("task_info", UNSET)
        task_info: TaskInfo | Unset
        if isinstance(_task_info, Unset):
            task_info = UNSET
        else:
            task_info = TaskInfo.from_dict(_task_info)

        _task_result = d.pop("task_result", UNSET)
        task_result: TaskResult | Unset
        if isinstance(_task_result, Unset):
            task_result = UNSET
        else:
            task_result = TaskResult.from_dict(_task_result)

        task_status_msg = d.pop("task_status_msg", UNSET)

        task = cls(
            created_at=created_at,
            task_id=task_id,
            task_status=task_status,
            updated_at=updated_at,
            task_info=task_info,
            task_result=task_result,
            task_status_msg=task_status_msg,
        )

        task.additional_properties = d
        return task

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
