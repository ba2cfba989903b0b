"""CHANGELOG.md (Keep a Changelog) and version arithmetic: releases, sections, and the bump a change needs."""

from __future__ import annotations

import re
from dataclasses import dataclass

HEADING = re.compile(r"^## \[(?P<name>[^\]]+)\][^\n]*", re.MULTILINE)
VERSION = re.compile(r"^(\d+)\.(\d+)\.(\d+)$")
UNRELEASED = "Unreleased"


@dataclass(frozen=True, order=True)
class Version:
    """A semantic version X.Y.Z (pre-release and build parts are not used by this project)."""

    major: int
    minor: int
    patch: int

    @classmethod
    def parse(cls, text: str) -> Version:
        """Read `X.Y.Z`; anything else is a clear error."""
        match = VERSION.match(text.strip())
        if match is None:
            msg = f"not a X.Y.Z version: {text!r}"
            raise ValueError(msg)
        return cls(*(int(part) for part in match.groups()))

    def __str__(self) -> str:
        return f"{self.major}.{self.minor}.{self.patch}"

    def breaking_bump(self) -> Version:
        """Return the smallest version a breaking change needs: next major, or next minor while 0.x (semver item 4)."""
        return Version(0, self.minor + 1, 0) if self.major == 0 else Version(self.major + 1, 0, 0)

    def feature_bump(self) -> Version:
        """Return the smallest version an addition needs: the next minor."""
        return Version(self.major, self.minor + 1, 0)


def releases(text: str) -> list[str]:
    """List the released versions, newest first, as their headings give them (Unreleased excluded)."""
    return [m["name"] for m in HEADING.finditer(text) if m["name"] != UNRELEASED]


def section(text: str, name: str) -> str | None:
    """Return the body of `## [name]` up to the next heading, or None when there is no such heading."""
    matches = list(HEADING.finditer(text))
    for index, match in enumerate(matches):
        if match["name"] == name:
            end = matches[index + 1].start() if index + 1 < len(matches) else len(text)
            body = text[match.end() : end]
            # Link reference definitions at the foot of the file are not part of the entry.
            return "\n".join(line for line in body.splitlines() if not re.match(r"^\[[^\]]+\]:\s", line)).strip()
    return None


def heading_line(name: str) -> str:
    """Return the literal text a release heading starts with (what `git log -S` looks for)."""
    return f"## [{name}]"
