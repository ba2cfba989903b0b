"""Where the two committed API reports live, and how they are rendered to text."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

from generator.api_changes import python_api, wire

# Inside generated_client/, so the generator's drift check (`make check-generated`) covers them.
REPORT_DIR = "api-report"
WIRE = f"{REPORT_DIR}/wire.yaml"
PYTHON = f"{REPORT_DIR}/python.txt"
WIRE_HEADER = "# The spec's wire surface, normalised (generator/api_changes/wire.py). Generated: do not edit.\n"
PYTHON_HEADER = (
    "# The SDK's public Python API as griffe sees it (generator/api_changes/python_api.py). Generated: do not edit.\n"
)


def render_wire(report: Mapping[str, Any]) -> str:
    """Render the wire report as stable YAML: sorted where order carries no meaning, wide lines."""
    return WIRE_HEADER + yaml.safe_dump(dict(report), sort_keys=False, width=120, allow_unicode=True)


def render_python(report: Mapping[str, str]) -> str:
    """Render the Python report as one `path :: signature` line per public object."""
    return PYTHON_HEADER + "".join(f"{path} :: {signature}\n" for path, signature in report.items())


def write_reports(spec: Mapping[str, Any], project: Path) -> None:
    """Write both reports into a generated project folder (the package must already be there)."""
    folder = project / REPORT_DIR
    folder.mkdir(parents=True, exist_ok=True)
    (project / WIRE).write_text(render_wire(wire.report(spec)), encoding="utf-8")
    (project / PYTHON).write_text(render_python(python_api.report(python_api.load(project))), encoding="utf-8")
