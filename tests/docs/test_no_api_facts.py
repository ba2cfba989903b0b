"""No product module names an API fact: operationIds, families, business codes, statuses and limits live in the spec.

Facts are read from `openapi/maas_kl.yaml` through `maas_kl_specfacts`, never typed here. Product code is
the SDK's hand-written modules (its CLI included), the mock, and the contract suite's non-test modules.
Docstrings and comments are prose for people and are not read. A family's spellings count as a whole
string constant or an identifier, a task status only as a whole string constant, so "failed" inside an
English sentence is not a fact; operationIds and business codes count anywhere in a string; numbers
count as constants (constant arithmetic folded, so `10 * 1024 * 1024` is 10485760); a limit also counts
as its number and unit in text. A round code (1000) counts only where it stands for a code.
"""

from __future__ import annotations

import ast
import operator
import re
import shutil
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml
from maas_kl_specfacts import SpecFacts

from generator.__main__ import listed

ROOT = Path(__file__).resolve().parents[2]
SPEC = yaml.safe_load((ROOT / "openapi" / "maas_kl.yaml").read_text(encoding="utf-8"))
SDK = ROOT / "generated_client" / "maas_kl_client"
MOCK = ROOT / "mock_server" / "src" / "maas_kl_mock"
CONTRACT = ROOT / "contract_tests"
LIMIT_EXTENSIONS = ("x-image",)  # extensions whose numbers are documented limits, wherever they sit
# How a limit's key names its unit, and how prose writes a value in it (the value scaled to that unit).
UNITS: tuple[tuple[str, str, float], ...] = (
    ("bytes", "MB", 1024 * 1024),
    ("px", "px", 1),
    ("days", "days?", 1),
    ("seconds", "s|sec|seconds?", 1),
)
FOLD: dict[type[ast.operator], Callable[[Any, Any], Any]] = {
    ast.Mult: operator.mul,
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Pow: operator.pow,
    ast.LShift: operator.lshift,
}


def generated_files() -> set[Path]:
    """The files `GENERATED` lists: written by the generator from the spec, so they may hold its facts."""
    return {ROOT / name for name in listed(ROOT)}


def product_modules() -> list[Path]:
    """Every hand-written product module: the SDK and its CLI, the mock, the contract suite's helpers."""
    generated = generated_files()
    found = [p for p in sorted(SDK.rglob("*.py")) if p not in generated]
    found += sorted(MOCK.rglob("*.py"))
    found += [p for p in sorted(CONTRACT.glob("*.py")) if not p.name.startswith("test_") and p.name != "conftest.py"]
    return found


@dataclass(frozen=True, slots=True)
class Facts:
    """The API facts to look for, each with the words that say where in the spec it comes from."""

    names: dict[str, str] = field(default_factory=dict)  # whole string constants and identifiers
    words: dict[str, str] = field(default_factory=dict)  # whole string constants only
    tokens: dict[str, str] = field(default_factory=dict)  # anywhere in a string, as a whole token
    numbers: dict[float, str] = field(default_factory=dict)  # constants, constant arithmetic folded
    round_codes: set[float] = field(default_factory=set)  # codes that are also everyday numbers (1000)
    prose: list[tuple[re.Pattern[str], str]] = field(default_factory=list)  # a limit with its unit, in text


def _limits(node: Any, where: str, inside: bool = False) -> Iterator[tuple[str, str, float]]:
    """Every number under a limit extension (`x-image`) or `x-capability-map.video_extend`: (pointer, key, value)."""
    if isinstance(node, Mapping):
        for key, value in node.items():
            here = f"{where}/{key}"
            yield from _limits(
                value, here, inside or key in LIMIT_EXTENSIONS or here == "/x-capability-map/video_extend"
            )
            if inside and isinstance(value, int | float) and not isinstance(value, bool):
                yield here, str(key), float(value)
    elif isinstance(node, list):
        for n, item in enumerate(node):
            yield from _limits(item, f"{where}/{n}", inside)


def facts_of(document: Mapping[str, Any]) -> Facts:
    """Read every fact to look for from a spec document."""
    spec = SpecFacts(document)
    facts = Facts()
    for operation_id in spec.operations:
        facts.tokens[operation_id] = facts.names[operation_id] = f"operationId {operation_id}"
    for family in spec.families.values():
        tag = str(spec.operations[family.create][2].get("tags", [family.name])[0])
        for spelling in {family.name, family.name.replace("_", "-"), tag}:
            facts.names[spelling] = f"task family {family.name} (spelled {spelling!r})"
    for row in spec.codes.rows:
        facts.numbers[row.code] = f"business code {row.code} ({row.name})"
        facts.tokens[str(row.code)] = f"business code {row.code} ({row.name})"
        if row.code % 1000 == 0:
            facts.round_codes.add(row.code)
    for status in spec.statuses.values:
        facts.words[status] = f"task status {status}"
    for pointer, key, value in _limits(document, ""):
        shown = f"{value:.15g}"
        # One significant digit (5, 30, 300) is an everyday number: it counts only in text, with its unit.
        if len(shown.rstrip("0")) > 1:
            facts.numbers[value] = f"limit {pointer} = {shown}"
        for suffix, unit, scale in UNITS:
            if suffix in key:
                scaled = re.escape(f"{value / scale:g}")
                facts.prose.append((re.compile(rf"(?<![\d.]){scaled}\s*(?:{unit})\b"), f"limit {pointer} = {shown}"))
    return facts


@dataclass(frozen=True, slots=True)
class Finding:
    """One fact named in product code: where, and which."""

    path: str
    line: int
    fact: str
    text: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.fact}: {self.text}"


def _docstrings(tree: ast.AST) -> set[int]:
    """The ids of docstrings (a string standing alone as a statement, attribute docstrings too): prose, not read."""
    return {
        id(node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str)
    }


def _code_positions(tree: ast.AST) -> set[int]:
    """The ids of expressions that stand for a business code: a `code` key, keyword, target or comparison."""
    found: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Dict):
            found |= {id(v) for k, v in zip(node.keys, node.values, strict=True) if k is not None and _says_code(k)}
        elif isinstance(node, ast.keyword) and node.arg and "code" in node.arg.lower():
            found.add(id(node.value))
        elif isinstance(node, ast.Assign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            if node.value is not None and any(_says_code(t) for t in targets):
                found.add(id(node.value))
        elif isinstance(node, ast.Compare):
            sides = [node.left, *node.comparators]
            if any(_says_code(side) for side in sides):
                found |= {id(side) for side in sides}
    return found


def _says_code(node: ast.expr) -> bool:
    return "code" in ast.unparse(node).lower()


def _folded(node: ast.expr) -> float | None:
    """The value of a numeric constant or of constant arithmetic (`10 * 1024 * 1024`); None otherwise."""
    if isinstance(node, ast.Constant) and isinstance(node.value, int | float) and not isinstance(node.value, bool):
        return node.value
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        inner = _folded(node.operand)
        return None if inner is None else -inner
    if isinstance(node, ast.BinOp) and type(node.op) in FOLD:
        left, right = _folded(node.left), _folded(node.right)
        if left is not None and right is not None:
            try:
                return float(FOLD[type(node.op)](left, right))
            except (TypeError, ValueError, OverflowError):
                return None
    return None


def _identifier(node: ast.AST) -> str | None:
    """The name a node gives or uses, if it has one."""
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
        return node.name
    if isinstance(node, ast.arg | ast.keyword):
        return node.arg
    return None


def check_source(source: str, path: str, facts: Facts) -> list[Finding]:
    """Every API fact `source` names, in line order."""
    tree = ast.parse(source)
    skip = _docstrings(tree)
    code_positions = _code_positions(tree)
    pieces = {id(v) for n in ast.walk(tree) if isinstance(n, ast.JoinedStr) for v in n.values}
    folded = (b for b in ast.walk(tree) if isinstance(b, ast.BinOp) and _folded(b) is not None)
    inner = {id(n) for b in folded for n in ast.walk(b) if n is not b}  # judged as the whole: 10 * 1024 * 1024
    tokens = re.compile(
        r"(?<![\w.])(" + "|".join(map(re.escape, sorted(facts.tokens, key=len, reverse=True))) + r")(?![\w])"
    )
    out: list[Finding] = []

    def found(node: ast.AST, fact: str, text: str) -> None:
        out.append(Finding(path, getattr(node, "lineno", 0), fact, text))

    for node in ast.walk(tree):
        if id(node) in skip:
            continue
        name = _identifier(node)
        if name is not None and name in facts.names:
            found(node, facts.names[name], f"identifier {name}")
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            words = {**facts.names, **facts.words}
            if id(node) not in pieces and node.value in words:
                found(node, words[node.value], repr(node.value))
            for match in tokens.finditer(node.value):
                if node.value not in facts.names:
                    found(node, facts.tokens[match.group(1)], repr(node.value))
            for pattern, fact in facts.prose:
                if pattern.search(node.value):
                    found(node, fact, repr(node.value))
        if isinstance(node, ast.expr) and id(node) not in inner:
            value = _folded(node)
            if value in facts.numbers and (value not in facts.round_codes or id(node) in code_positions):
                found(node, facts.numbers[value], ast.unparse(node))
    return sorted(out, key=lambda f: (f.line, f.fact))


FACTS = facts_of(SPEC)


def test_the_facts_come_from_the_spec() -> None:
    spec = SpecFacts(SPEC)
    assert set(spec.operations) <= set(FACTS.tokens)
    assert {family.name for family in spec.families.values()} <= set(FACTS.names)
    assert set(spec.statuses.values) <= set(FACTS.words)
    assert {float(row.code) for row in spec.codes.rows} <= set(FACTS.numbers)
    assert FACTS.prose, "no documented limit found in the spec"


def test_no_product_module_names_an_api_fact() -> None:
    modules = product_modules()
    assert len(modules) > 40, "too few product modules: wrong folders?"
    findings = [
        finding
        for path in modules
        for finding in check_source(path.read_text(encoding="utf-8"), str(path.relative_to(ROOT)), FACTS)
    ]
    assert not findings, "API facts named outside the spec (ask maas_kl_specfacts or _spec_data):\n" + "\n".join(
        map(str, findings)
    )


@pytest.mark.parametrize(
    ("snippet", "reported"),
    [
        ("LIMIT = 10 * 1024 * 1024\n", True),
        ("HELP = 'extend a video by about 5 s'\n", True),
        ("HINT = f'videos are deleted after 30 days: {url}'\n", True),
        ("STATUS = 'failed'\n", True),
        ("BODY = {'code': 5000}\n", True),
        ("def text2video() -> None: ...\n", True),
        ("MESSAGE = 'the upload failed; try again'\n", False),
        ("TIMEOUT = 5.0\n", False),
        ("MILLIS = int(created_at * 1000)\n", False),
        ("KEEP = 1_000\n", False),
    ],
)
def test_what_counts_as_naming_a_fact(snippet: str, reported: bool) -> None:
    assert bool(check_source(snippet, "planted.py", FACTS)) is reported


def test_a_planted_fact_is_reported_with_file_and_line(tmp_path: Path) -> None:
    original = product_modules()[0]
    module = tmp_path / original.name
    shutil.copyfile(original, module)
    source = module.read_text(encoding="utf-8")
    assert not check_source(source, module.name, FACTS)
    line = len(source.splitlines()) + 1
    module.write_text(source + "ACCOUNT_FULL = 1303\nOPERATION = 'create_text2video_task'\n", encoding="utf-8")
    findings = check_source(module.read_text(encoding="utf-8"), module.name, FACTS)
    assert [(f.path, f.line, f.fact.split(" (")[0]) for f in findings] == [
        (module.name, line, "business code 1303"),
        (module.name, line + 1, "operationId create_text2video_task"),
    ]
    assert str(findings[0]).startswith(f"{module.name}:{line}: business code 1303 (concurrency")
