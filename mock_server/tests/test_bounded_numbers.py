"""Every number a request or the control API carries is read with bounds: never inf, never a 500 (issue 24)."""

from __future__ import annotations

import json
from urllib.parse import urlsplit

import pytest
from mock_harness import API, Harness, body

HUGE = "9" * 5000  # past int()'s default digit limit (4300): int(HUGE) raises ValueError


def _video_path(harness: Harness) -> str:
    task_id = harness.create()["data"]["task_id"]
    harness.clock.advance(60)
    url = harness.query("text2video", task_id)["data"]["task_result"]["videos"][0]["url"]
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}"


@pytest.mark.parametrize(
    ("header", "status"),
    [
        (f"bytes={HUGE}-", 416),  # a start past any file: unsatisfiable
        (f"bytes=0-{HUGE}", 206),  # an end past the file: up to its end
        (f"bytes=-{HUGE}", 206),  # a suffix longer than the file: the whole file
        (f"bytes={'0' * 5000}1-", 206),  # leading zeros are still byte 1
    ],
)
def test_a_range_with_thousands_of_digits_is_answered_not_a_500(harness: Harness, header: str, status: int) -> None:
    path, _, query = _video_path(harness).partition("?")
    answer = harness.send("GET", path, query=query, headers={"range": header})
    assert answer.status == status


@pytest.mark.parametrize(
    "plan",
    [
        {"latency": f"fixed:{'9' * 400}"},  # was accepted as fixed:inf and hung every later request
        {"latency": "fixed:1e400"},
        {"latency": "uniform:1-99999999"},
        {"kinds": {"500": "inf"}},  # made every request a 500
        {"kinds": {"500": "nan"}},
        {"kinds": {"500": 1e309}},
        {"kinds": "500"},
        {"rate": "nan"},
        {"rate": HUGE},
        {"after_store": "inf"},
        {"download_cut_rate": "-inf"},
        {"download_cut": ["nan"]},
        {"rate_limit": f"{HUGE}/1"},
        {"rate_limit": f"10/{'9' * 400}"},
        {"retry_after": 1e300},
        {"retry_after": HUGE},
        {"seed": 1e400},
        {"seed": True},
    ],
)
def test_an_unbounded_fault_setting_is_refused_and_changes_nothing(harness: Harness, plan: dict[str, object]) -> None:
    before = body(harness.send("GET", "/_mock/faults", token=None))["plan"]
    refused = harness.send("PUT", "/_mock/faults", raw=_json(plan), token=None)
    assert refused.status == 400
    assert body(refused)["code"] in (1200, 1201)  # Infinity is not JSON (1200); the rest are values out of bounds
    assert body(harness.send("GET", "/_mock/faults", token=None))["plan"] == before
    assert harness.send("GET", f"{API}/text2video/unknown").status == 404  # requests still answered at once


def _json(plan: dict[str, object]) -> bytes:
    """Encode with Python's json, which writes 1e400 as Infinity, as a careless client would."""
    return json.dumps(plan).encode()


def test_the_command_line_refuses_unbounded_numbers_too() -> None:
    from maas_kl_mock._cli import build_parser, config_from_args  # noqa: PLC0415

    for flags in (["--fault-kinds", "500=inf"], ["--latency", f"fixed:{'9' * 400}"], ["--retry-after", "999999999"]):
        args = build_parser().parse_args(["serve", *flags])
        with pytest.raises(ValueError, match=r"must be|not understood"):
            config_from_args(args)
