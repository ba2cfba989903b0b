"""The one entry point: `python -m generator [--output DIR | --check]` writes or checks generated_client/.

Steps: derive the generator's view of the spec (generator.transform), run the pinned
openapi-python-client with generator/config.yaml and generator/templates, copy the hand-written
overlay into the package, derive the sync client from the async one (generator.unasync),
render the spec facts module, run the pinned ruff over it all, and write the two API reports
(generator.api_changes.files) that `make changes` and the version gate compare.
"""

from __future__ import annotations

import argparse
import difflib
import filecmp
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import yaml

from generator.api_changes.files import write_reports
from generator.resources import class_names, render_params, render_resources
from generator.spec_data import render
from generator.transform import for_generator
from generator.unasync import MODULES, docstring_for, unasync

ROOT = Path(__file__).resolve().parent.parent
SPEC = ROOT / "openapi" / "maas_kl.yaml"
HERE = ROOT / "generator"
OUTPUT = ROOT / "generated_client"
PACKAGE = "maas_kl_client"
# What openapi-python-client writes that the SDK does not use: its own client layer (decision T1).
UNUSED = ("client.py", "errors.py", "api")
FACTS = HERE / "specfacts"
# Where the spec interpreter is vendored byte for byte: inside the SDK package and inside the mock.
FACTS_IN_MOCK = ROOT / "mock_server" / "src" / "maas_kl_mock" / "_specfacts"


def _run(args: list[str], cwd: Path) -> None:
    """Run a tool from this interpreter's environment and fail loudly with its output."""
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"}
    done = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if done.returncode != 0:
        sys.stderr.write(done.stdout + done.stderr)
        msg = f"{' '.join(args[:4])} failed with exit code {done.returncode}"
        raise SystemExit(msg)


def generate(output: Path) -> None:
    """Write the complete generated_client tree to `output` (replaced if it exists)."""
    spec = yaml.safe_load(SPEC.read_text(encoding="utf-8"))
    with tempfile.TemporaryDirectory(prefix="maas-kl-gen-") as scratch:
        work = Path(scratch)
        view = work / "maas_kl.generator.json"
        view.write_text(json.dumps(for_generator(spec), indent=2, sort_keys=True), encoding="utf-8")
        project = work / "generated_client"
        _run(
            [
                sys.executable,
                "-m",
                "openapi_python_client",
                "generate",
                "--path",
                str(view),
                "--config",
                str(HERE / "config.yaml"),
                "--custom-template-path",
                str(HERE / "templates"),
                "--meta",
                "uv",
                "--fail-on-warning",
                "--output-path",
                str(project),
            ],
            cwd=work,
        )
        package = project / PACKAGE
        shutil.copyfile(ROOT / "LICENSE", project / "LICENSE")  # the wheel ships the license it declares
        for name in UNUSED:
            unused = package / name
            shutil.rmtree(unused) if unused.is_dir() else unused.unlink()
        shutil.copytree(HERE / "overlay" / PACKAGE, package, dirs_exist_ok=True, ignore=_ignored)
        shutil.copytree(FACTS, package / "_specfacts", ignore=_ignored)
        (package / "_spec_data.py").write_text(render(spec), encoding="utf-8")
        (package / "_params.py").write_text(render_params(spec), encoding="utf-8")
        (package / "_async_resources.py").write_text(render_resources(spec), encoding="utf-8")
        renames = tuple(class_names(spec))
        for source, target in (*MODULES, ("_async_resources.py", "_resources.py")):
            text = unasync((package / source).read_text(encoding="utf-8"), docstring_for(source, target), renames)
            (package / target).write_text(text, encoding="utf-8")
        # The post-hooks, with the workspace's pinned ruff (openapi-python-client's own are off).
        _run([sys.executable, "-m", "ruff", "check", "--fix-only", "--quiet", "."], cwd=project)
        _run([sys.executable, "-m", "ruff", "format", "--quiet", "."], cwd=project)
        for cache in project.rglob(".ruff_cache"):
            shutil.rmtree(cache)
        write_reports(spec, project)
        if output.exists():
            shutil.rmtree(output)
        output.parent.mkdir(parents=True, exist_ok=True)
        shutil.copytree(project, output)


def vendor_mock(target: Path = FACTS_IN_MOCK) -> None:
    """Copy the spec interpreter into the mock package (replaced, byte for byte)."""
    if target.exists():
        shutil.rmtree(target)
    shutil.copytree(FACTS, target, ignore=_ignored)


def _ignored(_folder: str, names: list[str]) -> list[str]:
    return [n for n in names if n == "__pycache__" or n.endswith(".pyc")]


def _tree(root: Path) -> set[str]:
    skip = {"__pycache__", ".ruff_cache", ".mypy_cache", ".pytest_cache"}
    return {
        p.relative_to(root).as_posix()
        for p in root.rglob("*")
        if p.is_file() and not skip.intersection(p.relative_to(root).parts) and p.suffix != ".pyc"
    }


def compare(expected: Path, actual: Path) -> list[str]:
    """Differences between two trees: added, removed and changed files, with unified diffs."""
    want, have = _tree(expected), _tree(actual)
    problems = [f"missing from {actual.name}/: {name}" for name in sorted(want - have)]
    problems += [f"not produced by the generator: {name}" for name in sorted(have - want)]
    for name in sorted(want & have):
        if not filecmp.cmp(expected / name, actual / name, shallow=False):
            diff = difflib.unified_diff(
                (actual / name).read_text(encoding="utf-8").splitlines(keepends=True),
                (expected / name).read_text(encoding="utf-8").splitlines(keepends=True),
                fromfile=f"committed/{name}",
                tofile=f"generated/{name}",
            )
            problems.append(f"changed: {name}\n{''.join(diff)}")
    return problems


def main(argv: list[str] | None = None) -> int:
    """Generate into --output (default generated_client/), or --check the committed tree for drift."""
    parser = argparse.ArgumentParser(prog="python -m generator", description=__doc__.splitlines()[0])
    parser.add_argument("--output", type=Path, default=OUTPUT, help="where to write the project")
    parser.add_argument("--check", action="store_true", help="regenerate into a temporary folder and compare")
    args = parser.parse_args(argv)
    if not args.check:
        generate(args.output)
        vendor_mock()
        print(f"wrote {args.output} and {FACTS_IN_MOCK.relative_to(ROOT)}")
        return 0
    with tempfile.TemporaryDirectory(prefix="maas-kl-check-") as scratch:
        fresh = Path(scratch) / "generated_client"
        generate(fresh)
        problems = compare(fresh, args.output)
        problems += [f"mock copy of generator/specfacts: {p}" for p in compare(FACTS, FACTS_IN_MOCK)]
    if problems:
        sys.stderr.write("\n".join(problems) + "\n")
        sys.stderr.write(f"{args.output} differs from a fresh generation: run `make generate` and commit.\n")
        return 1
    print(f"{args.output} matches a fresh generation")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
