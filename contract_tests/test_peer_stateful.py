"""A peer's walk: the stock schemathesis CLI, stateful phase only, follows the spec's links to a finished extension.

No hook, no config file, no custom rule: `st run --phases stateful` against `maas-kl-mock serve`, whose
lifecycle is set to zero seconds so a task is finished when it is created (the mock's own flags). The
HAR report is the evidence: an extension create that carried a video id an earlier query answered
(so it came through the `ExtendVideo` link, D28), and that extension answered `succeed`.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from maas_kl_mock import MockServer

from contract_tests.spec_facts import SPEC_PATH, capability_map, facts

JSON = Any
STOCK_CHECKS = "not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance"


@pytest.fixture(scope="module")
def mock() -> Iterator[MockServer]:
    """A mock whose tasks finish at once, so a short stateful run can walk create → query → extend."""
    with MockServer("--submitted-seconds", "0", "--processing-seconds", "0", "--seed", "7") as server:
        yield server


def _st_run(mock: MockServer, spec: Path, har: Path) -> subprocess.CompletedProcess[str]:
    st = Path(sys.executable).with_name("st")
    command = [
        str(st),
        "run",
        str(spec),
        "--url",
        mock.api_base_url,
        "--phases",
        "stateful",
        "--generation-deterministic",
        "--max-examples",
        "20",
        "--checks",
        STOCK_CHECKS,
        "-H",
        f"Authorization: Bearer {mock.token}",
        "--report",
        "har",
        "--report-har-path",
        str(har),
    ]
    return subprocess.run(command, capture_output=True, text=True, check=False, timeout=240)


def finished_extensions(har: Path) -> list[str]:
    """Task ids of extensions created from a video id an earlier query answered, and seen `succeed`."""
    family = next(f for f in facts().families.values() if f.create == capability_map().extend_operation)
    succeeded = facts().statuses.succeeded
    parent = capability_map().parent_field
    create_path = re.compile(re.escape(family.create_path) + "$")
    query_path = re.compile(re.escape(family.query_path.split("{")[0]) + r"[^/]+$")
    queried_videos: set[str] = set()
    linked: set[str] = set()
    finished: list[str] = []
    for entry in json.loads(har.read_text(encoding="utf-8"))["log"]["entries"]:
        method, url = entry["request"]["method"], entry["request"]["url"].split("?")[0]
        try:
            data = (json.loads(entry["response"]["content"].get("text") or "null") or {}).get("data")
        except (ValueError, AttributeError):
            continue
        if not isinstance(data, dict) or entry["response"]["status"] != 200:
            continue
        if method == "GET":
            queried_videos.update(v["id"] for v in (data.get("task_result") or {}).get("videos") or ())
        if method == "POST" and create_path.search(url):
            sent = json.loads(entry["request"].get("postData", {}).get("text") or "{}")
            if sent.get(parent) in queried_videos:
                linked.add(data["task_id"])
        is_extension = (method == "POST" and create_path.search(url)) or (method == "GET" and query_path.search(url))
        if is_extension and data.get("task_id") in linked and data.get("task_status") == succeeded:
            finished.append(data["task_id"])
    return finished


def test_a_stock_stateful_run_creates_and_finishes_an_extension(mock: MockServer, tmp_path: Path) -> None:
    har = tmp_path / "run.har"
    run = _st_run(mock, SPEC_PATH, har)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-2000:]
    assert finished_extensions(har), "no extension was created from a queried video and seen succeed"


def test_without_the_extend_links_the_same_run_never_gets_there(mock: MockServer, tmp_path: Path) -> None:
    """The control: strip the ExtendVideo links and the stock run can only invent video ids."""
    document = yaml.safe_load(SPEC_PATH.read_text(encoding="utf-8"))
    extend = capability_map().extend_operation
    for response in document["components"]["responses"].values():
        links = response.get("links") or {}
        for name in [n for n, link in links.items() if link.get("operationId") == extend]:
            del links[name]
    spec = tmp_path / "no-extend-links.yaml"
    spec.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
    har = tmp_path / "run.har"
    run = _st_run(mock, spec, har)
    assert run.returncode == 0, run.stdout[-3000:]
    assert finished_extensions(har) == []
