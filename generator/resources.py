"""Render one typed resource class per task family, and TypedDicts for the nested request objects.

`render_resources` writes the async module (`_async/families.py`); generator/unasync.py derives
the sync twin from it, as it does for the client. The keyword arguments, their types and their
docstrings come from each family's request schema.
"""

from __future__ import annotations

import keyword
import textwrap
from dataclasses import dataclass, field
from typing import Any

from maas_kl_specfacts import pointer

from generator.families import COMPONENT, Family, families

Json = dict[str, Any]

# Parameter names the methods already use: a request field of the same name gets a trailing underscore.
RESERVED = frozenset(
    {"self", "body", "preflight", "timeout", "retry", "poll", "on_update", "on_event", "request_timeout"}
)
SCALARS = {"string": "str", "number": "float", "integer": "int", "boolean": "bool"}


@dataclass
class Names:
    """What a rendered module must import."""

    models: set[str] = field(default_factory=set)
    params: set[str] = field(default_factory=set)


@dataclass(frozen=True)
class Arg:
    """One keyword argument: the JSON field, the Python name, its type, whether required, its docstring."""

    field: str
    name: str
    annotation: str
    required: bool
    doc: str


def _component(spec: Json, ref: str) -> tuple[str, Json]:
    """Return the component a `$ref` names, and the schema the interpreter finds there."""
    return ref.rsplit("/", 1)[-1], pointer(spec, ref)


def annotation(node: Json, spec: Json, names: Names) -> str:  # noqa: PLR0911 - one return per schema shape
    """Return the Python type a caller may pass for a schema: enums also as Literals, objects also as TypedDicts."""
    if "$ref" in node:
        name, target = _component(spec, node["$ref"])
        if "enum" in target:
            names.models.add(name)
            return f"{name} | Literal[{', '.join(repr(v) for v in target['enum'])}]"
        if target.get("type") == "object" and "properties" in target:
            names.models.add(name)
            names.params.add(name)
            return f"{name} | {name}Param"
        return annotation(target, spec, names)
    all_of = node.get("allOf")
    if isinstance(all_of, list) and len(all_of) == 1:
        return annotation(all_of[0], spec, names)
    if "enum" in node:
        return f"Literal[{', '.join(repr(v) for v in node['enum'])}]"
    kind = node.get("type")
    if kind == "array":
        return f"Sequence[{annotation(node.get('items', {}), spec, names)}]"
    if kind == "object":
        return "Mapping[str, Any]"
    return SCALARS.get(str(kind), "Any")


def description(node: Json, spec: Json) -> str:
    """Return a schema's description, following `$ref` and a one-part `allOf` when it has none of its own."""
    if node.get("description"):
        return " ".join(str(node["description"]).split())
    if "$ref" in node:
        return description(_component(spec, node["$ref"])[1], spec)
    all_of = node.get("allOf")
    if isinstance(all_of, list) and len(all_of) == 1:
        return description(all_of[0], spec)
    return ""


def python_name(name: str) -> str:
    """Return a field's argument name: itself, or with a trailing underscore when Python or the method claims it."""
    return f"{name}_" if keyword.iskeyword(name) or name in RESERVED else name


def arguments(schema: Json, spec: Json, names: Names) -> list[Arg]:
    """Return the keyword arguments of an object schema, required ones first, each in spec order."""
    required = set(schema.get("required", []))
    args = [
        Arg(
            field=name,
            name=python_name(name),
            annotation=annotation(prop, spec, names),
            required=name in required,
            doc=description(prop, spec),
        )
        for name, prop in schema.get("properties", {}).items()
        if name.isidentifier()
    ]
    return sorted(args, key=lambda a: not a.required)


def _docstring(summary: str, args: list[Arg], indent: str) -> str:
    lines = [f'{indent}"""{summary}', "", f"{indent}Args:"]
    for arg in args:
        text = _escape(f"{arg.name}: {arg.doc or arg.field}")
        wrapped = textwrap.wrap(text, width=100, subsequent_indent="    ")
        lines += [f"{indent}    {line}" for line in wrapped]
    lines.append(f'{indent}"""')
    return "\n".join(lines)


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"""', '\\"\\"\\"')


def _params_class(name: str, schema: Json, spec: Json, names: Names) -> str:
    """Render a TypedDict of the object schema's keys (required ones Required): an argument's mapping form."""
    lines = [
        f"class {name}Param(TypedDict, total=False):",
        f'    """{_escape(description(schema, spec) or name)}"""',
        "",
    ]
    required = set(schema.get("required", []))
    for key, prop in schema.get("properties", {}).items():
        if not key.isidentifier() or keyword.iskeyword(key):
            continue
        kind = annotation(prop, spec, names)
        lines.append(f"    {key}: Required[{kind}]" if key in required else f"    {key}: {kind}")
        doc = description(prop, spec)
        if doc:
            lines.append(f'    """{_escape(doc)}"""')
    return "\n".join(lines) + "\n"


PARAMS_HEADER = '''"""Request objects' TypedDicts, from the spec. Made by `make generate`; do not edit."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Literal, Required, TypedDict

'''


def render_params(spec: Json) -> str:
    """Render the `_params.py` module: one `<Schema>Param` TypedDict per object schema a request refers to."""
    names = Names()
    for family in families(spec):
        arguments(pointer(spec, family.request_ref), spec, names)
    done: set[str] = set()
    classes: list[str] = []
    while names.params - done:
        for name in sorted(names.params - done):
            done.add(name)
            classes.append(_params_class(name, pointer(spec, f"{COMPONENT}{name}"), spec, names))
    imports = sorted(names.models)
    head = PARAMS_HEADER + (f"from .models import {', '.join(imports)}\n\n" if imports else "")
    return head + "\n\n".join(classes) + f"\n__all__ = {sorted(n + 'Param' for n in done)!r}\n"


def _signature(args: list[Arg], *, body: str | None, required: bool, extra: str) -> str:
    parts = ["self"] if body is None else ["self", body]
    parts += ["/", "*"]
    for arg in args:
        if arg.required and required:
            parts.append(f"{arg.name}: {arg.annotation}")
        else:
            parts.append(f"{arg.name}: {arg.annotation} | NotGiven = NOT_GIVEN")
    parts.append(extra)
    return ",\n        ".join(parts)


CREATE_EXTRA = (
    "preflight: bool | None = None,\n        timeout: Timeout = None,\n        retry: RetryPolicy | None = None,\n"
    "        on_event: OnEvent | None = None"
)
WAIT_EXTRA = (
    "timeout: float | None = None,\n        poll: PollSchedule | None = None,\n"
    "        on_update: OnUpdate | None = None,\n        preflight: bool | None = None,\n"
    "        request_timeout: Timeout = None,\n        retry: RetryPolicy | None = None,\n"
    "        on_event: OnEvent | None = None"
)


def _method(family: Family, method: str, args: list[Arg], extra: str, call: str, summary: str) -> str:  # noqa: PLR0913, PLR0917
    model = family.request_schema
    out = []
    for body, required in ((f"body: {model} | Mapping[str, Any]", False), (None, True)):
        out.append(
            f"    @overload\n    async def {method}(\n"
            f"        {_signature(args, body=body, required=required, extra=extra)},\n"
            "    ) -> R: ..."
        )
    fields = ", ".join(f"{a.field!r}: {a.name}" for a in args)
    implementation = _signature(
        args, body=f"body: {model} | Mapping[str, Any] | None = None", required=False, extra=extra
    )
    out.append(
        f"    async def {method}(\n"
        f"        {implementation},\n"
        f"    ) -> R:\n{_docstring(summary, args, '        ')}\n"
        f"        return await self.{call}(body, {{{fields}}}, {extra_call(extra)})"
    )
    return "\n\n".join(out)


def extra_call(extra: str) -> str:
    """Return the keyword arguments that pass a method's own options through, by name."""
    names = [part.strip().split(":")[0] for part in extra.split(",")]
    return ", ".join(f"{n}={n}" for n in names)


def _resource(family: Family, spec: Json, names: Names) -> str:
    schema = pointer(spec, family.request_ref)
    names.models.add(family.request_schema)
    args = arguments(schema, spec, names)
    what = family.description.rstrip(".")
    cls = f"Async{family.class_name}"
    create = _method(
        family,
        "create",
        args,
        CREATE_EXTRA,
        "_create",
        f"Create one {family.name} task, exactly once, and return it as first reported.",
    )
    create_and_wait = _method(
        family,
        "create_and_wait",
        args,
        WAIT_EXTRA,
        "_create_and_wait",
        f"Create one {family.name} task and wait until it succeeds; `timeout` bounds the wait in seconds.",
    )
    return (
        f"class {cls}(AsyncTaskResource[R]):\n"
        f'    """{_escape(family.name)} tasks: {_escape(what)}.\n\n'
        f"    Example: ``await client.{family.attribute}.create_and_wait(...)``, the request's fields as keywords.\n"
        '    """\n\n'
        f"    kind = {family.name!r}\n\n"
        "    @property\n"
        f"    def with_raw_response(self) -> {cls}[RawResponse]:\n"
        '        """The same methods, returning the HTTP response around the result (`.parse()` gives the Task)."""\n'
        f"        return {cls}(self._client, raw=True)\n\n"
        f"{create}\n\n{create_and_wait}\n"
    )


HEADER = '''"""The async task families: a resource class per family in the spec, and the mixin that hangs them on."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, Literal, overload

from .._arguments import NOT_GIVEN, NotGiven, OnEvent, OnUpdate, Timeout
from .._raw import RawResponse
from .._retry import PollSchedule, RetryPolicy
from .._task import Task
from .resource import AsyncTaskResource, R

if TYPE_CHECKING:
    from .client import AsyncMaasKL

'''


def render_resources(spec: Json) -> str:
    """Render the `_async/families.py` module: the resource classes and the mixin that attaches them to a client."""
    names = Names()
    found = families(spec)
    classes = [_resource(family, spec, names) for family in found]
    imports = ""  # annotations only: the models (and attrs) load with the first model a caller builds
    if names.models:
        imports += f"    from ..models import {', '.join(sorted(names.models))}\n"
    if names.params:
        imports += f"    from .._params import {', '.join(sorted(n + 'Param' for n in names.params))}\n"
    imports = f"if TYPE_CHECKING:\n{imports}" if imports else ""
    attrs = "\n".join(
        f'    {f.attribute}: Async{f.class_name}[Task]\n    """{_escape(f.name)}: {_escape(f.description)}"""'
        for f in found
    )
    attach = "\n".join(f"        self.{f.attribute} = Async{f.class_name}(client)" for f in found)
    mixin = (
        "class AsyncFamilies:\n"
        '    """The task-family resources of an async client: one attribute per family the spec declares."""\n\n'
        f"{attrs}\n\n"
        "    def _attach_families(self, client: AsyncMaasKL) -> None:\n"
        f"{attach}\n"
    )
    return HEADER + imports + "\n" + "\n\n".join([*classes, mixin]) + "\n"


def class_names(spec: Json) -> list[tuple[str, str]]:
    """Return the async-to-sync renames unasync applies to the rendered module."""
    return [(f"Async{f.class_name}", f.class_name) for f in families(spec)]
