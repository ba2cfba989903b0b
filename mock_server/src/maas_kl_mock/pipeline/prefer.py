"""Per-request control through the `Prefer` header, after Prism: code, example, scenario."""

from __future__ import annotations

from dataclasses import dataclass

from .._errors import ApiError

SCENARIOS = ("fail", "slow", "lost-response", "download-cut")  # download-cut: on the video route only


@dataclass(frozen=True, slots=True)
class Preferences:
    """What the client asked for in `Prefer: code=429, example=code1303, scenario=fail`."""

    code: int | None = None
    example: str | None = None
    scenario: str | None = None

    @classmethod
    def parse(cls, header: str | None) -> Preferences:
        """Parse the header; unknown preferences are ignored, as RFC 7240 asks."""
        if not header:
            return _NONE
        code: int | None = None
        example: str | None = None
        scenario: str | None = None
        for item in header.replace(";", ",").split(","):
            key, _, value = item.strip().partition("=")
            key, value = key.strip().lower(), value.strip().strip('"')
            if key == "code":
                if not (len(value) == 3 and value.isascii() and value.isdigit()):  # "²²²" is a digit to str
                    raise ApiError(
                        "invalid_request", f"Invalid request parameters: Prefer code={value[:20]} is not an HTTP status"
                    )
                code = int(value)
            elif key == "example":
                example = value
            elif key == "scenario":
                if value not in SCENARIOS:
                    raise ApiError(
                        "invalid_request",
                        f"Invalid request parameters: Prefer scenario={value[:40]} is unknown; "
                        f"use one of {', '.join(SCENARIOS)}",
                    )
                scenario = value
        return cls(code, example, scenario)


_NONE = Preferences()
