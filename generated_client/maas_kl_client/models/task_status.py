from enum import StrEnum


class TaskStatus(StrEnum):
    FAILED = "failed"
    PROCESSING = "processing"
    SUBMITTED = "submitted"
    SUCCEED = "succeed"

    @classmethod
    def _missing_(cls, value: object) -> "TaskStatus | None":
        # Open enum: a value the spec does not list yet (the server adds them) becomes a
        # pseudo-member that keeps the raw value, so parsing never fails and to_dict round-trips.
        if not isinstance(value, str):
            return None
        member = str.__new__(cls, value)
        member._name_ = value
        member._value_ = value
        return member

    @property
    def is_known(self) -> bool:
        """Whether the value is one the spec lists, rather than one the server added since."""
        return self._value_ in type(self)._value2member_map_

    def __str__(self) -> str:
        return str(self.value)
