"""The SDK's public Python API as griffe sees it, and griffe's own breakage checks between two versions.

The report lists every public module, class, exception, function and attribute reachable from the
package by a public import path, with its signature (no docstrings), so a reviewer sees an API
change in the diff. Breaking changes come from `griffe.find_breaking_changes`; additions are the
report's new entries and signatures that changed without griffe calling them breaking.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import griffe

from generator.api_changes.grading import Change

PACKAGE = "maas_kl_client"
EXCEPTION_BASES = frozenset({"Exception", "BaseException", "ValueError", "RuntimeError", "TimeoutError", "OSError"})


def load(parent: Path, package: str = PACKAGE) -> griffe.Object:
    """Load `package` statically from the folder that holds it (never from the installed copy)."""
    loaded = griffe.load(
        package, search_paths=[parent], try_relative_path=False, resolve_aliases=True, resolve_external=False
    )
    assert isinstance(loaded, griffe.Object)
    return loaded


def _target(obj: griffe.Object | griffe.Alias) -> griffe.Object | None:
    if isinstance(obj, griffe.Alias):
        try:
            final = obj.final_target
        except (griffe.AliasResolutionError, griffe.CyclicAliasError):
            return None
        return final if isinstance(final, griffe.Object) else None
    return obj


def _is_exception(cls: griffe.Class, depth: int = 0) -> bool:
    if any(str(base).rsplit(".", 1)[-1] in EXCEPTION_BASES for base in cls.bases):
        return True
    bases = [base for base in cls.resolved_bases if isinstance(base, griffe.Class)]
    return depth < 8 and any(_is_exception(base, depth + 1) for base in bases)


def _parameters(fn: griffe.Function) -> str:
    parts: list[str] = []
    star = False
    params = list(fn.parameters)
    for index, param in enumerate(params):
        kind = param.kind
        if kind is griffe.ParameterKind.var_positional:
            star = True
            text = f"*{param.name}"
        elif kind is griffe.ParameterKind.var_keyword:
            text = f"**{param.name}"
        else:
            if kind is griffe.ParameterKind.keyword_only and not star:
                parts.append("*")
                star = True
            text = param.name
        if param.annotation is not None:
            text += f": {param.annotation}"
        if param.default is not None:
            text += f" = {param.default}"
        parts.append(text)
        if kind is griffe.ParameterKind.positional_only and (
            index + 1 == len(params) or params[index + 1].kind is not kind
        ):
            parts.append("/")
    return ", ".join(parts)


def _signature(obj: griffe.Object) -> str:
    if isinstance(obj, griffe.Function):
        returns = f" -> {obj.returns}" if obj.returns is not None else ""
        prefix = "async def" if "async" in obj.labels else "def"
        labels = sorted(obj.labels - {"async"})
        tag = f"  [{', '.join(labels)}]" if labels else ""
        return f"{prefix} {obj.name}({_parameters(obj)}){returns}{tag}"
    if isinstance(obj, griffe.Class):
        kind = "exception" if _is_exception(obj) else "class"
        bases = f"({', '.join(str(b) for b in obj.bases)})" if obj.bases else ""
        return f"{kind} {obj.name}{bases}"
    if isinstance(obj, griffe.Attribute):
        annotation = f": {obj.annotation}" if obj.annotation is not None else ""
        value = f" = {obj.value}" if obj.value is not None else ""
        return f"attribute {obj.name}{annotation}{value}"
    return f"module {obj.name}"


def _walk(obj: griffe.Object, path: str, seen: frozenset[str]) -> Iterator[tuple[str, str, str]]:
    yield path, obj.path, _signature(obj)
    if obj.path in seen or not isinstance(obj, griffe.Module | griffe.Class):
        return
    seen = seen | {obj.path}
    for name, member in sorted(obj.members.items()):
        if not member.is_public or (isinstance(member, griffe.Alias) and not member.is_exported and obj.is_module):
            continue
        target = _target(member)
        if target is None or target.package.path != obj.package.path:
            continue
        if isinstance(target, griffe.Module) and isinstance(member, griffe.Alias):
            continue  # a module re-exported by name is reported under its own path
        yield from _walk(target, f"{path}.{name}", seen)


def report(package: griffe.Object) -> dict[str, str]:
    """Every public path of the package and its signature, sorted by path."""
    return {public: signature for public, _, signature in sorted(_walk(package, package.path, frozenset()))}


def _public_names(package: griffe.Object) -> dict[str, str]:
    """Each canonical path's shortest public path (how a user imports it)."""
    names: dict[str, str] = {}
    for public, path, _ in _walk(package, package.path, frozenset()):
        if path not in names or (public.count("."), public) < (names[path].count("."), names[path]):
            names[path] = public
    return names


def breaking(old: griffe.Object, new: griffe.Object) -> list[Change]:
    """Griffe's breaking changes between two loaded versions of the package, named by their public path."""
    names = _public_names(old)
    changes = []
    for breakage in griffe.find_breaking_changes(old, new):
        path = names.get(breakage.obj.path, breakage.obj.path)
        old_value = breakage._format_old_value()
        new_value = breakage._format_new_value()
        subject = path.rsplit(".", 1)[-1]
        changes.append(Change("breaking", "python", path, breakage.kind.value.lower(), old_value, new_value, subject))
    return changes


def additions(old_package: griffe.Object, new_package: griffe.Object, broken: list[Change]) -> list[Change]:
    """Public objects that appeared, and signatures that changed where griffe found no breakage.

    One line per object, under its shortest public path, however many paths re-export it.
    """
    old, new = report(old_package), report(new_package)
    old_names, new_names = _public_names(old_package), _public_names(new_package)
    shown_old, shown_new = set(old_names.values()), set(new_names.values())
    flagged = {change.where for change in broken}
    changes = []
    for path in sorted(shown_new - set(old)):
        changes.append(Change("addition", "python", path, "added", "", new[path], path.rsplit(".", 1)[-1]))
    for path in sorted(shown_new & shown_old):
        if new[path] != old[path] and path not in flagged:
            what = "signature changed (griffe reports no breakage)"
            changes.append(Change("addition", "python", path, what, old[path], new[path], path.rsplit(".", 1)[-1]))
    return changes
