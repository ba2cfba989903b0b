"""A throw-away copy of the workspace with its own git history, to mutate, regenerate and gate."""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from generator.api_changes.changes import SAFE_LOADER

ROOT = Path(__file__).resolve().parents[2]
SPEC = "openapi/maas_kl.yaml"


class Workspace:
    """The tracked files of this checkout, committed once as the only history (so 0.1.0 is released there)."""

    def __init__(self, root: Path) -> None:
        self.root = root
        listed = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True).stdout
        for name in filter(None, listed.decode().split("\0")):
            source = ROOT / name
            if source.is_file():
                (root / name).parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(source, root / name)
        self._release_unreleased()
        self.git("init", "--quiet", "--initial-branch=main")
        self.commit("baseline")
        self.baseline = self.git("rev-parse", "HEAD").strip()

    def _release_unreleased(self) -> None:
        """Empty `## [Unreleased]`: the baseline commit is the release, so nothing of it is unreleased."""
        changelog = self.root / "CHANGELOG.md"
        text = changelog.read_text(encoding="utf-8")
        head, found, rest = text.partition("## [Unreleased]\n")
        if found:
            _, next_release, tail = rest.partition("\n## [")
            changelog.write_text(f"{head}{found}{next_release}{tail}", encoding="utf-8")

    def git(self, *args: str) -> str:
        command = ["git", "-c", "user.name=test", "-c", "user.email=test@example.invalid", *args]
        return subprocess.run(command, cwd=self.root, capture_output=True, text=True, check=True).stdout

    def commit(self, message: str) -> None:
        self.git("add", "--all")
        self.git("commit", "--quiet", "--allow-empty", "-m", message)

    def reset(self) -> None:
        """Back to the baseline commit: every mutation, regeneration and later commit undone."""
        self.git("reset", "--quiet", "--hard", self.baseline)
        self.git("clean", "--quiet", "-fd")

    def path(self, name: str) -> Path:
        return self.root / name

    def edit_spec(self, change: Callable[[dict[str, Any]], None]) -> None:
        spec = yaml.load(self.path(SPEC).read_text(encoding="utf-8"), Loader=SAFE_LOADER)
        change(spec)
        self.path(SPEC).write_text(
            yaml.safe_dump(spec, sort_keys=False, allow_unicode=True, width=100), encoding="utf-8"
        )

    def replace(self, name: str, old: str, new: str) -> None:
        text = self.path(name).read_text(encoding="utf-8")
        assert old in text, f"{old!r} not in {name}"
        self.path(name).write_text(text.replace(old, new), encoding="utf-8")

    def run(self, *args: str) -> subprocess.CompletedProcess[str]:
        """`python -m <args>` inside the copy: the copy's generator and reports, this interpreter."""
        return subprocess.run([sys.executable, "-m", *args], cwd=self.root, capture_output=True, text=True, check=False)

    def generate(self) -> None:
        done = self.run("generator")
        assert done.returncode == 0, done.stderr

    def changes(self, base: str | None = None) -> str:
        done = self.run("generator.api_changes.changes", *(["--base", base] if base else []))
        assert done.returncode == 0, done.stderr
        return done.stdout

    def gate(self) -> subprocess.CompletedProcess[str]:
        return self.run("generator.api_changes.changes", "--gate")
