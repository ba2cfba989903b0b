"""PEP 562 loading shared by the package and its models: a public name's module is imported on its first use."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from importlib import import_module
from typing import Any


def attach(
    package: str, namespace: dict[str, Any], where: Mapping[str, str], public: Iterable[str]
) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """Return a package's `__getattr__` and `__dir__`, so `import` costs nothing until a name is used."""
    names = frozenset(public)

    def __getattr__(name: str) -> Any:  # noqa: N807 - it becomes the module's __getattr__
        """Import `name` from its module on first use, then keep it in the package."""
        module = where.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(import_module(module, package), name)
        namespace[name] = value
        return value

    def __dir__() -> list[str]:  # noqa: N807 - it becomes the module's __dir__
        """List the public names too, loaded or not, so completion and dir() see the whole surface."""
        return sorted({*namespace, *names})

    return __getattr__, __dir__
