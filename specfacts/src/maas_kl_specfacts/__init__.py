"""What the spec says, read one way for every product: the generator, the SDK, the mock and the contract suite.

A workspace distribution of its own (`maas-kl-specfacts`), stdlib only, that both products depend on,
so it exists once in the tree and in each installation (decision W1).
"""

import typing as _typing

if _typing.TYPE_CHECKING:
    from ._capability import CapabilityMap, CapabilityRule, Selection
    from ._codes import BusinessCode, CodeTable
    from ._families import Family, SpecFacts, snake
    from ._images import ImageLimits, image_fields, image_limits
    from ._refs import pointer, resolve
    from ._schema import SpecSchemas, UnknownKeywordError, Validator, Violation
    from ._statuses import TaskStatuses

# Each public name and its module, imported on first use (PEP 562): the SDK's `import` and a
# query load only the code tables, never the schema interpreter a create's preflight needs.
_WHERE: dict[str, str] = {
    "BusinessCode": "._codes",
    "CapabilityMap": "._capability",
    "CapabilityRule": "._capability",
    "CodeTable": "._codes",
    "Family": "._families",
    "ImageLimits": "._images",
    "Selection": "._capability",
    "SpecFacts": "._families",
    "SpecSchemas": "._schema",
    "TaskStatuses": "._statuses",
    "UnknownKeywordError": "._schema",
    "Validator": "._schema",
    "Violation": "._schema",
    "image_fields": "._images",
    "image_limits": "._images",
    "pointer": "._refs",
    "resolve": "._refs",
    "snake": "._families",
}


def __getattr__(name: str) -> _typing.Any:
    """Import a public name from its module on first use, then keep it here."""
    where = _WHERE.get(name)
    if where is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from importlib import import_module  # noqa: PLC0415 - only on a first use

    value = getattr(import_module(where, __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    """List the public names too, loaded or not, so completion and dir() see the whole surface."""
    return sorted({*globals(), *__all__})


__all__ = [
    "BusinessCode",
    "CapabilityMap",
    "CapabilityRule",
    "CodeTable",
    "Family",
    "ImageLimits",
    "Selection",
    "SpecFacts",
    "SpecSchemas",
    "TaskStatuses",
    "UnknownKeywordError",
    "Validator",
    "Violation",
    "image_fields",
    "image_limits",
    "pointer",
    "resolve",
    "snake",
]
