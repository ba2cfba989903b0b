"""What a contract run exercised, row by row, read from the spec: statuses, business codes, capability rules, fields.

Every row comes from the spec through `maas_kl_specfacts` (no list is written here): each documented
status and business code per operation, each `x-capability-map` rule on both sides (a request it
accepts, one it refuses), each request-field constraint (enum, bounds, length, pattern, required) on
both sides, and, for mock runs, each `Prefer` scenario and fault kind the mock defines. A run records
its exchanges (`Exchange`, one JSON line each); `measure` turns them into rows, `render_table`,
`render_markdown` and `to_json` show them, and `gate_failures` lists what a mock run must not miss.
"""

from __future__ import annotations

import json
import os
import re
import threading
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass, field, replace
from functools import cache
from pathlib import Path
from typing import Any

from maas_kl_specfacts import CapabilityRule, SpecSchemas, resolve

from contract_tests.spec_facts import capability_map, code, facts, spec

JSON = Any
OBSERVATIONS_ENV = "MAAS_KL_CONTRACT_OBSERVATIONS"
COVERAGE_ENV = "MAAS_KL_CONTRACT_COVERAGE"  # "gate" (a mock run: fail on a gap) or "report"
CONSTRAINT_KEYWORDS = (
    "enum",
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "minLength",
    "maxLength",
    "minItems",
    "maxItems",
    "pattern",
)
SECTIONS = (
    ("status", "statuses per operation"),
    ("code", "business codes"),
    ("code-operation", "business codes per operation"),
    ("capability", "capability rules, both sides"),
    ("constraint", "request-field constraints, both sides"),
    ("prefer", "Prefer scenarios (mock)"),
    ("fault", "fault kinds (mock)"),
)
GATED = frozenset({"code", "capability"})


@dataclass(frozen=True, slots=True)
class Exchange:
    """One request the suite sent and what came back, as much as coverage needs."""

    source: str  # which part of the suite sent it: schemathesis, scenarios, sdk, recorded
    method: str
    path: str  # the URL path as sent
    prefer: str = ""  # the Prefer header, if any
    request: JSON = None  # the JSON body sent, or None
    status: int | None = None  # None: no answer (a dropped connection)
    response: JSON = None  # the JSON body received, or None
    fault: str | None = None  # the fault kind the suite asked the mock for and saw

    def to_line(self) -> str:
        """One JSON line, for the observations file a CLI run appends to."""
        return json.dumps(asdict(self), ensure_ascii=False, default=str)

    @classmethod
    def from_line(cls, line: str) -> Exchange:
        """Read one line `to_line` wrote."""
        return cls(**json.loads(line))


def from_httpx(response: Any, source: str, fault: str | None = None) -> Exchange:
    """Describe an httpx exchange whose body was read (the suite's own clients) as an Exchange."""
    request = response.request
    return Exchange(
        source=source,
        method=request.method,
        path=request.url.path,
        prefer=request.headers.get("prefer", ""),
        request=json_or_none(request.content, request.headers.get("content-type")),
        status=response.status_code,
        response=json_or_none(response.content, response.headers.get("content-type")),
        fault=fault,
    )


_QUERY = re.compile(r"(https?://[^\s?#]+)\?[^\s#]*")


def masked(value: JSON) -> JSON:
    """Copy JSON with every URL's query string masked: video links carry their signature there."""
    if isinstance(value, str):
        return _QUERY.sub(r"\1?(query masked)", value)
    if isinstance(value, Mapping):
        return {k: masked(v) for k, v in value.items()}
    if isinstance(value, list):
        return [masked(v) for v in value]
    return value


class Recorder:
    """Collects the exchanges of one run; also appends them to MAAS_KL_CONTRACT_OBSERVATIONS when that is set."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.exchanges: list[Exchange] = []

    def record(self, exchange: Exchange) -> None:
        """Keep `exchange` (and write it out for a run in another process), URL query strings masked."""
        exchange = replace(exchange, request=masked(exchange.request), response=masked(exchange.response))
        path = os.environ.get(OBSERVATIONS_ENV)
        with self._lock:
            self.exchanges.append(exchange)
            if path:
                with Path(path).open("a", encoding="utf-8") as out:
                    out.write(exchange.to_line() + "\n")

    def clear(self) -> None:
        """Forget every exchange."""
        with self._lock:
            self.exchanges.clear()


RECORDER = Recorder()


def load_observations(path: Path) -> list[Exchange]:
    """Read an observations file (missing: nothing was recorded)."""
    if not path.exists():
        return []
    return [Exchange.from_line(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def json_or_none(content: bytes, content_type: str | None) -> JSON:
    """Parse a body as JSON when it says it is JSON; anything else is None."""
    if not content or "json" not in (content_type or ""):
        return None
    try:
        return json.loads(content)
    except ValueError:
        return None


@dataclass
class Row:
    """One thing the run could exercise, and whether (and by what) it did."""

    section: str
    key: str
    operation: str = ""  # METHOD path, when the row belongs to one operation
    side: str = ""  # accepted / refused, for two-sided rows
    seen: int = 0
    sources: set[str] = field(default_factory=set)
    how: set[str] = field(default_factory=set)  # "behaviour" or "example" (served through Prefer: code=)
    needs_paid_create: bool = False
    exempt: str = ""  # why the row cannot be exercised, read from the spec

    def hit(self, source: str, how: str = "behaviour") -> None:
        """Count one exchange that exercised this row."""
        self.seen += 1
        self.sources.add(source)
        self.how.add(how)

    def as_dict(self) -> dict[str, JSON]:
        """Return the row as JSON data."""
        data = asdict(self)
        data["sources"], data["how"] = sorted(self.sources), sorted(self.how)
        return data


# --- the rows, from the spec ------------------------------------------------------------------


@cache
def _schemas() -> SpecSchemas:
    return SpecSchemas(spec())


def _wire_name(operation_id: str) -> str:
    method, path, _ = facts().operations[operation_id]
    return f"{method} {path}"


def _matchers() -> list[tuple[str, str, re.Pattern[str]]]:
    found = []
    for op_id, (method, path, _) in facts().operations.items():
        pattern = re.escape(path)
        pattern = re.sub(r"\\\{[^/]+?\\\}", "[^/]+", pattern)
        found.append((op_id, method, re.compile(pattern + "$")))
    return found


def operation_of(method: str, url_path: str) -> str | None:
    """Return the operationId an exchange was sent to, matched by method and the path's end."""
    for op_id, op_method, pattern in _matchers():
        if op_method == method.upper() and pattern.search(url_path.split("?", maxsplit=1)[0]):
            return op_id
    return None


def _merged(node: JSON) -> dict[str, JSON]:
    """Resolve refs and fold `allOf` parts into one schema (properties and required as unions)."""
    schema: dict[str, JSON] = dict(resolve(spec(), node) or {})
    for part in schema.pop("allOf", []):
        for key, value in _merged(part).items():
            if key == "properties":
                schema["properties"] = {**value, **schema.get("properties", {})}
            elif key == "required":
                schema["required"] = sorted({*schema.get("required", []), *value})
            else:
                schema.setdefault(key, value)
    return schema


def constraints(node: JSON, where: str = "") -> Iterator[tuple[str, str]]:
    """Every (field path, keyword) a request schema constrains: `prompt maxLength`, `dynamic_masks[].mask required`."""
    schema = _merged(node)
    for keyword in CONSTRAINT_KEYWORDS:
        if keyword in schema and where:
            yield where, keyword
    for name in schema.get("required", []):
        yield _join(where, name), "required"
    for name, child in schema.get("properties", {}).items():
        yield from constraints(child, _join(where, name))
    if isinstance(schema.get("items"), Mapping):
        yield from constraints(schema["items"], f"{where}[]")
    for branch in [*schema.get("anyOf", []), *schema.get("oneOf", [])]:
        yield from constraints(branch, where)


def _join(where: str, name: str) -> str:
    return f"{where}.{name}" if where else name


def _combinations() -> set[str]:
    return {combo for rule in capability_map().rules for combos in rule.supported.values() for combo in combos}


def _exemption(rule: CapabilityRule, side: str) -> str:
    """Why one side of a rule cannot be exercised, read off the rule itself; empty when it can."""
    if side == "accepted" and not any(rule.supported.values()):
        return "no model supports it, so no request is accepted"
    every = _combinations()
    if side == "refused" and not rule.requires and all(set(c) >= every for c in rule.supported.values()):
        return "every model it lists supports every combination, so no request is refused"
    return ""


def expected_rows(mock: bool) -> list[Row]:
    """Every row of the report, from the spec; `mock` adds the mock's Prefer scenarios and fault kinds."""
    rows: list[Row] = []
    codes = facts().codes.rows
    for op_id, (method, path, op) in facts().operations.items():
        name = f"{method} {path}"
        family_op = facts().family(op_id) is not None
        statuses = sorted(int(s) for s in op.get("responses", {}) if str(s).isdigit())
        for status in statuses:
            paid = family_op and status == 200  # a 200 needs a task, and a task is paid work
            rows.append(Row("status", f"{name} {status}", name, needs_paid_create=paid))
        for row in codes:
            if row.status in statuses:
                rows.append(Row("code-operation", f"{name} {row.code} {row.name}", name))
    rows += [Row("code", f"{row.code} {row.name}") for row in codes]
    for rule in capability_map().rules:
        for side in ("accepted", "refused"):
            rows.append(
                Row(
                    "capability",
                    f"{rule.name} ({side})",
                    _wire_name(rule.operation) if rule.operation in facts().operations else rule.operation,
                    side,
                    needs_paid_create=side == "accepted",
                    exempt=_exemption(rule, side),
                )
            )
    for family in facts().families.values():
        if family.request_schema is None:
            continue
        name = _wire_name(family.create)
        for path, keyword in dict.fromkeys(constraints({"$ref": family.request_schema})):
            for side in ("accepted", "refused"):
                rows.append(
                    Row(
                        "constraint",
                        f"{name} {path} {keyword} ({side})",
                        name,
                        side,
                        needs_paid_create=side == "accepted",
                    )
                )
    if mock:
        scenarios, kinds = mock_controls()
        rows += [Row("prefer", f"scenario={s}") for s in scenarios]
        rows += [Row("fault", kind) for kind in kinds]
    return rows


def mock_controls() -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Return the Prefer scenarios and fault kinds the mock defines, read where the mock defines them."""
    from maas_kl_mock.pipeline.faults import FAULT_KINDS  # noqa: PLC0415  (only mock runs need the mock)
    from maas_kl_mock.pipeline.prefer import SCENARIOS  # noqa: PLC0415

    return tuple(SCENARIOS), tuple(FAULT_KINDS)


# --- what the exchanges exercised --------------------------------------------------------------


def prefer_parts(header: str) -> dict[str, str]:
    """`code=429, example=x, scenario=fail` as a dict (the mock's own reading, loosely)."""
    parts: dict[str, str] = {}
    for item in header.replace(";", ",").split(","):
        key, _, value = item.strip().partition("=")
        if key.strip():
            parts[key.strip().lower()] = value.strip().strip('"')
    return parts


def _normal(pointer: str) -> str:
    """`/dynamic_masks/0/mask` as the row's field path `dynamic_masks[].mask`."""
    text = ""
    for token in pointer.split("/")[1:]:
        text += "[]" if token.isdigit() else (f".{token}" if text else token)
    return text


def _present(body: JSON, path: str) -> bool:
    """Whether `body` holds a value (not null) at the field path, `[]` meaning any item."""
    nodes: list[JSON] = [body]
    for part in re.findall(r"[^.\[\]]+|\[\]", path):
        nxt: list[JSON] = []
        for node in nodes:
            if part == "[]" and isinstance(node, list):
                nxt.extend(node)
            elif isinstance(node, Mapping) and node.get(part) is not None:
                nxt.append(node[part])
        nodes = nxt
    return bool(nodes)


def measure(exchanges: Iterable[Exchange], mock: bool) -> list[Row]:
    """Fill the spec's rows with what the exchanges show."""
    rows = expected_rows(mock)
    by_key = {(row.section, row.key): row for row in rows}
    for ex in exchanges:
        prefer = prefer_parts(ex.prefer)
        if mock and "scenario" in prefer and (ex.status is None or ex.status < 400):
            _hit(by_key, "prefer", f"scenario={prefer['scenario']}", ex.source)
        if mock and ex.fault:
            _hit(by_key, "fault", ex.fault, ex.source)
        op_id = operation_of(ex.method, ex.path)
        if op_id is None or ex.status is None:
            continue
        how = "example" if "code" in prefer else "behaviour"
        _count_answer(by_key, ex, _wire_name(op_id), how)
        if how == "behaviour" and isinstance(ex.request, Mapping) and facts().is_create(op_id):
            _count_request(by_key, ex, op_id)
    return rows


def _count_answer(by_key: Mapping[tuple[str, str], Row], ex: Exchange, name: str, how: str) -> None:
    """Count the status and the business code an answer carried."""
    _hit(by_key, "status", f"{name} {ex.status}", ex.source, how)
    body_code = ex.response.get("code") if isinstance(ex.response, Mapping) else None
    row = facts().codes.by_code.get(body_code) if isinstance(body_code, int) else None
    if row is not None:
        _hit(by_key, "code", f"{row.code} {row.name}", ex.source, how)
        _hit(by_key, "code-operation", f"{name} {row.code} {row.name}", ex.source, how)


def _count_request(by_key: Mapping[tuple[str, str], Row], ex: Exchange, op_id: str) -> None:
    """Count the field constraints and capability-rule sides a create's body exercised, by how it was answered."""
    invalid = code("invalid_value")
    body_code = ex.response.get("code") if isinstance(ex.response, Mapping) else None
    accepted, refused = ex.status == 200, ex.status == invalid.status and body_code == invalid.code
    name = _wire_name(op_id)
    schema_violations = _schemas().request(op_id, ex.request)
    broken = {(_normal(v.pointer), v.rule) for v in schema_violations}
    family = facts().family(op_id)
    for path, keyword in constraints({"$ref": family.request_schema}) if family and family.request_schema else ():
        if accepted and _present(ex.request, path) and (path, keyword) not in broken:
            _hit(by_key, "constraint", f"{name} {path} {keyword} (accepted)", ex.source)
        elif ex.status == invalid.status and (path, keyword) in broken:
            _hit(by_key, "constraint", f"{name} {path} {keyword} (refused)", ex.source)
    if schema_violations:
        return  # a capability side counts only for a body the schema accepts
    violated = {v.rule for v in capability_map().check(op_id, ex.request)}
    for rule in capability_map().rules:
        if rule.operation != op_id or not rule.applies(ex.request):
            continue
        if accepted and rule.name not in violated:
            _hit(by_key, "capability", f"{rule.name} (accepted)", ex.source)
        elif refused and rule.name in violated:
            _hit(by_key, "capability", f"{rule.name} (refused)", ex.source)


def _hit(by_key: Mapping[tuple[str, str], Row], section: str, key: str, source: str, how: str = "behaviour") -> None:
    if (section, key) in by_key:
        by_key[section, key].hit(source, how)


# --- verdict and rendering ----------------------------------------------------------------------


def gate_failures(rows: Sequence[Row]) -> list[Row]:
    """List what a mock run must exercise and did not: business codes and capability-rule sides, bar exemptions."""
    return [r for r in rows if r.section in GATED and not r.seen and not r.exempt]


def lost_since(baseline: Mapping[str, JSON], rows: Sequence[Row]) -> list[str]:
    """Rows an earlier report (`to_json`) saw that these rows did not: coverage drift between two runs."""
    before = {f"{r['section']}: {r['key']}" for r in baseline.get("rows", []) if r.get("seen")}
    now = {f"{r.section}: {r.key}" for r in rows if r.seen}
    return sorted(before - now)


def summary(rows: Sequence[Row]) -> list[tuple[str, int, int, int, bool]]:
    """Per section: title, rows seen, rows to see, rows exempt, whether a mock run requires it."""
    out = []
    for section, title in SECTIONS:
        chosen = [r for r in rows if r.section == section]
        if chosen:
            exempt = sum(1 for r in chosen if r.exempt)
            seen = sum(1 for r in chosen if r.seen)
            out.append((title, seen, len(chosen) - exempt, exempt, section in GATED))
    return out


@dataclass(frozen=True, slots=True)
class Run:
    """Which run a report is of: its name, whether it ran on the mock (gated), how many exchanges it saw."""

    name: str
    mock: bool
    exchanges: int

    @property
    def mode(self) -> str:
        """`mock` (gated) or `live` (report only)."""
        return "mock" if self.mock else "live"


def render_table(rows: Sequence[Row], run: Run, written: Sequence[Path] = ()) -> str:
    """Render the short table printed at the end of a run, with what is missing where it matters."""
    sources = sorted({s for r in rows for s in r.sources})
    lines = [
        f"contract coverage ({run.name}, {'mock: gated' if run.mock else 'live: report only'}; "
        f"{run.exchanges} exchanges from {', '.join(sources) or 'nothing'})",
        f"  {'area':<40} {'seen':>5} / {'rows':<5} {'exempt':>6}  mock run",
    ]
    for title, seen, total, exempt, gated in summary(rows):
        lines.append(f"  {title:<40} {seen:>5} / {total:<5} {exempt:>6}  {'required' if gated else 'reported'}")
    missing = gate_failures(rows)
    if missing:
        lines.append(f"  not exercised ({'fails this run' if run.mock else 'would fail a mock run'}):")
        lines += [f"    - {r.section}: {r.key}" for r in missing]
    if not run.mock:
        paid = [r for r in rows if not r.seen and r.needs_paid_create]
        lines.append(f"  {len(paid)} rows not seen need a paid create (marked in the reports)")
    if written:
        lines.append(f"  reports: {', '.join(str(p) for p in written)}")
    return "\n".join(lines)


def to_json(rows: Sequence[Row], run: Run) -> dict[str, JSON]:
    """Return the whole report as JSON data (what a CI system keeps and diffs)."""
    return {
        "run": run.name,
        "mode": run.mode,
        "exchanges": run.exchanges,
        "summary": [
            {"area": title, "seen": seen, "rows": total, "exempt": exempt, "required_on_mock": gated}
            for title, seen, total, exempt, gated in summary(rows)
        ],
        "not_exercised_required": [f"{r.section}: {r.key}" for r in gate_failures(rows)],
        "rows": [r.as_dict() for r in rows],
    }


def render_markdown(rows: Sequence[Row], run: Run) -> str:
    """Render the whole report as Markdown: the summary, then every row by area."""
    mode = "mock (gated)" if run.mock else "live (report only)"
    out = [f"# Contract coverage: {run.name}", "", f"Mode: {mode}; {run.exchanges} exchanges.", ""]
    out += ["| area | seen | rows | exempt | on a mock run |", "|---|---:|---:|---:|---|"]
    for title, seen, total, exempt, gated in summary(rows):
        out.append(f"| {title} | {seen} | {total} | {exempt} | {'required' if gated else 'reported'} |")
    header = "| row | seen | by | how | needs a paid create | exempt because |"
    for section, title in SECTIONS:
        chosen = [r for r in rows if r.section == section]
        if not chosen:
            continue
        out += ["", f"## {title}", "", header, "|---|---:|---|---|---|---|"]
        for r in chosen:
            key = r.key.replace("|", "\\|")
            by, how = ", ".join(sorted(r.sources)), ", ".join(sorted(r.how))
            out.append(f"| `{key}` | {r.seen} | {by} | {how} | {'yes' if r.needs_paid_create else ''} | {r.exempt} |")
    return "\n".join(out) + "\n"


def write_reports(rows: Sequence[Row], run: Run, directory: Path, stem: str) -> list[Path]:
    """Write `<stem>.json` and `<stem>.md` into `directory`; return their paths."""
    directory.mkdir(parents=True, exist_ok=True)
    as_json, as_md = directory / f"{stem}.json", directory / f"{stem}.md"
    as_json.write_text(json.dumps(to_json(rows, run), indent=2) + "\n", encoding="utf-8")
    as_md.write_text(render_markdown(rows, run), encoding="utf-8")
    return [as_json, as_md]
