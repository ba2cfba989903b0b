"""The one place that turns the SDK's words into the command line's: arguments and request fields become flags.

The SDK's messages name its arguments (`base_url`, `preflight=False`) and the spec's request
fields (`model_name`); a CLI user holds flags. Every flag of a request field is the field's name
from the spec with dashes (`--model-name`), so the field-to-flag map is derived, not listed. Only
the SDK's own arguments and the advice that names its methods are listed here. No I/O.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from .._spec_data import REQUEST_FIELDS, REQUEST_SCHEMAS

SDK_ARGUMENTS: tuple[tuple[str, str], ...] = (
    ("Pass preflight=False to send it anyway", "Pass --no-preflight to send it anyway"),
    ("Pass overwrite=True to replace it", "Pass --overwrite to replace it"),
    ("preflight=False", "--no-preflight"),
    ("pass skip_invalid=True", "pass --skip-invalid"),
    ("pass api_key=...", "pass --api-key"),
    ("pass endpoint_path=...", "pass --endpoint-path"),
    ("pass allow_insecure_http=True", "pass --allow-insecure-http"),
    ("base_url must be", "--base-url must be"),
    ("check the network and base_url", "check the network and --base-url"),
    ("raise max_retries to wait longer", "run it again once the account's running tasks have finished"),
    ("raise `timeout=` if the network is slow", "check the network"),
    (
        "A batch job must be a Job, a (family, request) pair or a mapping with a 'family' key",
        'Each line must be a JSON object with a "family" key',
    ),
)
"""(SDK words, CLI words): the SDK's arguments and methods named in its messages, and what the CLI says instead."""

SDK_NAMES = (
    "overwrite=True",
    "base_url",
    "max_retries",
    "wait_for_task",
    "preflight=False",
    "skip_invalid",
    "api_key",
    "endpoint_path",
)
"""Names a CLI message must never show (tests/cli/test_cli_words.py drives every error class against them)."""


FLAGGED = frozenset({*(field["name"] for fields in REQUEST_FIELDS.values() for field in fields), "camera_control"})
"""Request fields a command sets by a flag: every scalar field, and `camera_control` (`--camera-control`)."""


def flag(field: str) -> str:
    """Name what sets a request field: the spec's name with dashes (`model_name` -> `--model-name`), else --body.

    A finding inside an object field (`camera_control.config`) names the object's flag and the part.
    """
    top, dot, rest = field.partition(".")
    if top in FLAGGED:
        return "--" + top.replace("_", "-") + (f" ({rest})" if dot else "")
    return f'"{field}" in --body'


def _snake_fields(names: Iterable[str]) -> re.Pattern[str]:
    # Only names with an underscore: a plain word like "prompt" or "mode" also occurs as an English word.
    snake = sorted({name for name in names if "_" in name}, key=len, reverse=True)
    return re.compile(r"(?<![\w-])(" + "|".join(map(re.escape, snake)) + r")(?![\w-])")


FIELD_NAMES = _snake_fields(name for schema in REQUEST_SCHEMAS.values() for name in schema.get("properties", {}))


def in_cli_words(message: str, *, fields_as_flags: bool = True) -> str:
    """Return an SDK message in the CLI's words: its arguments as flags, and (outside batch files) fields as flags."""
    for sdk_words, cli_words in SDK_ARGUMENTS:
        message = message.replace(sdk_words, cli_words)
    if fields_as_flags:
        message = FIELD_NAMES.sub(lambda found: flag(found.group(1)), message)
    return message


def violation(field: str, rule: str, *, fields_as_flags: bool = True) -> str:
    """Word one preflight finding, the field named as the user wrote it: a flag on a command, a JSON key in a batch."""
    name = flag(field) if fields_as_flags and field != "body" else field
    return f"{name}: {in_cli_words(rule, fields_as_flags=fields_as_flags)}"
