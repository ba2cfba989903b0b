"""CHANGELOG.md is Keep a Changelog, records the current versions, and the generated README links to it."""

from __future__ import annotations

import tomllib
from pathlib import Path

import maas_kl_client
import pytest

from generator.api_changes.changelog import UNRELEASED, Version, releases, section

ROOT = Path(__file__).resolve().parents[2]
CHANGELOG = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("version", "breaking", "feature"),
    [("0.1.0", "0.2.0", "0.2.0"), ("0.3.4", "0.4.0", "0.4.0"), ("1.2.3", "2.0.0", "1.3.0")],
)
def test_bumps_follow_semver_with_minor_for_breaking_while_0x(version: str, breaking: str, feature: str) -> None:
    assert str(Version.parse(version).breaking_bump()) == breaking
    assert str(Version.parse(version).feature_bump()) == feature


def test_a_malformed_version_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match=r"not a X\.Y\.Z version: 'v1'"):
        Version.parse("v1")


def test_sections_end_at_the_next_heading_and_drop_link_definitions() -> None:
    text = "# Changelog\n\n## [Unreleased]\n\n- seed\n\n## [0.2.0] - 2027-01-01\n\n- gone\n\n[0.2.0]: https://example.com\n"
    assert releases(text) == ["0.2.0"]
    assert section(text, UNRELEASED) == "- seed"
    assert section(text, "0.2.0") == "- gone"
    assert section(text, "0.3.0") is None


def test_changelog_records_the_current_sdk_version_as_a_release() -> None:
    sdk = tomllib.loads((ROOT / "generated_client" / "pyproject.toml").read_text(encoding="utf-8"))["project"][
        "version"
    ]
    assert sdk == maas_kl_client.__version__  # the version is written twice, by hand: kept equal here
    assert CHANGELOG.startswith("# Changelog\n")
    assert section(CHANGELOG, UNRELEASED) is not None
    assert releases(CHANGELOG)[0] == sdk
    assert "0.1.0" in releases(CHANGELOG)


def test_generated_readme_links_to_the_changelog() -> None:
    readme = (ROOT / "generated_client" / "README.md").read_text(encoding="utf-8")
    assert "](../CHANGELOG.md)" in readme
    assert (ROOT / "generated_client" / "../CHANGELOG.md").resolve() == (ROOT / "CHANGELOG.md").resolve()
