"""The decision records: every id the tree cites names exactly one entry, and each record keeps its entries in order.

The spec's own choices are in openapi/DECISIONS.md, every other area's in docs/decisions/<area>.md
(docs/decisions/README.md is the index). An entry is a heading `## <id>. <title>`; an id is a
series letter and a number (`S10`) or `M-` and a name (`M-TOKENS`). A citation is an id written
where it can only be a decision id, so a model name (`V1, std mode`), a lint code or a URL escape
(`%C2`) never counts:

- after the word decision(s) or DECISIONS(.md): `decision S10`, `DECISIONS C1-C5`, `decisions S1-S8 and D18`;
- touching a parenthesis: `(F6)`, `(D7, S1)`, `(a 404, M1)`, `(R1, outside the SDK)`, `(F6's ...`;
- before a pointer to a record: `S1-S13 in \\`openapi/DECISIONS.md\\``;
- leading a comment or docstring with a colon: `# S5: the exception ...`;
- in `as R2 says`.

The V-series counts only after the word decision, since `V1` is also a model. A range (`D10-D14`,
with a hyphen or an en dash) cites every id in it. A citation that says where its ids are
(`M5 in docs/decisions/mock.md`, `DECISIONS C2`, `openapi/DECISIONS.md V1`, backticks or not) must
name the record that defines them.
"""

from __future__ import annotations

import itertools
import re
import shutil
import subprocess
from collections import defaultdict
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SPEC_RECORD = "openapi/DECISIONS.md"
FOLDER = "docs/decisions"
SUFFIXES = {".py", ".md", ".yaml", ".yml", ".toml", ".jinja"}

ID = r"(?:M-[A-Z]{3,}|[CDFMPQRSTVW][1-9][0-9]?)"
DASH = "[-\u2013]"  # a hyphen or an en dash
ITEM = rf"(?<![\w%./-]){ID}(?:\s?{DASH}\s?{ID})?(?![\w-]|\.\d)"
LIST = rf"{ITEM}(?:(?:,\s*|\s+and\s+|\s+or\s+){ITEM})*"
CONTEXT = re.compile(rf"(?:\b[Dd]ecisions?|\bDECISIONS(?:\.md)?)`?\s+({LIST})")
PAREN = re.compile(rf"(?<=\()({ITEM})|({ITEM})(?=\))")
POINTER = re.compile(rf"({ITEM})\s+in\s+`?(?:openapi/DECISIONS\.md|docs/decisions/)")
LEADING = re.compile(rf"(?:^\s*(?:\"\"\"|'''|//|\*|-)?|#+)\s*({ITEM}):\s")
SAYS = re.compile(rf"\bas\s+({ITEM})\s+says\b")
# Where a citation says its ids are: a record's path, the folder (any area's record), or the bare word DECISIONS
# (the spec's record), right after `<ids> in` or right before the ids.
RECORD = r"docs/decisions/(?:\w+\.md)?|(?:openapi/)?\bDECISIONS(?:\.md)?"
LOCATED = (
    re.compile(rf"({LIST})\s+in\s+`?({RECORD})"),
    re.compile(rf"(?<![\w/])({RECORD})`?\s+(?:in\s+)?({LIST})"),
)
HEADING = re.compile(rf"^## ({ID})\. \S")
ONE_ID = re.compile(ID)


def _ids(text: str) -> list[str]:
    """Every id a citation's text names, ranges expanded (`D10-D14` is D10, D11, ..., D14)."""
    found: list[str] = []
    for item in re.finditer(ITEM, text):
        ends = ONE_ID.findall(item.group())
        first, last = ends[0], ends[-1]
        if len(ends) == 2 and first[0] == last[0] and first[1:].isdigit() and last[1:].isdigit():
            found += [f"{first[0]}{n}" for n in range(int(first[1:]), int(last[1:]) + 1)]
        else:
            found += ends
    return found


def citations(line: str) -> list[str]:
    """The decision ids `line` cites, in any of the forms the module docstring lists."""
    cited = [i for m in CONTEXT.finditer(line) for i in _ids(m.group(1))]
    for pattern in (PAREN, POINTER, LEADING, SAYS):
        for match in pattern.finditer(line):
            cited += [i for i in _ids(next(g for g in match.groups() if g)) if not i.startswith("V")]
    return cited


def _files() -> list[str]:
    git = shutil.which("git")
    if git is None or not (ROOT / ".git").exists():
        pytest.skip("needs a git checkout to list the tree's files")
    listed = subprocess.run(
        [git, "ls-files", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.splitlines()
    this = Path(__file__).resolve().relative_to(ROOT).as_posix()
    return sorted(
        name
        for name in listed
        if (Path(name).suffix in SUFFIXES or Path(name).name == "Makefile") and name != this and (ROOT / name).is_file()
    )


def located(line: str) -> list[tuple[str, set[str]]]:
    """(id, the records it may be in) for each id `line` places in a record: `M5 in `docs/decisions/mock.md``."""
    found: list[tuple[str, set[str]]] = []
    for pattern in LOCATED:
        for match in pattern.finditer(line):
            ids, record = (match.group(1), match.group(2)) if pattern is LOCATED[0] else match.group(2, 1)
            if "DECISIONS" in record:
                allowed = {SPEC_RECORD}
            elif record.endswith(".md"):
                allowed = {record}
            else:
                allowed = set(records()[1:])
            found += [(ident, allowed) for ident in _ids(ids)]
    return found


def records() -> list[str]:
    """The decision records: the spec's and each area's (the folder's README is the index, not a record)."""
    areas = sorted(p for p in (ROOT / FOLDER).glob("*.md") if p.name != "README.md")
    return [SPEC_RECORD, *(p.relative_to(ROOT).as_posix() for p in areas)]


def entries(record: str) -> list[tuple[int, str]]:
    """(line, id) of each entry heading in `record`, in file order."""
    lines = (ROOT / record).read_text(encoding="utf-8").splitlines()
    return [(n, m.group(1)) for n, line in enumerate(lines, 1) if (m := HEADING.match(line))]


def definitions() -> dict[str, list[str]]:
    """Where each id is defined, as `record:line`."""
    where: dict[str, list[str]] = defaultdict(list)
    for record in records():
        for line, ident in entries(record):
            where[ident].append(f"{record}:{line}")
    return where


def test_the_citation_patterns_take_ids_and_leave_words() -> None:
    assert set(citations("the sync twin (decision S10) and (D7, S1), see DECISIONS C1\u2013C5")) == {
        "S10",
        "D7",
        "S1",
        "C1",
        "C2",
        "C3",
        "C4",
        "C5",
    }
    assert set(citations("(decisions S1-S3 and D18 in `openapi/DECISIONS.md`)")) == {"S1", "S2", "S3", "D18"}
    assert citations("# S5: the exception class") == ["S5"]
    assert citations("x += 1  # R1: settled in the console") == ["R1"]
    assert citations("driven as R2 says for each error") == ["R2"]
    assert located("decision M5 in `docs/decisions/mock.md` (DECISIONS C2, C3); `openapi/DECISIONS.md` V1") == [
        ("M5", {"docs/decisions/mock.md"}),
        ("C2", {SPEC_RECORD}),
        ("C3", {SPEC_RECORD}),
        ("V1", {SPEC_RECORD}),
    ]
    assert located("Every decision: see `openapi/DECISIONS.md` and docs/decisions/ for how") == []
    assert citations('"""F3: one set of semantics') == ["F3"]
    assert citations("rules in `openapi/DECISIONS.md` V1.") == ["V1"]
    assert set(citations("any key is a tenant (M-TOKENS); (F6's before run), by R2)")) == {"M-TOKENS", "F6", "R2"}
    for words in (
        "summary: Simple camera movement (V1, std mode, 5 s)",
        "Succeeded V1 videos to extend",
        'select = ["E", "F", "D2", "D3", "C4"]',
        'query="limit=%C2%B2")',
        "an S3 bucket, a T1 line, P1 priority, R2 storage",
        "the MaaS_KL_V1 model (kling-v1)",
        "supported on (D1.5 and M2.0)",
    ):
        assert citations(words) == [], words


def test_every_cited_decision_names_exactly_one_entry() -> None:
    where = definitions()
    headings = {(record, line) for record in records() for line, _ in entries(record)}
    wrong: list[str] = []
    cited = 0
    for name in _files():
        text = (ROOT / name).read_text(encoding="utf-8", errors="replace")
        for number, line in enumerate(text.splitlines(), 1):
            if (name, number) in headings:
                continue
            for ident in citations(line):
                cited += 1
                places = where.get(ident, [])
                if len(places) != 1:
                    found = ", ".join(places) or "no entry"
                    wrong.append(f"{name}:{number}: cites {ident}, defined by {found}: {line.strip()[:100]}")
            for ident, allowed in located(line):
                places = where.get(ident, [])
                if len(places) == 1 and places[0].rsplit(":", 1)[0] not in allowed:
                    wrong.append(
                        f"{name}:{number}: says {ident} is in {' or '.join(sorted(allowed))}, "
                        f"but it is defined at {places[0]}: {line.strip()[:100]}"
                    )
    assert cited > 100, f"only {cited} citations found: are the patterns or the file list broken?"
    assert not wrong, "citations that name no entry, or more than one:\n" + "\n".join(wrong)


def test_no_decision_is_defined_twice() -> None:
    twice = {ident: places for ident, places in definitions().items() if len(places) > 1}
    assert not twice, "\n".join(f"{ident} is defined at {', '.join(places)}" for ident, places in twice.items())


def _key(ident: str) -> tuple[str, float]:
    """(series, number); a named id (`M-TOKENS`) sorts after the numbered ids of its letter."""
    return ident[0], float("inf") if ident[1] == "-" else int(ident[1:])


@pytest.mark.parametrize("record", records())
def test_each_record_keeps_its_entries_in_order(record: str) -> None:
    found = entries(record)
    assert found, f"{record} has no `## <id>. <title>` entries"
    stray = [
        f"{record}:{n}: {line}"
        for n, line in enumerate((ROOT / record).read_text(encoding="utf-8").splitlines(), 1)
        if line.startswith("## ") and not HEADING.match(line)
    ]
    assert not stray, "a heading that is no `## <id>. <title>` entry (misspelt id?):\n" + "\n".join(stray)
    closed: set[str] = set()
    for (_, before), (line, ident) in itertools.pairwise(found):
        (series, number), (prev_series, prev_number) = _key(ident), _key(before)
        if series != prev_series:
            closed.add(prev_series)
            assert series not in closed, f"{record}:{line}: {ident} reopens the {series}-series after {before}"
        else:
            assert number > prev_number or number == prev_number == float("inf"), (
                f"{record}:{line}: {ident} comes after {before}; entries go by series, then number"
            )


def test_each_area_record_opens_with_a_title_and_one_paragraph() -> None:
    for record in records()[1:]:
        head = (ROOT / record).read_text(encoding="utf-8").split("\n## ", 1)[0].strip()
        title, _, rest = head.partition("\n")
        paragraphs = [p for p in rest.strip().split("\n\n") if p.strip()]
        assert title.startswith("# "), f"{record}: the first line is the title"
        assert len(paragraphs) == 1, f"{record}: one paragraph before the first entry, found {len(paragraphs)}"


def test_the_index_lists_every_record() -> None:
    index = (ROOT / FOLDER / "README.md").read_text(encoding="utf-8")
    for record in records():
        name = Path(record).name if record.startswith(FOLDER) else record
        assert f"`{name}`" in index, f"{FOLDER}/README.md does not list {record}"
