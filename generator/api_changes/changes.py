"""`make changes` and the version gate: what changed for users since a release, and whether the version says so.

Usage: `python -m generator.api_changes.changes [--base REV] [--gate]`.

A snapshot is the spec, the generated package, the SDK version and CHANGELOG.md, either from the
working tree or from a git revision. Both reports are recomputed from each snapshot with today's
code, so a change in how a report is rendered never shows up as an API change.

Base (see README "Regenerating the SDK"): the newest release heading `## [X.Y.Z]` of CHANGELOG.md
whose introducing commit is in git history (`git log -S`), never a git tag. The gate checks two
steps: the previous release to that release (so a release commit cannot hide a change), and that
release to the working tree.
"""

from __future__ import annotations

import argparse
import io
import subprocess
import sys
import tarfile
import tempfile
import tomllib
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import griffe
import yaml

from generator.api_changes import python_api, wire
from generator.api_changes.changelog import UNRELEASED, Version, heading_line, releases, section
from generator.api_changes.files import WIRE, render_wire
from generator.api_changes.grading import GRADES, UNCOUNTED, Change, grade

ROOT = Path(__file__).resolve().parents[2]
SPEC = "openapi/maas_kl.yaml"
PYPROJECT = "generated_client/pyproject.toml"
PACKAGE_DIR = "generated_client"
CHANGELOG = "CHANGELOG.md"
# libyaml's safe loader when present: it reads the spec several times faster than the pure-Python one.
SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
TRACKED = (SPEC, PYPROJECT, f"{PACKAGE_DIR}/{python_api.PACKAGE}", CHANGELOG)


class GateError(Exception):
    """The gate cannot decide (no git, no history, no release): it refuses rather than passes."""


@dataclass
class Snapshot:
    """One side of a comparison: the spec, the loaded package, the versions and the changelog."""

    label: str
    spec: dict[str, Any]
    package: griffe.Object
    sdk_version: Version
    changelog: str

    @property
    def wire_version(self) -> Version:
        """The wire contract's version: the spec's info.version."""
        return Version.parse(str(self.spec.get("info", {}).get("version", "")))


def _snapshot(label: str, root: Path) -> Snapshot:
    spec = yaml.load((root / SPEC).read_text(encoding="utf-8"), Loader=SAFE_LOADER)  # noqa: S506 - a safe loader
    project = tomllib.loads((root / PYPROJECT).read_text(encoding="utf-8"))
    log = root / CHANGELOG
    return Snapshot(
        label,
        spec,
        python_api.load(root / PACKAGE_DIR),
        Version.parse(project["project"]["version"]),
        log.read_text(encoding="utf-8") if log.exists() else "",
    )


def _git_bytes(root: Path, *args: str) -> bytes:
    try:
        done = subprocess.run(["git", *args], cwd=root, capture_output=True, check=False)  # noqa: S603,S607
    except FileNotFoundError as exc:
        msg = "git is not installed: the gate needs git history to find the last release"
        raise GateError(msg) from exc
    if done.returncode != 0:
        msg = f"git {' '.join(args)} failed: {done.stderr.decode(errors='replace').strip()}"
        raise GateError(msg)
    return done.stdout


def _git(root: Path, *args: str) -> str:
    return _git_bytes(root, *args).decode()


@contextmanager
def snapshot_at(root: Path, rev: str, name: str = "") -> Iterator[Snapshot]:
    """Snapshot a git revision, extracted with `git archive` into a temporary folder."""
    try:
        commit = _git(root, "rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}").strip()
    except GateError as exc:
        msg = f"{rev!r} names no commit in this repository: give a branch, tag or commit to compare with"
        raise GateError(msg) from exc
    present = [p for p in TRACKED if _git(root, "ls-tree", "--name-only", commit, p).strip()]
    missing = {SPEC, PYPROJECT, f"{PACKAGE_DIR}/{python_api.PACKAGE}"} - set(present)
    if missing:
        msg = f"revision {rev} ({commit[:10]}) has no {', '.join(sorted(missing))}: cannot compare against it"
        raise GateError(msg)
    archive = _git_bytes(root, "archive", "--format=tar", commit, *present)
    with (
        tempfile.TemporaryDirectory(prefix="maas-kl-base-") as scratch,
        tarfile.open(fileobj=io.BytesIO(archive)) as tar,
    ):
        tar.extractall(scratch, filter="data")
        yield _snapshot(f"{name or rev} ({commit[:10]})", Path(scratch))


def working_tree(root: Path) -> Snapshot:
    """Snapshot the files on disk (what `make generate` wrote)."""
    return _snapshot("working tree", root)


def release_commit(root: Path, version: str) -> str | None:
    """Find the newest commit that introduced the `## [version]` heading into CHANGELOG.md, if any."""
    heading = heading_line(version)
    for commit in _git(root, "log", "--format=%H", "-S", heading, "--", CHANGELOG).split():
        shown = subprocess.run(["git", "show", f"{commit}:{CHANGELOG}"], cwd=root, capture_output=True, check=False)  # noqa: S603,S607
        if shown.returncode == 0 and any(line.startswith(heading) for line in shown.stdout.decode().splitlines()):
            return commit
    return None


def released_in_history(root: Path, changelog: str) -> list[tuple[str, str]]:
    """List the releases recorded in CHANGELOG.md whose commits are in history, newest first."""
    if _git(root, "rev-parse", "--is-shallow-repository").strip() == "true":
        # A CI checkout may be shallow; its origin usually has the history, so fetch it once before giving up.
        unshallow = ["git", "fetch", "--quiet", "--unshallow"]
        deepened = subprocess.run(unshallow, cwd=root, capture_output=True, check=False)  # noqa: S603
        if deepened.returncode != 0:
            msg = "this clone is shallow and `git fetch --unshallow` failed: the gate needs the last release's history"
            raise GateError(msg)
    found = []
    for version in releases(changelog):
        commit = release_commit(root, version)
        if commit is not None:
            found.append((version, commit))
    return found


def compare(old: Snapshot, new: Snapshot) -> list[Change]:
    """Every graded change from one snapshot to the next: wire rules, then griffe's Python rules."""
    changes = grade(wire.report(old.spec), wire.report(new.spec))
    broken = python_api.breaking(old.package, new.package)
    changes += broken + python_api.additions(old.package, new.package, broken)
    return sorted(changes, key=lambda c: (GRADES.index(c.grade), c.area, c.where, c.what))


@dataclass
class Verdict:
    """What a step needs and what is wrong with it."""

    changes: list[Change]
    sdk_needed: Version
    wire_needed: Version
    problems: list[str] = field(default_factory=list)


def _needed(version: Version, breaking: bool, other: bool) -> Version:
    """Return the smallest version a set of changes needs (the same rule for the SDK and the wire)."""
    return version.breaking_bump() if breaking else version.feature_bump() if other else version


def _breaking_problems(old: Snapshot, new: Snapshot, verdict: Verdict, entry: str | None) -> Iterator[str]:
    breaking = [c for c in verdict.changes if c.grade == "breaking"]
    if new.sdk_version < verdict.sdk_needed:
        yield f"breaking changes need the SDK version moved to {verdict.sdk_needed} (it is {new.sdk_version})"
    if any(c.area == "wire" for c in breaking) and new.wire_version < verdict.wire_needed:
        yield (
            f"breaking wire changes need the spec's info.version moved to {verdict.wire_needed}"
            f" (it is {new.wire_version})"
        )
    unnamed = ", ".join(sorted({c.subject for c in breaking if entry is None or c.subject not in entry}))
    if new.sdk_version == old.sdk_version:
        yield f"add a `## [{verdict.sdk_needed}]` section to CHANGELOG.md that names: {unnamed}"
    elif entry is not None and unnamed:
        yield f"CHANGELOG.md `## [{new.sdk_version}]` does not name: {unnamed}"


def _addition_problems(old: Snapshot, new: Snapshot, verdict: Verdict) -> Iterator[str]:
    if new.sdk_version == old.sdk_version:
        if not section(new.changelog, UNRELEASED):
            yield (
                f"additions need an entry under `## [{UNRELEASED}]` in CHANGELOG.md,"
                f" or the SDK version moved to {verdict.sdk_needed}"
            )
        return
    if new.sdk_version < verdict.sdk_needed:
        yield f"additions released need the SDK version moved to at least {verdict.sdk_needed}"
    wire_added = any(c.area == "wire" for c in verdict.changes)
    if wire_added and new.wire_version < verdict.wire_needed:
        yield f"wire additions released need the spec's info.version moved to {verdict.wire_needed}"


def judge(old: Snapshot, new: Snapshot, found: list[Change]) -> Verdict:
    """Apply the version and changelog rules to one step from `old` to `new` (notes such as a rename need none)."""
    changes = [c for c in found if c.grade not in UNCOUNTED]
    breaking = any(c.grade == "breaking" for c in changes)
    wire = [c for c in changes if c.area == "wire"]
    verdict = Verdict(
        found,
        _needed(old.sdk_version, breaking, bool(changes)),
        _needed(old.wire_version, any(c.grade == "breaking" for c in wire), bool(wire)),
    )
    problems = verdict.problems
    if new.sdk_version < old.sdk_version:
        problems.append(f"the SDK version went backwards: {old.sdk_version} -> {new.sdk_version}")
    if new.wire_version < old.wire_version:
        problems.append(f"the spec's info.version went backwards: {old.wire_version} -> {new.wire_version}")
    entry = section(new.changelog, str(new.sdk_version)) if new.sdk_version > old.sdk_version else None
    if new.sdk_version > old.sdk_version and entry is None:
        problems.append(f"CHANGELOG.md has no `## [{new.sdk_version}]` section for the new SDK version")
    if breaking:
        problems.extend(_breaking_problems(old, new, verdict, entry))
    elif changes:
        problems.extend(_addition_problems(old, new, verdict))
    return verdict


def draft(changes: Sequence[Change], heading: str) -> str:
    """Draft a changelog entry grouped under Breaking, Deprecated and Added."""
    titles = {"breaking": "Breaking", "deprecation": "Deprecated", "addition": "Added", "info": "Tooling"}
    lines = [f"## [{heading}]"]
    for level in GRADES:
        chosen = [c for c in changes if c.grade == level]
        if chosen:
            lines += ["", f"### {titles[level]}", ""]
            lines += [f"- {c.area}: `{c.where}`: {c.what}{c.values()}" for c in chosen]
    return "\n".join(lines) + "\n"


def _listing(changes: Sequence[Change]) -> str:
    if not changes:
        return "  no user-visible changes\n"
    return "".join(f"  {c.grade.upper():<11} {c.area:<6} {c.line()}\n" for c in changes)


def _releases_found(root: Path, changelog: str) -> list[tuple[str, str]]:
    found = released_in_history(root, changelog)
    if not found:
        names = ", ".join(releases(changelog)) or "none"
        msg = f"no release recorded in CHANGELOG.md ({names}) is in git history; cannot find the last release"
        raise GateError(msg)
    return found


class StaleSDKError(GateError):
    """The generated SDK was not regenerated after a spec change: its Python changes cannot be reported."""


def stale_sdk(root: Path, head: Snapshot) -> str | None:
    """Say why the generated SDK is stale, or None: the committed wire report must be the spec's own."""
    written = root / PACKAGE_DIR / WIRE
    if written.exists() and written.read_text(encoding="utf-8") == render_wire(wire.report(head.spec)):
        return None
    return (
        f"the generated SDK is stale: {SPEC} changed since `make generate` last ran ({PACKAGE_DIR}/{WIRE} does not"
        " match it), so the SDK's Python changes cannot be reported. Run `make generate`, then `make changes` again"
    )


def changes_report(root: Path, base: str | None) -> str:
    """Build the text `make changes` prints: graded changes, versions needed, and a changelog draft."""
    head = working_tree(root)
    stale = stale_sdk(root, head)
    if stale is not None:
        raise StaleSDKError(stale)
    if base:
        rev, name = base, base
    else:
        version, rev = _releases_found(root, head.changelog)[0]
        name = f"release {version}"
    with snapshot_at(root, rev, name) as old:
        found = compare(old, head)
        verdict = judge(old, head, found)
        label = old.label
        versions = (old.sdk_version, old.wire_version)
    heading = str(verdict.sdk_needed) if any(c.grade == "breaking" for c in found) else UNRELEASED
    out = [f"Changes from {label} to the working tree:", _listing(found)]
    out.append(f"SDK version: {versions[0]} -> {head.sdk_version} (needs at least {verdict.sdk_needed})")
    out.append(
        f"Wire version (info.version): {versions[1]} -> {head.wire_version} (needs at least {verdict.wire_needed})"
    )
    if found:
        out += ["", "Changelog draft:", "", draft(found, heading)]
    return "\n".join(out) + "\n"


def gate(root: Path) -> list[str]:
    """Every problem with versions and CHANGELOG.md; empty when the working tree may ship."""
    head = working_tree(root)
    found = _releases_found(root, head.changelog)
    problems: list[str] = []
    (version, commit), previous = found[0], found[1] if len(found) > 1 else None
    with snapshot_at(root, commit, f"release {version}") as release:
        if str(release.sdk_version) != version:
            problems.append(
                f"the commit that recorded `## [{version}]` in CHANGELOG.md ({commit[:10]}) has SDK version"
                f" {release.sdk_version}: a release's heading, version bump and regenerated code belong in one commit"
            )
        if previous is not None:
            with snapshot_at(root, previous[1]) as before:
                step = judge(before, release, compare(before, release))
            problems += _explain(f"release {previous[0]} -> release {version}", step)
        step = judge(release, head, compare(release, head))
        problems += _explain(f"release {version} ({commit[:10]}) -> working tree", step)
    return problems


def _explain(step: str, verdict: Verdict) -> list[str]:
    if not verdict.problems:
        return []
    lines = [f"{step}:"]
    lines += [f"  - {p}" for p in verdict.problems]
    lines.append("  changes:")
    lines += [f"    {c.grade.upper():<11} {c.area:<6} {c.line()}" for c in verdict.changes]
    return ["\n".join(lines)]


def main(argv: list[str] | None = None) -> int:
    """Print the changes since BASE, or with --gate fail when the version or changelog lag behind."""
    parser = argparse.ArgumentParser(
        prog="python -m generator.api_changes.changes", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--base", help="git revision to compare with (default: the last release in CHANGELOG.md)")
    parser.add_argument("--gate", action="store_true", help="check versions and CHANGELOG.md; exit 1 on a problem")
    parser.add_argument("--root", type=Path, default=ROOT, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    try:
        if not args.gate:
            sys.stdout.write(changes_report(args.root, args.base))
            return 0
        problems = gate(args.root)
    except GateError as exc:
        # Only --gate is the version gate; `make changes` is a report and says so.
        sys.stderr.write(f"{'version gate' if args.gate else 'make changes'}: {exc}\n")
        return 2
    if problems:
        sys.stderr.write("version gate failed:\n" + "\n".join(problems) + "\n")
        sys.stderr.write(
            "Run `make changes` for a changelog draft; see README, 'Regenerating the SDK'. A release is the commit"
            " that introduced its `## [X.Y.Z]` heading: what was committed after it counts as unreleased.\n"
        )
        return 1
    print("version gate: versions and CHANGELOG.md match the API changes")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
