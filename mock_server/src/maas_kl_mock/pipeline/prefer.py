"""Per-request control through the `Prefer` header, after Prism: code, example, scenario."""

from __future__ import annotations

from dataclasses import dataclass
from difflib import get_close_matches

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
        """Parse the header; other preferences are ignored, as RFC 7240 asks, but a near miss of ours is refused.

        A client or proxy may send preferences meant for others (`return=minimal`), so an unknown
        one is not an error (decision M10). A token that is almost one of ours (`scenaro=fail`,
        a bare `fail`) is a tester's typo, and answering as if it were absent would hide it.
        """
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
            else:
                _refuse_a_near_miss(key, value)
        return cls(code, example, scenario)


_NONE = Preferences()
KEYS = ("code", "example", "scenario")


def _refuse_a_near_miss(key: str, value: str) -> None:
    """Refuse a preference that is almost one of the mock's: a misspelt key, or a scenario without `scenario=`."""
    close = get_close_matches(key, KEYS, n=1, cutoff=0.75)
    if close and value:
        meant = f"{close[0]}={value[:40]}"
    elif not value and key in SCENARIOS:
        meant = f"scenario={key}"
    else:
        return
    raise ApiError(
        "invalid_request",
        f"Invalid request parameters: Prefer {key[:40]}{'=' if value else ''}{value[:40]} is not a preference of "
        f"this mock; did you mean {meant}? It reads {', '.join(k + '=' for k in KEYS)} and ignores others (RFC 7240)",
    )
