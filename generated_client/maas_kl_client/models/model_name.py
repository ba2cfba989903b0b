from enum import StrEnum


class ModelName(StrEnum):
    KLING_V1 = "kling-v1"
    MAAS_KL_V1 = "MaaS_KL_V1"
    MAAS_KL_V1_5 = "MaaS_KL_V1.5"
    MAAS_KL_V1_6 = "MaaS_KL_V1.6"

    @classmethod
    def _missing_(cls, value: object) -> "ModelName | None":
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
